"""Row provenance (issue 18): rows are credited to whoever brought them first, the DAO included."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.valuation.conftest import provider_scenario
from valuation import ProviderGame, estimate_shapley
from valuation.errors import InvalidInput
from valuation.provenance import Source, trace_rows


def _jitter(X: np.ndarray, seed: int = 1) -> np.ndarray:
    return X + np.random.default_rng(seed).normal(0.0, 0.001, X.shape) * X.std(axis=0)


def test_the_demo_is_valued_on_the_same_rows():
    from tests.unit.valuation.test_grouping import demo_arrays

    providers, anchor, _ = demo_arrays()
    trace = trace_rows(providers, anchor)
    for (X, y), (Xt, yt) in zip(providers, trace.providers, strict=True):
        assert np.array_equal(X, Xt) and np.array_equal(y, yt)
    assert [len(c) for c in trace.credits[:7]] == [0] * 7 and trace.notes == [""] * 8
    # provider 7 reverses provider 0's rows: every one is an exact copy of provider 0's
    assert {(c.source, c.kind) for c in trace.credits[7]} == {("provider 0", "exact")}
    assert len(trace.credits[7]) == len(providers[7][1])


def test_near_copies_within_the_epoch_become_the_earlier_rows(breast_cancer):
    providers, anchor, _ = provider_scenario(breast_cancer, 3)
    X0, y0 = providers[0]
    trace = trace_rows([*providers, (_jitter(X0), y0)], anchor, owners=["a", "b", "c", "d"])
    assert np.array_equal(trace.providers[3][0], X0)  # the copy now counts once, as provider 0's
    assert {(c.source, c.kind, c.owner) for c in trace.credits[3]} == {("provider 0", "near", "a")}
    assert [c.source_row for c in trace.credits[3]] == list(range(len(y0)))


def test_history_is_not_bought_back(breast_cancer):
    """A revealed hold-out and an earlier epoch's data, resubmitted (one exactly, one nearly),
    are removed from the contribution: the DAO owns the first, alice keeps the second."""
    providers, anchor, validation = provider_scenario(breast_cancer, 4)
    holdout = Source("hold-out epoch 1", *validation)
    earlier = Source("epoch 1 #3", *providers[3], owner="alice")
    own_X, own_y = providers[1]
    Xv, yv = validation
    resubmitted = (
        np.vstack([own_X, Xv[:40], _jitter(providers[3][0])[:30]]),
        np.concatenate([own_y, yv[:40], providers[3][1][:30]]),
    )
    trace = trace_rows(
        [providers[0], resubmitted], anchor, history=[holdout, earlier], owners=["x", "mallory"]
    )
    kept_X, kept_y = trace.providers[1]
    assert np.array_equal(kept_X, own_X) and np.array_equal(kept_y, own_y)
    sources = {(c.source, c.kind, c.owner) for c in trace.credits[1]}
    assert sources == {("hold-out epoch 1", "exact", None), ("epoch 1 #3", "near", "alice")}
    record = trace.to_dict()["providers"][1]
    assert record["kept_rows"] == len(own_y)
    assert sorted(len(e["rows"]) for e in record["credited_elsewhere"]) == [30, 40]


def test_a_near_copy_of_the_anchor_earns_nothing(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 3)
    Xa, ya = anchor
    trace = trace_rows([*providers, (_jitter(Xa), ya)], anchor)
    assert {c.owner for c in trace.credits[3]} == {None}
    values = estimate_shapley(ProviderGame(trace.providers, anchor, validation)).values
    assert values[3] == 0


def test_data_matching_by_chance_is_left_alone(digits):
    """Digits share most pixels by chance (zeros): near matching is switched off, and says so."""
    providers, anchor, _ = provider_scenario(digits, 4, anchor_rows=60, n_classes=10)
    trace = trace_rows(providers, anchor)
    assert all("near matching off" in note for note in trace.notes[1:])
    for (X, y), (Xt, yt) in zip(providers, trace.providers, strict=True):
        assert np.array_equal(X, Xt) and np.array_equal(y, yt)


def test_the_trace_is_deterministic(breast_cancer):
    providers, anchor, _ = provider_scenario(breast_cancer, 3)
    X0, y0 = providers[0]
    data = [*providers, (np.round(X0, 2), y0)]
    assert trace_rows(data, anchor).to_dict() == trace_rows(data, anchor).to_dict()


def test_bad_input_is_named(breast_cancer):
    providers, anchor, _ = provider_scenario(breast_cancer, 2)
    X0, y0 = providers[0]
    with pytest.raises(InvalidInput, match="provider 1"):
        trace_rows([providers[0], (X0[:, :5], y0)], anchor)
    with pytest.raises(InvalidInput, match="distinct names"):
        trace_rows(providers, anchor, history=[Source("anchor", X0, y0)])
    with pytest.raises(InvalidInput, match="owners"):
        trace_rows(providers, anchor, owners=["a"])

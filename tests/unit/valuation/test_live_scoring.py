"""Live-scored epochs (issue 20), the chain-free part: which outcome rows may score an epoch, what a
short resolution period leads to, and valuing on the rows that remain."""

from __future__ import annotations

import numpy as np
import pytest

from valuation.errors import InvalidInput
from valuation.live import (
    LiveScoring,
    OutcomeRows,
    Resolution,
    resolve_period,
    select_scoring_rows,
    value_contributions,
    value_live_epoch,
)
from valuation.metamodel import StackedMetamodel
from valuation.payout import PayoutPolicy
from valuation.stake_weighting import make_meta_learner

COMMIT = 100
REPORTER = "0xAaAa000000000000000000000000000000000001"
STRANGER = "0xBbBb000000000000000000000000000000000002"
TERMS = LiveScoring(resolution_blocks=50, min_resolved_rows=20, max_extensions=1)
POLICY = PayoutPolicy(emission=10**24, data_pool_bps=7_000, slash_cap_bps=2_000)


def rows_at(blocks, posters=None, width=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(len(blocks), width))
    y = (X[:, 0] > 0).astype(int)
    return OutcomeRows(X, y, np.asarray(blocks, dtype=np.int64), tuple(posters) if posters else None)


def test_rows_posted_at_or_before_the_commitment_are_refused_as_look_ahead():
    offered = rows_at([COMMIT - 7, COMMIT, COMMIT + 1, COMMIT + 30])
    chosen = select_scoring_rows(offered, COMMIT)
    assert chosen.accepted == (2, 3)
    assert chosen.lookahead_refused == (0, 1)
    assert "posted at block 100, at or before the metamodel commitment at block 100" in chosen.refused[1]
    np.testing.assert_array_equal(chosen.X, offered.X[2:])
    np.testing.assert_array_equal(chosen.y, offered.y[2:])


def test_rows_late_from_a_stranger_or_not_finite_are_refused_with_their_reason():
    offered = rows_at(
        [COMMIT + 1, COMMIT + 60, COMMIT + 2, COMMIT + 3], [REPORTER, REPORTER, STRANGER, REPORTER]
    )
    offered.X[3, 1] = np.nan
    chosen = select_scoring_rows(offered, COMMIT, period_end_block=COMMIT + 50, reporter=REPORTER.lower())
    assert chosen.accepted == (0,)
    assert chosen.refused[1].startswith("late: posted at block 160")
    assert chosen.refused[2].startswith(f"not the reporter: posted by {STRANGER}")
    assert chosen.refused[3].startswith("invalid")
    assert chosen.lookahead_refused == ()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: OutcomeRows(np.zeros((3, 2)), np.zeros(2), np.arange(3)), "one of each per row"),
        (lambda: OutcomeRows(np.zeros((2, 2)), np.zeros(2), np.array([1, -1])), "non-negative integers"),
        (lambda: OutcomeRows(np.zeros((2, 2)), np.zeros(2), np.array([1.5, 2.0])), "non-negative integers"),
        (lambda: OutcomeRows(np.zeros(3), np.zeros(3), np.arange(3)), "2-D"),
        (lambda: OutcomeRows(np.zeros((2, 2)), np.zeros(2), np.arange(2), ("a",)), "1 posters for 2 rows"),
    ],
)
def test_malformed_outcome_rows_are_named(build, message):
    with pytest.raises(InvalidInput, match=message):
        build()


def test_a_period_ending_before_the_commitment_is_refused():
    with pytest.raises(InvalidInput, match="not after the commitment"):
        select_scoring_rows(rows_at([COMMIT + 1]), COMMIT, period_end_block=COMMIT)


def test_rows_without_posters_cannot_be_checked_against_the_reporter():
    with pytest.raises(InvalidInput, match="do not say who posted them"):
        select_scoring_rows(rows_at([COMMIT + 1]), COMMIT, reporter=REPORTER)


def test_too_few_rows_extends_once_then_voids():
    assert resolve_period(20, TERMS, 0, 150).action is Resolution.VALUE
    extended = resolve_period(19, TERMS, 0, 150)
    assert extended.action is Resolution.EXTEND and extended.new_end_block == 200
    assert "19 resolved rows of the 20 needed" in extended.reason
    voided = resolve_period(19, TERMS, 1, 200)
    assert voided.action is Resolution.VOID and voided.new_end_block is None
    assert "stake is withdrawable" in voided.reason
    assert voided.to_dict()["action"] == "void"
    # Enough rows during the extension: valued.
    assert resolve_period(25, TERMS, 1, 200).action is Resolution.VALUE
    no_extension = LiveScoring(resolution_blocks=50, min_resolved_rows=20, max_extensions=0)
    assert resolve_period(0, no_extension, 0, 150).action is Resolution.VOID
    with pytest.raises(InvalidInput, match="2 extensions used"):
        resolve_period(30, TERMS, 2, 250)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"scoring": "future"}, "scoring must be one of"),
        ({"scoring": "live", "resolution_blocks": 10}, "min_resolved_rows"),
        ({"scoring": "live", "resolution_blocks": 0, "min_resolved_rows": 5}, "at least 1"),
        ({"scoring": "live", "resolution_blocks": 10, "min_resolved_rows": 1}, "at least 2"),
        (
            {"scoring": "live", "resolution_blocks": 10, "min_resolved_rows": 5, "max_extensions": -1},
            "negative",
        ),
        (
            {"scoring": "live", "resolution_blocks": 10, "min_resolved_rows": 5, "meta_learner": "x"},
            "not one of",
        ),
        ({"scoring": "live", "resolution_blocks": "10", "min_resolved_rows": 5}, "must be an integer"),
    ],
)
def test_live_terms_in_a_recipe_are_checked(document, message):
    with pytest.raises(InvalidInput, match=message):
        LiveScoring.from_dict(document)


def test_live_terms_round_trip_and_static_is_the_default():
    assert LiveScoring.from_dict({}) is None and LiveScoring.from_dict({"scoring": "static"}) is None
    terms = LiveScoring(10, 5, 1, "stake_prior")
    assert LiveScoring.from_dict(terms.to_dict()) == terms


@pytest.fixture(scope="module")
def small_epoch(breast_cancer):
    X, y = breast_cancer
    order = np.random.default_rng(0).permutation(len(y))
    X, y = X[order][:, :6], y[order]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    providers = [(X[0:120], y[0:120]), (X[120:240], 1 - y[120:240])]
    anchor = (X[240:270], y[240:270])
    scoring = (X[270:], y[270:])
    metamodel = StackedMetamodel(
        [{"estimator": "logistic_regression"}, {"estimator": "gaussian_nb"}],
        meta_learner=make_meta_learner("stake_weighted"),
        stakes=[10**18, 10**18],
    ).fit(np.vstack([X[0:120], X[240:270]]), np.concatenate([y[0:120], y[240:270]]))
    return providers, anchor, scoring, metamodel


def test_a_live_epoch_is_valued_on_exactly_the_rows_posted_after_the_commitment(small_epoch):
    providers, anchor, (Xs, ys), metamodel = small_epoch
    n = len(ys)
    blocks = np.concatenate([[COMMIT - 1, COMMIT], COMMIT + 1 + np.arange(n - 2) % 50])
    offered = OutcomeRows(Xs, ys, blocks)
    live = value_live_epoch(
        providers, anchor, metamodel, offered, COMMIT, COMMIT + 50, TERMS, POLICY,
        data_stakes=[10**18, 10**18], data_names=["honest", "flipped"],
    )  # fmt: skip
    assert live.outcome.action is Resolution.VALUE and live.selection.lookahead_refused == (0, 1)
    direct = value_contributions(
        providers,
        anchor,
        metamodel,
        (Xs[2:], ys[2:]),
        POLICY,
        [10**18, 10**18],
        data_names=["honest", "flipped"],
    )
    assert live.values.summary() == direct.summary()
    summary = live.values.summary()
    assert summary["honest"]["value"] > 0 and not summary["honest"]["slashed"]
    assert summary["flipped"]["value"] < 0 and summary["flipped"]["slashed"]
    assert live.values.metamodel_score == pytest.approx(metamodel.neg_loss(Xs[2:], ys[2:]))


def test_a_short_live_period_is_extended_then_voided_without_valuing(small_epoch):
    providers, anchor, (Xs, ys), metamodel = small_epoch
    # 30 rows offered but only 10 after the commitment: look-ahead rows do not count toward the minimum.
    blocks = np.concatenate([np.full(20, COMMIT), COMMIT + 1 + np.arange(10)])
    offered = OutcomeRows(Xs[:30], ys[:30], blocks)
    args = (providers, anchor, metamodel, offered, COMMIT)
    first = value_live_epoch(*args, COMMIT + 50, TERMS, POLICY, data_stakes=[1, 1])
    assert first.outcome.action is Resolution.EXTEND and first.values is None
    second = value_live_epoch(
        *args, first.outcome.new_end_block, TERMS, POLICY, data_stakes=[1, 1], extensions_used=1
    )
    assert second.outcome.action is Resolution.VOID and second.values is None
    assert second.outcome.resolved_rows == 10


def test_valuing_needs_the_builders_stakes(small_epoch):
    providers, anchor, scoring, _ = small_epoch
    unstaked = StackedMetamodel([{"estimator": "gaussian_nb"}, {"estimator": "logistic_regression"}])
    unstaked.fit(*providers[0])
    with pytest.raises(InvalidInput, match="no stakes"):
        value_contributions(providers, anchor, unstaked, scoring, POLICY, [1, 1])
    with pytest.raises(InvalidInput, match="1 data stakes for 2 providers"):
        value_contributions(providers, anchor, unstaked, scoring, POLICY, [1])


def test_an_outcome_row_posted_twice_counts_once():
    offered = rows_at([COMMIT + 1, COMMIT + 2, COMMIT + 3, COMMIT + 4, COMMIT + 5])
    X, y = offered.X.copy(), offered.y.copy()
    X[2], y[2] = X[0], y[0]  # the same row again, in another post
    X[4], y[4] = X[0] * 1.0, y[0]  # and once more
    X[3] = X[1]
    y[3] = 1 - y[1]  # same features, another realised target: a different outcome, kept
    chosen = select_scoring_rows(OutcomeRows(X, y, offered.posted_block), COMMIT)
    assert chosen.accepted == (0, 1, 3)
    assert chosen.refused == {2: "duplicate of row 0", 4: "duplicate of row 0"}
    assert len(chosen.y) == 3


def test_a_look_ahead_row_posted_again_after_the_commitment_is_still_refused():
    offered = rows_at([COMMIT, COMMIT + 1, COMMIT + 2])
    X = offered.X.copy()
    X[2] = X[0]
    y = offered.y.copy()
    y[2] = y[0]
    chosen = select_scoring_rows(OutcomeRows(X, y, offered.posted_block), COMMIT)
    assert chosen.accepted == (1,)
    assert chosen.refused[0].startswith("look-ahead") and chosen.refused[2] == "duplicate of row 0"


def test_a_strangers_copy_does_not_shadow_the_reporters_row():
    offered = rows_at([COMMIT + 1, COMMIT + 2], [STRANGER, REPORTER])
    X = offered.X.copy()
    X[1] = X[0]
    y = offered.y.copy()
    y[1] = y[0]
    chosen = select_scoring_rows(
        OutcomeRows(X, y, offered.posted_block, offered.poster), COMMIT, reporter=REPORTER
    )
    assert chosen.accepted == (1,) and chosen.refused[0].startswith("not the reporter")

"""A voided epoch's data is history owned by its first revealer, never paid (stranger finding 7).

`trace_rows` keeps a provider's rows that come first from its own unpaid history (a data set it
revealed in a voided epoch) and traces anybody else's copy of them to it; rows some paid history
holds (an earlier final epoch's accepted data) are never valued again, not even for their owner."""

from __future__ import annotations

import numpy as np

from tests.unit.valuation.conftest import provider_scenario
from valuation.provenance import Source, trace_rows


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


def _names(trace, i):
    return {(c.source, c.owner) for c in trace.credits[i]}


def test_the_revealer_keeps_its_unpaid_rows_and_a_copier_is_traced_to_it():
    providers, anchor, _ = provider_scenario(_breast_cancer(), 3)
    (X0, y0), other = providers[0], providers[1]
    voided = Source("epoch 1 #1", X0, y0, "0xAA", paid=False)
    # The copier committed first in the reopened epoch; the revealer registers again after it.
    trace = trace_rows([(X0, y0), (X0, y0), other], anchor, [voided], owners=["0xbb", "0xAa", "0xcc"])
    assert len(trace.providers[0][1]) == 0 and _names(trace, 0) == {("epoch 1 #1", "0xAA")}
    assert np.array_equal(trace.providers[1][0], X0) and trace.credits[1] == []  # all its own
    assert len(trace.providers[2][1]) == len(other[1])


def test_rows_a_paid_history_holds_are_not_valued_again_even_for_their_owner():
    providers, anchor, _ = provider_scenario(_breast_cancer(), 2)
    X0, y0 = providers[0]
    voided = Source("epoch 1 #1", X0, y0, "0xAA", paid=False)
    paid = Source("epoch 2 #4", X0, y0, "0xAA")  # the same rows, paid in a final epoch 2
    trace = trace_rows([(X0, y0)], anchor, [voided, paid], owners=["0xAA"])
    assert len(trace.providers[0][1]) == 0
    assert _names(trace, 0) == {("epoch 1 #1", "0xAA")}


def test_a_paid_source_is_never_kept_by_its_owner():
    providers, anchor, _ = provider_scenario(_breast_cancer(), 2)
    X0, y0 = providers[0]
    trace = trace_rows([(X0, y0)], anchor, [Source("epoch 1 #1", X0, y0, "0xAA")], owners=["0xAA"])
    assert len(trace.providers[0][1]) == 0

"""A final epoch's rejected data sets in the history (stranger review 2): unpaid, their registrant's,
in commit order after everything earlier, and skipped without stopping a later epoch when their
file is gone. Chain-free: `gather_history` reads a stubbed settlement and report; the refs then go
through the same `read_history` and `trace_rows` as an epoch's valuation."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

import dao.epoch.history as history
from dao.chain.enums import ContributionKind, EpochStatus
from dao.data.datasets import load_dataset
from dao.data.encoding import encode_features
from dao.epoch.valuation import HistoryRef, read_history
from tests.unit.dao.test_epoch_meta_learner import _csv, _rows, epoch_files
from valuation.provenance import trace_rows

VICTIM, COPIER, OTHER = "0x" + "a1" * 20, "0x" + "c2" * 20, "0x" + "b3" * 20
REPORT = "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie"
MISSING = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"  # never stored


def _gather(monkeypatch, contributions: list[tuple[int, str, str, int]], rejected: dict[str, str], status):
    """`gather_history` for epoch 2 after an epoch 1 in `status` whose committed report names
    `contributions` (id, cid, contributor, kind) in commit order and rejects `rejected`."""
    report = SimpleNamespace(
        inputs={
            "validation_cid": "QmHoldout",
            "contributions": [
                {"id": i, "kind": kind, "cid": cid, "contributor": who} for i, cid, who, kind in contributions
            ],
        },
        rejected=rejected,
    )
    record = SimpleNamespace(status=int(status))
    dao = SimpleNamespace(settlement=SimpleNamespace(epochs=lambda epoch: record))
    monkeypatch.setattr(history, "committed_reports", lambda dao, before: {1: [REPORT]})
    monkeypatch.setattr(history, "report_cid_of", lambda record: REPORT)
    monkeypatch.setattr(history, "_read_report", lambda *args: report)
    return history.gather_history(dao, storage=None, epoch=2)


DATA, MODEL = int(ContributionKind.DATA), int(ContributionKind.MODEL)


def test_every_registered_data_set_of_a_final_epoch_is_history_in_commit_order(monkeypatch):
    refs = _gather(
        monkeypatch,
        [
            (3, "QmA", VICTIM, DATA),
            (1, "QmB", COPIER, DATA),
            (2, "QmSpec", OTHER, MODEL),
            (4, "QmC", OTHER, DATA),
        ],
        {"1": "its values lie too far from the anchor set's", "2": "not on the allow-list"},
        EpochStatus.FINAL,
    )
    assert [(r.name, r.cid, r.owner, r.paid) for r in refs] == [
        ("epoch 1 hold-out", "QmHoldout", None, True),
        ("epoch 1 #3", "QmA", VICTIM, True),  # the report's (commit) order, not the ids'
        ("epoch 1 #1", "QmB", COPIER, False),  # rejected: unpaid, its registrant's
        ("epoch 1 #4", "QmC", OTHER, True),  # a rejected model spec is no rows: not history
    ]
    assert refs[2].to_dict() == {"name": "epoch 1 #1", "cid": "QmB", "owner": COPIER, "paid": False}


def test_a_final_epoch_without_rejections_keeps_its_history_unchanged(monkeypatch):
    refs = _gather(monkeypatch, [(1, "QmA", VICTIM, DATA), (2, "QmB", OTHER, DATA)], {}, EpochStatus.FINAL)
    assert all(r.paid for r in refs) and [r.to_dict() for r in refs][1:] == [
        {"name": "epoch 1 #1", "cid": "QmA", "owner": VICTIM},
        {"name": "epoch 1 #2", "cid": "QmB", "owner": OTHER},
    ]  # the inputs (and hash) of such epochs' successors keep their bytes


@pytest.fixture
def world(tmp_path):
    storage, _, recipe, _, _ = epoch_files(tmp_path)
    victim = _rows(60, 21)
    return storage, recipe, victim


def _xy(csv: bytes, recipe):
    data = load_dataset(csv, recipe.schema, "rows")
    return encode_features(data.features, recipe.schema), data.target


def test_a_rejected_copy_does_not_make_the_copier_owner_of_its_victims_rows(monkeypatch, world):
    # Epoch 1: the victim's data set (accepted) and, committed later, a copier's mixture of the
    # victim's rows and junk, rejected for a reason not about copying. In epoch 2 the copier brings
    # the victim's rows again: they are traced to the victim, the earlier source, not to itself.
    storage, recipe, victim = world
    mixture = _csv(pd.concat([victim.iloc[:40], _rows(10, 22)], ignore_index=True))
    refs = _gather(
        monkeypatch,
        [(1, storage.add(_csv(victim)), VICTIM, DATA), (2, storage.add(mixture), COPIER, DATA)],
        {"2": "its values lie too far from the anchor set's"},
        EpochStatus.FINAL,
    )
    refs = [r for r in refs if r.owner is not None]
    sources, record = read_history(storage, recipe, refs)
    assert [s.paid for s in sources] == [True, False] and record["skipped"] == {}
    anchor = _xy(storage.get(recipe.anchor_cid), recipe)
    brought = _xy(_csv(victim.iloc[:40]), recipe)
    trace = trace_rows([brought], anchor, sources, owners=[COPIER])
    assert len(trace.providers[0][1]) == 0  # every row traced to history: nothing of its own
    assert {c.owner for c in trace.credits[0]} == {VICTIM}


def test_a_rejected_revealer_keeps_its_rows_and_a_later_copier_is_traced_to_it(monkeypatch, world):
    # The victim's data set rejected (its file was briefly unreachable), a copier's accepted later
    # in a later commit: in epoch 2 the victim's rows stay its own; a copier's are traced to it.
    storage, recipe, victim = world
    cid = storage.add(_csv(victim))
    refs = _gather(
        monkeypatch,
        [(1, cid, VICTIM, DATA), (2, storage.add(_csv(_rows(30, 23))), OTHER, DATA)],
        {"1": "artifact not retrievable: the provider's node was down"},
        EpochStatus.FINAL,
    )
    sources, _ = read_history(storage, recipe, [r for r in refs if r.owner is not None])
    anchor = _xy(storage.get(recipe.anchor_cid), recipe)
    brought = _xy(_csv(victim), recipe)
    trace = trace_rows([brought, brought], anchor, sources, owners=[VICTIM, COPIER])
    assert len(trace.providers[0][1]) == len(victim)  # the victim's own (unpaid) rows: valued again
    assert len(trace.providers[1][1]) == 0 and {c.owner for c in trace.credits[1]} == {VICTIM}


def test_a_rejected_data_set_whose_file_is_gone_is_skipped_not_fatal(monkeypatch, world):
    storage, recipe, _ = world
    refs = _gather(
        monkeypatch,
        [(1, MISSING, VICTIM, DATA), (2, storage.add(_csv(_rows(30, 24))), OTHER, DATA)],
        {"1": "artifact not retrievable: not found"},
        EpochStatus.FINAL,
    )
    assert MISSING in [r.cid for r in refs]
    sources, record = read_history(storage, recipe, [r for r in refs if r.owner is not None])
    assert [s.name for s in sources] == ["epoch 1 #2"]
    assert "epoch 1 #1" in record["skipped"] and "cannot be read" in record["skipped"]["epoch 1 #1"]
    # An accepted (paid) data set whose file is gone still stops the run: the operator pins it.
    paid = [HistoryRef("epoch 1 #1", MISSING, VICTIM)]
    with pytest.raises(Exception, match="cannot be read for provenance"):
        read_history(storage, recipe, paid)


def test_an_oversized_unpaid_data_set_is_skipped_unread_past_the_intake_limit(monkeypatch, world):
    # Rejected data sets are history now, so a file rejected as too large must not be read whole by
    # every later epoch: the intake's limit applies (shrunk here so the test file is small).
    import dao.epoch.valuation as valuation

    storage, recipe, _ = world
    big = storage.add(_csv(_rows(200, 25)))
    small = storage.add(_csv(_rows(3, 26)))
    monkeypatch.setattr(valuation, "MAX_BYTES", 1_000 - valuation._SEAL_OVERHEAD)
    refs = [
        HistoryRef("epoch 1 #1", big, VICTIM, paid=False),
        HistoryRef("epoch 1 #2", small, OTHER, paid=False),
    ]
    sources, record = read_history(storage, recipe, refs)
    assert [s.name for s in sources] == ["epoch 1 #2"]
    assert "more than the 1,000-byte limit" in record["skipped"]["epoch 1 #1"]
    # A paid source was accepted within the limit (or is the DAO's own): read as before.
    [paid] = read_history(storage, recipe, [HistoryRef("epoch 1 #1", big, VICTIM)])[0]
    assert paid.name == "epoch 1 #1" and len(paid.y) == 200

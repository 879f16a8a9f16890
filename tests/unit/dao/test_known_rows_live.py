"""A live epoch refuses outcome rows that existed before its metamodel commitment (stranger review
2): exact copies of the anchor, the hold-out, the history and any data set registered for the
epoch (accepted or rejected) are refused by name, count toward nothing, and the valuation on the
rest is deterministic (what `dao verify` recomputes)."""

from __future__ import annotations

import pandas as pd
import pytest

from dao.epoch.live import MetamodelCommitment, OutcomePost, read_known_rows, value_live_epoch
from dao.epoch.valuation import Contribution, HistoryRef
from dao.epoch.verify import recompute_live_report, verify_report
from tests.unit.dao.test_epoch_meta_learner import _csv, _rows, epoch_files
from valuation.live import Resolution
from valuation.payout import PayoutPolicy

pytestmark = pytest.mark.slow
C, E = 1_000, 1_050
REPORTER = "0xAaAa000000000000000000000000000000000001"
LIVE = {"scoring": "live", "resolution_blocks": 50, "min_resolved_rows": 40, "outcome_reporter": REPORTER}
COMMITMENT = MetamodelCommitment(C, "QmModel", "0x" + "11" * 32)


@pytest.fixture(scope="module")
def epoch(tmp_path_factory):
    storage, recipe_cid, recipe, contributions, validation = epoch_files(
        tmp_path_factory.mktemp("known"), "stake_weighted", **LIVE
    )
    far = _rows(40, 31)
    far[["a", "b"]] *= 1e9  # rejected at intake: far from the anchor set
    rejected = Contribution(7, "0x" + "77" * 20, 0, 1, storage.add(_csv(far)), 10**17)
    earlier = _rows(30, 30)
    history = [HistoryRef("epoch 0 #9", storage.add(_csv(earlier)), "0x" + "99" * 20)]
    copies = pd.concat(
        [
            _rows(20, 0).iloc[:3],  # the anchor set
            _rows(300, 1).iloc[:4],  # the epoch's hold-out
            earlier.iloc[:5],  # the history
            _rows(150, 3).iloc[:6],  # an accepted data set (#2)
            far.iloc[:7],  # the rejected data set (#7)
        ],
        ignore_index=True,
    )
    return storage, recipe_cid, recipe, [*contributions, rejected], validation, history, copies


def _value(epoch, frames):
    storage, recipe_cid, recipe, contributions, validation, history, _ = epoch
    posts = [OutcomePost(storage.add(_csv(f)), C + 1 + i, REPORTER, len(f)) for i, f in enumerate(frames)]
    return value_live_epoch(
        storage, 1, recipe_cid, recipe, contributions, validation, posts, COMMITMENT, E, history=history
    )


def test_copies_of_every_kind_of_known_row_are_refused_by_name(epoch):
    copies = epoch[-1]
    result = _value(epoch, [copies, _rows(60, 50)])
    section = result.section
    assert result.outcome.action is Resolution.VALUE
    assert section["accepted_rows"] == 60  # the fresh rows only
    refused = section["refused_rows"]
    assert sorted(int(i) for i in refused) == list(range(len(copies)))
    sources = [
        why.split("a row of ")[1].split(", which")[0]
        for _, why in sorted(refused.items(), key=lambda kv: int(kv[0]))
    ]
    assert sources == (
        ["the anchor set"] * 3
        + ["the epoch's hold-out set"] * 4
        + ["epoch 0 #9"] * 5
        + ["contribution #2"] * 6
        + ["contribution #7"] * 7
    )
    assert section["known_rows"] == {"compared": 20 + 300 + 30 + 3 * 150 + 40}
    assert (
        "7" in result.valuation.report.rejected
        and "standard deviations" in result.valuation.report.rejected["7"]
    )
    # `dao verify` recomputes the same refusals and report bytes from the report's inputs.
    storage, recipe_cid, recipe, contributions, validation, history, _ = epoch
    report = result.valuation.report
    recomputed = recompute_live_report(
        storage, report, recipe_cid, recipe, contributions, validation, history=history
    )
    assert recomputed == report.to_json()
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    assert verify_report(report.to_json(), recomputed, policy).match


def test_refused_copies_leave_a_short_period_short(epoch):
    result = _value(epoch, [epoch[-1], _rows(30, 51)])  # 25 copies + 30 fresh rows, 40 needed
    assert result.outcome.action is Resolution.EXTEND and result.valuation is None
    assert result.section["accepted_rows"] == 30 and result.outcome.resolved_rows == 30


def test_a_data_set_that_cannot_be_read_is_named_and_nothing_else_stops(epoch):
    storage, _, recipe, contributions, validation, history, _ = epoch
    lost = Contribution(8, "0x" + "88" * 20, 0, 1, "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", 10**17)
    known = read_known_rows(storage, recipe, [*contributions, lost], validation, history)
    assert known.record == {"compared": 20 + 300 + 30 + 3 * 150 + 40, "unread": [8]}
    lost_history = [*history, HistoryRef("epoch 0 #10", lost.cid, lost.contributor, paid=False)]
    known = read_known_rows(storage, recipe, contributions, validation, lost_history)
    assert known.record["history_skipped"] == ["epoch 0 #10"]  # unpaid and gone: skipped, not fatal

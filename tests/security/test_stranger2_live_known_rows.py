"""Stranger review 2, finding: a live epoch scores rows that existed before its metamodel was fixed.

docs/live_scoring.md: a live epoch "is scored instead on outcomes that did not exist when its metamodel
was fixed"; the only test of that is the *post's block* (`select_scoring_rows`: b > C). Nothing looks
at the rows themselves. The reporter (alone, or colluding with a contributor) posts, after the
commitment, rows copied from a contribution's registered data set, public since registration, i.e.
known long before block C. They are accepted as live outcomes: the copied data set is scored on its
own rows, and its value share rises. The only remedy is a manual post challenge, which does not hold
back the report (a pending post challenge does not uncount rows).
"""

from __future__ import annotations

import pytest

from dao.epoch.live import MetamodelCommitment, OutcomePost, value_live_epoch
from tests.unit.dao.test_epoch_meta_learner import _csv, _rows, epoch_files
from valuation.live import Resolution

pytestmark = pytest.mark.slow
C, E = 1_000, 1_050
REPORTER = "0xAaAa000000000000000000000000000000000001"
LIVE = {"scoring": "live", "resolution_blocks": 50, "min_resolved_rows": 40, "outcome_reporter": REPORTER}


def _data_share(report, name: str) -> float:
    players = report.data_values["players"]
    total = sum(max(float(p["value"]), 0.0) for p in players)
    return max(float(next(p["value"] for p in players if p["name"] == name)), 0.0) / total


def test_rows_copied_from_a_registered_data_set_do_not_score_a_live_epoch(tmp_path):
    storage, recipe_cid, recipe, contributions, validation = epoch_files(tmp_path, "stake_weighted", **LIVE)
    commitment = MetamodelCommitment(C, "QmModel", "0x" + "11" * 32)
    copied = contributions[0]  # a data set registered (its CID public) before contributions closed
    rows = storage.get(copied.cid)
    assert rows == _csv(_rows(150, 2))
    posts = [OutcomePost(storage.add(rows), C + 5, REPORTER, 150)]  # posted after C, by the reporter
    result = value_live_epoch(storage, 1, recipe_cid, recipe, contributions, validation, posts, commitment, E)

    if result.outcome.action is Resolution.VALUE:  # on main: the copy is valued as live outcomes
        fresh = [OutcomePost(storage.add(_csv(_rows(150, 99))), C + 5, REPORTER, 150)]
        honest = value_live_epoch(
            storage, 1, recipe_cid, recipe, contributions, validation, fresh, commitment, E
        )
        name = result.valuation.report.data_values["players"][0]["name"]
        print(
            f"data share of {name}: {_data_share(result.valuation.report, name):.3f} on its own rows, "
            f"{_data_share(honest.valuation.report, name):.3f} on fresh outcomes"
        )
    assert result.section["accepted_rows"] == 0, "rows known before the commitment scored the epoch"

"""A live-scored epoch valued off-chain from synthetic outcome posts (issue 20): exactly the rows the
reporter posted after the metamodel commitment and within the period score it, each once; the rest
are refused by index with a reason; too few rows extend the period once, then void the epoch."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dao.epoch.live import (
    MetamodelCommitment,
    OutcomePost,
    commitment_inputs_hash,
    prepare_commitment,
    value_live_epoch,
)
from dao.epoch.valuation import EpochError, read_rows, value_epoch
from dao.epoch.verify import live_commitment_differences, recompute_live_report, verify_report
from tests.unit.dao.test_epoch_meta_learner import _csv, _rows, epoch_files
from valuation.live import Resolution
from valuation.payout import PayoutPolicy
from valuation.precision import published
from valuation.report import ValuationReport

pytestmark = pytest.mark.slow
C, E = 1_000, 1_050
REPORTER = "0xAaAa000000000000000000000000000000000001"
STRANGER = "0xBbBb000000000000000000000000000000000002"
LIVE = {
    "scoring": "live",
    "resolution_blocks": 50,
    "min_resolved_rows": 40,
    "outcome_reporter": REPORTER,
}


def _posts(storage):
    """Seven posts: before the commitment, two honest ones (the second repeating 3 rows of the
    first), a stranger's, one declaring a wrong row count, a late one, one whose file is missing."""
    early, honest, stranger = _rows(10, 20), _rows(60, 21), _rows(5, 22)
    second = pd.concat([_rows(20, 23), honest.iloc[[0, 5, 7]]], ignore_index=True)
    files = [
        (early, C - 1, REPORTER, 10),
        (honest, C + 5, REPORTER, 60),
        (stranger, C + 10, STRANGER, 5),
        (second, C + 20, REPORTER, 23),
        (_rows(8, 24), C + 30, REPORTER, 9),  # declares 9 rows, holds 8
        (_rows(6, 25), E + 1, REPORTER, 6),
    ]
    posts = [OutcomePost(storage.add(_csv(frame)), block, poster, n) for frame, block, poster, n in files]
    posts.append(OutcomePost("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", C + 40, REPORTER, 4))
    return posts, honest, second


@pytest.fixture(scope="module")
def live_epoch(tmp_path_factory):
    files = epoch_files(tmp_path_factory.mktemp("live"), "stake_weighted", **LIVE)
    storage, recipe_cid, recipe, contributions, validation = files
    posts, honest, second = _posts(storage)
    commitment = MetamodelCommitment(C, "QmModel", "0x" + "11" * 32)
    result = value_live_epoch(storage, 1, recipe_cid, recipe, contributions, validation, posts, commitment, E)
    return files, posts, honest, second, result


def test_a_live_epoch_is_valued_on_exactly_the_reporters_rows_after_the_commitment(live_epoch):
    (_, _, recipe, _, _), posts, honest, second, result = live_epoch
    assert result.outcome.action is Resolution.VALUE
    report = result.valuation.report
    live = report.live
    assert live is report.scoring and report.scoring_mode == "live"
    assert {k: live[k] for k in ("mode", "meta_learner", "commitment_block", "period_end_block")} == {
        "mode": "live",
        "meta_learner": "stake_weighted",
        "commitment_block": C,
        "period_end_block": E,
    }
    # Offered in post order: 10 early, 60 honest, 5 stranger, 23 second (3 repeats), 6 late.
    assert live["offered_rows"] == 104 and live["accepted_rows"] == 60 + 20
    refused = live["refused_rows"]
    assert all(refused[str(i)].startswith("look-ahead: posted at block 999") for i in range(10))
    assert all(refused[str(i)].startswith(f"not the reporter: posted by {STRANGER}") for i in range(70, 75))
    assert [refused[str(i)] for i in (95, 96, 97)] == [
        "duplicate of row 10",
        "duplicate of row 15",
        "duplicate of row 17",
    ]
    assert all(refused[str(i)].startswith("late: posted at block 1051") for i in range(98, 104))
    assert len(refused) == 10 + 5 + 3 + 6
    assert live["refused_posts"]["4"] == "declares 9 rows but its file holds 8"
    assert live["refused_posts"]["6"].startswith("not retrievable")
    assert live["extensions_used"] == 0 and live["outcome"]["action"] == "value"
    # The published score is the metamodel's on exactly the accepted rows, rebuilt here by hand.
    accepted = [honest, second.iloc[:20]]
    X = np.vstack([read_rows(_csv(f), recipe, "rows")[0] for f in accepted])
    y = np.concatenate([read_rows(_csv(f), recipe, "rows")[1] for f in accepted])
    assert report.metamodel_score == published(result.valuation.metamodel.neg_loss(X, y))
    # Static values (on the committed hold-out) are shown beside the live ones.
    static = live["static"]
    assert [p["name"] for p in static["model"]] == [p["name"] for p in report.model_values["players"]]
    assert [p["value"] for p in static["model"]] != [p["value"] for p in report.model_values["players"]]
    assert static["metamodel_score"] != report.metamodel_score


def test_the_inputs_name_the_commitment_and_every_post(live_epoch):
    _, posts, _, _, result = live_epoch
    inputs = result.valuation.report.inputs
    assert inputs["live"]["commitment"] == {
        "block": C,
        "model_cid": "QmModel",
        "inputs_hash": "0x" + "11" * 32,
    }
    assert inputs["live"]["posts"] == [p.to_dict() for p in posts]
    assert json.loads(result.valuation.report.to_json())["scoring"]["accepted_rows"] == 80
    assert commitment_inputs_hash(inputs) == commitment_inputs_hash(
        {k: v for k, v in inputs.items() if k != "live"}
    )


def test_too_few_rows_extend_the_period_once_then_void_without_training(tmp_path):
    files = epoch_files(tmp_path, "stake_weighted", **LIVE)
    storage, recipe_cid, recipe, contributions, validation = files
    posts = [OutcomePost(storage.add(_csv(_rows(30, 30))), C + 3, REPORTER, 30)]
    args = (storage, 1, recipe_cid, recipe, contributions, validation, posts, MetamodelCommitment(C))
    first = value_live_epoch(*args, E)
    assert first.outcome.action is Resolution.EXTEND and first.valuation is None
    assert first.section["outcome"]["new_end_block"] == E + 50 and first.section["accepted_rows"] == 30
    second = value_live_epoch(*args, E + 50, extensions_used=1)
    assert second.outcome.action is Resolution.VOID and second.valuation is None
    assert "withdrawable" in second.section["outcome"]["reason"]


def test_a_static_recipe_is_not_valued_live_and_a_live_one_not_statically_by_mistake(tmp_path):
    storage, recipe_cid, recipe, contributions, validation = epoch_files(tmp_path)
    with pytest.raises(EpochError, match="scoring static"):
        value_live_epoch(
            storage, 1, recipe_cid, recipe, contributions, validation, [], MetamodelCommitment(C), E
        )
    storage, recipe_cid, recipe, contributions, validation = epoch_files(tmp_path / "live", **LIVE)
    with pytest.raises(EpochError, match="scores this epoch live"):
        value_epoch(storage, 1, recipe_cid, recipe, contributions, validation)


def test_verify_recomputes_a_live_report_from_the_posts_it_names(live_epoch):
    (storage, recipe_cid, recipe, contributions, validation), posts, _, _, result = live_epoch
    report = result.valuation.report
    committed = report.to_json()
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    args = (recipe_cid, recipe, contributions, validation)
    recomputed = recompute_live_report(storage, report, *args)
    assert recomputed == committed and verify_report(committed, recomputed, policy).match
    # A report that leaves a post out of its inputs is valued on other rows: the numbers differ.
    forged = json.loads(committed)
    forged["inputs"]["live"]["posts"] = forged["inputs"]["live"]["posts"][:3]
    forged_report = ValuationReport.from_json(json.dumps(forged).encode())
    again = recompute_live_report(storage, forged_report, *args)
    assert not verify_report(committed, again, policy).match
    # The inputs hash committed with the metamodel must be the hash of the report's other inputs.
    assert live_commitment_differences(report) == [
        ("inputs.live.commitment.inputs_hash", "0x" + "11" * 32, commitment_inputs_hash(report.inputs))
    ]
    honest = json.loads(committed)
    honest["inputs"]["live"]["commitment"]["inputs_hash"] = commitment_inputs_hash(report.inputs)
    assert live_commitment_differences(ValuationReport.from_json(json.dumps(honest).encode())) == []


def test_the_html_report_shows_static_and_live_values_of_a_live_epoch(tmp_path, live_epoch):
    from dataclasses import replace
    from types import SimpleNamespace

    from demo.report_html import static_vs_live_html, write_report

    report = live_epoch[-1].valuation.report
    static = {p["name"]: p["value"] for p in report.live["static"]["model"]}
    paid = {p["name"]: p["value"] for p in report.model_values["players"]}
    table = static_vs_live_html(2, report, {"#6": "poor_large_stake"})
    assert "Static vs live values, epoch 2" in table and "poor_large_stake" in table
    assert f"<td>{static['#6']:.4f}</td><td>{paid['#6']:.4f}</td>" in table
    assert f"<td>{static['#4']:.4f}</td><td>{paid['#4']:.4f}</td>" in table
    assert f"at block {C} and by block {E}" in table and "meta-learner stake_weighted" in table
    static_report = replace(report, scoring={"mode": "static", "meta_learner": "stake_weighted"})
    assert static_vs_live_html(1, static_report) == ""  # a static epoch has no live section
    outcome = SimpleNamespace(
        reports={1: static_report, 2: report},
        contribution_ids={(2, "poor_large_stake"): 6},
        roles={},
        roles_in=lambda epoch: {},
        dao=SimpleNamespace(shares=SimpleNamespace(balanceOf=lambda account: 0)),
        cast={},
        dividends_timeline=[("start", 0)],
        report_cids={1: "QmOne", 2: "QmTwo"},
        verified={1: True, 2: True},
    )
    page = write_report(tmp_path / "out", outcome).read_text()
    assert page.count("Static vs live values") == 1 and table in page


def test_the_commitment_prepared_before_the_posts_is_the_one_the_report_names(tmp_path):
    storage, recipe_cid, recipe, contributions, validation = epoch_files(tmp_path, "stake_weighted", **LIVE)
    validation_cid = storage.add(validation)
    prepared, inputs_hash = prepare_commitment(storage, recipe_cid, recipe, contributions, validation_cid)
    posts = [OutcomePost(storage.add(_csv(_rows(45, 40))), C + 2, REPORTER, 45)]
    result = value_live_epoch(
        storage, 1, recipe_cid, recipe, contributions, validation, posts,
        MetamodelCommitment(C, "QmModel", inputs_hash), E, validation_cid=validation_cid,
    )  # fmt: skip
    assert live_commitment_differences(result.valuation.report) == []
    # The metamodel committed is the one the epoch is valued with.
    X = read_rows(_csv(_rows(45, 40)), recipe, "rows")[0]
    np.testing.assert_array_equal(
        prepared.metamodel.predict_proba(X), result.valuation.metamodel.predict_proba(X)
    )

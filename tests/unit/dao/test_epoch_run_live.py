"""The operator's live epoch end to end (issue 20), on ape's in-process chain: `run_epoch` commits
the metamodel once contributions close, refuses to value before the resolution period ends (naming
the blocks left and how to mine them), extends a short period, voids when void is the outcome, and
otherwise values the board's posts and commits the report as a static epoch does; a recipe whose
live terms differ from the board's is refused before anything is sent."""

from __future__ import annotations

import io
import json

import joblib
import numpy as np
import pytest
from click.testing import CliRunner

from dao.chain.bindings import DAO
from dao.chain.enums import EpochStatus
from dao.chain.epochs import epoch_status
from dao.cli import main as dao_cli
from dao.data.recipe import single_model_recipe
from dao.epoch.live import commitment_inputs_hash
from dao.epoch.pipeline import finalize_epoch, rebuild_metamodel, run_epoch
from dao.epoch.store import metamodel_path
from dao.epoch.valuation import EpochError
from dao.epoch.verify import verify_epoch
from dao.holders.contribute import register_contribution
from dao.market.predictions import PredictionError, prediction_table, request_prediction, serve_requests
from dao.outcomes import chain as outcomes
from dao.outcomes.chain import OutcomeError, live_state, post_outcomes
from dao.storage import EmbeddedStorage
from tests.unit.dao.live_fixtures import PERIOD, WINDOW, deploy_live
from tests.unit.dao.test_epoch_meta_learner import _csv, _rows, epoch_files

pytestmark = pytest.mark.slow
RESOLUTION_BLOCKS, MIN_ROWS = 6, 40


@pytest.fixture
def live_run(project, accounts, chain, tmp_path, monkeypatch):
    """Epoch 1 live on the board, the test epoch's six contributions registered, the window closed."""
    monkeypatch.setenv("DAO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "ipfs"))
    monkeypatch.delenv("DAO_IPFS_API", raising=False)

    def setup(**terms):
        live = {
            "scoring": "live",
            "resolution_blocks": RESOLUTION_BLOCKS,
            "min_resolved_rows": MIN_ROWS,
            "outcome_reporter": accounts[5].address,
        }
        storage, _, recipe, contributions, validation = epoch_files(tmp_path, "stake_weighted", **live)
        board_terms = {"resolution_blocks": RESOLUTION_BLOCKS, "min_rows": MIN_ROWS} | terms
        wired = deploy_live(project, accounts, chain, storage, recipe.to_json(), **board_terms)
        for index, contribution in enumerate(contributions):  # distinct contributors
            register_contribution(
                wired.registry, contribution.kind, contribution.cid, contribution.stake, accounts[10 + index]
            )
        chain.pending_timestamp += PERIOD
        chain.mine()
        return DAO.load(), storage, wired, validation

    return setup


def _post(dao, storage, wired, n: int, seed: int):
    return post_outcomes(dao, storage, wired.reporter, 1, _csv(_rows(n, seed)))


def test_a_live_epoch_runs_from_metamodel_commitment_to_a_final_report(live_run, chain):
    dao, storage, wired, validation = live_run()
    with pytest.raises(OutcomeError, match="no metamodel commitment yet"):
        _post(dao, storage, wired, 30, 40)  # nothing to score before the model is fixed

    first = run_epoch(dao, storage, wired.operator, 1, validation)
    state = live_state(dao, 1)
    assert first.report is None and not first.committed_now
    assert state.metamodel_block > 0 and state.resolution_end == state.metamodel_block + RESOLUTION_BLOCKS
    assert first.note.startswith(
        f"epoch 1: metamodel committed at block {state.metamodel_block}; outcome rows are accepted "
        f"until block {state.resolution_end}"
    )
    # The committed model is the operator's stored metamodel file, under the committed inputs hash.
    path = metamodel_path(bytes.fromhex(state.inputs_hash[2:]))
    assert storage.get(state.metamodel_cid) == path.read_bytes()

    _post(dao, storage, wired, 30, 41)
    _post(dao, storage, wired, 30, 42)
    remaining = state.resolution_end - chain.blocks.height
    with pytest.raises(EpochError, match=rf"ends at block {state.resolution_end}: {remaining} blocks"):
        run_epoch(dao, storage, wired.operator, 1, validation)
    with pytest.raises(EpochError, match=rf"`dao node mine --blocks {remaining}`"):
        run_epoch(dao, storage, wired.operator, 1, validation)
    assert epoch_status(dao, 1) == EpochStatus.OPEN
    chain.mine(remaining)

    run = run_epoch(dao, storage, wired.operator, 1, validation)
    assert run.committed_now and run.report is not None
    report = run.report
    live = report.inputs["live"]
    assert live["commitment"] == {
        "block": state.metamodel_block,
        "model_cid": state.metamodel_cid,
        "inputs_hash": state.inputs_hash,
    }
    assert [p["n_rows"] for p in live["posts"]] == [30, 30]
    assert report.scoring["mode"] == "live" and report.scoring["accepted_rows"] == 60
    assert commitment_inputs_hash(report.inputs) == state.inputs_hash
    assert epoch_status(dao, 1) == EpochStatus.COMMITTED
    assert bytes(dao.settlement.epochs(1).inputs_hash) == report.inputs_hash
    assert json.loads(storage.get(run.report_cid))["scoring"]["mode"] == "live"
    again = run_epoch(dao, storage, wired.operator, 1, validation)
    assert not again.committed_now and again.report_cid == run.report_cid  # never twice
    verified = verify_epoch(dao, storage, 1)
    assert verified.match, verified.differences
    # The report's metamodel predicts as the committed one (its bytes differ only by the query
    # counters scikit-learn's KD-tree keeps), and a lost file is rebuilt byte for byte.
    report_model = metamodel_path(report.inputs_hash)
    written = report_model.read_bytes()
    grid = np.random.default_rng(5).normal(size=(50, 2))
    committed = joblib.load(io.BytesIO(storage.get(state.metamodel_cid)))
    assert np.array_equal(joblib.load(report_model).predict_proba(grid), committed.predict_proba(grid))
    report_model.unlink()
    rebuilt = rebuild_metamodel(dao, storage, 1)
    assert rebuilt.path == report_model and report_model.read_bytes() == written

    chain.pending_timestamp += WINDOW
    chain.mine()
    assert finalize_epoch(dao, wired.operator, 1)
    assert epoch_status(dao, 1) == EpochStatus.FINAL


def test_paid_predictions_during_the_period_are_answered_by_the_committed_metamodel(
    live_run, accounts, chain
):
    dao, storage, wired, validation = live_run()
    client = accounts[8]
    content = b"a,b\n0.5,1.0\n-2.0,0.3\n"
    with pytest.raises(PredictionError, match="no epoch is final yet"):
        request_prediction(dao, storage, content, client)  # nothing committed: nothing to serve
    run_epoch(dao, storage, wired.operator, 1, validation)
    state = live_state(dao, 1)
    request_prediction(dao, storage, content, client)
    [answer] = serve_requests(dao, storage, wired.operator, cursor_file=None)
    committed = joblib.load(io.BytesIO(storage.get(state.metamodel_cid)))
    expected = io.StringIO()
    prediction_table(committed, np.array([[0.5, 1.0], [-2.0, 0.3]])).to_csv(
        expected, index=False, float_format="%.6f"
    )
    assert storage.get(answer.output_cid).decode() == expected.getvalue()

    metamodel_path(bytes.fromhex(state.inputs_hash[2:])).write_bytes(b"another model")
    request_prediction(dao, storage, content, client)
    with pytest.raises(PredictionError, match="is not the metamodel epoch 1 committed"):
        serve_requests(dao, storage, wired.operator, cursor_file=None)


def test_dao_verify_names_a_post_the_report_left_out(live_run, chain, monkeypatch):
    dao, storage, wired, validation = live_run()
    run_epoch(dao, storage, wired.operator, 1, validation)
    for seed in (45, 46, 47):
        _post(dao, storage, wired, 30, seed)
    chain.mine(live_state(dao, 1).resolution_end - chain.blocks.height)
    posts = outcomes.scoring_posts(dao, 1)
    with monkeypatch.context() as forged:  # the operator values on the posts it likes best
        forged.setattr(outcomes, "scoring_posts", lambda dao, epoch: posts[:2])
        run = run_epoch(dao, storage, wired.operator, 1, validation)
    assert run.committed_now and len(run.report.inputs["live"]["posts"]) == 2

    verified = verify_epoch(dao, storage, 1)
    assert not verified.match
    cid, block, poster, n_rows = posts[2]
    board = json.dumps(
        {"block": block, "cid": cid, "n_rows": n_rows, "poster": poster.lower()}, sort_keys=True
    )
    assert verified.integrity == [("inputs.live.posts[2]", "<absent>", board)]
    assert verified.numbers == []  # the numbers follow the report's own posts: only the board tells


def test_a_short_period_is_extended_once_then_the_epoch_is_voided(live_run, chain, tmp_path):
    dao, storage, wired, validation = live_run()
    holdout = tmp_path / "holdout.csv"
    holdout.write_bytes(validation)
    committed = CliRunner().invoke(dao_cli, ["epoch", "run", "--epoch", "1", "--validation", str(holdout)])
    assert committed.exit_code == 0, committed.output
    state = live_state(dao, 1)
    assert (
        f"epoch 1: metamodel committed at block {state.metamodel_block}; outcome rows are accepted until "
        f"block {state.resolution_end}"
    ) in committed.output
    _post(dao, storage, wired, 10, 43)
    end = live_state(dao, 1).resolution_end
    chain.mine(end - chain.blocks.height)

    extended = run_epoch(dao, storage, wired.operator, 1, validation)
    assert extended.report is None
    assert (
        f"10 of {MIN_ROWS} outcome rows resolved by block {end}; resolution period extended (1 of 1): "
        f"outcome rows are accepted until block {end + RESOLUTION_BLOCKS}"
    ) in extended.note
    assert live_state(dao, 1).resolution_end == end + RESOLUTION_BLOCKS
    chain.mine(RESOLUTION_BLOCKS)

    voided = run_epoch(dao, storage, wired.operator, 1, validation)
    assert (
        voided.report is None and "void is the outcome" in voided.note and "no extension left" in voided.note
    )
    assert epoch_status(dao, 1) == EpochStatus.VOID
    with pytest.raises(EpochError, match="was voided"):
        run_epoch(dao, storage, wired.operator, 1, validation)


def test_off_chain_refusals_short_of_the_minimum_commit_nothing(live_run, chain):
    dao, storage, wired, validation = live_run()
    run_epoch(dao, storage, wired.operator, 1, validation)
    # 40 declared rows (enough for the board) of which only 20 distinct: the copy counts once.
    rows = _csv(_rows(20, 44))
    post_outcomes(dao, storage, wired.reporter, 1, rows)
    post_outcomes(dao, storage, wired.reporter, 1, rows)
    chain.mine(live_state(dao, 1).resolution_end - chain.blocks.height)
    with pytest.raises(EpochError, match=r"only 20 of the posted outcome rows.*duplicate of row 0"):
        run_epoch(dao, storage, wired.operator, 1, validation)
    assert epoch_status(dao, 1) == EpochStatus.OPEN


@pytest.mark.parametrize(
    ("board_terms", "named"),
    [
        ({"resolution_blocks": RESOLUTION_BLOCKS + 1}, "resolution_blocks: recipe 6, board 7"),
        ({"min_rows": MIN_ROWS + 1}, "min_resolved_rows: recipe 40, board 41"),
        ({"max_extensions": 0}, "max_extensions: recipe 1, board 0"),
        ({"reporter": "other"}, "outcome_reporter: recipe 0x"),
    ],
)
def test_a_recipe_whose_live_terms_differ_from_the_boards_is_refused_before_anything_is_sent(
    live_run, accounts, chain, board_terms, named
):
    if board_terms.get("reporter") == "other":
        board_terms = {"reporter": accounts[6]}
    dao, storage, wired, validation = live_run(**board_terms)
    height = chain.blocks.height
    with pytest.raises(EpochError, match=rf"disagree on its live terms \({named}.*nothing was sent"):
        run_epoch(dao, storage, wired.operator, 1, validation)
    assert chain.blocks.height == height and live_state(dao, 1).metamodel_block == 0


def test_a_static_recipe_on_an_epoch_the_board_opened_live_is_refused(
    project, accounts, chain, tmp_path, monkeypatch
):
    monkeypatch.setenv("DAO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "ipfs"))
    storage = EmbeddedStorage(tmp_path / "ipfs")
    recipe = single_model_recipe("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", 1_000 * 10**18)
    wired = deploy_live(project, accounts, chain, storage, recipe.to_json(), RESOLUTION_BLOCKS, MIN_ROWS)
    chain.pending_timestamp += PERIOD
    chain.mine()
    with pytest.raises(
        EpochError, match="live-scored on the outcome board but its recipe says scoring static"
    ):
        run_epoch(DAO.load(), storage, wired.operator, 1, b"x,y\n1,0\n")

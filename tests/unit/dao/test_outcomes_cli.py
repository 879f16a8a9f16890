"""`dao outcomes post FILE` and `dao epoch show N` for live-scored epochs (issue 20), on ape's
in-process chain with the real contracts (wired by `tests.unit.dao.live_fixtures.deploy_live`)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dao.chain.cids import cid_parts
from dao.cli import main as dao_cli
from dao.data.recipe import single_model_recipe
from dao.outcomes.chain import live_state, scoring_posts
from dao.storage import EmbeddedStorage
from tests.unit.dao.live_fixtures import PERIOD, deploy_live

ETHER = 10**18
ANCHOR = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
MODEL = "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie"
RESOLUTION_BLOCKS, MIN_ROWS, REPORTER_BOND = 5, 3, ETHER // 4
REPORTER = "TEST::5"
ROWS = b"x,y\n0.5,1\n-1.0,0\n2.0,1\n"


def _run(*args):
    result = CliRunner().invoke(dao_cli, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def live(project, accounts, chain, tmp_path, monkeypatch):
    monkeypatch.setenv("DAO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "ipfs"))
    monkeypatch.delenv("DAO_IPFS_API", raising=False)
    storage = EmbeddedStorage(tmp_path / "ipfs")
    recipe = single_model_recipe(ANCHOR, 1_000 * ETHER).to_json()
    wired = deploy_live(project, accounts, chain, storage, recipe, RESOLUTION_BLOCKS, MIN_ROWS)
    return wired.board, wired.operator, wired.reporter, storage


def _commit_metamodel(board, operator, chain):
    chain.pending_timestamp += PERIOD
    chain.mine()
    board.commit_metamodel(1, *cid_parts(MODEL), b"\x11" * 32, sender=operator)


def test_outcomes_post_stores_the_file_and_posts_its_cid_after_the_commitment(live, chain, tmp_path):
    board, operator, reporter, storage = live
    rows = tmp_path / "rows.csv"
    rows.write_bytes(ROWS)
    shown = _run("epoch", "show", "1")
    assert shown.exit_code == 0, shown.output
    assert "live scoring" in shown.output and "no metamodel committed yet" in shown.output

    early = _run("outcomes", "post", str(rows), "--epoch", "1", "--account", REPORTER)
    assert early.exit_code == 2 and "no metamodel commitment yet" in early.output

    _commit_metamodel(board, operator, chain)
    committed_at = int(board.live_epochs(1).metamodel_block)
    stranger = _run("outcomes", "post", str(rows), "--epoch", "1", "--account", "TEST::6")
    assert stranger.exit_code == 2 and "is not the outcome reporter of epoch 1" in stranger.output

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"x,z\n1,2\n")
    malformed = _run("outcomes", "post", str(bad), "--epoch", "1", "--account", REPORTER)
    assert malformed.exit_code == 2 and "bad.csv is invalid" in malformed.output
    assert int(board.post_total()) == 0  # nothing half-written

    posted = _run("outcomes", "post", str(rows), "--epoch", "1", "--account", REPORTER)
    assert posted.exit_code == 0, posted.output
    assert "post 1: 3 outcome rows for epoch 1" in posted.output and "reporter bond" in posted.output
    cid = storage.add(ROWS)
    [(posted_cid, block, poster, n_rows)] = scoring_posts(_dao(), 1)
    assert (posted_cid, poster.lower(), n_rows) == (cid, reporter.address.lower(), 3)
    assert block > committed_at
    assert int(board.live_epochs(1).bond_held) == REPORTER_BOND

    again = _run("outcomes", "post", str(rows), "--epoch", "1", "--account", REPORTER)
    assert again.exit_code == 0 and "reporter bond" not in again.output  # bonded once per epoch
    state = live_state(_dao(), 1)
    assert state.resolved_rows == 6 and [p.post_id for p in state.posts] == [1, 2]

    shown = _run("epoch", "show", "1")
    assert shown.exit_code == 0, shown.output
    assert f"committed at block {committed_at}" in shown.output
    assert f"ends at block {committed_at + RESOLUTION_BLOCKS}" in shown.output
    assert "resolved rows 6/3" in shown.output and "no committed report yet" in shown.output

    chain.mine(RESOLUTION_BLOCKS)
    late = _run("outcomes", "post", str(rows), "--epoch", "1", "--account", REPORTER)
    assert late.exit_code == 2 and "resolution period ended at block" in late.output


def _dao():
    from dao.chain.bindings import DAO

    return DAO.load()


def test_a_static_epoch_says_static_and_takes_no_outcome_rows(create_dao, accounts, tmp_path, monkeypatch):
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "ipfs"))
    monkeypatch.delenv("DAO_IPFS_API", raising=False)
    dao = create_dao()
    # The production wiring: deployed, named by the settlement, handed to the Timelock.
    assert dao.settlement.outcome_board() == dao.outcomes.address
    assert dao.outcomes.owner() == dao.timelock.address
    assert dao.outcomes.settlement() == dao.settlement.address
    assert not dao.settlement.is_live(1) and live_state(dao, 1) is None
    shown = _run("epoch", "show", "1")
    assert shown.exit_code == 2 and "static scoring" in shown.output
    rows = tmp_path / "rows.csv"
    rows.write_bytes(ROWS)
    refused = _run("outcomes", "post", str(rows), "--epoch", "1", "--account", REPORTER)
    assert refused.exit_code == 2 and "epoch 1 is not live-scored" in refused.output

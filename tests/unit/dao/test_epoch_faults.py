"""Faults during `dao epoch run`: each gives a clear error, and a rerun completes once, exactly once."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rich.console import Console

from dao.chain.accounts import OPERATOR, resolve_account
from dao.chain.cids import cid_parts, contribution_cid
from dao.chain.enums import EpochStatus
from dao.chain.epochs import epoch_status
from dao.cli import main as dao_cli
from dao.data.sealing import load_or_create_operator_key
from dao.epoch.pipeline import run_epoch
from dao.epoch.valuation import EpochError
from dao.epoch.verify import verify_epoch
from dao.holders.contribute import register_contribution
from dao.storage import EmbeddedStorage, StorageError, parse_cid
from demo import story as demo

OPEN, COMMITTED = EpochStatus.OPEN, EpochStatus.COMMITTED

pytestmark = pytest.mark.slow
ETHER = 10**18
MISSING = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"  # a valid CID never uploaded here


@pytest.fixture
def epoch_one(tmp_path, monkeypatch, accounts):
    """Epoch 1 deployed, every demo contribution registered, its window closed."""
    monkeypatch.setenv("DAO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "ipfs"))
    monkeypatch.delenv("DAO_IPFS_API", raising=False)
    storage = EmbeddedStorage(tmp_path / "ipfs")
    key = load_or_create_operator_key(tmp_path / "state" / "operator.key")
    console = Console(quiet=True)
    artifacts = demo.build_demo_artifacts()
    outcome = demo.Outcome(roles={**artifacts.roles, "client 0": "client", "client 1": "client"})
    outcome.cast = demo.cast_of(artifacts.roles)
    dao, params = demo.stage_deploy(console, storage, "ethereum:local:test", key)
    demo.stage_contribute(console, dao, storage, outcome, 1, list(artifacts.roles))
    # A contributor registers a valid CID whose content it never uploaded anywhere.
    assert not storage.has(MISSING)
    register_contribution(dao.registry, 0, MISSING, ETHER // 10, accounts[18])
    demo._advance(params.contribution_period)
    return dao, storage, bytes(key), outcome


class _ChainGoesAway:
    """The settlement contract as seen through a node that dies when the commit is sent."""

    def __init__(self, settlement):
        self._settlement = settlement

    def __getattr__(self, name):
        return getattr(self._settlement, name)

    def commit(self, *args, **kwargs):
        raise ConnectionError("connection refused by 127.0.0.1:8545")


def test_a_crash_between_publication_and_commit_resumes_without_a_second_commit(epoch_one):
    dao, storage, key, _ = epoch_one
    operator = resolve_account(OPERATOR)
    real = dao.settlement
    dao.__dict__["settlement"] = _ChainGoesAway(real)
    with pytest.raises(EpochError, match="stopped answering.*run the epoch again"):
        run_epoch(dao, storage, operator, 1, operator_key=key)
    dao.__dict__["settlement"] = real
    assert epoch_status(dao, 1) == OPEN

    resumed = run_epoch(dao, storage, operator, 1, operator_key=key)
    assert resumed.committed_now and resumed.resumed
    assert "value" not in resumed.stages  # the valuation was not redone
    assert epoch_status(dao, 1) == COMMITTED
    bond = int(dao.settlement.operator_bond())
    assert int(dao.settlement.balance) == bond  # one bond: one commit

    again = run_epoch(dao, storage, operator, 1, operator_key=key)
    assert not again.committed_now and again.report_cid == resumed.report_cid
    assert int(dao.settlement.balance) == bond


def test_an_unreachable_ipfs_backend_is_a_clear_error_and_nothing_is_committed(epoch_one):
    from dao.storage.kubo import KuboStorage

    dao, storage, key, _ = epoch_one
    unreachable = KuboStorage("/ip4/127.0.0.1/tcp/9/http")
    with pytest.raises(StorageError, match="no IPFS daemon answers"):
        run_epoch(dao, unreachable, resolve_account(OPERATOR), 1, operator_key=key)
    assert epoch_status(dao, 1) == OPEN
    assert run_epoch(dao, storage, resolve_account(OPERATOR), 1, operator_key=key).committed_now


def test_a_corrupted_artifact_aborts_and_a_repaired_store_completes(epoch_one, tmp_path):
    dao, storage, key, outcome = epoch_one
    _, provider_one = demo._artifact(demo.build_demo_artifacts(), "provider 1", 1)  # its epoch-1 rows
    cid = contribution_cid(dao.registry.contributions(outcome.contribution_ids[(1, "provider 1")]))
    digest = parse_cid(cid).digest.hex()
    victim = tmp_path / "ipfs" / "blocks" / digest[:2] / digest
    victim.write_bytes(victim.read_bytes()[:-7] + b"garbage")
    with pytest.raises(EpochError, match=f"contribution 2 \\({cid}\\) could not be read"):
        run_epoch(dao, storage, resolve_account(OPERATOR), 1, operator_key=key)
    assert epoch_status(dao, 1) == OPEN
    victim.unlink()
    assert storage.add(provider_one) == cid  # the contributor re-uploads the same bytes
    assert run_epoch(dao, storage, resolve_account(OPERATOR), 1, operator_key=key).committed_now


def test_a_missing_artifact_is_rejected_with_its_reason_and_keeps_its_stake(epoch_one):
    dao, storage, key, _ = epoch_one
    run = run_epoch(dao, storage, resolve_account(OPERATOR), 1, operator_key=key)
    missing_id = int(dao.registry.contribution_count())
    assert run.committed_now
    assert "not retrievable" in run.report.rejected[str(missing_id)]
    assert str(missing_id) not in run.report.slashes
    assert all(p["name"] != f"#{missing_id}" for p in run.report.data_values["players"])
    assert int(dao.registry.contributions(missing_id).stake) == ETHER // 10


def test_dao_verify_detects_a_tampered_report(epoch_one):
    dao, storage, key, outcome = epoch_one
    import json

    from dao.data.holdout import load_holdout
    from dao.epoch.valuation import read_contributions, read_recipe, value_epoch
    from valuation.report import ValuationReport

    recipe_cid, recipe = read_recipe(dao, storage, 1)
    validation = load_holdout(recipe.validation_commitment)
    honest = value_epoch(
        storage,
        1,
        recipe_cid,
        recipe,
        read_contributions(dao, 1),
        validation,
        operator_key=key,
        validation_cid=storage.add(validation),
    ).report
    # The operator moves 10,000 shares from the top earner to a flipped-label provider.
    document = json.loads(honest.to_json())
    ranked = sorted(document["allocation"], key=lambda a: -int(document["allocation"][a]))
    cheat = outcome.cast["provider 2"].address
    document["allocation"][ranked[0]] = str(int(document["allocation"][ranked[0]]) - 10_000 * ETHER)
    document["allocation"][cheat] = str(10_000 * ETHER)
    tampered = ValuationReport(**document)
    cid = storage.add(tampered.to_json())
    dao.settlement.commit(
        1,
        *cid_parts(cid),
        tampered.inputs_hash,
        bytes.fromhex(honest.mint_root[2:]),
        tampered.total_mint,
        bytes.fromhex(honest.slash_root[2:]),
        value=dao.settlement.operator_bond(),
        sender=resolve_account(OPERATOR),
    )
    result = verify_epoch(dao, storage, 1, key)
    assert not result.match
    paths = {path for path, _, _ in result.differences}
    assert f"allocation.{cheat}" in paths and f"allocation.{ranked[0]}" in paths

    cli = CliRunner().invoke(dao_cli, ["verify", "1", "--network", "ethereum:local:test"])
    assert cli.exit_code == 1, cli.output
    assert "does NOT match" in cli.output and "ape run challenge 1" in cli.output


def test_dao_verify_confirms_an_honest_report_with_exit_status_zero(epoch_one):
    dao, storage, key, _ = epoch_one
    run_epoch(dao, storage, resolve_account(OPERATOR), 1, operator_key=key)
    cli = CliRunner().invoke(dao_cli, ["verify", "1", "--network", "ethereum:local:test"])
    assert cli.exit_code == 0, cli.output
    assert "matches the recomputation byte for byte" in cli.output

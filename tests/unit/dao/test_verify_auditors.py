"""`dao verify` on an epoch with sealed data (issue 17): an auditor named in the recipe verifies it
fully with its key; without a key everything public is checked and the sealed contribution is named,
with a distinct exit status; a tampered number still fails with the key."""

from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner
from eth_utils import keccak
from nacl.public import PrivateKey
from rich.console import Console

from dao.chain.accounts import DEPLOYER, OPERATOR, resolve_account
from dao.chain.cids import cid_parts, contribution_cid
from dao.cli import main as dao_cli
from dao.data.sealing import MARKER_V2, load_or_create_operator_key
from dao.epoch.pipeline import run_epoch
from dao.epoch.verify import EXIT_MISMATCH, EXIT_PARTIAL, EXIT_VERIFIED, derived_entries, verify_epoch
from dao.storage import EmbeddedStorage
from demo import story as demo
from valuation.payout import PayoutPolicy
from valuation.report import ValuationReport

pytestmark = pytest.mark.slow
NAMES = ["provider 0", "provider 1", demo.PRIVATE_PROVIDER, "builder 0", "builder 3"]
NETWORK = ["--network", "ethereum:local:test"]


def _deploy_with_auditor(storage, operator_key: PrivateKey, auditor_key: PrivateKey):
    """demo.stage_deploy, with a recipe that names one auditor."""
    from dao.chain.bindings import DAO, load_project
    from dao.chain.deploy import DeployParams, deploy_dao
    from dao.data.examples import build_demo_artifacts, example_recipe
    from dao.data.holdout import save_holdout

    artifacts = build_demo_artifacts()
    recipe = example_recipe(
        artifacts,
        anchor_cid=storage.add(artifacts.anchor_csv),
        validation_commitment=save_holdout(artifacts.validation_csv),
        notes="genesis recipe with an auditor",
        extra={"operator_public_key": bytes(operator_key.public_key).hex()},
    )
    recipe = dataclasses.replace(
        recipe, auditor_public_keys=("0x" + bytes(auditor_key.public_key).hex(),)
    ).validate()
    recipe_bytes = recipe.to_json()
    recipe_cid = storage.add(recipe_bytes)
    project = load_project()
    params = DeployParams.for_tests()
    deployment = deploy_dao(
        project,
        resolve_account(DEPLOYER),
        resolve_account(OPERATOR),
        "ethereum:local:test",
        params,
        genesis_recipe=(recipe_cid, keccak(recipe_bytes)),
    )
    return DAO(deployment, project), params


@pytest.fixture
def sealed_epoch(tmp_path, monkeypatch):
    """Epoch 1 with a data set sealed to the operator and the auditor, its window closed."""
    monkeypatch.setenv("DAO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "ipfs"))
    monkeypatch.delenv("DAO_IPFS_API", raising=False)
    storage = EmbeddedStorage(tmp_path / "ipfs")
    operator_key = load_or_create_operator_key(tmp_path / "state" / "operator.key")
    auditor_file = tmp_path / "auditor.key"
    auditor_key = load_or_create_operator_key(auditor_file)
    artifacts = demo.build_demo_artifacts()
    outcome = demo.Outcome(roles={name: artifacts.roles[name] for name in NAMES})
    outcome.cast = demo.cast_of(artifacts.roles)
    dao, params = _deploy_with_auditor(storage, operator_key, auditor_key)
    demo.stage_contribute(Console(quiet=True), dao, storage, outcome, 1, NAMES)
    demo._advance(params.contribution_period)
    sealed_id = outcome.contribution_ids[(1, demo.PRIVATE_PROVIDER)]
    assert storage.get(contribution_cid(dao.registry.contributions(sealed_id))).startswith(MARKER_V2)
    return dao, storage, bytes(operator_key), auditor_file, sealed_id, tmp_path


def _verify_cli(*args: str):
    return CliRunner().invoke(dao_cli, ["verify", "1", *args, *NETWORK])


def _leave_the_operators_machine(tmp_path) -> None:
    """A verifier's machine has no operator key: `dao verify` must not fall back to it."""
    (tmp_path / "state" / "operator.key").unlink()


def test_an_auditor_key_verifies_an_epoch_with_sealed_data_end_to_end(sealed_epoch):
    dao, storage, operator_key, auditor_file, sealed_id, tmp_path = sealed_epoch
    run = run_epoch(dao, storage, resolve_account(OPERATOR), 1, operator_key=operator_key)
    assert run.committed_now
    # The sealed data set was opened and valued, not rejected: there is something to check.
    assert f"#{sealed_id}" in {p["name"] for p in run.report.data_values["players"]}
    _leave_the_operators_machine(tmp_path)

    result = verify_epoch(dao, storage, 1, auditor_file.read_bytes())
    assert result.match and result.complete and result.exit_code == EXIT_VERIFIED
    cli = _verify_cli("--key", str(auditor_file))
    assert cli.exit_code == EXIT_VERIFIED, cli.output
    assert "matches the recomputation byte for byte" in cli.output


def test_without_a_key_verify_checks_the_public_part_and_names_the_sealed_contribution(sealed_epoch):
    dao, storage, operator_key, _, sealed_id, tmp_path = sealed_epoch
    run_epoch(dao, storage, resolve_account(OPERATOR), 1, operator_key=operator_key)
    _leave_the_operators_machine(tmp_path)

    cli = _verify_cli()
    assert cli.exit_code == EXIT_PARTIAL, cli.output
    assert f"unchecked contribution #{sealed_id}: sealed data set, and no key was given" in cli.output
    assert "NOT fully verified" in cli.output and "--key FILE" in cli.output
    document = json.loads(_verify_cli("--json").output)
    assert document["complete"] is False and document["match"] is True
    assert document["checks"]["numbers"] == "unchecked"
    assert [u["contribution"] for u in document["unchecked"]] == [sealed_id]

    # A key the data set was not sealed to is no better than none, and says so.
    stranger = tmp_path / "stranger.key"
    stranger.write_text(bytes(PrivateKey.generate()).hex())
    cli = _verify_cli("--key", str(stranger))
    assert cli.exit_code == EXIT_PARTIAL, cli.output
    assert f"#{sealed_id}: sealed to 2 recipients, not to this key" in cli.output


def _commit_with_a_tampered_number(dao, storage, operator_key: bytes, sealed_id: int) -> None:
    """The operator inflates the sealed provider's value by 0.05 (far beyond the tolerance) and
    re-derives the allocation, slashes and roots from it, so that integrity holds."""
    from dao.data.holdout import load_holdout
    from dao.epoch.valuation import read_contributions, read_recipe, value_epoch

    recipe_cid, recipe = read_recipe(dao, storage, 1)
    validation = load_holdout(recipe.validation_commitment)
    honest = value_epoch(
        storage,
        1,
        recipe_cid,
        recipe,
        read_contributions(dao, 1),
        validation,
        operator_key=operator_key,
        validation_cid=storage.add(validation),
    ).report
    document = json.loads(honest.to_json())
    player = next(p for p in document["data_values"]["players"] if p["name"] == f"#{sealed_id}")
    for entry in ("value", "ci_low", "ci_high"):
        player[entry] += 0.05
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    document.update(derived_entries(ValuationReport(**document), policy))
    tampered = ValuationReport(**document)
    assert tampered.allocation != honest.allocation  # the tampering pays someone
    dao.settlement.commit(
        1,
        *cid_parts(storage.add(tampered.to_json())),
        tampered.inputs_hash,
        bytes.fromhex(tampered.mint_root[2:]),
        tampered.total_mint,
        bytes.fromhex(tampered.slash_root[2:]),
        value=dao.settlement.operator_bond(),
        sender=resolve_account(OPERATOR),
    )


def test_a_tampered_number_of_a_sealed_provider_still_fails_with_the_auditor_key(sealed_epoch):
    dao, storage, operator_key, auditor_file, sealed_id, tmp_path = sealed_epoch
    _commit_with_a_tampered_number(dao, storage, operator_key, sealed_id)
    _leave_the_operators_machine(tmp_path)

    result = verify_epoch(dao, storage, 1, auditor_file.read_bytes())
    assert not result.match and result.failed_checks == ["numbers"]
    assert any(path.startswith("data_values.players[") for path, _, _ in result.numbers)
    cli = _verify_cli("--key", str(auditor_file))
    assert cli.exit_code == EXIT_MISMATCH, cli.output
    assert "numbers beyond the tolerance" in cli.output
    # Without the key the number cannot be checked: the public part holds, and that is all it says.
    cli = _verify_cli()
    assert cli.exit_code == EXIT_PARTIAL, cli.output


def test_without_a_key_a_publicly_checkable_lie_still_fails(sealed_epoch):
    """The operator drops a public provider as "not retrievable" and re-derives the allocation:
    nothing sealed is involved, so verifying without a key catches it (exit 1, not 3)."""
    from dao.data.holdout import load_holdout
    from dao.epoch.valuation import read_contributions, read_recipe, value_epoch

    dao, storage, operator_key, _, sealed_id, tmp_path = sealed_epoch
    recipe_cid, recipe = read_recipe(dao, storage, 1)
    validation = load_holdout(recipe.validation_commitment)
    contributions = read_contributions(dao, 1)
    honest = value_epoch(
        storage,
        1,
        recipe_cid,
        recipe,
        contributions,
        validation,
        operator_key=operator_key,
        validation_cid=storage.add(validation),
    ).report
    victim = next(c.id for c in contributions if c.kind == 0 and c.id != sealed_id)
    document = json.loads(honest.to_json())
    players = document["data_values"]["players"]
    document["data_values"]["players"] = [p for p in players if p["name"] != f"#{victim}"]
    document["rejected"][str(victim)] = "artifact not retrievable: the content was not found"
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    document.update(derived_entries(ValuationReport(**document), policy))
    tampered = ValuationReport(**document)
    dao.settlement.commit(
        1,
        *cid_parts(storage.add(tampered.to_json())),
        tampered.inputs_hash,
        bytes.fromhex(tampered.mint_root[2:]),
        tampered.total_mint,
        bytes.fromhex(tampered.slash_root[2:]),
        value=dao.settlement.operator_bond(),
        sender=resolve_account(OPERATOR),
    )
    _leave_the_operators_machine(tmp_path)

    result = verify_epoch(dao, storage, 1)
    assert not result.match and result.unchecked == [(sealed_id, result.unchecked[0][1])]
    assert (f"rejected.{victim}",) == tuple(path for path, _, _ in result.integrity)
    cli = _verify_cli()
    assert cli.exit_code == EXIT_MISMATCH, cli.output
    assert f"unchecked contribution #{sealed_id}" in cli.output

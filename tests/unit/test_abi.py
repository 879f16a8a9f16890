"""ABIs without ape (issue 19): `abi/` holds every contract's ABI as the compiler gives it today, and
a deployment record carries the ABIs next to the addresses it records."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dao.chain.abi import abi_json, contract_abis
from dao.chain.deployments import CONTRACT_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_published_abi_files_match_the_compiled_contracts(project):
    compiled = contract_abis(project)
    assert sorted(compiled) == sorted(set(CONTRACT_TYPES.values()))
    stale = [
        name
        for name, abi in compiled.items()
        if not (ROOT / "abi" / f"{name}.json").is_file()
        or (ROOT / "abi" / f"{name}.json").read_text() != abi_json(abi)
    ]
    assert stale == [], f"abi/ is stale for {stale}: run `dao abi --out abi`"


def test_dao_abi_prints_every_contract(tmp_path):
    from dao.cli import main

    result = CliRunner().invoke(main, ["abi", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in tmp_path.glob("*.json"))
    assert written == sorted(f"{name}.json" for name in set(CONTRACT_TYPES.values()))
    governor = json.loads((tmp_path / "Governor.json").read_text())
    assert any(entry.get("name") == "propose" for entry in governor)


def test_the_deployment_record_carries_abis_and_the_revenue_token(project, accounts, tmp_path):
    from dao.storage import EmbeddedStorage
    from tests.unit.governance.epoch_one import deploy_with_genesis

    deployment = deploy_with_genesis(project, accounts, "ethereum:local:test", EmbeddedStorage(tmp_path))
    assert deployment.params["revenue_token"] == deployment.addresses["revenue_token"]
    assert sorted(deployment.abis) == sorted(set(CONTRACT_TYPES.values()))
    assert deployment.abis == contract_abis(project)

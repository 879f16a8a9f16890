"""`dao deploy --guardian`: the bootstrap guardian reaches DeployParams, and a non-address is refused."""

from __future__ import annotations

import contextlib

from click.testing import CliRunner

import dao.chain.deploy as deploy_module
from dao.cli import main as dao_cli

GUARDIAN = "0x" + "ab" * 20


def test_a_guardian_that_is_not_an_address_is_refused_before_anything_is_deployed(monkeypatch):
    called = []
    monkeypatch.setattr(deploy_module, "deploy_dao", lambda *a, **k: called.append(a))
    result = CliRunner().invoke(
        dao_cli, ["deploy", "--network", "ethereum:local:test", "--guardian", "0x1234"]
    )
    assert result.exit_code == 2
    assert "'0x1234' is not an address" in result.output
    assert called == []


def test_the_guardian_reaches_the_deploy_parameters(monkeypatch, tmp_path):
    seen = {}

    def fake_deploy(project, deployer, operator, network, params, genesis_recipe):
        seen["params"] = params
        raise deploy_module.DeploymentError("stop here: the parameters were seen")

    monkeypatch.setenv("DAO_STATE_DIR", str(tmp_path))
    monkeypatch.setattr(deploy_module, "deploy_dao", fake_deploy)
    monkeypatch.setattr("dao.chain.cli.connected", lambda network: contextlib.nullcontext("test"))
    result = CliRunner().invoke(
        dao_cli, ["deploy", "--network", "ethereum:local:test", "--fast", "--guardian", GUARDIAN]
    )
    assert "stop here" in result.output, result.output
    assert seen["params"].guardian == GUARDIAN
    assert seen["params"].voting_delay == 1  # --fast still applies

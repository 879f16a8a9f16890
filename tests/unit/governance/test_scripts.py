"""The `ape run` scripts, invoked in-process on the in-process chain: output and refusals.

ape's `ConnectedProviderCommand` re-enters the connected network, after which ape's per-test chain
isolation no longer reverts: the tests of this module share one chain, in file order.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
from click.testing import CliRunner

from dao.chain.deploy import DeployParams
from tests.unit.governance.epoch_one import ETHER, recipe

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"
NETWORK = ["--network", "ethereum:local:test"]
PARAMS = DeployParams.for_tests()


def _script(name: str):
    return runpy.run_path(str(SCRIPTS / f"{name}.py"))["cli"]


@pytest.fixture
def run(governed, ipfs_dir, monkeypatch):
    monkeypatch.setenv("DAO_IPFS_DIR", str(ipfs_dir))

    def run(name: str, *args: str, ok: bool = True):
        result = CliRunner().invoke(_script(name), [*args, *NETWORK], catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    return run


@pytest.fixture
def recipe_file(tmp_path):
    path = tmp_path / "recipe.json"
    path.write_bytes(recipe(500 * ETHER, "epoch 2 by script").to_json())
    return path


def _proposal_id(output: str) -> str:
    line = next(line for line in output.splitlines() if "created by" in line)
    return line.split("proposal ", 1)[1].split(" ", 1)[0]


def test_scripts_take_a_retrain_proposal_to_an_opened_epoch(governed, run, recipe_file, advance):
    assert run("proposals").strip() == "no proposals yet on ethereum:local:test"
    out = run("propose", "retrain", "--recipe", str(recipe_file), "--account", "TEST::2")
    assert out.startswith("proposed: transaction 0x")
    assert "Retrain the metamodel" in out and "settlement.open_epoch(recipe_cid=Qm" in out
    pid = _proposal_id(out)

    table = run("proposals")
    assert pid[:10] in table and "Pending" in table and "Retrain the metamodel" in table

    advance(blocks=PARAMS.voting_delay + 1)
    for account, support in (("TEST::2", "for"), ("TEST::3", "against"), ("TEST::4", "abstain")):
        out = run("vote", pid[:12], support, "--account", account)
        assert out.startswith("voted: transaction 0x")
    assert "tally now: for 600, against 300, abstain 100; quorum 100 (for + abstain)" in out

    advance(blocks=PARAMS.voting_period)
    assert "Succeeded" in run("proposals")
    out = run("queue", pid, "--account", "TEST::4")
    assert "queued in the timelock" in out and "it can execute from" in out
    out = run("execute", pid, "--account", "TEST::4", ok=False)
    assert "Error: the timelock delay has not passed" in out and "Traceback" not in out

    advance(PARAMS.timelock_delay)
    out = run("execute", pid, "--account", "TEST::4")
    assert "epoch 2 opened with recipe Qm" in out
    assert governed.settlement.current_epoch() == 2

    detail = json.loads(run("proposals", pid, "--json"))
    assert detail["id"] == pid and detail["state"] == "Executed"
    assert len(detail["proposer"]) == 42  # addresses in full
    assert detail["actions"][0]["method"] == "open_epoch"


def test_refusals_are_one_sentence_without_a_trace(run, recipe_file):
    out = run("propose", "retrain", "--recipe", str(recipe_file), "--account", "TEST::6", ok=False)
    assert out.strip() == "Error: you have 0 shares of voting power; proposing needs 1"
    out = run("vote", "12345", "for", "--account", "TEST::2", ok=False)
    assert out.startswith("Error: no proposal 12345 on the ethereum:local:test deployment")
    out = run("propose", "retrain", "--recipe", "not-a-file-nor-a-cid", "--account", "TEST::2", ok=False)
    assert "is neither a recipe file nor a CID" in out


def test_propose_params_parses_units_and_vote_reasons_are_recorded(run, advance):
    out = run(
        "propose", "params", "--voting-period", "20", "--emission", "250", "--quorum-bps", "5%",
        "--challenge-window", "2h", "--account", "TEST::3",
    )  # fmt: skip
    assert "governor.set_voting_period(voting_period=20 blocks)" in out
    assert "settlement.set_policy(emission=250 shares, data_pool_bps=70%, slash_cap_bps=20%)" in out
    assert "governor.set_quorum_bps(quorum_bps=5%)" in out
    assert "settlement.set_windows(contribution_period=600 s, challenge_window=2 h)" in out
    pid = _proposal_id(out)
    out = run("propose", "params", "--quorum-bps", "lots", "--account", "TEST::2", ok=False)
    assert "'lots' is not a value in basis points or a percentage" in out
    out = run("propose", "params", "--account", "TEST::2", ok=False)
    assert "no parameter to change" in out

    advance(blocks=PARAMS.voting_delay + 1)
    out = run("vote", pid, "for", "--reason", "faster votes", "--account", "TEST::2", "--json")
    document = json.loads(out)
    assert document["action"] == "voted" and document["proposal_id"] == pid
    assert document["changes"][0].endswith("with 600 shares (reason: faster votes)")
    out = run("vote", pid, "for", "--account", "TEST::2", ok=False)
    assert "has already voted on this proposal" in out


def test_challenge_script_refuses_a_final_epoch(run):
    out = run("challenge", "1", "--reason", "the report is wrong", "--account", "TEST::2", ok=False)
    assert out.strip() == "Error: epoch 1 has no committed report to challenge (the epoch is final)"

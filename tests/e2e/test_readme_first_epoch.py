"""The README's first-epoch block works exactly as written (issue 19), each line a fresh process on
the local node; only `source` is left out (the test runs the venv's executables directly).

The block is played once per module and the tests below read what it left: the refusals a
newcomer meets on the way (a model file offered as data, running the epoch while its window is
open), the idempotent re-runs, and the state `dao status` reports. One node epoch serves all of
them because each costs about two minutes of the suite.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.node]
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAO = str(BIN / "dao")


def readme_block() -> list[str]:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- first-epoch:start -->\n```sh\n(.*?)```\n<!-- first-epoch:end -->", text, re.S)
    assert match, "README.md lost its first-epoch block"
    return [line.split("  #")[0].strip() for line in match[1].splitlines() if line.strip()]


@dataclass
class FirstEpoch:
    """What the README block left on the node: its env (state and IPFS folders) and every output."""

    url: str
    env: dict
    outputs: dict[str, str] = field(default_factory=dict)  # README line → stdout
    extra: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)  # our probes


def _probe(env: dict, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def first_epoch(local_node, tmp_path_factory) -> FirstEpoch:
    # As a newcomer would: from the project directory (ape run needs it), `example/` written there.
    example = ROOT / "example"
    if example.exists():
        pytest.skip(f"{example} exists already: the README block writes it, so run this test without it")
    root = tmp_path_factory.mktemp("readme")
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "DAO_STATE_DIR": str(root / "state"),
        "DAO_IPFS_DIR": str(root / "ipfs"),
        "DAO_PROJECT_ROOT": str(ROOT),
    }
    env.pop("DAO_IPFS_API", None)
    epoch = FirstEpoch(url=local_node.url, env=env)
    try:
        _play_block(epoch)
    finally:
        shutil.rmtree(example, ignore_errors=True)
    return epoch


def _play_block(epoch: FirstEpoch) -> None:
    env, mined = epoch.env, 0
    for line in readme_block():
        if line.startswith("source "):
            continue
        if line.startswith("dao node mine") and mined == 0:
            # Still inside the contribution window: what a newcomer meets when they go too fast.
            epoch.extra["model as data"] = _probe(
                env, DAO, "contribute", "data", "example/model-0.json", "--network", "node"
            )
            epoch.extra["early run"] = _probe(env, DAO, "epoch", "run", "--network", "node")
        result = _probe(env, *shlex.split(line))
        assert result.returncode == 0, f"{line}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        epoch.outputs[line] = result.stdout
        mined += line.startswith("dao node mine")
        if line.startswith("dao epoch run"):
            epoch.extra["run again"] = _probe(env, DAO, "epoch", "run", "--network", "node")
        if line.startswith("ape run claim"):
            epoch.extra["claim again"] = _probe(env, *shlex.split(line))
    epoch.extra["status"] = _probe(env, DAO, "status", "--network", "node", "--json")


def test_the_block_is_what_a_newcomer_types():
    lines = readme_block()
    assert lines[0] == "source .venv/bin/activate" and lines[1] == "dao node start"
    assert any(line.startswith("dao epoch run") for line in lines)


def test_the_readme_first_epoch_runs_as_written(first_epoch):
    joined = "\n".join(first_epoch.outputs.values())
    assert "epoch 1 open with recipe" in joined
    assert joined.count("registered for epoch 1") == 5
    assert "epoch 1 committed: report Qm" in joined
    assert "epoch 1 is final" in joined and "slashed contribution #3" in joined  # 40% flipped labels
    assert "shares of epoch 1" in joined
    assert "matches the recomputation byte for byte" in joined


def test_wrong_files_and_early_runs_are_refused_with_a_sentence(first_epoch):
    wrong = first_epoch.extra["model as data"]
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "Error: your data set" in wrong.stderr  # one sentence naming the problem
    early = first_epoch.extra["early run"]
    assert early.returncode == 2 and "contribution window is still open" in early.stderr
    assert "`dao node mine --seconds " in early.stderr  # says how to skip the wait on the node


def test_running_and_claiming_again_change_nothing(first_epoch):
    again = first_epoch.extra["run again"]
    assert again.returncode == 0 and "already committed" in again.stdout
    claim = first_epoch.extra["claim again"]
    assert claim.returncode == 0 and "nothing to claim" in claim.stdout


def test_status_reports_the_final_epoch_and_the_one_holder(first_epoch):
    result = first_epoch.extra["status"]
    assert result.returncode == 0, result.stderr[-3000:]
    status = json.loads(result.stdout)
    assert status["epoch"] == {**status["epoch"], "number": 1, "status": "final"}
    assert status["shares"]["holders"] == 1  # only TEST::2 has claimed so far
    assert int(status["shares"]["unclaimed_wei"]) > 0  # the others' shares wait in the token's pool
    assert int(status["contributions"]["slashed_wei"]) > 0


# The two checks below change the node's state (new holders, a doubled market price, a second DAO),
# so they run after every test that reads what the README block left.


def test_a_plain_web3_client_claims_transfers_delegates_and_governs(first_epoch):
    from tests.e2e.web3_client_check import check_web3_client

    env = first_epoch.env
    check_web3_client(first_epoch.url, env, Path(env["DAO_STATE_DIR"]), Path(env["DAO_IPFS_DIR"]))


def test_keyfile_accounts_claim_deploy_and_contribute(first_epoch):
    from tests.e2e.keyfile_account_check import check_keyfile_account

    env = first_epoch.env
    check_keyfile_account(first_epoch.url, env, Path(env["DAO_STATE_DIR"]), Path(env["DAO_IPFS_DIR"]))

"""The lifecycle as separate processes against the local node, through the command line only.

deploy → contribute (several accounts) → epoch run → finalize → ape run claim → dao verify →
dao status, each a fresh process that finds the deployment in `.dao/deployments/`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dao.chain.node import rpc

pytestmark = [pytest.mark.slow, pytest.mark.node]
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(env: dict, *argv: str, expect: int = 0) -> str:
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == expect, f"{argv}: {result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _skip_time(url: str, seconds: int) -> None:
    rpc(url, "evm_increaseTime", [seconds])
    rpc(url, "evm_mine", [])


def test_an_epoch_through_the_command_line_in_separate_processes(local_node, tmp_path):
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "DAO_STATE_DIR": str(tmp_path / "state"),
        "DAO_IPFS_DIR": str(tmp_path / "ipfs"),
    }
    env.pop("DAO_IPFS_API", None)
    dao, ape, files = str(BIN / "dao"), str(BIN / "ape"), tmp_path / "example"
    _run(env, dao, "example", str(files))
    deployed = _run(
        env, dao, "deploy", "--network", "node", "--fast",
        "--recipe", str(files / "recipe.json"), "--validation", str(files / "validation.csv"),
    )  # fmt: skip
    assert "epoch 1 open with recipe" in deployed
    contributions = [
        ("data", "provider-0.csv", "TEST::2"),
        ("data", "provider-1.csv", "TEST::3"),
        ("data", "provider-2.csv", "TEST::4"),  # its labels are 40% flipped
        ("model", "model-0.json", "TEST::5"),
        ("model", "model-3.json", "TEST::6"),
    ]
    for kind, name, account in contributions:
        out = _run(
            env, dao, "contribute", kind, str(files / name), "--stake", "0.1",
            "--network", "node", "--account", account,
        )  # fmt: skip
        assert "registered for epoch 1" in out
    refused = subprocess.run(
        [dao, "contribute", "data", str(files / "model-0.json"), "--network", "node"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "Error: your data set" in refused.stderr  # one sentence naming the problem

    early = subprocess.run(
        [dao, "epoch", "run", "--network", "node"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert early.returncode == 2 and "contribution window is still open" in early.stderr
    assert "`dao node mine --seconds " in early.stderr  # says how to skip the wait on the node

    _skip_time(local_node.url, 601)
    run = _run(env, dao, "epoch", "run", "--network", "node")
    assert "epoch 1 committed: report Qm" in run
    again = _run(env, dao, "epoch", "run", "--network", "node")
    assert "already committed" in again

    _skip_time(local_node.url, 601)
    final = _run(env, dao, "epoch", "finalize", "--network", "node")
    assert "epoch 1 is final" in final and "slashed contribution #3" in final

    claim = _run(env, ape, "run", "claim", "--network", "ethereum:local:node", "--account", "TEST::2")
    assert "shares of epoch 1" in claim
    assert "nothing to claim" in _run(
        env, ape, "run", "claim", "--network", "ethereum:local:node", "--account", "TEST::2"
    )
    assert "matches the recomputation byte for byte" in _run(env, dao, "verify", "1", "--network", "node")

    status = json.loads(_run(env, dao, "status", "--network", "node", "--json"))
    assert status["epoch"] == {**status["epoch"], "number": 1, "status": "final"}
    assert status["shares"]["holders"] == 1  # only TEST::2 has claimed so far
    assert int(status["contributions"]["slashed_wei"]) > 0

"""A retrain proposal from `propose` to an opened epoch through `ape run` scripts in separate processes.

Against the local node (`dao node start`): process 1 deploys and settles epoch 1 (TEST::2..4 hold
600/300/100 shares), process 2 proposes, three processes vote, `dao node mine` ends the vote, one
process queues, `dao node mine` passes the timelock delay, one executes, and `ape console` (yet
another process, with the DAO loaded by ape_console_extras.py) reads the new epoch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dao.chain.deploy import DeployParams

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NODE = ["--network", "ethereum:local:node"]
PARAMS = DeployParams.for_tests()
pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DAO_IPFS_DIR": str(tmp_path_factory.mktemp("ipfs")),
        "DAO_STATE_DIR": str(tmp_path_factory.mktemp("state")),
        "PYTHONWARNINGS": "ignore",
    }


def _run(env, *command: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert (result.returncode == 0) == ok, (
        f"{' '.join(command)} exited {result.returncode}\nstdout:\n{result.stdout[-3000:]}\n"
        f"stderr:\n{result.stderr[-3000:]}"
    )
    return result


def _ape(env, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    return _run(env, str(BIN / "ape"), *args, ok=ok)


def _mine(env, blocks: int, seconds: int = 0) -> None:
    _run(env, str(BIN / "dao"), "node", "mine", "--blocks", str(blocks), "--seconds", str(seconds))


def test_a_retrain_proposal_goes_from_propose_to_an_opened_epoch_across_processes(local_node, env, tmp_path):
    # Process 1: deploy (genesis epoch 1 open) and settle epoch 1 with a synthetic allocation.
    _run(env, sys.executable, "-m", "tests.unit.governance.epoch_one")

    # Process 2: TEST::2 proposes the next epoch's recipe, given as a file (uploaded to IPFS).
    recipe = tmp_path / "recipe.json"
    _run(
        env,
        sys.executable,
        "-c",
        "import sys; from tests.unit.governance.epoch_one import recipe, ETHER; "
        "open(sys.argv[1], 'wb').write(recipe(500 * ETHER, 'epoch 2: half the emission').to_json())",
        str(recipe),
    )
    proposed = _ape(
        env, "run", "propose", "retrain", "--recipe", str(recipe), "--note", "Halve the emission.",
        *NODE, "--account", "TEST::2", "--json",
    )  # fmt: skip
    outcome = json.loads(proposed.stdout)
    proposal_id = outcome["proposal_id"]
    assert outcome["action"] == "proposed" and outcome["tx_hash"].startswith("0x")

    # Votes open in the block after the snapshot.
    _mine(env, PARAMS.voting_delay)
    for account, support in (("TEST::2", "for"), ("TEST::3", "against"), ("TEST::4", "abstain")):
        voted = _ape(env, "run", "vote", proposal_id[:12], support, *NODE, "--account", account)
        assert "voted: transaction 0x" in voted.stdout
    assert "tally now: for 600, against 300, abstain 100; quorum 100 (for + abstain)" in voted.stdout

    # A second vote is refused with a sentence, not a trace.
    again = _ape(env, "run", "vote", proposal_id, "for", *NODE, "--account", "TEST::2", ok=False)
    assert "has already voted on this proposal" in again.stderr
    assert "Traceback" not in again.stderr + again.stdout

    _mine(env, PARAMS.voting_period + 1)
    table = _ape(env, "run", "proposals", *NODE).stdout
    assert proposal_id[:10] in table and "Succeeded" in table

    # Queue, mine past the timelock delay, execute (each in its own process).
    queued = _ape(env, "run", "queue", proposal_id, *NODE, "--account", "TEST::4")
    assert "queued in the timelock" in queued.stdout
    early = _ape(env, "run", "execute", proposal_id, *NODE, "--account", "TEST::4", ok=False)
    assert "the timelock delay has not passed" in early.stderr
    _mine(env, 1, PARAMS.timelock_delay + 1)
    executed = _ape(env, "run", "execute", proposal_id, *NODE, "--account", "TEST::4")
    assert "epoch 2 opened with recipe Qm" in executed.stdout

    # Yet another process: the console has the DAO loaded, and epoch 2 is open on-chain.
    read = _ape(
        env, "console", *NODE, "-c",
        f"print('EPOCH', dao.settlement.current_epoch(), dao.proposal({proposal_id}).state)",
    )  # fmt: skip
    assert "EPOCH 2 Executed" in read.stdout

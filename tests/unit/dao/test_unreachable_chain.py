"""A command pointed at a chain that does not answer says so in one line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEAD = "ethereum:local:http://127.0.0.1:9"  # the discard port: nothing answers JSON-RPC there


def test_a_command_against_an_unreachable_node_is_one_clear_error(tmp_path):
    dao = Path(sys.executable).parent / "dao"
    env = {**os.environ, "DAO_STATE_DIR": str(tmp_path / "state"), "DAO_IPFS_DIR": str(tmp_path / "ipfs")}
    command = [str(dao), "status", "--network", DEAD]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"Error: cannot connect to {DEAD}" in result.stderr
    assert "Traceback" not in result.stderr

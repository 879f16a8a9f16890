"""The local node: start/stop/status, a port taken by someone else, state shared across processes."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dao.chain.node import DEFAULT_PORT, NodeError, node_status, start_node, stop_node

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.node


def _in_process(code: str) -> str:
    """Run `code` in a fresh interpreter connected to the node; return its stdout."""
    prelude = (
        "from ape import accounts, chain, networks, project\n"
        "with networks.parse_network_choice('ethereum:local:node'):\n"
    )
    body = "".join(f"    {line}\n" for line in code.strip().splitlines())
    result = subprocess.run(
        [sys.executable, "-c", prelude + body], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_node_answers_with_the_test_mnemonic_accounts(local_node):
    assert local_node.running and local_node.chain_id == 31337
    assert node_status(root=ROOT).block is not None


def test_second_start_reuses_the_running_node(local_node):
    again = start_node(root=ROOT)
    assert again.pid == local_node.pid


def test_state_persists_across_separate_processes(local_node):
    address = _in_process(
        """
token = project.DemoStablecoin.deploy(sender=accounts.test_accounts[0])
token.mint(accounts.test_accounts[3], 12345, sender=accounts.test_accounts[0])
print(token.address)
"""
    )
    balance = _in_process(
        f"""
token = project.DemoStablecoin.at("{address}")
print(token.balanceOf(accounts.test_accounts[3]))
"""
    )
    assert balance == "12345"


def test_port_taken_by_a_stranger_is_a_clear_error(tmp_path):
    (tmp_path / "ape-config.yaml").write_text("name: empty\n")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(NodeError, match=f"port {port} .* already taken"):
            start_node(port=port, root=tmp_path)


def test_a_second_node_elsewhere_is_refused_while_ours_runs(local_node):
    with pytest.raises(NodeError, match="already runs at http://127.0.0.1:8545"):
        start_node(port=DEFAULT_PORT + 1, root=ROOT)


def test_stop_without_a_node_says_so(tmp_path):
    (tmp_path / "ape-config.yaml").write_text("name: empty\n")
    assert stop_node(root=tmp_path) is False
    assert node_status(root=tmp_path).running is False

"""A node started on another port is where every later command goes (issue 19: the port followed
everywhere): `dao node mine/status/stop` find it, and `--network node` connects to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dao.chain.node import NodeError, node_address, node_url, start_node, stop_node

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.node


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def node_elsewhere(tmp_path_factory):
    """A Hardhat node of a scratch project, on a port that is not 8545."""
    if not (ROOT / "node_modules" / ".bin" / "hardhat").exists():
        pytest.skip("node_modules/.bin/hardhat missing: `make install` runs npm ci")
    root = tmp_path_factory.mktemp("project")
    for name in ("node_modules", "hardhat.config.js", "ape-config.yaml", "package.json"):
        (root / name).symlink_to(ROOT / name)
    port = _free_port()
    start_node(port=port, root=root)
    yield root, port
    stop_node(root=root)


def test_the_started_node_is_where_commands_go(node_elsewhere, monkeypatch):
    root, port = node_elsewhere
    monkeypatch.setenv("DAO_STATE_DIR", str(root / ".dao"))
    monkeypatch.chdir(root)
    assert node_address(root) == ("127.0.0.1", port)
    from dao.chain.node import node

    runner = CliRunner()
    mined = runner.invoke(node, ["mine", "--blocks", "3"], catch_exceptions=False)
    assert mined.exit_code == 0 and "now at block 3" in mined.output, mined.output
    status = runner.invoke(node, ["status"], catch_exceptions=False)
    assert f":{port}" in status.output


def test_network_node_connects_to_the_configured_url(node_elsewhere):
    _, port = node_elsewhere
    code = (
        "from dao.chain.bindings import connected\n"
        "from ape import chain\n"
        "with connected('node'):\n"
        "    print(chain.provider.uri, chain.chain_id)\n"
    )
    env = {**os.environ, "DAO_NODE_URL": f"http://127.0.0.1:{port}"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == f"http://127.0.0.1:{port} 31337"


def test_stop_names_the_port_it_knows(node_elsewhere, monkeypatch):
    root, port = node_elsewhere
    monkeypatch.chdir(root)
    from dao.chain import node as node_module

    monkeypatch.setattr(node_module, "project_root", lambda: root)
    result = CliRunner().invoke(node_module.node, ["stop", "--port", str(port + 1)])
    assert isinstance(result.exception, NodeError) and f"listens on port {port}" in str(result.exception)


def test_a_malformed_node_url_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("DAO_NODE_URL", "ftp://somewhere")
    with pytest.raises(NodeError, match="DAO_NODE_URL must be an http URL"):
        node_url(tmp_path)

"""Suite-wide setup."""

import os
import sys

import pytest

# ape-vyper compiles with the pip-installed vyper only when a `vyper` executable is on PATH; make
# `ape test` / `pytest` from a non-activated shell behave like `make test`.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="session", autouse=True)
def _state_of_this_worker(tmp_path_factory):
    """Each test process keeps its deployments, epoch files and embedded IPFS blocks in its own
    folders, never the project's `.dao/`: two workers of `make test` would otherwise read each
    other's deployment records (both chains have the same id)."""
    patch = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("dao-state")
    patch.setenv("DAO_STATE_DIR", str(root))
    patch.setenv("DAO_IPFS_DIR", str(root / "ipfs"))
    yield root
    patch.undo()


@pytest.fixture(scope="module")
def local_node():
    """The project's Hardhat node, started for the module (and stopped after, unless it ran before)."""
    import shutil
    from pathlib import Path

    from dao.chain.node import DEFAULT_PORT, node_status, start_node, stop_node

    root = Path(__file__).resolve().parents[1]
    if shutil.which("node") is None or shutil.which("npx") is None:
        pytest.skip("Node.js (node and npx) is not installed: the local node is Hardhat")
    if not (root / "node_modules" / ".bin" / "hardhat").exists():
        pytest.skip("node_modules/.bin/hardhat missing: `make install` runs npm ci")
    already = node_status(root=root).running
    if not already and not _port_free(DEFAULT_PORT):
        pytest.skip(f"port {DEFAULT_PORT} is taken by a process that is not our node")
    status = start_node(root=root)
    yield status
    if not already:
        stop_node(root=root)


@pytest.fixture
def create_dao(project, accounts):
    """Factory of wired DAOs (TEST::0 deploys, TEST::1 operates unless given); see tests/factories.py."""
    from tests.factories import deploy_wired_dao

    def create(deployer=None, operator=None, **kwargs):
        return deploy_wired_dao(project, deployer or accounts[0], operator or accounts[1], **kwargs)

    return create


def _revert_details_without_unwritten_locals() -> None:
    """titanoboa describes a revert by decoding every local of the reverting frame, written or not;
    a String local over leftover memory (the Governor's `signatures`, built after propose's checks)
    then raises UnicodeDecodeError in place of the revert, so a test expecting the revert fails on
    boa's message, not on the contract. Without frame details boa reports the revert as usual."""
    try:
        from boa.contracts.vyper.vyper_contract import VyperContract
    except ImportError:  # boa is only needed by the stateful contract tests
        return
    describe = VyperContract.debug_frame

    def debug_frame(self, computation=None):
        try:
            return describe(self, computation)
        except UnicodeDecodeError:
            return None  # boa's own "no frame detail" answer

    VyperContract.debug_frame = debug_frame


_revert_details_without_unwritten_locals()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns the marks into groups
def pytest_collection_modifyitems(config, items):
    """`make test` runs on two workers (pytest-xdist, `--dist loadgroup`): a module's tests share a
    worker so its module fixtures (a deployed DAO, a played demo) are built once, and every test on
    the local node shares one worker, since there is one node on one port."""
    for item in items:
        group = "node" if item.get_closest_marker("node") else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))

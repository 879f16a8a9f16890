"""`dao node`: a persistent local JSON-RPC chain (the project's pinned Hardhat) for multi-process use.

The node runs in its own session so that it outlives the `dao` process that started it; a pid file
in `.dao/` remembers exactly which process is ours, so `stop` never kills a stranger.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import click

from dao.errors import DaoError
from dao.paths import project_root, state_dir

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8545
START_TIMEOUT_S = 60.0


class NodeError(DaoError):
    """The local node cannot be started, reached or stopped."""


@dataclass(frozen=True)
class NodeStatus:
    running: bool
    pid: int | None
    url: str
    block: int | None
    chain_id: int | None


def _url(host: str, port: int) -> str:
    return f"http://{host}:{port}"


NODE_URL_ENV = "DAO_NODE_URL"


def node_address(root: Path | None = None) -> tuple[str, int]:
    """(host, port) of the local node: the one `dao node start` started for this project, else
    `$DAO_NODE_URL`, else 127.0.0.1:8545. Every command that says `--network node` connects there."""
    record = _read_pid_file(root or project_root())
    if record is not None and _is_our_node(record[0]):
        return record[1], record[2]
    configured = os.environ.get(NODE_URL_ENV)
    if configured:
        from urllib.parse import urlsplit

        parts = urlsplit(configured)
        if parts.scheme != "http" or not parts.hostname:
            raise NodeError(
                f"{NODE_URL_ENV} must be an http URL such as http://127.0.0.1:8545, got {configured!r}"
            )
        return parts.hostname, parts.port or 80
    return DEFAULT_HOST, DEFAULT_PORT


def node_url(root: Path | None = None) -> str:
    return _url(*node_address(root))


def rpc(url: str, method: str, params: list | None = None, timeout: float = 2.0):
    """One JSON-RPC call; raises `NodeError` when nothing (or something else) answers."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            reply = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NodeError(f"no JSON-RPC node answers at {url}: {exc}") from exc
    if "error" in reply:
        raise NodeError(f"{method} failed at {url}: {reply['error']}")
    return reply["result"]


def _pid_file(root: Path) -> Path:
    return state_dir(root) / "node.pid"


def _read_pid_file(root: Path) -> tuple[int, str, int] | None:
    """(pid, host, port) of the node this project started, if a pid file exists."""
    try:
        pid, host, port = _pid_file(root).read_text().split()
        return int(pid), host, int(port)
    except (FileNotFoundError, ValueError):
        return None


def _read_pid(root: Path) -> int | None:
    record = _read_pid_file(root)
    return record[0] if record else None


def _is_our_node(pid: int) -> bool:
    """True when `pid` is alive and is a hardhat node (guards against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"hardhat" in cmdline and b" node" in cmdline


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def node_status(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, root: Path | None = None) -> NodeStatus:
    root = root or project_root()
    record = _read_pid_file(root)
    url = _url(host, port)
    if record is None or not _is_our_node(record[0]):
        return NodeStatus(False, None, url, None, None)
    pid, our_host, our_port = record
    if (our_host, our_port) != (host, port):
        return NodeStatus(False, None, url, None, None)
    try:
        block = int(rpc(url, "eth_blockNumber"), 16)
        chain_id = int(rpc(url, "eth_chainId"), 16)
    except NodeError:
        return NodeStatus(True, pid, url, None, None)
    return NodeStatus(True, pid, url, block, chain_id)


def start_node(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, root: Path | None = None) -> NodeStatus:
    """Start the node in the background and wait until it answers; a no-op when ours already runs."""
    root = root or project_root()
    status = node_status(host, port, root)
    if status.running:
        return status
    record = _read_pid_file(root)
    if record is not None and _is_our_node(record[0]):
        raise NodeError(
            f"this project's node already runs at {_url(record[1], record[2])} (pid {record[0]}); "
            "run `dao node stop` before starting one elsewhere"
        )
    if _port_in_use(host, port):
        raise NodeError(
            f"port {port} on {host} is already taken by another process (not a node started by "
            "`dao node start`); stop it or pass --port"
        )
    hardhat = root / "node_modules" / ".bin" / "hardhat"
    if not hardhat.exists():
        raise NodeError(f"{hardhat} is missing: run `make install` (npm ci) first")
    log_path = state_dir(root) / "node.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(hardhat), "node", "--hostname", host, "--port", str(port)],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the dao process; stop() signals the whole group
            env={**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"},
        )
    _pid_file(root).write_text(f"{process.pid} {host} {port}\n")
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _pid_file(root).unlink(missing_ok=True)
            tail = log_path.read_text(errors="replace")[-2000:]
            raise NodeError(f"the node exited with status {process.returncode} while starting:\n{tail}")
        try:
            rpc(_url(host, port), "eth_blockNumber", timeout=1.0)
            return node_status(host, port, root)
        except NodeError:
            time.sleep(0.3)
    _terminate(process.pid)
    _pid_file(root).unlink(missing_ok=True)
    raise NodeError(
        f"the node did not answer at {_url(host, port)} within {START_TIMEOUT_S:.0f} s; see {log_path}"
    )


# Chains whose time may be bent: Hardhat's default and ape's assumed local chain id.
TEST_CHAIN_IDS = (31337, 1337)


def mine(
    blocks: int = 1, seconds: int = 0, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> tuple[int, int]:
    """Advance the local test chain: `seconds` of time, then `blocks` blocks; returns (block, timestamp).

    Uses Hardhat's `evm_increaseTime` and `hardhat_mine` (one second between the mined blocks), and
    refuses any chain whose id is not a local test chain's.
    """
    if blocks < 1:
        raise NodeError(f"mine at least one block (got {blocks}): time only moves when a block is mined")
    if seconds < 0:
        raise NodeError(f"time cannot go backwards (got --seconds {seconds})")
    url = _url(host, port)
    chain_id = int(rpc(url, "eth_chainId"), 16)
    if chain_id not in TEST_CHAIN_IDS:
        raise NodeError(
            f"the chain at {url} has chain id {chain_id}, not a local test chain "
            f"({', '.join(map(str, TEST_CHAIN_IDS))}): refusing to mine or move its time"
        )
    if seconds:
        rpc(url, "evm_increaseTime", [seconds])
    rpc(url, "hardhat_mine", [hex(blocks), hex(1)])
    head = rpc(url, "eth_getBlockByNumber", ["latest", False])
    return int(head["number"], 16), int(head["timestamp"], 16)


def _terminate(pid: int, timeout: float = 10.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # Reap it if it is our child (the test suite starts nodes in-process).
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def stop_node(root: Path | None = None) -> bool:
    """Stop the node this project started; False when none was running."""
    root = root or project_root()
    pid = _read_pid(root)
    stopped = False
    if pid is not None and _is_our_node(pid):
        _terminate(pid)
        stopped = True
    _pid_file(root).unlink(missing_ok=True)
    return stopped


@click.group()
def node() -> None:
    """Run the local JSON-RPC chain (use it with --network ethereum:local:node)."""


_host = click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
_port = click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to listen on.")
# Commands on a running node find it themselves (the started node, else $DAO_NODE_URL).
_at_host = click.option("--host", default=None, help="The node's address (default: the started node's).")
_at_port = click.option(
    "--port", default=None, type=int, help="The node's port (default: the started node's)."
)


def _where(host: str | None, port: int | None) -> tuple[str, int]:
    known_host, known_port = node_address()
    return host or known_host, port or known_port


@node.command("start")
@_host
@_port
def start_command(host: str, port: int) -> None:
    """Start the node in the background and wait until it answers."""
    before = node_status(host, port)
    status = start_node(host, port)
    if before.running:
        click.echo(f"node already running (pid {status.pid}) at {status.url}, block {status.block}")
    else:
        click.echo(f"node started (pid {status.pid}) at {status.url}, chain id {status.chain_id}")
    if port != DEFAULT_PORT or host != DEFAULT_HOST:
        click.echo(
            f"`dao ... --network node` connects there; for `ape run`/`ape console` use "
            f"--network ethereum:local:{status.url}"
        )


@node.command("stop")
@_at_port
def stop_command(port: int | None) -> None:
    """Stop the node started by `dao node start`."""
    record = _read_pid_file(project_root())
    if port is not None and record is not None and record[2] != port:
        raise NodeError(f"the node this project started listens on port {record[2]}, not {port}")
    click.echo("node stopped" if stop_node() else "no node was running")


@node.command("status")
@_at_host
@_at_port
def status_command(host: str | None, port: int | None) -> None:
    """Say whether the node runs and at which block."""
    status = node_status(*_where(host, port))
    if not status.running:
        click.echo("node not running")
        raise SystemExit(1)
    block = "not answering" if status.block is None else f"block {status.block}"
    click.echo(f"node running (pid {status.pid}) at {status.url}, {block}")


@node.command("mine")
@click.option("--blocks", default=1, show_default=True, type=int, help="Blocks to mine.")
@click.option("--seconds", default=0, show_default=True, type=int, help="Seconds to move time forward first.")
@_at_host
@_at_port
def mine_command(blocks: int, seconds: int, host: str | None, port: int | None) -> None:
    """Mine blocks and move time forward (local test chains only): end a vote, pass a timelock."""
    block, timestamp = mine(blocks, seconds, *_where(host, port))
    click.echo(
        f"mined {blocks} block(s){f' after +{seconds} s' if seconds else ''}: now at block {block}, "
        f"timestamp {timestamp}"
    )

"""The kubo backend: integration tests against a daemon when DAO_IPFS_API names one."""

from __future__ import annotations

import os
import socket
import time

import pytest

from dao.storage import StorageUnavailable, get_storage
from dao.storage.kubo import KuboStorage

API = os.environ.get("DAO_IPFS_API")
needs_daemon = pytest.mark.skipif(
    not API, reason="DAO_IPFS_API is not set: no kubo daemon to test against (run `ipfs daemon` and set it)"
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket goes away


def test_an_unreachable_daemon_is_a_clear_error_within_seconds():
    storage = KuboStorage(f"/ip4/127.0.0.1/tcp/{_closed_port()}/http", timeout=3)
    started = time.monotonic()
    with pytest.raises(StorageUnavailable, match="no IPFS daemon answers"):
        storage.add(b"anything")
    assert time.monotonic() - started < 10


def test_a_malformed_api_address_is_refused():
    with pytest.raises(StorageUnavailable, match="not a usable multiaddr"):
        KuboStorage("not-a-multiaddr")


@needs_daemon
def test_kubo_gives_the_same_cids_as_the_embedded_store(tmp_path):
    from dao.storage import EmbeddedStorage

    kubo = get_storage()
    embedded = EmbeddedStorage(tmp_path / "e")
    for size in (0, 1, 262_144, 262_145, 3_000_000):
        data = os.urandom(size)
        cid = kubo.add(data)
        assert cid == embedded.add(data)
        assert kubo.get(cid) == data and kubo.has(cid)
        kubo.pin(cid)

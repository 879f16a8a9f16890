"""The kubo backend: the same interface over a running IPFS daemon's HTTP API.

`ipfshttpclient.connect()` refuses daemons newer than 0.8, so the client is constructed directly;
every call has a timeout so an unreachable daemon is an error within seconds, never a hang.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dao.storage.cid import parse_cid
from dao.storage.errors import ContentNotFound, ContentTooLarge, NotAFile, StorageError, StorageUnavailable

DEFAULT_TIMEOUT_S = 10.0
# A whole read may take this many timeouts: a provider dripping a byte per timeout cannot hold it.
READ_DEADLINE_FACTOR = 6


class KuboStorage:
    def __init__(self, api: str, timeout: float = DEFAULT_TIMEOUT_S):
        import ipfshttpclient

        self.api = api
        self.timeout = timeout
        try:
            self._client = ipfshttpclient.Client(api, timeout=timeout)
        except Exception as exc:
            raise StorageUnavailable(f"DAO_IPFS_API={api!r} is not a usable multiaddr: {exc}") from exc

    def __repr__(self) -> str:
        return f"KuboStorage({self.api!r})"

    @contextmanager
    def _daemon_errors(self, what: str) -> Iterator[None]:
        """The client's connection, timeout and refusal errors as storage errors naming `what`."""
        import ipfshttpclient.exceptions as errors

        try:
            yield
        except (errors.ConnectionError, errors.TimeoutError) as exc:
            raise StorageUnavailable(
                f"no IPFS daemon answers at {self.api} (DAO_IPFS_API) while trying to {what}: start one "
                "with `ipfs daemon`, or unset DAO_IPFS_API to use the embedded store"
            ) from exc
        except errors.ErrorResponse as exc:
            raise StorageError(f"the IPFS daemon at {self.api} refused to {what}: {exc}") from exc

    def _call(self, what: str, function, *args, **kwargs):
        with self._daemon_errors(what):
            return function(*args, **kwargs)

    def add(self, source: bytes | str | os.PathLike) -> str:
        # kubo's defaults (CIDv0, 256 KiB chunks, balanced, pinned) are what the embedded store mirrors.
        if isinstance(source, bytes | bytearray | memoryview):
            return self._call("add content", self._client.add_bytes, bytes(source))
        result = self._call("add a file", self._client.add, str(Path(source)), pin=True)
        return result["Hash"]

    def get(self, cid: str) -> bytes:
        return b"".join(self.open(cid))

    def open(self, cid: str, max_bytes: int | None = None) -> Iterator[bytes]:
        """Stream `cid`'s content; with `max_bytes`, at most that many bytes, within a bounded time.

        Content nobody provides makes the daemon wait: if the daemon itself still answers, that is
        the content's absence (`ContentNotFound`, whoever named the CID is at fault), not the
        daemon's. So is content the daemon refuses to cat (a directory, another codec).
        """
        import ipfshttpclient.exceptions as errors

        parse_cid(cid)
        started = time.monotonic()
        total = 0
        options = {} if max_bytes is None else {"length": max_bytes + 1}
        try:
            for piece in self._client.cat(cid, stream=True, **options):
                total += len(piece)
                if max_bytes is not None and total > max_bytes:
                    raise ContentTooLarge(f"{cid} is larger than the {max_bytes:,}-byte limit")
                if time.monotonic() - started > READ_DEADLINE_FACTOR * self.timeout:
                    raise ContentNotFound(
                        f"{cid} did not arrive within {READ_DEADLINE_FACTOR * self.timeout:.0f} s"
                    )
                yield piece
        except errors.TimeoutError as exc:
            if not self._answers():
                raise StorageUnavailable(
                    f"no IPFS daemon answers at {self.api} (DAO_IPFS_API) while trying to read {cid}"
                ) from exc
            raise ContentNotFound(
                f"no IPFS node provided {cid} within {self.timeout:.0f} s (the daemon at {self.api} answers)"
            ) from None
        except errors.ConnectionError as exc:
            raise StorageUnavailable(
                f"no IPFS daemon answers at {self.api} (DAO_IPFS_API) while trying to read {cid}: start "
                "one with `ipfs daemon`, or unset DAO_IPFS_API to use the embedded store"
            ) from exc
        except errors.ErrorResponse as exc:
            raise NotAFile(f"the IPFS daemon cannot read {cid} as a file: {str(exc)[:200]}") from None

    def _answers(self) -> bool:
        """Whether the daemon itself answers a trivial request within a few seconds."""
        try:
            self._client.version(timeout=min(self.timeout, 5.0))
        except Exception:
            return False
        return True

    def has(self, cid: str) -> bool:
        import ipfshttpclient.exceptions as errors

        parse_cid(cid)
        try:
            self._client.block.stat(cid, offline=True, timeout=self.timeout)
        except errors.ErrorResponse:
            return False
        except (errors.ConnectionError, errors.TimeoutError) as exc:
            raise StorageUnavailable(f"no IPFS daemon answers at {self.api} (DAO_IPFS_API)") from exc
        return True

    def pin(self, cid: str) -> None:
        parse_cid(cid)
        if not self.has(cid):
            raise ContentNotFound(f"{cid} is not on the daemon at {self.api}; add it first")
        self._call(f"pin {cid}", self._client.pin.add, cid)

    def blocks(self, cid: str):
        """Every block of the DAG (for CAR export), fetched with `block get` and verified."""
        from dao.storage.cid import CID, multihash_of
        from dao.storage.errors import CorruptBlock
        from dao.storage.unixfs import decode_node

        root = parse_cid(cid)
        stack = [root.multihash]
        while stack:
            multihash = stack.pop()
            name = str(CID(0, 0x70, multihash))
            block = self._call(f"read block {name}", self._client.block.get, name)
            if multihash_of(block) != multihash:
                raise CorruptBlock(f"the daemon at {self.api} returned block {name} that fails its hash")
            yield multihash, block
            stack.extend(reversed(decode_node(block, name).links))

"""Content-addressed storage (IPFS): one interface, two backends.

`get_storage()` returns the kubo backend when `DAO_IPFS_API` names a daemon, and the embedded
block store (`DAO_IPFS_DIR`, default `.dao/ipfs`) otherwise. Both give the CIDs `ipfs add` gives.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from dao.storage.cid import CID, is_valid_cid, parse_cid
from dao.storage.embedded import EmbeddedStorage
from dao.storage.errors import (
    ContentNotFound,
    ContentTooLarge,
    CorruptBlock,
    InvalidCID,
    NotAFile,
    StorageError,
    StorageUnavailable,
)

__all__ = [
    "CID",
    "ContentNotFound",
    "ContentTooLarge",
    "CorruptBlock",
    "EmbeddedStorage",
    "InvalidCID",
    "NotAFile",
    "Storage",
    "StorageError",
    "StorageUnavailable",
    "get_storage",
    "is_valid_cid",
    "parse_cid",
]


class Storage(Protocol):
    def add(self, source: bytes | str | os.PathLike) -> str: ...

    def get(self, cid: str) -> bytes: ...

    def open(self, cid: str, max_bytes: int | None = None) -> Iterator[bytes]: ...

    def pin(self, cid: str) -> None: ...

    def has(self, cid: str) -> bool: ...


def get_storage(directory: str | os.PathLike | None = None) -> Storage:
    """The configured backend: kubo when `DAO_IPFS_API` is set, else the embedded store."""
    api = os.environ.get("DAO_IPFS_API")
    if api:
        from dao.storage.kubo import KuboStorage

        return KuboStorage(api)
    return EmbeddedStorage(Path(directory or os.environ.get("DAO_IPFS_DIR", ".dao/ipfs")))

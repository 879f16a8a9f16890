"""The embedded store: a local block store whose CIDs are byte-identical to kubo's `ipfs add`.

Blocks live under `<root>/blocks/<2 hex>/<sha256 hex>`, written to a temporary file and renamed,
children before parents, so a crash never leaves a root whose blocks are missing. Every read
re-hashes each block against its CID and refuses damaged or truncated content.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from dao.storage.cid import CID, cid_v0, multihash_of, parse_cid
from dao.storage.errors import ContentNotFound, ContentTooLarge, CorruptBlock, NotAFile
from dao.storage.unixfs import CHUNK_SIZE, ReadBudget, build_file, decode_node


def _read_pieces(source: bytes | str | os.PathLike) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        for start in range(0, len(data), CHUNK_SIZE):
            yield data[start : start + CHUNK_SIZE]
        return
    with open(source, "rb") as handle:
        while piece := handle.read(CHUNK_SIZE):
            yield piece


class EmbeddedStorage:
    """A local, verified, content-addressed store (the default backend)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"EmbeddedStorage({str(self.root)!r})"

    # -- layout ---------------------------------------------------------------------------------
    def _block_path(self, multihash: bytes) -> Path:
        digest = multihash[2:].hex()
        return self.root / "blocks" / digest[:2] / digest

    def _pin_path(self, cid: CID) -> Path:
        return self.root / "pins" / cid.digest.hex()

    def _write_atomically(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- blocks ---------------------------------------------------------------------------------
    def put_block(self, block: bytes) -> bytes:
        multihash = multihash_of(block)
        path = self._block_path(multihash)
        if not path.exists():
            self._write_atomically(path, block)
        return multihash

    def get_block(self, multihash: bytes, name: str = "") -> bytes:
        label = name or str(CID(0, 0x70, multihash))
        path = self._block_path(multihash)
        try:
            block = path.read_bytes()
        except FileNotFoundError:
            raise ContentNotFound(
                f"block {label} is not in the local store at {self.root}: add the file again or fetch "
                "it from a node that has it"
            ) from None
        if multihash_of(block) != multihash:
            raise CorruptBlock(
                f"block {label} fails its hash check ({len(block)} bytes on disk); the local store at "
                f"{self.root} is damaged: delete {path} and add the content again"
            )
        return block

    def iter_blocks(self, cid: str) -> Iterator[tuple[bytes, bytes]]:
        """(multihash, block) of the whole DAG, depth-first from the root, each block verified."""
        root = parse_cid(cid)
        stack = [root.multihash]
        while stack:
            multihash = stack.pop()
            block = self.get_block(multihash, f"{CID(0, 0x70, multihash)} of {cid}")
            yield multihash, block
            if root.codec == 0x55 and multihash == root.multihash:
                continue  # a raw block has no links
            stack.extend(reversed(decode_node(block, str(CID(0, 0x70, multihash))).links))

    # -- the Storage interface -------------------------------------------------------------------
    def add(self, source: bytes | str | os.PathLike) -> str:
        root = None
        for multihash, block in build_file(_read_pieces(source)):
            self._write_atomically(self._block_path(multihash), block)
            root = block
        cid = cid_v0(root)
        self._write_atomically(self._pin_path(cid), b"")  # kubo pins what it adds
        return str(cid)

    def open(self, cid: str, max_bytes: int | None = None) -> Iterator[bytes]:
        """Stream the file's content chunk by chunk, verifying every block on the way.

        With `max_bytes`, the read stops with `ContentTooLarge` or `NotAFile` as soon as the content
        declares or yields more bytes, or visits more blocks, than that many bytes can need.
        """
        root = parse_cid(cid)
        if root.codec == 0x55:
            block = self.get_block(root.multihash, cid)
            if max_bytes is not None and len(block) > max_bytes:
                raise ContentTooLarge(f"{cid} is larger than the {max_bytes:,}-byte limit")
            yield block
            return
        budget = ReadBudget(cid, max_bytes)
        stack = [root.multihash]
        while stack:
            multihash = stack.pop()
            block = self.get_block(multihash, f"{CID(0, 0x70, multihash)} of {cid}")
            node = decode_node(block, str(CID(0, 0x70, multihash)))
            budget.visit(node, multihash == root.multihash and not budget.blocks)
            stack.extend(reversed(node.links))
            if not node.links and node.data:
                yield node.data

    def get(self, cid: str) -> bytes:
        return b"".join(self.open(cid))

    def has(self, cid: str) -> bool:
        """True when every block of the DAG is present and intact."""
        try:
            for _ in self.iter_blocks(cid):
                pass
        except (ContentNotFound, CorruptBlock, NotAFile):
            return False
        return True

    def pin(self, cid: str) -> None:
        parsed = parse_cid(cid)
        for _ in self.iter_blocks(cid):  # refuse to pin what is not (intact) here
            pass
        self._write_atomically(self._pin_path(parsed), b"")

    def is_pinned(self, cid: str) -> bool:
        return self._pin_path(parse_cid(cid)).exists()

    def blocks(self, cid: str) -> Iterable[tuple[bytes, bytes]]:
        return self.iter_blocks(cid)

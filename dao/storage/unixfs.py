"""UnixFS files as kubo's `ipfs add` builds them with its defaults.

Fixed-size 262,144-byte chunks, each a dag-pb leaf holding a UnixFS File node (CIDv0 has no raw
leaves); a balanced DAG of at most 174 links per node; a single-chunk file is the leaf itself. The
protobuf encoding is written by hand: it is tiny, and byte-exactness is the whole point. dag-pb's
canonical form serialises Links (field 2) before Data (field 1), and kubo always writes a link's
Name, even empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dao.storage.cid import multihash_of, varint
from dao.storage.errors import ContentTooLarge, NotAFile

CHUNK_SIZE = 262_144
MAX_LINKS = 174
_FILE = 2  # UnixFS Data.Type.File


def _len_field(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def _int_field(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


@dataclass(frozen=True)
class Link:
    multihash: bytes
    tsize: int  # serialized size of the whole subtree below (and including) the child block
    filesize: int  # bytes of file content under the child


def encode_node(links: list[Link], data: bytes, filesize: int) -> bytes:
    unixfs = _int_field(1, _FILE)
    if data:
        unixfs += _len_field(2, data)
    unixfs += _int_field(3, filesize)
    if links:
        unixfs += b"".join(_int_field(4, link.filesize) for link in links)
    encoded_links = b"".join(
        _len_field(2, _len_field(1, link.multihash) + _len_field(2, b"") + _int_field(3, link.tsize))
        for link in links
    )
    return encoded_links + _len_field(1, unixfs)


# -- decoding ------------------------------------------------------------------------------------


def _readvarint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    pos = 0
    while pos < len(buf):
        key, pos = _readvarint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _readvarint(buf, pos)
            yield number, value
        elif wire == 2:
            length, pos = _readvarint(buf, pos)
            if pos + length > len(buf):
                raise ValueError("truncated field")
            yield number, buf[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"unexpected wire type {wire}")


@dataclass(frozen=True)
class DecodedNode:
    links: tuple[bytes, ...]  # child multihashes in order
    data: bytes
    filesize: int | None = None  # the size the node declares for its subtree's content


def decode_node(block: bytes, name: str) -> DecodedNode:
    """Parse a dag-pb UnixFS file node; `NotAFile` if it is not one.

    The block's hash was checked before, so a block that does not parse is what whoever named the
    CID put there (a directory, another codec), never damage to the store.
    """
    try:
        links: list[bytes] = []
        unixfs = b""
        filesize = None
        for number, value in _fields(block):
            if number == 2:
                link_hash = next((v for n, v in _fields(value) if n == 1), None)
                if not isinstance(link_hash, bytes):
                    raise ValueError("link without a hash")
                links.append(link_hash)
            elif number == 1:
                unixfs = value
        data = b""
        for number, value in _fields(unixfs):
            if number == 1 and value != _FILE:
                raise ValueError(f"UnixFS type {value} is not a file")
            if number == 2:
                data = value
            if number == 3 and isinstance(value, int):
                filesize = value
    except (ValueError, TypeError) as exc:
        raise NotAFile(f"block {name} is not a UnixFS file node ({exc})") from None
    return DecodedNode(tuple(links), data, filesize)


MIN_AVERAGE_BLOCK = 16 * 1024


class ReadBudget:
    """Limits one read of a UnixFS DAG: content bytes, and blocks visited.

    Deduplication lets a DAG of a few stored blocks link the same child over and over: its cost is
    the number of visits, not the bytes stored. Every visit counts (repeated links included), a leaf
    must hold bytes (kubo never writes an empty leaf into a non-empty file), and the root's declared
    size is checked before anything else is read.
    """

    def __init__(self, name: str, max_bytes: int | None):
        self.name, self.max_bytes = name, max_bytes
        # Blocks must carry 16 KiB each on average beyond the first 64 (kubo's default chunks are
        # 256 KiB): a DAG of tiny leaves repeated over and over costs a visit per leaf.
        self.max_blocks = None if max_bytes is None else 64 + max_bytes // MIN_AVERAGE_BLOCK
        self.bytes = self.blocks = 0

    def visit(self, node: DecodedNode, is_root: bool) -> None:
        self.blocks += 1
        if is_root and self.max_bytes is not None and (node.filesize or 0) > self.max_bytes:
            raise ContentTooLarge(
                f"{self.name} declares {node.filesize:,} bytes, more than the {self.max_bytes:,}-byte limit"
            )
        if self.max_blocks is not None and self.blocks > self.max_blocks:
            raise NotAFile(
                f"{self.name} links more than {self.max_blocks:,} blocks for at most {self.max_bytes:,} "
                "bytes: not a file as `ipfs add` builds one"
            )
        if not node.links and not node.data and not is_root:
            raise NotAFile(f"{self.name} has an empty leaf block: not a file as `ipfs add` builds one")
        self.bytes += len(node.data) if not node.links else 0
        if self.max_bytes is not None and self.bytes > self.max_bytes:
            raise ContentTooLarge(f"{self.name} is larger than the {self.max_bytes:,}-byte limit")


# -- building ------------------------------------------------------------------------------------


def chunks(stream: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut an iterable of byte strings into fixed CHUNK_SIZE pieces (the last may be short)."""
    buffer = bytearray()
    for piece in stream:
        buffer += piece
        while len(buffer) >= CHUNK_SIZE:
            yield bytes(buffer[:CHUNK_SIZE])
            del buffer[:CHUNK_SIZE]
    if buffer:
        yield bytes(buffer)


def build_file(pieces: Iterable[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """Yield (multihash, block) for every block of the file, children before parents, root last.

    Streaming: memory holds one chunk plus at most MAX_LINKS links per tree level. Grouping each
    level into runs of MAX_LINKS gives exactly kubo's balanced layout (every subtree full but the
    last one).
    """
    levels: list[list[Link]] = [[]]

    def emit(level: int) -> Iterator[tuple[bytes, bytes]]:
        links = levels[level]
        filesize = sum(link.filesize for link in links)
        block = encode_node(links, b"", filesize)
        multihash = multihash_of(block)
        levels[level] = []
        if len(levels) == level + 1:
            levels.append([])
        levels[level + 1].append(Link(multihash, len(block) + sum(link.tsize for link in links), filesize))
        yield multihash, block

    produced_any = False
    for chunk in chunks(pieces):
        produced_any = True
        block = encode_node([], chunk, len(chunk))
        multihash = multihash_of(block)
        yield multihash, block
        levels[0].append(Link(multihash, len(block), len(chunk)))
        level = 0
        while len(levels[level]) == MAX_LINKS:
            yield from emit(level)
            level += 1

    if not produced_any:
        block = encode_node([], b"", 0)
        yield multihash_of(block), block
        return
    # Close the partial runs bottom-up until one link remains at the top: that is the root.
    level = 0
    while not (level == len(levels) - 1 and len(levels[level]) == 1):
        if levels[level]:
            yield from emit(level)
        level += 1

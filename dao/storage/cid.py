"""CIDs: CIDv0 (base58btc sha2-256 multihash, what `ipfs add` prints) and base32 CIDv1.

Both address dag-pb (or raw) blocks by a sha2-256 multihash; the embedded store keys blocks by
that multihash, so a CIDv1 spelling of the same content resolves to the same blocks.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import base58

from dao.storage.errors import InvalidCID

SHA2_256 = 0x12
DAG_PB = 0x70
RAW = 0x55
_DIGEST_LEN = 32


@dataclass(frozen=True)
class CID:
    version: int
    codec: int
    multihash: bytes  # 0x12 0x20 + 32-byte sha2-256 digest

    @property
    def digest(self) -> bytes:
        return self.multihash[2:]

    def to_bytes(self) -> bytes:
        """Binary CID as a CAR file carries it (CIDv0: the bare multihash)."""
        if self.version == 0:
            return self.multihash
        return bytes([1]) + varint(self.codec) + self.multihash

    def __str__(self) -> str:
        if self.version == 0:
            return base58.b58encode(self.multihash).decode()
        return "b" + base64.b32encode(self.to_bytes()).decode().lower().rstrip("=")


def varint(value: int) -> bytes:
    """Unsigned LEB128, as multiformats, protobuf and CAR use it."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def multihash_of(block: bytes) -> bytes:
    return bytes([SHA2_256, _DIGEST_LEN]) + hashlib.sha256(block).digest()


def cid_v0(block: bytes) -> CID:
    return CID(0, DAG_PB, multihash_of(block))


def parse_cid(text: str) -> CID:
    """Parse a CID string; `InvalidCID` names what is wrong with it."""
    if not isinstance(text, str) or not text:
        raise InvalidCID("a CID is required (got an empty value)")
    text = text.strip()
    if text.startswith("Qm"):
        if len(text) != 46:
            raise InvalidCID(f"{text!r} is not a CIDv0: it has {len(text)} characters, a CIDv0 has 46")
        try:
            raw = base58.b58decode(text)
        except ValueError as exc:
            raise InvalidCID(f"{text!r} is not a CIDv0: {exc}") from None
        if len(raw) != 34 or raw[0] != SHA2_256 or raw[1] != _DIGEST_LEN:
            raise InvalidCID(f"{text!r} is not a sha2-256 CIDv0")
        return CID(0, DAG_PB, raw)
    if text.startswith("b"):
        body = text[1:].upper()
        try:
            raw = base64.b32decode(body + "=" * (-len(body) % 8))
        except ValueError as exc:
            raise InvalidCID(f"{text!r} is not a base32 CIDv1: {exc}") from None
        if len(raw) != 36 or raw[0] != 1 or raw[1] not in (DAG_PB, RAW):
            raise InvalidCID(f"{text!r} is not a CIDv1 of a dag-pb or raw block")
        if raw[2] != SHA2_256 or raw[3] != _DIGEST_LEN:
            raise InvalidCID(f"{text!r} does not use a sha2-256 multihash")
        return CID(1, raw[1], raw[2:])
    raise InvalidCID(f"{text!r} is not a CID: expected a CIDv0 (Qm…, 46 characters) or a base32 CIDv1 (b…)")


def is_valid_cid(text: str) -> bool:
    try:
        parse_cid(text)
    except InvalidCID:
        return False
    return True

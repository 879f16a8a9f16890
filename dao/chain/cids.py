"""CIDs as the contracts keep them: a codec byte and the sha2-256 digest, not a string.

`ContributionRegistry.register` and `EpochSettlement.commit` take `(codec, digest)`: codec 0 is a
CIDv0 (`Qm…`, dag-pb), otherwise the multicodec of a base32 CIDv1 (0x55 raw, 0x70 dag-pb); the
digest is the one in the CID's sha2-256 multihash. Any such pair is a well-formed CID, and the string
is rebuilt exactly: CIDv0 = base58btc(0x12 0x20 digest), CIDv1 = "b" + base32(0x01 codec 0x12 0x20
digest). Storing 33 bytes instead of a 46–59 character string saves two storage words per CID.
"""

from __future__ import annotations

from dao.storage.cid import CID, DAG_PB, RAW, SHA2_256, parse_cid

CID_V0 = 0
CODECS = (CID_V0, RAW, DAG_PB)
_EMPTY = b"\x00" * 32


def cid_parts(text: str) -> tuple[int, bytes]:
    """`(codec, digest)` of a CID string, as the contracts take it; `InvalidCID` says what is wrong."""
    cid = parse_cid(text)
    return (CID_V0 if cid.version == 0 else cid.codec), cid.digest


def cid_text(codec: int, digest: bytes) -> str:
    """The CID string of `(codec, digest)` as the contracts return it; "" for an empty digest."""
    digest = bytes(digest)
    if digest == _EMPTY:
        return ""
    if int(codec) not in CODECS:
        raise ValueError(f"unknown CID codec {int(codec):#x}: expected 0 (CIDv0), 0x55 or 0x70")
    multihash = bytes([SHA2_256, 32]) + digest
    if int(codec) == CID_V0:
        return str(CID(0, DAG_PB, multihash))
    return str(CID(1, int(codec), multihash))


def report_cid(record) -> str:
    """The report CID of an `EpochSettlement.epochs(epoch)` record ("" while there is none)."""
    return cid_text(record.report_codec, record.report_digest)


def contribution_cid(record) -> str:
    """The CID of a `ContributionRegistry.contributions(id)` record."""
    return cid_text(record.cid_codec, record.cid_digest)

"""CARv1 export: move locally stored content to the IPFS network under the same CIDs.

A CARv1 file is a varint-prefixed dag-cbor header `{"roots": [cid], "version": 1}` followed by
varint-prefixed (binary CID + block) sections; `ipfs dag import` accepts it. The header's CBOR is
written by hand in dag-cbor's canonical form (keys ordered by length, then bytes; CIDs as tag 42
over a 0x00-prefixed binary CID).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dao.storage.cid import CID, parse_cid, varint


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for marker, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | marker]) + length.to_bytes(size, "big")
    raise ValueError("length too large for CBOR")


def _cbor_text(text: str) -> bytes:
    raw = text.encode()
    return _cbor_head(3, len(raw)) + raw


def car_header(root: CID) -> bytes:
    cid_bytes = b"\x00" + root.to_bytes()
    body = (
        _cbor_head(5, 2)
        + _cbor_text("roots")
        + _cbor_head(4, 1)
        + b"\xd8\x2a"  # tag 42: CID
        + _cbor_head(2, len(cid_bytes))
        + cid_bytes
        + _cbor_text("version")
        + _cbor_head(0, 1)
    )
    return varint(len(body)) + body


def export_car(storage, cid: str, out_path: str | os.PathLike) -> int:
    """Write the DAG of `cid` (every block verified on the way) to `out_path`; return the block count."""
    root = parse_cid(cid)
    out = Path(out_path)
    fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=".tmp-car-")
    count = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(car_header(root))
            for multihash, block in storage.blocks(cid):
                section_cid = (
                    root.to_bytes() if multihash == root.multihash else CID(0, 0x70, multihash).to_bytes()
                )
                handle.write(varint(len(section_cid) + len(block)) + section_cid + block)
                count += 1
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count

"""examples/web3_client.py reads files from the embedded IPFS store with its own ~15 lines of
dag-pb/UnixFS decoding (docs/integrating.md documents the layout): every byte, across chunks, and
never a damaged block. The node run of the client (tests/e2e/web3_client_check.py) only meets
one-block reports; this covers files of several chunks."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from dao.chain.cids import cid_parts
from dao.storage import EmbeddedStorage

CLIENT = Path(__file__).resolve().parents[3] / "examples" / "web3_client.py"


def _reader(ipfs_dir: Path):
    spec = importlib.util.spec_from_file_location("web3_client", CLIENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = module.Client.__new__(module.Client)  # no node: only the store is read
    client.ipfs_dir = ipfs_dir
    return client


@pytest.mark.parametrize("size", [0, 1_000, 256 * 1024, 700_000])
def test_the_client_reads_back_what_the_store_holds(tmp_path, size):
    content = os.urandom(size)
    cid = EmbeddedStorage(tmp_path).add(content)
    assert _reader(tmp_path).ipfs_cat(*cid_parts(cid)) == content


def test_the_client_refuses_a_damaged_block(tmp_path):
    cid = EmbeddedStorage(tmp_path).add(b'{"epoch": 1}')
    codec, digest = cid_parts(cid)
    (tmp_path / "blocks" / digest.hex()[:2] / digest.hex()).write_bytes(b"tampered")
    with pytest.raises(SystemExit, match="fails its hash check"):
        _reader(tmp_path).ipfs_cat(codec, digest)

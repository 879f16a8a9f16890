"""The embedded store: kubo-identical CIDs, verified reads, CAR export, the CLI."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest
from click.testing import CliRunner

from dao.cli import main
from dao.storage import ContentNotFound, CorruptBlock, EmbeddedStorage, InvalidCID, get_storage, parse_cid
from dao.storage.car import export_car
from dao.storage.cid import multihash_of
from dao.storage.unixfs import CHUNK_SIZE, MAX_LINKS

IPFS_CID = shutil.which("ipfs_cid")
needs_reference = pytest.mark.skipif(
    IPFS_CID is None,
    reason="Debian package ipfs-cid not installed (apt-get install ipfs-cid; make install does)",
)

# Sizes the issue names: empty, one byte, one chunk, one chunk + 1, a full first level, and multi-level.
SIZES = [
    0,
    1,
    CHUNK_SIZE - 1,
    CHUNK_SIZE,
    CHUNK_SIZE + 1,
    3 * CHUNK_SIZE + 17,
    MAX_LINKS * CHUNK_SIZE,
    MAX_LINKS * CHUNK_SIZE + 1,
    50_000_000,
]


def _bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _reference_cid(path: Path) -> str:
    out = subprocess.run([IPFS_CID, str(path)], capture_output=True, check=True, text=True).stdout
    return json.loads(out)["CIDv0"]


@pytest.fixture
def store(tmp_path) -> EmbeddedStorage:
    return EmbeddedStorage(tmp_path / "ipfs")


def test_golden_cids_of_kubo(store):
    # Printed by `ipfs add` (kubo defaults) for the empty file and for "a".
    assert store.add(b"") == "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
    assert store.add(b"a") == "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d"


@needs_reference
@pytest.mark.parametrize("size", SIZES)
def test_cid_matches_the_reference_implementation(store, tmp_path, size):
    path = tmp_path / "file.bin"
    path.write_bytes(_bytes(size, size))
    cid = store.add(path)
    assert cid == _reference_cid(path)
    assert store.add(path.read_bytes()) == cid  # bytes and paths give the same CID
    assert store.get(cid) == path.read_bytes()


@needs_reference
@pytest.mark.parametrize("seed", range(6))
def test_random_sizes_match_the_reference(store, tmp_path, seed):
    size = random.Random(1000 + seed).randrange(0, 3 * MAX_LINKS * CHUNK_SIZE // 40)
    path = tmp_path / "random.bin"
    path.write_bytes(_bytes(size, seed))
    assert store.add(path) == _reference_cid(path)


def _block_files(store: EmbeddedStorage) -> list[Path]:
    return sorted(p for p in (store.root / "blocks").rglob("*") if p.is_file())


def test_a_corrupted_block_is_refused(store):
    data = _bytes(3 * CHUNK_SIZE, 1)
    cid = store.add(data)
    leaf = next(p for p in _block_files(store) if p.stat().st_size > CHUNK_SIZE)
    raw = bytearray(leaf.read_bytes())
    raw[100] ^= 0xFF
    leaf.write_bytes(bytes(raw))
    with pytest.raises(CorruptBlock, match="fails its hash check"):
        store.get(cid)
    assert store.has(cid) is False


def test_a_truncated_block_is_refused(store):
    cid = store.add(_bytes(2 * CHUNK_SIZE, 2))
    leaf = next(p for p in _block_files(store) if p.stat().st_size > CHUNK_SIZE)
    leaf.write_bytes(leaf.read_bytes()[:-10])
    with pytest.raises(CorruptBlock):
        b"".join(store.open(cid))


def test_a_missing_block_is_named(store):
    cid = store.add(_bytes(2 * CHUNK_SIZE, 3))
    _block_files(store)[0].unlink()
    with pytest.raises(ContentNotFound, match="is not in the local store"):
        store.get(cid)
    with pytest.raises(ContentNotFound):
        store.pin(cid)


def test_streaming_read_yields_chunks(store):
    data = _bytes(5 * CHUNK_SIZE + 3, 4)
    cid = store.add(data)
    pieces = list(store.open(cid))
    assert len(pieces) == 6 and b"".join(pieces) == data


def test_cidv1_spelling_reads_the_same_content(store):
    cid = store.add(b"hello")
    v1 = "bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq"  # ipfs_cid's CIDv1 of "hello"
    assert parse_cid(v1).multihash == parse_cid(cid).multihash
    assert store.get(v1) == b"hello"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("Qm123", "46"),
        ("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQ0", "CIDv0"),
        ("zdj7W", "not a CID"),
        ("bafy!!", "base32"),
    ],
)
def test_bad_cids_are_refused_with_a_reason(store, text, why):
    with pytest.raises(InvalidCID, match=why):
        store.get(text)


def test_pin_and_has(store):
    cid = store.add(b"pinned content")
    assert store.has(cid) and store.is_pinned(cid)
    assert not store.has("QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d")


def _read_car(path: Path) -> tuple[dict, list[tuple[bytes, bytes]]]:
    """An independent CARv1 reader: cbor2 for the header, varint-framed sections."""
    data = path.read_bytes()

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value, pos
            shift += 7

    length, pos = varint(0)
    header = cbor2.loads(data[pos : pos + length])
    pos += length
    sections = []
    while pos < len(data):
        length, pos = varint(pos)
        section = data[pos : pos + length]
        pos += length
        sections.append((section[:34], section[34:]))  # CIDv0: a bare 34-byte multihash
    return header, sections


def test_car_export_round_trips(store, tmp_path):
    data = _bytes(MAX_LINKS * CHUNK_SIZE + 5, 5)
    cid = store.add(data)
    count = export_car(store, cid, tmp_path / "out.car")
    header, sections = _read_car(tmp_path / "out.car")
    assert header["version"] == 1
    root = header["roots"][0]
    assert isinstance(root, cbor2.CBORTag) and root.tag == 42
    assert root.value == b"\x00" + parse_cid(cid).multihash
    assert len(sections) == count == MAX_LINKS + 1 + 2 + 1  # leaves, two level-1 nodes, root
    for multihash, block in sections:
        assert multihash_of(block) == multihash
    imported = EmbeddedStorage(tmp_path / "imported")
    for _, block in sections:
        imported.put_block(block)
    assert imported.get(cid) == data


def test_cli_add_cat_export(tmp_path, monkeypatch):
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("DAO_IPFS_API", raising=False)
    source = tmp_path / "in.bin"
    source.write_bytes(_bytes(CHUNK_SIZE + 9, 6))
    runner = CliRunner()
    added = runner.invoke(main, ["ipfs", "add", str(source)])
    assert added.exit_code == 0
    cid = added.output.strip()
    assert cid.startswith("Qm") and len(cid) == 46  # only the CID is printed
    catted = runner.invoke(main, ["ipfs", "cat", cid])
    assert catted.exit_code == 0 and catted.stdout_bytes == source.read_bytes()
    exported = runner.invoke(main, ["ipfs", "export", cid, str(tmp_path / "x.car")])
    assert exported.exit_code == 0 and (tmp_path / "x.car").exists()
    missing = runner.invoke(main, ["ipfs", "cat", "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d"])
    assert missing.exit_code == 2 and "not in the local store" in missing.output


def test_cli_in_a_real_process(tmp_path):
    source = tmp_path / "in.txt"
    source.write_bytes(b"a")
    env = {"DAO_IPFS_DIR": str(tmp_path / "store"), "PATH": str(Path(sys.executable).parent)}
    dao = Path(sys.executable).parent / "dao"
    out = subprocess.run(
        [str(dao), "ipfs", "add", str(source)], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout == "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d\n"
    cat = subprocess.run(
        [str(dao), "ipfs", "cat", out.stdout.strip()], capture_output=True, env=env, check=True
    )
    assert cat.stdout == b"a"


def test_get_storage_defaults_to_the_embedded_store(tmp_path, monkeypatch):
    monkeypatch.delenv("DAO_IPFS_API", raising=False)
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "s"))
    assert isinstance(get_storage(), EmbeddedStorage)

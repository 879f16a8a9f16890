"""Sealing to several recipients (issue 17): the operator and every auditor open the same data."""

from __future__ import annotations

import subprocess
import sys

import pytest
from nacl.public import PrivateKey, SealedBox

from dao.data import sealing
from dao.data.sealing import (
    MARKER,
    MARKER_V2,
    MAX_RECIPIENTS,
    SealingError,
    is_sealed,
    read_key_file,
    recipients,
    seal,
    unseal,
)

DATA = b"x,y\n1.0,0\n2.0,1\n" * 50
OPERATOR, AUDITOR_A, AUDITOR_B, STRANGER = (PrivateKey.generate() for _ in range(4))


def _pub(key: PrivateKey) -> bytes:
    return bytes(key.public_key)


def test_the_operator_and_every_auditor_open_one_blob():
    blob = seal(DATA, _pub(OPERATOR), _pub(AUDITOR_A), _pub(AUDITOR_B))
    assert blob.startswith(MARKER_V2) and is_sealed(blob) and DATA not in blob
    for key in (OPERATOR, AUDITOR_A, AUDITOR_B):
        assert unseal(blob, bytes(key)) == DATA
    # One object: the data is encrypted once, each recipient costs a fixed-size entry.
    assert len(blob) == len(DATA) + sealing.overhead(3)
    assert recipients(blob[: sealing.HEADER_MAX]) == (_pub(OPERATOR), _pub(AUDITOR_A), _pub(AUDITOR_B))


def test_a_key_that_is_not_a_recipient_is_told_so():
    blob = seal(DATA, _pub(OPERATOR), _pub(AUDITOR_A))
    with pytest.raises(SealingError, match="not among the sealed artifact's 2 recipients"):
        unseal(blob, bytes(STRANGER))


def test_old_single_recipient_blobs_still_unseal():
    old = MARKER + SealedBox(OPERATOR.public_key).encrypt(DATA)  # as the v1 code wrote them
    assert unseal(old, bytes(OPERATOR)) == DATA
    assert recipients(old) is None and recipients(DATA) == ()
    assert seal(DATA, _pub(OPERATOR)).startswith(MARKER)  # one recipient still writes v1
    with pytest.raises(SealingError, match="sealed to another key"):
        unseal(old, bytes(AUDITOR_A))


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda b: b[: len(MARKER_V2)], "does not say how many recipients"),
        (lambda b: MARKER_V2 + b"\x00" + b[len(MARKER_V2) + 1 :], "names 0 recipients"),
        (lambda b: MARKER_V2 + bytes([MAX_RECIPIENTS + 1]) + b[len(MARKER_V2) + 1 :], "names 17 recipients"),
        (lambda b: b[: len(MARKER_V2) + 1 + 112 + 50], "names 2 recipients but holds 1 whole"),
        (lambda b: MARKER_V2 + b"\x0f" + b[len(MARKER_V2) + 1 :], "names 15 recipients but holds"),
        (  # the second entry replaced by a copy of the first
            lambda b: (
                b[: len(MARKER_V2) + 1 + 112]
                + b[len(MARKER_V2) + 1 : len(MARKER_V2) + 1 + 112]
                + b[len(MARKER_V2) + 1 + 224 :]
            ),
            "lists one recipient twice",
        ),
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "sealed content does not open"),
    ],
)
def test_a_malformed_header_or_body_is_a_clear_error(mangle, message):
    blob = seal(DATA, _pub(OPERATOR), _pub(AUDITOR_A))
    with pytest.raises(SealingError, match=message):
        unseal(mangle(blob), bytes(OPERATOR))


def test_an_entry_for_this_key_that_does_not_open_is_named():
    blob = bytearray(seal(DATA, _pub(OPERATOR), _pub(AUDITOR_A)))
    blob[len(MARKER_V2) + 1 + 112 + 80] ^= 1  # inside the auditor's boxed content key
    with pytest.raises(SealingError, match="recipient entry for this key does not open"):
        unseal(bytes(blob), bytes(AUDITOR_A))
    with pytest.raises(SealingError, match="recipient entry 1 .* does not carry the same content key"):
        unseal(bytes(blob), bytes(OPERATOR))


def test_two_recipients_given_different_keys_is_refused_by_both():
    """A dishonest contributor boxes one content key to the operator and another to the auditor
    (Poly1305 does not commit to its key): each recipient re-derives the others' entries and refuses."""
    honest = seal(DATA, _pub(OPERATOR), _pub(AUDITOR_A))
    other = seal(b"other rows", _pub(OPERATOR), _pub(AUDITOR_A))
    start = len(MARKER_V2) + 1
    spliced = honest[: start + 112] + other[start + 112 : start + 224] + honest[start + 224 :]
    for key in (OPERATOR, AUDITOR_A):
        with pytest.raises(SealingError, match="does not carry the same content key"):
            unseal(spliced, bytes(key))


def test_sealing_refuses_bad_recipient_lists():
    with pytest.raises(SealingError, match="at least one recipient"):
        seal(DATA)
    with pytest.raises(SealingError, match="auditor public key 1 is not a 32-byte"):
        seal(DATA, _pub(OPERATOR), b"short")
    with pytest.raises(SealingError, match="auditor public key 2 is not a usable"):
        seal(DATA, _pub(OPERATOR), _pub(AUDITOR_A), bytes(32))
    with pytest.raises(SealingError, match="listed twice"):
        seal(DATA, _pub(OPERATOR), _pub(OPERATOR))
    keys = [_pub(PrivateKey.generate()) for _ in range(MAX_RECIPIENTS + 1)]
    with pytest.raises(SealingError, match="at most 16"):
        seal(DATA, *keys)


def test_key_files_raw_or_hex_and_the_new_key_command(tmp_path):
    raw, hexed, bad = tmp_path / "raw.key", tmp_path / "hex.key", tmp_path / "bad.key"
    raw.write_bytes(bytes(AUDITOR_A))
    hexed.write_text("0x" + bytes(AUDITOR_A).hex() + "\n")
    bad.write_text("not a key")
    assert read_key_file(raw) == read_key_file(hexed) == bytes(AUDITOR_A)
    with pytest.raises(SealingError, match="holds 9 bytes"):
        read_key_file(bad)
    with pytest.raises(SealingError, match="cannot read the key file"):
        read_key_file(tmp_path / "absent.key")
    out = subprocess.run(
        [sys.executable, "-m", "dao.data.sealing", "new-key", str(tmp_path / "auditor.key")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    private = read_key_file(tmp_path / "auditor.key")
    assert out == "0x" + bytes(PrivateKey(private).public_key).hex()
    assert (tmp_path / "auditor.key").stat().st_mode & 0o077 == 0


def test_missing_recipients_reads_the_header_against_the_recipe():
    required = [_pub(OPERATOR), _pub(AUDITOR_A), _pub(AUDITOR_B)]
    head = sealing.HEADER_MAX
    assert sealing.missing_recipients(seal(DATA, *required)[:head], required) == []
    assert sealing.missing_recipients(seal(DATA, _pub(OPERATOR), _pub(AUDITOR_B))[:head], required) == [
        _pub(AUDITOR_A)
    ]
    assert sealing.missing_recipients(seal(DATA, _pub(OPERATOR))[:head], required) == required[1:]
    assert sealing.missing_recipients(DATA, required) == []

"""Private data sets, sealed to the operator and to the recipe's auditors (libsodium via PyNaCl).

A sealed artifact starts with a fixed marker so the pipeline knows to open it; public artifacts are
stored as is. Two formats, both 16-byte markers:

- v1, one recipient (the operator): `MARKER` + a libsodium sealed box of the data. Still written
  when there is no auditor, and always read.
- v2, several recipients (the operator and every auditor the recipe names): `MARKER_V2`, one byte
  N (1..`MAX_RECIPIENTS`), N entries of `recipient public key (32) | ephemeral public key (32) |
  the content key boxed to the recipient (48)`, then a 24-byte nonce and the data under the content
  key (XSalsa20-Poly1305, 16-byte tag). The data is encrypted once, so the blob (and its CID) stays
  one object however many recipients there are.

Every recipient must see the same data, or an auditor's honest recomputation would differ from the
operator's honest report. Poly1305 does not commit to its key (one ciphertext can be made to open
under two keys), so a dishonest contributor could otherwise hand the operator one key and an
auditor another. Hence each entry is a deterministic function of (content key, recipient key): the
ephemeral key is derived from both. Whoever opens its own entry re-derives every other entry and
refuses the artifact unless all of them match byte for byte; all recipients therefore hold the same
content key, and the ciphertext decrypts to the same data for all, or for none.

`python -m dao.data.sealing new-key FILE` creates an auditor's (or operator's) key file and prints
the public key a recipe lists.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import Box, PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox
from nacl.utils import random as random_bytes

from dao.errors import DaoError

MARKER = b"MMDAO-SEALED-v1\n"
MARKER_V2 = b"MMDAO-SEALED-v2\n"
MAX_RECIPIENTS = 16  # the operator and at most 15 auditors: bounds the header a reader parses
KEY_BYTES = 32
_ENTRY_BYTES = 32 + 32 + 48  # recipient key, ephemeral key, boxed content key (32 + 16-byte tag)
_NONCE_BYTES = SecretBox.NONCE_SIZE
_TAG_BYTES = SecretBox.MACBYTES
# The most bytes any v2 header can take: a reader peeks this many to learn the recipients.
HEADER_MAX = len(MARKER_V2) + 1 + MAX_RECIPIENTS * _ENTRY_BYTES
_WRAP_PERSON = b"MMDAO-wrap-v2"


class SealingError(DaoError):
    """A sealed artifact cannot be opened, or a key is malformed."""


def is_sealed(data: bytes) -> bool:
    return data.startswith(MARKER) or data.startswith(MARKER_V2)


def overhead(n_recipients: int) -> int:
    """The bytes sealing adds to the data for `n_recipients` recipients."""
    if n_recipients == 1:
        return len(MARKER) + 48
    return len(MARKER_V2) + 1 + n_recipients * _ENTRY_BYTES + _NONCE_BYTES + _TAG_BYTES


def check_public_key(raw: bytes, name: str = "the public key") -> bytes:
    """`raw` if it is a usable 32-byte Curve25519 public key; a SealingError naming `name` if not."""
    if not isinstance(raw, bytes) or len(raw) != KEY_BYTES:
        size = len(raw) if isinstance(raw, bytes) else type(raw).__name__
        raise SealingError(f"{name} is not a 32-byte Curve25519 key (got {size} bytes)")
    try:  # libsodium refuses low-order points (the all-zero key, ...): nothing sealed to them is secret
        Box(PrivateKey.generate(), PublicKey(raw))
    except Exception as exc:
        raise SealingError(f"{name} is not a usable Curve25519 public key (a low-order point)") from exc
    return raw


def public_key_of(private_key: bytes) -> bytes:
    """The public key of a 32-byte private key."""
    if not isinstance(private_key, bytes) or len(private_key) != KEY_BYTES:
        raise SealingError("a private key must be 32 bytes (as `dao` writes key files)")
    return bytes(PrivateKey(private_key).public_key)


def _entry(content_key: bytes, recipient: bytes) -> bytes:
    """The content key boxed to `recipient`, deterministically (see the module's docstring)."""
    ephemeral = PrivateKey(
        blake2b(recipient, digest_size=32, key=content_key, person=_WRAP_PERSON, encoder=RawEncoder)
    )
    ephemeral_public = bytes(ephemeral.public_key)
    nonce = blake2b(ephemeral_public + recipient, digest_size=_NONCE_BYTES, encoder=RawEncoder)
    boxed = Box(ephemeral, PublicKey(recipient)).encrypt(content_key, nonce).ciphertext
    return recipient + ephemeral_public + boxed


def seal(data: bytes, *recipient_public_keys: bytes) -> bytes:
    """`data` sealed so that each recipient's private key opens it.

    One recipient (the operator alone) writes the v1 format, as before; several write v2."""
    if not recipient_public_keys:
        raise SealingError("seal needs at least one recipient public key (the operator's)")
    if len(recipient_public_keys) > MAX_RECIPIENTS:
        raise SealingError(
            f"{len(recipient_public_keys)} recipients: at most {MAX_RECIPIENTS} (the operator and "
            f"{MAX_RECIPIENTS - 1} auditors) can share a sealed artifact"
        )
    names = ["the operator public key"] + [
        f"auditor public key {i}" for i in range(1, len(recipient_public_keys))
    ]
    keys = [check_public_key(key, name) for key, name in zip(recipient_public_keys, names, strict=True)]
    if len(set(keys)) != len(keys):
        raise SealingError("a recipient public key is listed twice: each recipient must be distinct")
    if len(keys) == 1:
        return MARKER + SealedBox(PublicKey(keys[0])).encrypt(data)
    content_key = random_bytes(SecretBox.KEY_SIZE)
    nonce = random_bytes(_NONCE_BYTES)
    body = SecretBox(content_key).encrypt(data, nonce).ciphertext
    entries = b"".join(_entry(content_key, key) for key in keys)
    return MARKER_V2 + bytes([len(keys)]) + entries + nonce + body


def recipients(head: bytes) -> tuple[bytes, ...] | None:
    """The public keys a v2 artifact is sealed to, read from its first bytes (at most `HEADER_MAX`
    are needed); None for a v1 artifact (one recipient, not named) and () for unsealed content.
    A malformed header is a SealingError."""
    if head.startswith(MARKER):
        return None
    if not head.startswith(MARKER_V2):
        return ()
    return tuple(entry[:32] for entry in _parse_entries(head, need_body=False)[0])


def missing_recipients(head: bytes, required: list[bytes]) -> list[bytes]:
    """The keys of `required` (the operator's first, then the recipe's auditors) that an artifact is
    not sealed to, from its first `HEADER_MAX` bytes. A v1 artifact names no recipient: it is taken
    to be sealed to the first key alone. Unsealed content misses nobody. Every recipient computes
    the same answer from public bytes, so an intake that refuses on it refuses alike everywhere."""
    listed = recipients(head)
    if listed == ():
        return []
    if listed is None:
        return list(required[1:])
    return [key for key in required if key not in listed]


def _parse_entries(data: bytes, need_body: bool) -> tuple[list[bytes], int]:
    """The v2 entries and the offset where the nonce starts; clear errors for a malformed header."""
    start = len(MARKER_V2)
    if len(data) <= start:
        raise SealingError("the sealed artifact's header is truncated: it does not say how many recipients")
    count = data[start]
    if not 1 <= count <= MAX_RECIPIENTS:
        raise SealingError(
            f"the sealed artifact names {count} recipients; a valid one names 1 to {MAX_RECIPIENTS}"
        )
    end = start + 1 + count * _ENTRY_BYTES
    if len(data) < end + (_NONCE_BYTES + _TAG_BYTES if need_body else 0):
        raise SealingError(
            f"the sealed artifact's header is truncated: it names {count} recipients but holds "
            f"{max(0, (len(data) - start - 1)) // _ENTRY_BYTES} whole recipient entries"
            + (" and no sealed content" if need_body else "")
        )
    entries = [data[start + 1 + i * _ENTRY_BYTES : start + 1 + (i + 1) * _ENTRY_BYTES] for i in range(count)]
    keys = [entry[:32] for entry in entries]
    if len(set(keys)) != len(keys):
        raise SealingError("the sealed artifact lists one recipient twice: its header is malformed")
    return entries, end


def _unseal_v2(data: bytes, private_key: bytes) -> bytes:
    entries, offset = _parse_entries(data, need_body=True)
    own = public_key_of(private_key)
    mine = next((entry for entry in entries if entry[:32] == own), None)
    if mine is None:
        raise SealingError(
            f"this key ({own.hex()[:16]}…) is not among the sealed artifact's {len(entries)} "
            "recipients: it was sealed to other keys"
        )
    ephemeral = mine[32:64]
    nonce = blake2b(ephemeral + own, digest_size=_NONCE_BYTES, encoder=RawEncoder)
    try:
        content_key = Box(PrivateKey(private_key), PublicKey(ephemeral)).decrypt(mine[64:], nonce)
    except CryptoError as exc:
        raise SealingError(
            "the sealed artifact's recipient entry for this key does not open: it is damaged"
        ) from exc
    for index, entry in enumerate(entries):
        if _entry(content_key, entry[:32]) != entry:
            raise SealingError(
                f"recipient entry {index} (key {entry[:32].hex()[:16]}…) does not carry the same "
                "content key as this one: the recipients would not see the same data, so it is refused"
            )
    nonce = data[offset : offset + _NONCE_BYTES]
    try:
        return SecretBox(content_key).decrypt(data[offset + _NONCE_BYTES :], nonce)
    except CryptoError as exc:
        raise SealingError("the sealed content does not open with its content key: it is damaged") from exc


def unseal(data: bytes, private_key: bytes) -> bytes:
    """The data of a sealed artifact (either format) opened with a recipient's private key; public
    content is returned as is."""
    if data.startswith(MARKER_V2):
        return _unseal_v2(data, private_key)
    if not data.startswith(MARKER):
        return data
    try:
        return SealedBox(PrivateKey(private_key)).decrypt(data[len(MARKER) :])
    except CryptoError as exc:
        raise SealingError(
            "a sealed artifact could not be opened with the operator key: it was sealed to another "
            "key or is damaged"
        ) from exc


_HEX_KEY = re.compile(rb"^(0x)?([0-9a-fA-F]{64})$")


def read_key_file(path: Path) -> bytes:
    """A private key from a file: 32 raw bytes (as `dao` writes them) or 64 hex digits."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SealingError(f"cannot read the key file {path}: {exc.strerror or exc}") from exc
    if len(raw) == KEY_BYTES:
        return raw
    match = _HEX_KEY.match(raw.strip())
    if match:
        return bytes.fromhex(match.group(2).decode())
    raise SealingError(
        f"{path} holds {len(raw)} bytes: a key file holds a 32-byte private key, raw or as 64 hex digits"
    )


def load_or_create_operator_key(path: Path) -> PrivateKey:
    """The operator's (or an auditor's) key pair, created on first use with owner-only permissions."""
    if path.exists():
        raw = path.read_bytes()
        if len(raw) != 32:
            raise SealingError(f"{path} does not hold a 32-byte private key")
        return PrivateKey(raw)
    key = PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(bytes(key))
    return key


def _main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "new-key":
        print("usage: python -m dao.data.sealing new-key FILE", file=sys.stderr)
        return 2
    path = Path(argv[1])
    if path.exists():
        print(f"Error: {path} exists; refusing to overwrite a key", file=sys.stderr)
        return 2
    key = load_or_create_operator_key(path)
    print("0x" + bytes(key.public_key).hex())
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

"""Private data sets: sealed to the operator's public key (libsodium sealed boxes via PyNaCl).

A sealed artifact starts with a fixed marker so the pipeline knows to open it; only the holder of
the operator's private key can, and only inside the epoch run. Public artifacts are stored as is.
"""

from __future__ import annotations

import os
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from dao.errors import DaoError

MARKER = b"MMDAO-SEALED-v1\n"


class SealingError(DaoError):
    """A sealed artifact cannot be opened, or a key is malformed."""


def is_sealed(data: bytes) -> bool:
    return data.startswith(MARKER)


def seal(data: bytes, operator_public_key: bytes) -> bytes:
    try:
        box = SealedBox(PublicKey(operator_public_key))
    except Exception as exc:
        raise SealingError(f"the operator public key is not a 32-byte Curve25519 key: {exc}") from exc
    return MARKER + box.encrypt(data)


def unseal(data: bytes, operator_private_key: bytes) -> bytes:
    if not is_sealed(data):
        return data
    try:
        return SealedBox(PrivateKey(operator_private_key)).decrypt(data[len(MARKER) :])
    except CryptoError as exc:
        raise SealingError(
            "a sealed artifact could not be opened with the operator key: it was sealed to another "
            "key or is damaged"
        ) from exc


def load_or_create_operator_key(path: Path) -> PrivateKey:
    """The operator's key pair, created on first use with owner-only permissions."""
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

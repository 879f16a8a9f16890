"""The operator's hold-out validation sets, kept locally under their recipe commitment.

A recipe commits to the hold-out set by its keccak256 before contributions open; the set itself
stays with the operator until the epoch's report reveals it. Keeping it under its commitment lets
`dao epoch run` find the right one for any recipe without a path argument.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from eth_utils import keccak

from dao.errors import DaoError
from dao.paths import state_dir


class HoldoutNotFound(DaoError):
    """The operator does not hold the validation set a recipe commits to."""


def commitment_of(data: bytes) -> str:
    return "0x" + keccak(data).hex()


def _path(commitment: str, root: Path | None = None) -> Path:
    return state_dir(root) / "holdout" / f"{commitment}.csv"


def save_holdout(data: bytes, root: Path | None = None) -> str:
    """Keep a hold-out set (atomically); returns the commitment a recipe should carry."""
    commitment = commitment_of(data)
    path = _path(commitment, root)
    if path.is_file():
        return commitment
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    return commitment


def load_holdout(commitment: str, root: Path | None = None) -> bytes:
    """The hold-out set behind `commitment`, checked against it."""
    path = _path(commitment, root)
    if not path.is_file():
        raise HoldoutNotFound(
            f"no hold-out validation set with commitment {commitment[:18]}… in {path.parent}: pass "
            "it with --validation FILE (its keccak256 must equal the recipe's validation_commitment)"
        )
    data = path.read_bytes()
    if commitment_of(data) != commitment:
        raise HoldoutNotFound(f"{path} does not hash to its commitment: the file was altered")
    return data

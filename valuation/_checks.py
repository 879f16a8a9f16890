"""Input validation shared by the games: clear errors before any model is trained."""

from __future__ import annotations

import numpy as np
import pandas as pd

from valuation._determinism import aligned
from valuation.errors import (
    EmptyProvider,
    InvalidInput,
    NonFiniteValues,
    SchemaMismatch,
    SingleClassProvider,
    TooFewPlayers,
)

TASKS = ("classification", "regression")


def check_task(task: str) -> str:
    if task not in TASKS:
        raise InvalidInput(f"task is {task!r}; expected one of {', '.join(TASKS)}")
    return task


def as_matrix(X, name: str, columns: list[str] | None = None) -> tuple[np.ndarray, list[str] | None]:
    """A float matrix from a DataFrame or array, with its column names if it had them."""
    if isinstance(X, pd.DataFrame):
        if columns is not None and list(X.columns) != columns:
            raise SchemaMismatch(
                f"{name} has columns {list(X.columns)}; the anchor set has {columns} (same names, same order)"
            )
        non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if non_numeric:
            raise SchemaMismatch(
                f"{name} has non-numeric columns {non_numeric}; encode them as numbers first"
            )
        names = [str(c) for c in X.columns]
        matrix = X.to_numpy(dtype=float)
    else:
        matrix = np.asarray(X)
        if matrix.dtype == object or not np.issubdtype(matrix.dtype, np.number):
            raise SchemaMismatch(f"{name} is not numeric (dtype {matrix.dtype})")
        matrix = matrix.astype(float, copy=False)  # a float matrix is used as given, never copied
        names = None
    if matrix.ndim != 2:
        raise SchemaMismatch(f"{name} must be 2-dimensional, got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        bad = int((~np.isfinite(matrix)).sum())
        raise NonFiniteValues(f"{name} has {bad} NaN or infinite values; drop or impute them")
    return aligned(matrix), names


def as_target(y, name: str, n_rows: int, task: str) -> np.ndarray:
    target = np.asarray(y)
    if target.ndim != 1:
        raise InvalidInput(f"{name} target must be 1-dimensional, got shape {target.shape}")
    if len(target) != n_rows:
        raise InvalidInput(f"{name} has {n_rows} rows but {len(target)} targets")
    if task == "regression":
        target = target.astype(float)
        if not np.isfinite(target).all():
            raise NonFiniteValues(f"{name} target has NaN or infinite values")
    elif target.dtype.kind == "f" and not np.isfinite(target).all():
        raise NonFiniteValues(f"{name} labels have NaN or infinite values")
    return aligned(target)


def check_provider(X: np.ndarray, y: np.ndarray, name: str, task: str) -> None:
    if len(X) == 0:
        raise EmptyProvider(f"{name} has no rows; a provider must contribute at least one")
    if task == "classification" and len(np.unique(y)) < 2:
        raise SingleClassProvider(
            f"{name} has a single class ({np.unique(y)[0]!r}); a provider must show at least two classes"
        )


def check_players(n_players: int) -> None:
    if n_players < 2:
        raise TooFewPlayers(
            f"a game needs at least 2 players, got {n_players}: one player's value is trivial"
        )


def check_width(X: np.ndarray, width: int, name: str) -> None:
    if X.shape[1] != width:
        raise SchemaMismatch(f"{name} has {X.shape[1]} columns; the anchor set has {width}")

"""Data set intake: parse CSV or Parquet bytes and check them against the epoch's schema.

Every problem is collected (not just the first) so that a contributor fixes a file in one round.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dao.errors import DaoError
from dao.recipe import DataSchema

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 2_000_000
_PARQUET_MAGIC = b"PAR1"


class InvalidDataset(DaoError):
    """A data set does not match the epoch's schema; the message lists every problem."""

    def __init__(self, problems: list[str], name: str = "data set"):
        self.problems = problems
        super().__init__(f"{name} is invalid: " + "; ".join(problems))


@dataclass(frozen=True)
class Dataset:
    features: pd.DataFrame
    target: np.ndarray
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_rows(self) -> int:
        return len(self.features)


def read_table(data: bytes, name: str = "data set") -> pd.DataFrame:
    """CSV or Parquet (recognised by its magic bytes) into a DataFrame."""
    if len(data) > MAX_BYTES:
        raise InvalidDataset([f"{len(data):,} bytes exceeds the {MAX_BYTES:,}-byte limit"], name)
    if not data.strip():
        raise InvalidDataset(["the file is empty"], name)
    try:
        if data[:4] == _PARQUET_MAGIC and data[-4:] == _PARQUET_MAGIC:
            return pd.read_parquet(io.BytesIO(data))
        return pd.read_csv(io.BytesIO(data))
    except Exception as exc:  # pandas raises many types for unreadable input
        raise InvalidDataset(
            [f"cannot be read as CSV or Parquet ({type(exc).__name__}: {exc})"], name
        ) from exc


def _check_column(column: pd.Series, dtype: str) -> tuple[pd.Series | None, list[str]]:
    name = column.name
    if dtype == "category":
        if column.isna().any():
            return None, [f"column {name!r} has {int(column.isna().sum())} missing values"]
        return column.astype(str).astype("category"), []
    if dtype == "bool":
        if column.dtype == bool:
            return column, []
        lowered = column.astype(str).str.lower()
        if not lowered.isin(["true", "false", "0", "1"]).all():
            return None, [f"column {name!r} should be bool but has values other than true/false/0/1"]
        return lowered.isin(["true", "1"]), []
    numeric = pd.to_numeric(column, errors="coerce")
    unparsable = int((numeric.isna() & column.notna()).sum())
    if unparsable:
        return None, [f"column {name!r} should be {dtype} but has {unparsable} non-numeric values"]
    problems = []
    missing = int(numeric.isna().sum())
    if missing:
        problems.append(f"column {name!r} has {missing} NaN values; drop or impute them before contributing")
    infinite = int(np.isinf(numeric.to_numpy(dtype=float, na_value=np.nan)).sum())
    if infinite:
        problems.append(f"column {name!r} has {infinite} infinite values")
    if problems:
        return None, problems
    if dtype == "int64":
        if not np.all(np.mod(numeric.to_numpy(dtype=float), 1) == 0):
            return None, [f"column {name!r} should be int64 but has fractional values"]
        return numeric.astype("int64"), []
    return numeric.astype("float64"), []


def validate_dataset(table: pd.DataFrame, schema: DataSchema, name: str = "data set") -> Dataset:
    """Check `table` against `schema`; raise `InvalidDataset` listing every problem."""
    expected = [column for column, _ in schema.features] + [schema.target]
    problems: list[str] = []
    missing = [column for column in expected if column not in table.columns]
    extra = [column for column in table.columns if column not in expected]
    if missing:
        problems.append(f"missing columns {missing}")
    if extra:
        problems.append(f"unexpected columns {extra}")
    if len(table) == 0:
        problems.append("no rows")
    if len(table) > MAX_ROWS:
        problems.append(f"{len(table):,} rows exceeds the {MAX_ROWS:,}-row limit")
    if problems:
        raise InvalidDataset(problems, name)

    converted = {}
    for column, dtype in schema.features:
        series, column_problems = _check_column(table[column], dtype)
        problems += column_problems
        converted[column] = series
    target_dtype = "category" if schema.task == "classification" else "float64"
    target, target_problems = _check_column(table[schema.target], target_dtype)
    problems += target_problems
    if problems:
        raise InvalidDataset(problems, name)

    features = pd.DataFrame(converted)[[column for column, _ in schema.features]]
    full = features.assign(**{schema.target: target})
    duplicated = int(full.duplicated().sum())
    if duplicated:
        problems.append(f"{duplicated} duplicated rows; remove repeated rows before contributing")
    if schema.task == "classification" and target.nunique() < 2:
        problems.append(f"target {schema.target!r} has a single class; a data set must show at least two")
    if problems:
        raise InvalidDataset(problems, name)
    labels = target.astype(str).to_numpy() if schema.task == "classification" else target.to_numpy()
    return Dataset(features=features.reset_index(drop=True), target=labels)


def load_dataset(data: bytes, schema: DataSchema, name: str = "data set") -> Dataset:
    return validate_dataset(read_table(data, name), schema, name)

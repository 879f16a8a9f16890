"""Data set intake: parse CSV or Parquet and check it against the epoch's schema.

A data set is read as a stream of byte chunks and parsed `CHUNK_ROWS` rows at a time, so the raw
file is never held whole (a CSV's text is several times the size of its parsed columns): only the
checked, typed columns accumulate. Every problem is collected over all chunks (not just the first)
so that a contributor fixes a file in one round.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dao.data.recipe import DataSchema
from dao.errors import DaoError

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 2_000_000
CHUNK_ROWS = 50_000
# A CSV header line, and one text cell (a category level, a label, any Parquet string), at most.
MAX_HEADER_BYTES = 1024 * 1024
MAX_CELL_BYTES = 1024
# The declared uncompressed size of the Parquet columns that are decoded, at most: a few KB of
# compressed Parquet can otherwise unfold into gigabytes.
MAX_DECODED_BYTES = 512 * 1024 * 1024
_PARQUET_MAGIC = b"PAR1"
_SHOWN_COLUMNS = 10


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


class _TooLarge(Exception):
    pass


class _ChunkStream(io.RawIOBase):
    """A read-only file over an iterator of byte chunks, counting bytes against a limit.

    An exception from the source (storage down, a corrupt block) is kept in `source_error`, so
    that it is re-raised as itself rather than taken for an unreadable file.
    """

    def __init__(self, chunks: Iterable[bytes], limit: int | None = None):
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")
        self.limit = MAX_BYTES if limit is None else limit
        self.total = 0
        self.source_error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def _pull(self) -> bool:
        try:
            chunk = next(self._chunks, None)
        except Exception as exc:
            self.source_error = exc
            raise
        if chunk is None:
            return False
        self.total += len(chunk)
        if self.total > self.limit:
            raise _TooLarge()
        # Only `head` and `blank` look ahead across chunks; `readinto` pulls when nothing is pending.
        self._pending = (
            memoryview(bytes(self._pending) + bytes(chunk)) if self._pending else memoryview(chunk)
        )
        return True

    def head(self, n: int) -> bytes:
        """At least `n` bytes from the start without consuming them (fewer if the stream is shorter)."""
        while len(self._pending) < n and self._pull():
            pass
        return bytes(self._pending[:n])

    def blank(self) -> bool:
        """True when the stream holds nothing but whitespace (consumes only what it must look at)."""
        while True:
            if bytes(self._pending).strip():
                return False
            if not self._pull():
                return True

    def header_line(self) -> bytes:
        """The first line (without consuming it), at most `MAX_HEADER_BYTES` long."""
        while b"\n" not in bytes(self._pending[: MAX_HEADER_BYTES + 1]):
            if len(self._pending) > MAX_HEADER_BYTES or not self._pull():
                break
        line = bytes(self._pending[: MAX_HEADER_BYTES + 1]).split(b"\n", 1)[0]
        if len(line) > MAX_HEADER_BYTES:
            raise InvalidDataset([f"the header line is longer than {MAX_HEADER_BYTES:,} bytes"])
        return line.rstrip(b"\r")

    def readinto(self, buffer) -> int:
        while not self._pending:
            if not self._pull():
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _shown(columns: list) -> str:
    """A list of column names as a reason shows it: the first few, and how many more."""
    if len(columns) <= _SHOWN_COLUMNS:
        return str(columns)
    return f"{columns[:_SHOWN_COLUMNS]} and {len(columns) - _SHOWN_COLUMNS} more"


def header_problems(names: list, expected: list[str], allow_extra: bool = False) -> list[str]:
    """What is wrong with a table's column names: repeated, missing or (unless allowed) unexpected."""
    counts = Counter(names)
    repeated = [name for name, n in counts.items() if n > 1]
    problems = [f"column names repeat: {_shown(repeated)}"] if repeated else []
    missing = [column for column in expected if column not in counts]
    problems += [f"missing columns {_shown(missing)}"] if missing and not allow_extra else []
    if not allow_extra:
        wanted = set(expected)
        extra = [name for name in names if name not in wanted]
        problems += [f"unexpected columns {_shown(extra)}"] if extra else []
    return problems


def _csv_header(stream: _ChunkStream) -> list[str] | None:
    """The CSV's column names as pandas names them (a blank name is `Unnamed: i`), or None when
    the first line is blank (pandas skips blank lines: it then finds the header itself)."""
    try:
        text = stream.header_line().decode().removeprefix("\ufeff")  # pandas drops a BOM too
    except UnicodeDecodeError:
        raise InvalidDataset(["the header line is not UTF-8 text"]) from None
    if not text.strip():
        return None
    names = next(csv.reader([text]), [])
    return [name if name else f"Unnamed: {i}" for i, name in enumerate(names)]


def _too_wide(batch, name_of=str) -> str | None:
    """The first text column of an Arrow batch holding a cell longer than `MAX_CELL_BYTES`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        values = column.dictionary if pa.types.is_dictionary(column.type) else column
        if not (
            pa.types.is_string(values.type)
            or pa.types.is_binary(values.type)
            or pa.types.is_large_string(values.type)
            or pa.types.is_large_binary(values.type)
        ):
            continue
        longest = pc.max(pc.binary_length(values)).as_py() if len(values) else 0
        if longest and longest > MAX_CELL_BYTES:
            return f"column {name_of(name)!r} has a value longer than {MAX_CELL_BYTES:,} bytes"
    return None


def _parquet_frames(
    stream: _ChunkStream, expected: list[str] | None, allow_extra: bool
) -> Iterator[pd.DataFrame]:
    """A Parquet file's declared columns only, after its schema and sizes pass, batch by batch.

    The footer is read before any data: repeated, missing or unexpected columns and oversized
    content are refused without decoding a value; text columns stay dictionary-encoded (a label
    repeated over every row is held once) until each batch's cell widths are checked.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pa.BufferReader(stream.read())
    parquet = pq.ParquetFile(source)
    schema = parquet.schema_arrow
    index_columns = {c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)}
    names = [name for name in schema.names if name not in index_columns]
    metadata = parquet.metadata
    if expected is not None:
        problems = header_problems(names, expected, allow_extra)
        if problems:
            raise InvalidDataset(problems + ([] if metadata.num_rows else ["no rows"]))
        columns = [name for name in expected if name in names]
    else:
        columns = names
    if metadata.num_rows > MAX_ROWS:
        raise InvalidDataset([f"more rows than the {MAX_ROWS:,}-row limit"])
    wanted = set(columns)
    decoded = sum(
        metadata.row_group(g).column(i).total_uncompressed_size
        for g in range(metadata.num_row_groups)
        for i in range(metadata.num_columns)
        if metadata.schema.column(i).path.split(".")[0] in wanted
    )
    if decoded > MAX_DECODED_BYTES:
        raise InvalidDataset(
            [
                f"the Parquet columns declare {decoded:,} bytes uncompressed, more than the "
                f"{MAX_DECODED_BYTES:,}-byte limit"
            ]
        )
    text = [
        name
        for name in columns
        if pa.types.is_string(schema.field(name).type)
        or pa.types.is_binary(schema.field(name).type)
        or pa.types.is_large_string(schema.field(name).type)
    ]
    parquet = pq.ParquetFile(source, read_dictionary=text)
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=columns):
        problem = _too_wide(batch)
        if problem:
            raise InvalidDataset([problem])
        yield batch.to_pandas()


def _iter_frames(
    stream: _ChunkStream, text_columns: list[str], expected: list[str] | None, allow_extra: bool
) -> Iterator[pd.DataFrame]:
    if stream.head(4) == _PARQUET_MAGIC:
        yield from _parquet_frames(stream, expected, allow_extra)
        return
    usecols = None
    if expected is not None:
        # The header is checked before pandas parses a row: thousands of junk columns, or a
        # repeated name (pandas would rename it), are refused without decoding any value.
        names = _csv_header(stream)
        problems = [] if names is None else header_problems(names, expected, allow_extra)
        if problems:
            stream.read(len(stream.header_line()) + 1)
            raise InvalidDataset(problems + ([] if not stream.blank() else ["no rows"]))
        if allow_extra and names is not None:
            usecols = [name for name in names if name in set(expected)]
    # Category and label columns stay text, as written: type inference per chunk could read "01"
    # as 1 in one chunk and as "01" in the next.
    reader = pd.read_csv(
        io.BufferedReader(stream),
        chunksize=CHUNK_ROWS,
        dtype={column: str for column in text_columns},
        usecols=usecols,
    )
    with reader:
        yield from reader


def iter_table(
    chunks: Iterable[bytes],
    name: str = "data set",
    text_columns: Iterable[str] = (),
    expected: Iterable[str] | None = None,
    allow_extra: bool = False,
) -> Iterator[pd.DataFrame]:
    """CSV or Parquet (recognised by its magic bytes) from byte chunks, `CHUNK_ROWS` rows at a time.

    With `expected` columns, the header is checked before any value is decoded, and only those
    columns are decoded (`allow_extra`: other columns are ignored rather than refused).
    """
    stream = _ChunkStream(chunks)
    wanted = None if expected is None else list(expected)
    try:
        if stream.blank():
            raise InvalidDataset(["the file is empty"], name)
        yield from _iter_frames(stream, list(text_columns), wanted, allow_extra)
    except _TooLarge:
        raise InvalidDataset([f"the file is larger than the {MAX_BYTES:,}-byte limit"], name) from None
    except InvalidDataset as exc:
        raise InvalidDataset(exc.problems, name) from None
    except Exception as exc:  # pandas and pyarrow raise many types for unreadable input
        if stream.source_error is not None:
            raise stream.source_error from None
        raise InvalidDataset(
            [f"cannot be read as CSV or Parquet ({type(exc).__name__}: {str(exc)[:200]})"], name
        ) from exc


def read_table(
    data: bytes | Iterable[bytes],
    name: str = "data set",
    text_columns: Iterable[str] = (),
    expected: Iterable[str] | None = None,
    allow_extra: bool = False,
) -> pd.DataFrame:
    """A whole (small) table, e.g. a prediction request, from CSV or Parquet bytes (or chunks)."""
    chunks = [data] if isinstance(data, bytes | bytearray) else data
    frames = list(iter_table(chunks, name, text_columns, expected, allow_extra))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


@dataclass
class _ColumnTally:
    """One column's problems and checked values, added up chunk by chunk."""

    name: str
    dtype: str
    unparsable: int = 0
    missing: int = 0
    infinite: int = 0
    not_bool: bool = False
    fractional: bool = False
    levels: tuple[str, ...] | None = None  # a category feature's declared levels (labels have none)
    undeclared: set = field(default_factory=set)
    too_wide: bool = False
    parts: list = field(default_factory=list)

    def add(self, column: pd.Series, keep: bool) -> None:
        if isinstance(column.dtype, pd.CategoricalDtype):
            # Parquet text arrives dictionary-encoded; `astype(str)` of a categorical would give
            # every row its own fixed-width copy of the longest level.
            column = column.astype(object)
        if self.dtype == "category":
            if column.dtype == object:
                lengths = column.map(lambda v: len(v) if isinstance(v, str) else 0)
                if len(lengths) and int(lengths.max()) > MAX_CELL_BYTES:
                    self.too_wide = True
                    return
            present = column.notna()
            self.missing += int((~present).sum())
            value = column.astype(str)
            if self.levels is not None:
                self.undeclared.update(value[present & ~value.isin(self.levels)].unique().tolist())
        elif self.dtype == "bool":
            if column.dtype == bool:
                value = column
            else:
                lowered = column.astype(str).str.lower()
                self.not_bool |= not bool(lowered.isin(["true", "false", "0", "1"]).all())
                value = lowered.isin(["true", "1"])
        else:
            numeric = pd.to_numeric(column, errors="coerce")
            self.unparsable += int((numeric.isna() & column.notna()).sum())
            self.missing += int(numeric.isna().sum())
            as_float = numeric.to_numpy(dtype=float, na_value=np.nan)
            self.infinite += int(np.isinf(as_float).sum())
            if self.dtype == "int64":
                finite = as_float[np.isfinite(as_float)]
                self.fractional |= bool(np.any(np.mod(finite, 1) != 0))
            value = numeric.to_numpy() if self.dtype == "int64" else as_float
        if keep:
            self.parts.append(np.asarray(value))

    def problems(self) -> list[str]:
        name, dtype = self.name, self.dtype
        if self.too_wide:
            return [f"column {name!r} has a value longer than {MAX_CELL_BYTES:,} characters"]
        if dtype == "category":
            problems = [f"column {name!r} has {self.missing} missing values"] if self.missing else []
            if self.undeclared:
                shown = sorted(self.undeclared)
                problems.append(
                    f"column {name!r} has values outside its declared categories {list(self.levels)}: "
                    + ", ".join(repr(v) for v in shown[:5])
                    + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
                )
            return problems
        if dtype == "bool":
            return (
                [f"column {name!r} should be bool but has values other than true/false/0/1"]
                if self.not_bool
                else []
            )
        if self.unparsable:
            return [f"column {name!r} should be {dtype} but has {self.unparsable} non-numeric values"]
        problems = []
        if self.missing:
            problems.append(f"column {name!r} has {self.missing} NaN values; drop or impute them")
        if self.infinite:
            problems.append(f"column {name!r} has {self.infinite} infinite values")
        if not problems and self.fractional:
            problems.append(f"column {name!r} should be int64 but has fractional values")
        return problems

    def values(self) -> pd.Series:
        joined = np.concatenate(self.parts) if self.parts else np.array([])
        if self.dtype == "category":
            return pd.Series(joined, dtype=object).astype("category")
        if self.dtype == "bool":
            return pd.Series(joined.astype(bool))
        return pd.Series(joined.astype("int64" if self.dtype == "int64" else "float64"))


def _feature_tallies(schema: DataSchema) -> list[_ColumnTally]:
    return [
        _ColumnTally(column, dtype, levels=schema.levels(column) if dtype == "category" else None)
        for column, dtype in schema.features
    ]


def validate_features(table: pd.DataFrame, schema: DataSchema, name: str = "input") -> pd.DataFrame:
    """The schema's feature columns of `table`, checked and typed as a data set's are (no target)."""
    missing = [column for column, _ in schema.features if column not in table.columns]
    if missing:
        raise InvalidDataset([f"missing feature columns {missing}"], name)
    if table.empty:
        raise InvalidDataset(["no rows"], name)
    tallies = _feature_tallies(schema)
    for tally in tallies:
        tally.add(table[tally.name], keep=True)
    problems = [problem for tally in tallies for problem in tally.problems()]
    if problems:
        raise InvalidDataset(problems, name)
    return pd.DataFrame({tally.name: tally.values() for tally in tallies})


def validate_frames(frames: Iterable[pd.DataFrame], schema: DataSchema, name: str = "data set") -> Dataset:
    """Check a table given chunk by chunk against `schema`; raise `InvalidDataset` listing every problem."""
    expected = [column for column, _ in schema.features] + [schema.target]
    target_dtype = "category" if schema.task == "classification" else "float64"
    tallies = _feature_tallies(schema)
    tallies.append(_ColumnTally(schema.target, target_dtype))
    rows, header_checked = 0, False
    for frame in frames:
        if not header_checked:
            problems = header_problems(list(frame.columns), expected)
            if problems:
                raise InvalidDataset(problems + ([] if len(frame) else ["no rows"]), name)
            header_checked = True
        rows += len(frame)
        if rows > MAX_ROWS:
            raise InvalidDataset([f"more rows than the {MAX_ROWS:,}-row limit"], name)
        # Once a problem is known the values are useless: keep counting, stop keeping.
        keep = not any(tally.problems() for tally in tallies)
        for tally in tallies:
            tally.add(frame[tally.name], keep)
    if rows == 0:
        raise InvalidDataset(["no rows"], name)
    problems = [problem for tally in tallies for problem in tally.problems()]
    if problems:
        raise InvalidDataset(problems, name)

    columns = {tally.name: tally.values() for tally in tallies}
    target = columns.pop(schema.target)
    features = pd.DataFrame(columns)
    duplicated = int(features.assign(**{schema.target: target}).duplicated().sum())
    if duplicated:
        problems.append(f"{duplicated} duplicated rows; remove repeated rows before contributing")
    if schema.task == "classification" and target.nunique() < 2:
        problems.append(f"target {schema.target!r} has a single class; a data set must show at least two")
    if problems:
        raise InvalidDataset(problems, name)
    labels = target.astype(str).to_numpy() if schema.task == "classification" else target.to_numpy()
    return Dataset(features=features, target=labels)


def validate_dataset(table: pd.DataFrame, schema: DataSchema, name: str = "data set") -> Dataset:
    """Check a whole `table` against `schema`; raise `InvalidDataset` listing every problem."""
    return validate_frames([table], schema, name)


def text_columns(schema: DataSchema) -> list[str]:
    """Columns read as text, never type-inferred: category features, and classification labels."""
    columns = [column for column, dtype in schema.features if dtype == "category"]
    return columns + ([schema.target] if schema.task == "classification" else [])


def stream_dataset(chunks: Iterable[bytes], schema: DataSchema, name: str = "data set") -> Dataset:
    """Parse and check a data set arriving as byte chunks (e.g. `storage.open(cid)`), chunk by chunk."""
    expected = [column for column, _ in schema.features] + [schema.target]
    return validate_frames(iter_table(chunks, name, text_columns(schema), expected), schema, name)


def load_dataset(data: bytes, schema: DataSchema, name: str = "data set") -> Dataset:
    return stream_dataset([data], schema, name)

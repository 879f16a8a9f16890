"""The operator's local epoch files: finished valuations and trained metamodels, under their inputs hash."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import joblib

from dao.chain.cids import report_cid as report_cid_of
from dao.epoch.valuation import EpochError
from dao.paths import state_dir
from valuation.report import ValuationReport


def cache_dir(root: Path | None = None) -> Path:
    return state_dir(root) / "reports"


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def metamodel_bytes(metamodel) -> bytes:
    """The metamodel file's bytes, as `run_epoch` writes them (joblib, uncompressed)."""
    buffer = io.BytesIO()
    joblib.dump(metamodel, buffer)
    return buffer.getvalue()


def metamodel_path(inputs_hash: bytes, root: Path | None = None) -> Path:
    """Where the operator keeps the metamodel it trained for a report (its own file, never a stranger's)."""
    return cache_dir(root) / f"0x{inputs_hash.hex()}.metamodel.joblib"


def load_metamodel(dao, storage, epoch: int, root: Path | None = None):
    """The metamodel the operator trained for `epoch`'s committed report."""
    record = dao.settlement.epochs(epoch)
    if not report_cid_of(record):
        raise EpochError(f"epoch {epoch} has no committed report, hence no metamodel")
    report = ValuationReport.from_json(storage.get(report_cid_of(record)))
    path = metamodel_path(report.inputs_hash, root)
    if not path.is_file():
        raise EpochError(
            f"the metamodel of epoch {epoch} is not in {path.parent}: rebuild it from the epoch's "
            f"inputs with `dao epoch rebuild {epoch}` (deterministic: the same file the run wrote)"
        )
    return joblib.load(path)


def load_committed_metamodel(dao, storage, epoch: int, root: Path | None = None):
    """The metamodel a live epoch committed on the outcome board (served during its resolution
    period, before any report exists): the operator's file under the commitment's inputs hash,
    checked byte for byte against the content at the committed CID, so what answers predictions is
    exactly the model the outcomes will score."""
    from dao.outcomes.chain import live_state

    state = live_state(dao, epoch)
    if state is None or state.metamodel_block == 0:
        raise EpochError(f"epoch {epoch} has no committed live metamodel")
    path = metamodel_path(bytes.fromhex(state.inputs_hash[2:]), root)
    if not path.is_file():
        raise EpochError(
            f"the metamodel epoch {epoch} committed ({state.metamodel_cid}) is not in {path.parent}: "
            "serve from the operator's machine that committed it"
        )
    data = path.read_bytes()
    if storage.get(state.metamodel_cid) != data:
        raise EpochError(
            f"{path} is not the metamodel epoch {epoch} committed ({state.metamodel_cid}); nothing is served"
        )
    return joblib.load(io.BytesIO(data))

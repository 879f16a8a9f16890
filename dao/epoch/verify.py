"""`dao verify N`: recompute an epoch's report from its inputs and compare it byte for byte.

Everything needed is public once the report is committed: the recipe (IPFS, hash on-chain), the
contributions (registry), their artifacts and the revealed hold-out set (IPFS). A verifier also
checks that what the operator committed on-chain (inputs hash, Merkle roots, total mint) is what
the report says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from dao.epoch.valuation import EpochError, read_contributions, read_recipe, value_epoch
from dao.errors import DaoError
from valuation.report import ValuationReport, library_versions


class CannotVerify(DaoError):
    """The report or one of its inputs cannot be obtained, so nothing can be compared."""


@dataclass
class Verification:
    epoch: int
    report_cid: str
    match: bool
    differences: list[tuple[str, object, object]] = field(default_factory=list)  # path, committed, ours
    version_warnings: list[str] = field(default_factory=list)


def version_differences(recorded: dict) -> list[str]:
    """What differs between the versions a report recorded and this machine's (the estimator's
    revision included), one "name: report X vs here Y" per library."""
    return [
        f"{name}: report {recorded.get(name)} vs here {version}"
        for name, version in library_versions().items()
        if recorded.get(name) != version
    ]


def _flatten(obj, prefix: str = "") -> dict[str, object]:
    if isinstance(obj, dict):
        flat = {}
        for key, value in obj.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat or {prefix: {}}
    if isinstance(obj, list):
        flat = {}
        for index, value in enumerate(obj):
            flat.update(_flatten(value, f"{prefix}[{index}]"))
        return flat or {prefix: []}
    return {prefix: obj}


def diff_documents(committed: bytes, recomputed: bytes) -> list[tuple[str, object, object]]:
    """The leaves that differ between two JSON documents, as (path, committed, recomputed)."""
    ours, theirs = _flatten(json.loads(recomputed)), _flatten(json.loads(committed))
    return [
        (path, theirs.get(path, "<absent>"), ours.get(path, "<absent>"))
        for path in sorted(set(ours) | set(theirs))
        if ours.get(path, "<absent>") != theirs.get(path, "<absent>")
    ]


def verify_epoch(dao, storage, epoch: int, operator_key: bytes | None = None) -> Verification:
    record = dao.settlement.epochs(epoch)
    if not record.report_cid:
        raise CannotVerify(f"epoch {epoch} has no committed report to verify")
    report_cid = record.report_cid
    committed = storage.get(report_cid)
    report = ValuationReport.from_json(committed)
    differences: list[tuple[str, object, object]] = []
    on_chain = {
        "chain.inputs_hash": "0x" + bytes(record.inputs_hash).hex(),
        "chain.mint_root": "0x" + bytes(record.mint_root).hex(),
        "chain.slash_root": "0x" + bytes(record.slash_root).hex(),
        "chain.total_mint": int(record.total_mint),
    }
    in_report = {
        "chain.inputs_hash": "0x" + report.inputs_hash.hex(),
        "chain.mint_root": report.mint_root,
        "chain.slash_root": report.slash_root,
        "chain.total_mint": report.total_mint,
    }
    differences += [(k, on_chain[k], in_report[k]) for k in on_chain if on_chain[k] != in_report[k]]

    inputs = report.inputs
    validation_cid = inputs.get("validation_cid")
    if not validation_cid:
        raise CannotVerify(
            f"the report of epoch {epoch} does not reveal its hold-out set (no validation_cid)"
        )
    validation_csv = storage.get(validation_cid)
    recipe_cid, recipe = read_recipe(dao, storage, epoch)
    warnings = version_differences(inputs.get("versions", {}))
    try:
        recomputed = value_epoch(
            storage,
            epoch,
            recipe_cid,
            recipe,
            read_contributions(dao, epoch),
            validation_csv,
            operator_key=operator_key,
            validation_cid=validation_cid,
        ).report.to_json()
    except EpochError as exc:
        raise CannotVerify(f"epoch {epoch} cannot be recomputed: {exc}") from exc
    if recomputed != committed:
        differences += diff_documents(committed, recomputed)
    return Verification(epoch, report_cid, not differences, differences, warnings)

"""`dao verify N`: recompute an epoch's report from its inputs and check it, three ways.

Everything needed is public once the report is committed: the recipe (IPFS, hash on-chain), the
contributions (registry), their artifacts and the revealed hold-out set (IPFS). The checks:

- integrity: what the operator committed on-chain (inputs hash, Merkle roots, total mint) is what
  the report says, and the report's allocation, slashes, roots and proofs are exactly what its own
  published numbers give under the recipe's policy (integer arithmetic: no machine may differ);
- numbers: this machine's recomputed values, intervals and score agree with the published ones
  within the tolerance the report records; every other recomputed entry (names, groups, methods,
  rejections) is equal. Beyond the tolerance is a difference worth a challenge;
- versions: the libraries and the estimator revision the report names are this machine's.

A report passes when integrity and numbers hold; differing versions are named beside the result
(and are the first suspect when numbers differ).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from dao.chain.cids import report_cid as report_cid_of
from dao.epoch.valuation import EpochError, read_contributions, read_recipe, value_epoch
from dao.errors import DaoError
from valuation.merkle import mint_tree, slash_tree
from valuation.payout import PayoutPolicy, Player
from valuation.report import ValuationReport, library_versions

# Entries computed from the published numbers: checked by integrity, not compared as numbers.
_DERIVED = ("allocation", "slashes", "mint_root", "slash_root", "proofs")
# Floating-point entries: compared within the tolerance.
_NUMERIC_KEYS = ("value", "ci_low", "ci_high", "grand_value", "empty_value", "metamodel_score")


class CannotVerify(DaoError):
    """The report or one of its inputs cannot be obtained, so nothing can be compared."""


Difference = tuple[str, object, object]  # path, committed, recomputed (or derived)


@dataclass
class Verification:
    epoch: int
    report_cid: str
    match: bool
    differences: list[Difference] = field(default_factory=list)  # integrity's, then numbers'
    version_warnings: list[str] = field(default_factory=list)
    integrity: list[Difference] = field(default_factory=list)
    numbers: list[Difference] = field(default_factory=list)
    tolerance: float = 0.0
    max_abs_difference: float = 0.0
    byte_identical: bool = False

    @property
    def failed_checks(self) -> list[str]:
        """Which checks failed, in order: "integrity", "numbers", "versions"."""
        return [
            name
            for name, failed in (
                ("integrity", bool(self.integrity)),
                ("numbers", bool(self.numbers)),
                ("versions", bool(self.version_warnings)),
            )
            if failed
        ]


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


def _players(values: dict, contributions: dict[int, dict]) -> list[Player]:
    """The published values joined with the contributions they name ("#id")."""
    players = []
    for player in values.get("players", []):
        contribution = contributions[int(str(player["name"]).lstrip("#"))]
        players.append(
            Player(
                contribution["id"],
                contribution["contributor"],
                float(player["value"]),
                float(player["ci_low"]),
                float(player["ci_high"]),
                int(contribution["stake"]),
            )
        )
    return players


def derived_entries(report: ValuationReport, policy: PayoutPolicy) -> dict:
    """The allocation, slashes, roots and proofs that the report's published numbers give under
    `policy`: a pure integer function of the report, identical on every machine."""
    contributions = {int(c["id"]): c for c in report.inputs["contributions"]}
    allocation = policy.allocate(
        _players(report.data_values, contributions), _players(report.model_values, contributions)
    )
    mints = sorted(allocation.mints.items())
    slashes = sorted(allocation.slashes.items())
    mint, slash = mint_tree(mints), slash_tree(slashes)
    return {
        "allocation": {account: str(amount) for account, amount in mints},
        "slashes": {str(cid): str(amount) for cid, amount in slashes},
        "mint_root": "0x" + mint.root.hex(),
        "slash_root": "0x" + slash.root.hex(),
        "proofs": {account: ["0x" + p.hex() for p in mint.proof(i)] for i, (account, _) in enumerate(mints)},
    }


def integrity_differences(report: ValuationReport, policy: PayoutPolicy) -> list[Difference]:
    """Where the report's allocation, slashes, roots or proofs are not what its own published
    numbers give under `policy`."""
    try:
        derived = derived_entries(report, policy)
    except (KeyError, TypeError, ValueError) as exc:
        return [("report", "unreadable players or contributions", str(exc))]
    published = {name: getattr(report, name) for name in _DERIVED}
    return diff_documents(json.dumps(published).encode(), json.dumps(derived).encode())


def number_differences(
    committed: bytes, recomputed: bytes, tolerance: float
) -> tuple[list[Difference], float]:
    """Entries of two reports' bodies that differ: numbers by more than `tolerance`, anything else
    at all (derived entries excluded: integrity covers them). Also the largest numeric difference."""
    ours, theirs = _flatten(json.loads(recomputed)), _flatten(json.loads(committed))
    differences, largest = [], 0.0
    for path in sorted(set(ours) | set(theirs)):
        if path.split(".")[0].split("[")[0] in _DERIVED or path.startswith("inputs.versions."):
            continue  # integrity and versions check these
        a, b = theirs.get(path, "<absent>"), ours.get(path, "<absent>")
        leaf = path.rsplit(".", 1)[-1]
        if leaf in _NUMERIC_KEYS and isinstance(a, int | float) and isinstance(b, int | float):
            gap = abs(float(a) - float(b))
            largest = max(largest, gap)
            if gap > tolerance:
                differences.append((path, a, b))
        elif a != b:
            differences.append((path, a, b))
    return differences, largest


def verify_report(
    committed: bytes, recomputed: bytes, policy: PayoutPolicy, tolerance: float | None = None
) -> Verification:
    """The integrity and numbers checks of a committed report against a recomputation (no chain:
    `bench.cross_machine` uses it between machines). `tolerance` defaults to the one the
    recomputation records (the verifier's recipe and engine), never the committed report's own: an
    operator cannot widen it, and a report recording another one differs in `precision.tolerance`."""
    report = ValuationReport.from_json(committed)
    tolerance = ValuationReport.from_json(recomputed).tolerance if tolerance is None else tolerance
    integrity = integrity_differences(report, policy)
    numbers, largest = number_differences(committed, recomputed, tolerance)
    warnings = version_differences(report.inputs.get("versions", {}))
    return Verification(
        report.epoch,
        "",
        not integrity and not numbers,
        integrity + numbers,
        warnings,
        integrity,
        numbers,
        tolerance,
        largest,
        committed == recomputed,
    )


def verify_epoch(dao, storage, epoch: int, operator_key: bytes | None = None) -> Verification:
    record = dao.settlement.epochs(epoch)
    if not report_cid_of(record):
        raise CannotVerify(f"epoch {epoch} has no committed report to verify")
    report_cid = report_cid_of(record)
    committed = storage.get(report_cid)
    report = ValuationReport.from_json(committed)
    differences: list[Difference] = []
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
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    result = verify_report(committed, recomputed, policy)
    result.report_cid = report_cid
    result.integrity = differences + result.integrity
    result.differences = result.integrity + result.numbers
    result.match = not result.differences
    return result

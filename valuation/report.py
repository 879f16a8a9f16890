"""The valuation report: everything needed to recompute an epoch's payouts, as canonical JSON.

Canonical form: sorted keys, no whitespace, UTF-8; floats as Python's shortest round-trip repr
(NaN and infinities refused); wei amounts as decimal strings (JSON readers lose large integers).
Nothing run-dependent (times, paths, hostnames) is in the body, so the same inputs give the same
bytes on any machine with the same library versions and BLAS kernel, however many workers ran.
Across kernels the numbers may differ in their last digits: a report publishes them at a stated
precision, derives its allocation, slashes and roots from the published numbers alone, and records
the tolerance within which a verifier's recomputation must agree (see `valuation.precision`).
"""

from __future__ import annotations

import json
import math
import platform
from dataclasses import asdict, dataclass, field

import numpy as np

from valuation.errors import InvalidInput
from valuation.merkle import encode_address_uint, keccak256, leaf_hash, mint_tree, slash_tree
from valuation.payout import Allocation
from valuation.precision import DEFAULT_TOLERANCE, PUBLISHED_DECIMALS, published

REPORT_VERSION = 2  # 2: numbers published at a stated precision, tolerance recorded


def _plain(obj):
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_plain(v) for v in obj.tolist()]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        value = float(obj)
        if not math.isfinite(value):
            raise InvalidInput("a report cannot hold NaN or infinite numbers")
        return value
    if isinstance(obj, bytes):
        return "0x" + obj.hex()
    return obj


def canonical_dumps(obj) -> bytes:
    return json.dumps(
        _plain(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def library_versions() -> dict[str, str]:
    import pandas
    import scipy
    import shap
    import sklearn

    from valuation.shapley import ESTIMATOR_VERSION

    return {
        "metamodel-dao-estimator": str(ESTIMATOR_VERSION),
        "numpy": np.__version__,
        "pandas": pandas.__version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "scipy": scipy.__version__,
        "shap": shap.__version__,
    }


@dataclass(frozen=True)
class ValuationReport:
    epoch: int
    inputs: dict  # artifact CIDs, recipe, seeds, library versions
    data_values: dict  # ShapleyResult.to_dict() of the provider game
    model_values: dict  # ShapleyResult.to_dict() of the model game
    metamodel_score: float
    allocation: dict[str, str] = field(default_factory=dict)  # account -> wei (decimal string)
    slashes: dict[str, str] = field(default_factory=dict)  # contribution id -> wei
    mint_root: str = ""
    slash_root: str = ""
    proofs: dict[str, list[str]] = field(default_factory=dict)  # account -> proof
    rejected: dict[str, str] = field(default_factory=dict)  # contribution id -> reason
    precision: dict = field(default_factory=dict)  # {"decimals": d, "tolerance": t} (see valuation.precision)
    version: int = REPORT_VERSION
    # How the epoch was scored and combined (issue 20): {"mode": "static" | "live", "meta_learner":
    # ...}, and for a live epoch its live section (commitment and end blocks, extensions used, the
    # accepted row count, refusals by index, and the values on the static hold-out beside the live
    # ones). Empty, and absent from the JSON, for a static epoch on the default stacked meta-learner:
    # those reports keep their bytes.
    scoring: dict = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        epoch: int,
        inputs: dict,
        data_values: dict,
        model_values: dict,
        metamodel_score: float,
        allocation: Allocation,
        rejected: dict | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
        scoring: dict | None = None,
    ) -> ValuationReport:
        """`allocation` must come from the published numbers (`players_from_result` gives them)."""
        mints = sorted(allocation.mints.items())
        slashes = sorted(allocation.slashes.items())
        mint = mint_tree(mints)
        slash = slash_tree(slashes)
        return cls(
            epoch=epoch,
            inputs=inputs,
            data_values=data_values,
            model_values=model_values,
            metamodel_score=published(metamodel_score),
            allocation={account: str(amount) for account, amount in mints},
            slashes={str(cid): str(amount) for cid, amount in slashes},
            mint_root="0x" + mint.root.hex(),
            slash_root="0x" + slash.root.hex(),
            proofs={account: ["0x" + p.hex() for p in mint.proof(i)] for i, (account, _) in enumerate(mints)},
            rejected={str(k): v for k, v in (rejected or {}).items()},
            precision={"decimals": PUBLISHED_DECIMALS, "tolerance": float(tolerance)},
            scoring=dict(scoring or {}),
        )

    @property
    def tolerance(self) -> float:
        """The absolute difference a recomputed number may show (0 for reports before version 2)."""
        return float(self.precision.get("tolerance", 0.0))

    @property
    def total_mint(self) -> int:
        return sum(int(v) for v in self.allocation.values())

    @property
    def inputs_hash(self) -> bytes:
        return keccak256(canonical_dumps(self.inputs))

    def mint_leaf(self, account: str) -> bytes:
        return leaf_hash(encode_address_uint(account, int(self.allocation[account])))

    @property
    def scoring_mode(self) -> str:
        """ "static" or "live"."""
        return self.scoring.get("mode", "static")

    @property
    def meta_learner(self) -> str:
        """The meta-learner the metamodel (and the model game) used."""
        return self.scoring.get("meta_learner", "stacked")

    @property
    def live(self) -> dict | None:
        """The live section of a live-scored epoch's report; None for a static one."""
        return self.scoring if self.scoring_mode == "live" else None

    def to_json(self) -> bytes:
        document = asdict(self)
        if not document["scoring"]:  # absent when empty: static, stacked reports keep their bytes
            del document["scoring"]
        return canonical_dumps(document)

    @classmethod
    def from_json(cls, data: bytes) -> ValuationReport:
        try:
            document = json.loads(data)
            return cls(**document)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"not a valuation report: {exc}") from None

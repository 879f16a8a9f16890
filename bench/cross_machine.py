"""Verification that travels: the same epoch valued under several OpenBLAS kernels, each report
verified against every other kernel's recomputation.

Run: `python -m bench.cross_machine [--kernels Haswell,Sandybridge,...]` (prints JSON). Each kernel
runs in its own process (`OPENBLAS_CORETYPE` is read when OpenBLAS loads) and values the demo's
epoch 1 (8 data sets, 6 models; `dao.data.examples`) without a chain. A report verifies on another
kernel when its allocation, slashes and roots are what its published numbers give (integrity) and
that kernel's numbers agree with the published ones within the report's tolerance (numbers). A
report tampered beyond the tolerance, with its allocation forged to match (so integrity holds),
must fail on every kernel.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

KERNELS = ("Haswell", "Sandybridge", "Nehalem", "Prescott")


def demo_epoch_report() -> tuple[bytes, dict]:
    """The demo's epoch-1 report, valued in this process; and the payout policy it used."""
    from dao.epoch.example import demo_epoch_inputs
    from dao.epoch.valuation import value_epoch
    from dao.storage import EmbeddedStorage

    epoch = demo_epoch_inputs(EmbeddedStorage(Path(tempfile.mkdtemp(prefix="cross-machine-"))))
    recipe = epoch.recipe
    valuation = value_epoch(
        epoch.storage,
        1,
        epoch.recipe_cid,
        recipe,
        epoch.contributions,
        epoch.validation_csv,
        validation_cid=epoch.validation_cid,
    )
    policy = {
        "emission": recipe.emission,
        "data_pool_bps": recipe.data_pool_bps,
        "slash_cap_bps": recipe.slash_cap_bps,
    }
    return valuation.report.to_json(), policy


def _worker(out: Path) -> None:
    report, policy = demo_epoch_report()
    out.write_bytes(report)
    out.with_suffix(".policy.json").write_text(json.dumps(policy))


def value_under(kernel: str, directory: Path) -> tuple[bytes, dict]:
    """The report as a process whose OpenBLAS uses `kernel` computes it."""
    out = directory / f"{kernel}.json"
    env = {**os.environ, "OPENBLAS_CORETYPE": kernel}
    subprocess.run(
        [sys.executable, "-m", "bench.cross_machine", "--worker", str(out)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out.read_bytes(), json.loads(out.with_suffix(".policy.json").read_text())


def tampered(report: bytes, policy, by: float) -> bytes:
    """`report` with its first data provider's value (and interval) moved up by `by`, and the
    allocation, slashes and roots forged to match: only the numbers check can catch it."""
    from dao.epoch.verify import derived_entries
    from valuation.report import ValuationReport, canonical_dumps

    document = json.loads(report)
    player = document["data_values"]["players"][0]
    for key in ("value", "ci_low", "ci_high"):
        player[key] = round(player[key] + by, 9)
    forged = ValuationReport(**document)
    document.update(derived_entries(forged, policy))
    return canonical_dumps(document)


def run(kernels: tuple[str, ...] = KERNELS, log=sys.stderr) -> dict:
    from dao.epoch.verify import verify_report
    from valuation.payout import PayoutPolicy
    from valuation.report import ValuationReport

    with tempfile.TemporaryDirectory(prefix="cross-machine-") as directory:
        reports, policy = {}, None
        for kernel in kernels:
            reports[kernel], policy_fields = value_under(kernel, Path(directory))
            policy = PayoutPolicy(**policy_fields)
            print(f"[bench.cross_machine] {kernel}: valued", file=log, flush=True)
    verified = failed = 0
    largest = 0.0
    failures = []
    for a in kernels:
        for b in kernels:
            if a == b:
                continue
            result = verify_report(reports[a], reports[b], policy)
            largest = max(largest, result.max_abs_difference)
            if result.match:
                verified += 1
            else:
                failed += 1
                failures.append({"report": a, "verifier": b, "failed_checks": result.failed_checks})
    tolerance = ValuationReport.from_json(reports[kernels[0]]).tolerance
    forged = tampered(reports[kernels[0]], policy, 2 * tolerance)
    caught = []
    for kernel in kernels:
        result = verify_report(forged, reports[kernel], policy)
        if not result.match and result.failed_checks[:1] == ["numbers"]:
            caught.append(kernel)
    return {
        "kernels": list(kernels),
        "reports": {kernel: hashlib.sha256(reports[kernel]).hexdigest() for kernel in kernels},
        "distinct_report_hashes": len(set(reports.values())),
        "verified_pairs": verified,
        "failed_pairs": failed,
        "failures": failures,
        "max_abs_difference": largest,
        "tolerance": tolerance,
        "tampered_by": 2 * tolerance,
        "tampered_caught_on": caught,
        "tampered_caught_everywhere": len(caught) == len(kernels),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cross_machine", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--kernels", default=",".join(KERNELS), help="OPENBLAS_CORETYPE values, comma-separated"
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker)
        return
    print(json.dumps(run(tuple(k for k in args.kernels.split(",") if k)), indent=2))


if __name__ == "__main__":
    main()

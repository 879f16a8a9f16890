"""The on-chain cost curve: how gas grows with leaves and holders (`python -m bench.chain_costs`).

On ape's in-process chain, with the system deployed as in production (`bench.gas.measure_system`):
- commit and finalize for 10, 100, 1,000 and 10,000 allocation leaves (only the root goes on-chain);
- one `claim_shares` in each of those trees, with its proof length (log2 of the leaves);
- a holder's dividend `claim` with 10, 100 and 1,000 holders (`bench.gas_token`).
Prints one JSON object with a reading computed from the figures. `--quick` stops at 1,000 leaves.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

import numpy as np


def _flat(name: str, figures: dict[str, int]) -> str:
    ratio = max(figures.values()) / min(figures.values())
    verdict = "flat" if ratio < 1.05 else "grows"
    return f"{name}: {verdict} (max/min {ratio:.3f} over {', '.join(figures)})"


def run(quick: bool = False) -> dict:
    from ape import accounts, networks
    from ape.logging import logger

    from bench import gas_token
    from bench.gas import measure_system

    logger.set_level("WARNING")
    sizes = [10, 100, 1_000] if quick else [10, 100, 1_000, 10_000]
    leaves: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DAO_STATE_DIR"] = scratch  # deployments recorded by measure_system go here
        with networks.parse_network_choice("ethereum:local:test"):
            for n in sizes:
                gas = measure_system(n)
                leaves[str(n)] = {
                    key: gas[key]
                    for key in ("commit", "finalize", "claim_shares", "claim_shares_proof_length")
                }
            token = gas_token.measure(accounts.test_accounts)
    dividends = {
        key.rsplit("_", 1)[1]: value for key, value in token.items() if key.startswith("dividend_claim_")
    }
    proof = np.array([row["claim_shares_proof_length"] for row in leaves.values()], dtype=float)
    claim = np.array([row["claim_shares"] for row in leaves.values()], dtype=float)
    per_element, base = np.polyfit(proof, claim, 1)
    reading = [
        _flat("commit", {n: row["commit"] for n, row in leaves.items()}),
        _flat("finalize", {n: row["finalize"] for n, row in leaves.items()}),
        f"claim_shares: {base:,.0f} + {per_element:,.0f} gas per proof element (ceil(log2 leaves) elements)",
        _flat("dividend claim", dividends),
    ]
    return {
        "quick": quick,
        "leaves": leaves,
        "dividend_claim_by_holders": dividends,
        "claim_shares_gas_per_proof_element": per_element,
        "reading": reading,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 1,000 leaves")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), indent=2))


if __name__ == "__main__":
    main()

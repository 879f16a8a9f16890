"""The on-chain cost curve (`python -m bench.chain_costs --quick`) as assertions: what every
contributor and holder pays must not grow with their number (claims: only with log2 of the leaves)."""

from __future__ import annotations

from math import ceil, floor, log2

import pytest

from bench.chain_costs import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def curve() -> dict:
    return run(quick=True)


def test_commit_and_finalize_do_not_grow_with_the_leaves(curve):
    for operation in ("commit", "finalize"):
        figures = [row[operation] for row in curve["leaves"].values()]
        assert max(figures) / min(figures) <= 1.01, (operation, figures)


def test_a_share_claim_grows_only_with_its_proof(curve):
    for leaves, row in curve["leaves"].items():
        assert floor(log2(int(leaves))) <= row["claim_shares_proof_length"] <= ceil(log2(int(leaves)))
    rows = sorted(curve["leaves"].values(), key=lambda row: row["claim_shares_proof_length"])
    assert all(a["claim_shares"] < b["claim_shares"] for a, b in zip(rows, rows[1:], strict=False))
    assert 0 < curve["claim_shares_gas_per_proof_element"] < 3_000


def test_a_dividend_claim_costs_the_same_for_10_or_1000_holders(curve):
    figures = list(curve["dividend_claim_by_holders"].values())
    assert len(figures) == 3 and max(figures) / min(figures) <= 1.01

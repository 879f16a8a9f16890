"""The quick on-chain cost curve (`python -m bench.scale_chain --quick`) as real assertions.

One run (module fixture) on ape's in-process chain: 10, 100 and 1,000 allocation leaves, 10 and 100
share holders, the 1st, 2nd and 100th registration of an epoch.
"""

from __future__ import annotations

import pytest

from bench.scale_chain import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report() -> dict:
    return run(quick=True)


def _ratio(figures: dict[str, int]) -> float:
    return max(figures.values()) / min(figures.values())


def test_sizes(report):
    assert report["quick"] is True
    assert list(report["commit_gas"]) == ["10", "100", "1000"]
    assert list(report["dividend_claim_gas"]) == ["10", "100"]
    assert {"1", "100"} <= set(report["register_gas"])


def test_commit_and_finalize_are_flat(report):
    assert _ratio(report["commit_gas"]) <= 1.05
    assert _ratio(report["finalize_gas"]) <= 1.05
    assert report["reading"][0].startswith("commit: flat")
    assert report["reading"][1].startswith("finalize: flat")


def test_claim_shares_grows_with_the_proof(report):
    lengths = [report["claim_shares_proof_length"][n] for n in ("10", "100", "1000")]
    gas = [report["claim_shares_gas"][n] for n in ("10", "100", "1000")]
    assert lengths == sorted(lengths) and len(set(lengths)) == 3
    assert gas[0] < gas[1] < gas[2]
    per_element = report["claim_shares_gas_per_proof_element"]
    assert 0 < per_element < 3_000
    for i in range(len(gas) - 1):
        assert (gas[i + 1] - gas[i]) / (lengths[i + 1] - lengths[i]) < 3_000
    assert "grows with log2(N)" in report["reading"][2]


def test_dividend_claim_is_flat(report):
    assert _ratio(report["dividend_claim_gas"]) <= 1.01
    assert report["dividend_claim_max_over_min"] <= 1.01
    assert "flat" in report["reading"][3]


def test_register_after_the_first_is_flat(report):
    later = {p: g for p, g in report["register_gas"].items() if p != "1"}
    assert _ratio(later) <= 1.05
    assert report["reading"][4].startswith("register:")

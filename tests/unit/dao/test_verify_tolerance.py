"""Verification that travels (issue 17): a report publishes its numbers at a stated precision,
its allocation, slashes and roots are a pure integer function of those numbers, and a verifier
accepts recomputed numbers within the tolerance the report records, naming the check that fails."""

from __future__ import annotations

import json

import pytest

from dao.epoch.verify import derived_entries, verify_report
from tests.unit.valuation.conftest import provider_scenario
from valuation import PayoutPolicy, ProviderGame, estimate_shapley
from valuation.payout import players_from_result
from valuation.precision import DEFAULT_TOLERANCE, PUBLISHED_DECIMALS
from valuation.report import ValuationReport, canonical_dumps, library_versions

ETHER = 10**18
POLICY = PayoutPolicy(1000 * ETHER, 10_000, 2_000)


@pytest.fixture(scope="module")
def honest() -> bytes:
    from sklearn.datasets import load_breast_cancer

    breast_cancer = load_breast_cancer(return_X_y=True)
    providers, anchor, validation = provider_scenario(breast_cancer, 6, corrupted=(4,))
    names = [f"#{i}" for i in range(1, 7)]
    result = estimate_shapley(ProviderGame(providers, anchor, validation, player_names=names))
    accounts = [f"0x{i:040x}" for i in range(1, 7)]
    contributions = [{"id": i, "contributor": accounts[i - 1], "stake": str(ETHER)} for i in range(1, 7)]
    allocation = POLICY.allocate(players_from_result(result, range(1, 7), accounts, [ETHER] * 6), [])
    inputs = {"contributions": contributions, "versions": library_versions()}
    return ValuationReport.build(1, inputs, result.to_dict(), {}, -0.1234567890123, allocation).to_json()


def _moved(report: bytes, by: float, forge: bool) -> bytes:
    document = json.loads(report)
    player = document["data_values"]["players"][0]
    for key in ("value", "ci_low", "ci_high"):
        player[key] = round(player[key] + by, PUBLISHED_DECIMALS)
    if forge:
        document.update(derived_entries(ValuationReport(**document), POLICY))
    return canonical_dumps(document)


def test_numbers_are_published_at_the_stated_precision_and_the_tolerance_is_recorded(honest):
    report = ValuationReport.from_json(honest)
    assert report.precision == {"decimals": PUBLISHED_DECIMALS, "tolerance": DEFAULT_TOLERANCE}
    assert report.metamodel_score == -0.123456789
    for player in report.data_values["players"]:
        assert player["value"] == round(player["value"], PUBLISHED_DECIMALS)
    assert report.slashes  # the flipped provider: its allocation is what the published numbers give
    assert derived_entries(report, POLICY)["slash_root"] == report.slash_root


def test_an_honest_report_verifies_byte_for_byte_and_within_tolerance(honest):
    same = verify_report(honest, honest, POLICY)
    assert same.match and same.byte_identical and same.failed_checks == []
    # Another kernel's last digits: numbers a little off, everything derived the same.
    nearby = verify_report(honest, _moved(honest, DEFAULT_TOLERANCE / 10, forge=True), POLICY)
    assert nearby.match and not nearby.byte_identical
    assert nearby.max_abs_difference == pytest.approx(DEFAULT_TOLERANCE / 10, rel=1e-3)


def test_numbers_tampered_beyond_the_tolerance_fail_the_numbers_check(honest):
    forged = _moved(honest, 3 * DEFAULT_TOLERANCE, forge=True)  # allocation forged to match
    result = verify_report(forged, honest, POLICY)
    assert not result.match and result.failed_checks == ["numbers"]
    assert {path for path, _, _ in result.numbers} == {
        f"data_values.players[0].{key}" for key in ("value", "ci_low", "ci_high")
    }


def test_an_allocation_its_published_numbers_do_not_give_fails_the_integrity_check(honest):
    document = json.loads(honest)
    first, second = sorted(document["allocation"])[:2]
    document["allocation"][first] = str(int(document["allocation"][first]) - ETHER)
    document["allocation"][second] = str(int(document["allocation"][second]) + ETHER)
    result = verify_report(canonical_dumps(document), honest, POLICY)
    assert not result.match and result.failed_checks == ["integrity"]
    assert {path for path, _, _ in result.integrity} >= {f"allocation.{first}", f"allocation.{second}"}


def test_a_recomputation_under_other_versions_names_them(honest):
    document = json.loads(honest)
    document["inputs"]["versions"]["scikit-learn"] = "0.0"
    result = verify_report(canonical_dumps(document), honest, POLICY)
    assert result.failed_checks == ["versions"] and result.match  # named, not a failure by itself
    assert any(w.startswith("scikit-learn: report 0.0") for w in result.version_warnings)


def test_a_report_cannot_widen_its_own_tolerance(honest):
    document = json.loads(_moved(honest, 3 * DEFAULT_TOLERANCE, forge=True))
    document["precision"]["tolerance"] = 1.0
    result = verify_report(canonical_dumps(document), honest, POLICY)
    assert not result.match and result.tolerance == DEFAULT_TOLERANCE
    assert "precision.tolerance" in {path for path, _, _ in result.numbers}

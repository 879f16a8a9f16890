"""A stranger's review (helper S): reports that `dao verify` accepts although they pay differently.

`verify_report` (used by `dao verify` on the committed report) checks that the allocation, slashes
and roots are what the report's *published* numbers give, and that each published number is within
the tolerance of this machine's recomputation. Two ways around it, both with the allocation and
roots forged consistently (what an operator commits on-chain):

* a NaN interval bound: `ValuationReport.from_json` is plain `json.loads`, which accepts `NaN`;
  `abs(nan - x) > tolerance` is False, so the number is "within tolerance", and `ci_high < 0` is
  False, so the harmful contribution is no longer slashed. Verified, slash skipped.
* every number moved just inside the tolerance, all in the direction that favours one account:
  each number passes alone, but together they move shares to that account. Verified, paid more.
"""

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
POLICY = PayoutPolicy(1_000_000 * ETHER, 10_000, 2_000)  # the default emission, all to data


@pytest.fixture(scope="module")
def honest() -> bytes:
    """Six providers, #5 corrupted (slashed: its whole interval is below zero)."""
    from sklearn.datasets import load_breast_cancer

    providers, anchor, validation = provider_scenario(load_breast_cancer(return_X_y=True), 6, corrupted=(4,))
    names = [f"#{i}" for i in range(1, 7)]
    result = estimate_shapley(ProviderGame(providers, anchor, validation, player_names=names))
    accounts = [f"0x{i:040x}" for i in range(1, 7)]
    contributions = [{"id": i, "contributor": accounts[i - 1], "stake": str(ETHER)} for i in range(1, 7)]
    allocation = POLICY.allocate(players_from_result(result, range(1, 7), accounts, [ETHER] * 6), [])
    inputs = {"contributions": contributions, "versions": library_versions()}
    return ValuationReport.build(1, inputs, result.to_dict(), {}, -0.25, allocation).to_json()


def _forge(document: dict) -> bytes:
    """The operator's move: derived entries (allocation, slashes, roots, proofs) made consistent
    with the edited numbers, serialised as `json.dumps` does (NaN allowed)."""
    document.update(derived_entries(ValuationReport(**document), POLICY))
    return json.dumps(document, sort_keys=True).encode()


@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="finding: a NaN ci_high skips a slash, verified"
)
def test_stranger_a_nan_interval_bound_does_not_verify(honest):
    document = json.loads(honest)
    assert document["slashes"] == {"5": str(ETHER * 2_000 // 10_000)}  # the honest report slashes #5
    for player in document["data_values"]["players"]:
        if player["ci_high"] < 0:
            player["ci_high"] = float("nan")
    forged = _forge(document)
    assert json.loads(forged)["slashes"] == {}  # the colluding contributor keeps its whole stake
    result = verify_report(forged, honest, POLICY)
    assert not result.match, "dao verify accepts a report whose NaN ci_high skipped a slash"


@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="finding: a one-sided shift within tolerance pays"
)
def test_stranger_numbers_biased_within_tolerance_do_not_verify(honest):
    favoured = "#6"  # its contributor, 0x…06, colludes with the operator
    document = json.loads(honest)
    step = 0.99 * DEFAULT_TOLERANCE
    for player in document["data_values"]["players"]:
        sign = 1 if player["name"] == favoured else -1
        for key in ("value", "ci_low", "ci_high"):
            player[key] = round(player[key] + sign * step, PUBLISHED_DECIMALS)
    forged = _forge(document)
    account = f"0x{6:040x}"
    gained = int(json.loads(forged)["allocation"][account]) - int(json.loads(honest)["allocation"][account])
    assert gained > 500 * ETHER  # measured: ~0.1% of the emission moved to one account
    result = verify_report(forged, canonical_dumps(json.loads(honest)), POLICY)
    assert not result.match, (
        f"dao verify accepts a report paying {gained / ETHER:.0f} shares more to {account}"
    )

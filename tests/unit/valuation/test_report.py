"""The valuation report end to end in pure Python: values -> allocation -> canonical, verifiable bytes."""

from __future__ import annotations

import numpy as np
import pytest
from joblib import parallel_config

from tests.unit.valuation.conftest import provider_scenario
from valuation import PayoutPolicy, ProviderGame, estimate_shapley
from valuation.errors import InvalidInput
from valuation.merkle import verify
from valuation.payout import players_from_result
from valuation.report import ValuationReport, canonical_dumps, library_versions

ETHER = 10**18


def _report(data, n_jobs=None) -> ValuationReport:
    providers, anchor, validation = provider_scenario(data, 6, corrupted=(4,))
    with parallel_config(n_jobs=n_jobs):
        result = estimate_shapley(ProviderGame(providers, anchor, validation))
    accounts = [f"0x{i + 1:040x}" for i in range(6)]
    players = players_from_result(result, ids=range(1, 7), accounts=accounts, stakes=[ETHER] * 6)
    allocation = PayoutPolicy(1000 * ETHER, 10_000, 2_000).allocate(players, [])
    inputs = {"cids": [f"provider-{i}" for i in range(6)], "seed": 0, "versions": library_versions()}
    return ValuationReport.build(1, inputs, result.to_dict(), {}, -0.1, allocation)


def test_the_same_inputs_give_the_same_bytes_however_many_workers_run(breast_cancer):
    serial = _report(breast_cancer).to_json()
    assert serial == _report(breast_cancer).to_json()
    assert serial == _report(breast_cancer, n_jobs=2).to_json()
    assert ValuationReport.from_json(serial).to_json() == serial


def test_the_report_pays_the_emission_and_proves_every_leaf(breast_cancer):
    report = _report(breast_cancer)
    assert report.total_mint == 1000 * ETHER
    assert f"0x{5:040x}" not in report.allocation  # the flipped provider earns nothing
    root = bytes.fromhex(report.mint_root[2:])
    for account, proof in report.proofs.items():
        assert verify(root, report.mint_leaf(account), [bytes.fromhex(p[2:]) for p in proof])
    assert len(report.inputs_hash) == 32


def test_canonical_json_refuses_nan_and_sorts_keys():
    assert canonical_dumps({"b": 1, "a": np.float64(0.5), "c": np.int64(2)}) == b'{"a":0.5,"b":1,"c":2}'
    with pytest.raises(InvalidInput, match="NaN"):
        canonical_dumps({"x": float("nan")})
    with pytest.raises(InvalidInput, match="not a valuation report"):
        ValuationReport.from_json(b"[1, 2]")

"""A stranger's review (helper S): a voided report's revealed hold-out set is sold back in the reopened epoch.

A committed report reveals the epoch's hold-out set (`inputs.validation_cid`). Issue 18 makes a
revealed hold-out history, so rows copied from it earn nothing later. But history is gathered from
the chain (`dao.epoch.pipeline.gather_history`), and voiding an epoch clears its report's CID
(`EpochSettlement._clear_report`), so a hold-out revealed by a report that was later upheld against
or voided is not in any later epoch's history. And `reopen()` (anyone, while no epoch was ever
final) restarts the *same* recipe, i.e. the same `validation_commitment`: the reopened epoch is
valued on the very hold-out set that everyone has read. A contributor who registers those rows as
its data set in the reopened epoch is valued on its own validation rows.

Sequence (bootstrap, no governance needed): epoch 1's report is committed (hold-out revealed), a
challenge is upheld and the operator does not re-commit before the commit deadline (or the
guardian voids, or a challenge stays unjudged), a keeper voids and reopens; the attacker registers
the hold-out rows in epoch 2.
"""

from __future__ import annotations

import pytest

from dao.data.examples import build_demo_artifacts
from dao.epoch.pipeline import gather_history
from dao.storage import EmbeddedStorage
from tests.security.conftest import CIDS, commit, register
from tests.security.test_provenance_epoch import HONEST, account, value


@pytest.fixture(scope="module")
def artifacts():
    return build_demo_artifacts()


@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="finding: a voided report's hold-out is sold back"
)
def test_stranger_a_voided_reports_hold_out_earns_nothing_in_the_reopened_epoch(
    dao, roles, params, advance, tmp_path, artifacts
):
    alice, keeper, guardian, operator = roles["alice"], roles["keeper"], roles["guardian"], roles["operator"]
    register(dao, alice, CIDS[0])
    advance(params.contribution_period)
    commit(dao, operator, [(alice.address, 10**18)])  # its report reveals the hold-out set
    dao.settlement.challenge(1, "QmWrong", value=params.challenge_bond, sender=keeper)
    dao.settlement.resolve_challenge(1, True, sender=guardian)  # upheld; no re-commit in time
    advance(params.commit_period)
    dao.settlement.void_epoch(1, sender=keeper)
    dao.settlement.reopen(sender=keeper)
    first, second = dao.settlement.epochs(1), dao.settlement.epochs(2)
    assert bytes(second.params_hash) == bytes(first.params_hash)  # the same recipe: the same hold-out

    # What the operator's run (and `dao verify`) of epoch 2 gathers as history: nothing.
    history = gather_history(dao, EmbeddedStorage(tmp_path / "chain-ipfs"), 2)
    assert history == []

    # Epoch 2 valued as the pipeline values it: honest providers, and mallory's data set, which is
    # the revealed hold-out set row for row.
    mallory = account(9)
    data = [(account(k), artifacts.provider_csvs[k]) for k in HONEST] + [(mallory, artifacts.validation_csv)]
    valuation, values = value(tmp_path, artifacts, data, history)
    allocation = {a: int(v) for a, v in valuation.report.allocation.items()}
    share = allocation.get(mallory, 0) / sum(allocation.values())
    best_honest = max(v for name, v in values.items() if name != "#5")
    assert mallory not in allocation, (
        f"the revealed hold-out sold back earns {share:.0%} of the emission "
        f"(value {values['#5']:.4f} vs the best honest provider's {best_honest:.4f})"
    )

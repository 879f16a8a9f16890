"""A stranger's review (helper S): a commitment made after the author's reveal outranks the author later.

docs/security.md: "Copying a pending registration gains nothing and blocks nothing [...]. Priority =
commitment order; duplicate rows are credited to the earliest commitment". A commitment is not
bound to an epoch and never expires, and a voided epoch's revealed data sets enter no later
history (`gather_history` reads only final epochs' accepted data). So once an author's reveal is
public, a copier commits to the same CID at once, even in the same epoch; if that epoch is voided
(no report by the commit deadline, an unjudged challenge, the guardian), the author must register
again in the next epoch with a new commitment, which comes after the copier's. The copier reveals
its old commitment and is credited with the author's rows.
"""

from __future__ import annotations

import os

import pytest

from dao.chain.cids import cid_parts
from dao.data.examples import build_demo_artifacts
from dao.epoch.valuation import read_contributions
from dao.holders.contribute import commitment_hash
from tests.security.conftest import CIDS, ETHER, register
from tests.security.test_provenance_epoch import account, value


@pytest.fixture(scope="module")
def artifacts():
    return build_demo_artifacts()


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="finding: a stale commitment outranks the author after a void"
)
def test_stranger_a_copier_cannot_outrank_the_author_after_a_void(
    dao, roles, params, advance, tmp_path, artifacts
):
    alice, mallory, keeper = roles["alice"], roles["mallory"], roles["keeper"]
    register(dao, alice, CIDS[0])  # epoch 1: alice's data set, revealed
    salt = os.urandom(32)
    dao.registry.commit_contribution(commitment_hash(mallory.address, 0, CIDS[0], salt), sender=mallory)
    advance(params.contribution_period + params.commit_period)  # no report by the commit deadline
    dao.settlement.void_epoch(1, sender=keeper)
    dao.settlement.reopen(sender=keeper)

    register(dao, alice, CIDS[0])  # alice registers again in epoch 2, as she must
    dao.registry.register(0, *cid_parts(CIDS[0]), salt, value=ETHER, sender=mallory)  # epoch-1 commitment
    order = [c.contributor for c in read_contributions(dao, 2)]
    assert order == [mallory.address, alice.address]  # the order duplicate rows are credited in

    # Epoch 2 valued in that order (two more honest providers): alice's rows are mallory's.
    csv = artifacts.provider_csvs[0]
    data = [(who, csv) for who in order] + [(account(k), artifacts.provider_csvs[k]) for k in (1, 4, 6)]
    valuation, values = value(tmp_path, artifacts, data)
    allocation = valuation.report.allocation
    assert alice.address in allocation and mallory.address not in allocation, (
        f"the copier is paid {int(allocation.get(mallory.address, 0)) / ETHER:,.0f} shares for the author's "
        f"rows (values: copier {values['#1']:.4f}, author {values['#2']:.4f})"
    )

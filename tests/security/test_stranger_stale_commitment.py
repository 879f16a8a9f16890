"""A stranger's review (helper S): a commitment made after the author's reveal outranks the author later.

docs/security.md: "Copying a pending registration gains nothing and blocks nothing [...]. Priority =
commitment order; duplicate rows are credited to the earliest commitment". A commitment is not
bound to an epoch and never expires, and a voided epoch's revealed data sets enter no later
history (`gather_history` reads only final epochs' accepted data). So once an author's reveal is
public, a copier commits to the same CID at once, even in the same epoch; if that epoch is voided
(no report by the commit deadline, an unjudged challenge, the guardian), the author must register
again in the next epoch with a new commitment, which comes after the copier's. The copier reveals
its old commitment and is credited with the author's rows.

Fixed twice over: a commitment binds the epoch whose contribution window it was made in
(`register` refuses it in any other: "registry: commitment is from epoch N"), and a voided
epoch's registrations are history owned by their first revealer (`dao.epoch.history`), so a
copier who commits anew in the reopened epoch, even before the author, is traced to the author.
"""

from __future__ import annotations

import os

import ape
import pytest

from dao.chain.cids import cid_parts
from dao.data.examples import build_demo_artifacts
from dao.epoch.history import gather_history
from dao.epoch.valuation import read_contributions
from dao.holders.contribute import commitment_hash
from dao.storage import EmbeddedStorage
from tests.security.conftest import CIDS, ETHER, register
from tests.security.test_provenance_epoch import account, value


@pytest.fixture(scope="module")
def artifacts():
    return build_demo_artifacts()


@pytest.mark.slow
def test_stranger_a_copier_cannot_outrank_the_author_after_a_void(
    dao, roles, params, advance, tmp_path, artifacts
):
    alice, mallory, keeper = roles["alice"], roles["mallory"], roles["keeper"]
    csv = artifacts.provider_csvs[0]
    cid = EmbeddedStorage(tmp_path / "chain-ipfs").add(csv)
    register(dao, alice, cid)  # epoch 1: alice's data set, revealed
    salt = os.urandom(32)
    dao.registry.commit_contribution(commitment_hash(mallory.address, 0, cid, salt), sender=mallory)
    advance(params.contribution_period + params.commit_period)  # no report by the commit deadline
    dao.settlement.void_epoch(1, sender=keeper)
    dao.settlement.reopen(sender=keeper)

    # The epoch-1 commitment is refused in epoch 2 (and stays unrevealed)...
    with ape.reverts("registry: commitment is from epoch 1"):
        dao.registry.register(0, *cid_parts(cid), salt, value=ETHER, sender=mallory)
    # ...so mallory commits anew, first in epoch 2, before alice registers again, as she must.
    register(dao, mallory, cid)
    register(dao, alice, cid)
    order = [c.contributor for c in read_contributions(dao, 2)]
    assert order == [mallory.address, alice.address]  # the order duplicate rows are credited in

    # Epoch 2 valued in that order (three more honest providers), with the history the operator's
    # run and `dao verify` gather: alice's voided registration is hers, unpaid.
    history = gather_history(dao, EmbeddedStorage(tmp_path / "chain-ipfs"), 2)
    assert [(h.name, h.cid, h.owner, h.paid) for h in history] == [("epoch 1 #1", cid, alice.address, False)]
    data = [(who, csv) for who in order] + [(account(k), artifacts.provider_csvs[k]) for k in (1, 4, 6)]
    valuation, values = value(tmp_path, artifacts, data, history)
    allocation = valuation.report.allocation
    assert alice.address in allocation and mallory.address not in allocation, (
        f"the copier is paid {int(allocation.get(mallory.address, 0)) / ETHER:,.0f} shares for the author's "
        f"rows (values: copier {values['#1']:.4f}, author {values['#2']:.4f})"
    )


def test_a_commitment_binds_the_epoch_it_was_made_in(dao, roles, params, advance):
    alice, keeper = roles["alice"], roles["keeper"]
    salt = b"\x05" * 32
    digest = commitment_hash(alice.address, 0, CIDS[1], salt)
    receipt = dao.registry.commit_contribution(digest, sender=alice)
    (event,) = receipt.decode_logs(dao.registry.ContributionCommitted)
    assert int(event.epoch) == 1
    record = dao.registry.commitments(digest)
    assert (int(record.priority), int(record.epoch)) == (1, 1)
    advance(params.contribution_period)
    # No commitment while contributions are closed: it would bind no epoch.
    with ape.reverts("registry: contributions are closed"):
        dao.registry.commit_contribution(commitment_hash(alice.address, 1, CIDS[1], salt), sender=alice)
    advance(params.commit_period)
    dao.settlement.void_epoch(1, sender=keeper)
    dao.settlement.reopen(sender=keeper)
    with ape.reverts("registry: commitment is from epoch 1"):
        dao.registry.register(0, *cid_parts(CIDS[1]), salt, value=ETHER, sender=alice)
    assert int(dao.registry.commitments(digest).epoch) == 1  # unrevealed, and still bound to epoch 1
    # A commitment made in epoch 2 registers in epoch 2, with the next priority.
    new_id = register(dao, alice, CIDS[1])
    assert int(dao.registry.contributions(new_id).epoch) == 2
    assert int(dao.registry.contributions(new_id).priority) == 2

"""Stranger review 2, finding: front-running a registration's commitment censors the contributor.

`commit_contribution(hash)` refuses a hash already committed ("registry: commitment already made") and
does not record who committed it. A griefer who sees a contributor's `commit_contribution(h)` in the
mempool sends the same call first (gas only). The contract would still let the contributor reveal
against the griefer's commitment (the hash binds the contributor's address, and its priority is even
earlier), but the client `register_contribution` aborts on the refused commitment and never reveals;
each retry draws a fresh salt, which the griefer copies again. The contributor is kept out of the
epoch for the price of gas.

Fixed in the client: `register_contribution` reads `commitments(h)` and reveals against a commitment
that stands for the open epoch (also when its own commit was refused because a copy landed first);
one bound to another epoch, or already revealed, is refused with the reason.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import ape
import pytest

from dao.chain.cids import cid_parts
from dao.chain.reverts import TransactionRefused
from dao.holders.contribute import ContributionRefused, commitment_hash, register_contribution
from tests.security.conftest import CIDS, ETHER


def test_a_copied_commitment_does_not_keep_the_contributor_out(dao, roles):
    alice, mallory = roles["alice"], roles["mallory"]
    salt = os.urandom(32)
    # Mallory's copy of alice's pending commitment lands first (here: simply mined before it).
    dao.registry.commit_contribution(commitment_hash(alice.address, 0, CIDS[0], salt), sender=mallory)
    try:
        register_contribution(dao.registry, 0, CIDS[0], ETHER, alice, salt=salt)
    except Exception as exc:  # noqa: BLE001 - the client's abort is the finding
        print(f"register_contribution aborted: {exc}")
    assert int(dao.registry.contribution_count()) == 1, "alice was kept out by a copied commitment"


def test_the_reveal_binds_the_contributor_and_the_squatter_cannot_reveal(dao, roles):
    alice, mallory = roles["alice"], roles["mallory"]
    salt = os.urandom(32)
    digest = commitment_hash(alice.address, 0, CIDS[0], salt)
    dao.registry.commit_contribution(digest, sender=mallory)
    priority = int(dao.registry.commitments(digest).priority)
    with ape.reverts("registry: no such commitment"):  # the hash names alice, not mallory
        dao.registry.register(0, *cid_parts(CIDS[0]), salt, value=ETHER, sender=mallory)
    receipt = register_contribution(dao.registry, 0, CIDS[0], ETHER, alice, salt=salt, epoch=1)
    (event,) = receipt.decode_logs(dao.registry.ContributionRegistered)
    record = dao.registry.contributions(int(event.id))
    assert record.contributor == alice.address and int(record.stake) == ETHER
    assert int(record.priority) == priority  # the squatted commitment's place: earlier, not later
    assert int(dao.registry.commitments(digest).block) == 2**256 - 1  # revealed, by alice
    with pytest.raises(ContributionRefused, match="already revealed"):  # a second run says so
        register_contribution(dao.registry, 0, CIDS[0], ETHER, alice, salt=salt, epoch=1)


class _ReadBeforeTheCopy:
    """The registry as alice's client sees it when mallory's copy is still pending at the first
    read: `commitments` answers "not made" once, then the chain's answer."""

    def __init__(self, registry):
        self.registry, self.reads = registry, 0

    def commitments(self, digest):
        self.reads += 1
        if self.reads == 1:
            return SimpleNamespace(priority=0, epoch=0, block=0)
        return self.registry.commitments(digest)

    def __getattr__(self, name):
        return getattr(self.registry, name)


def test_a_copy_mined_between_the_read_and_the_commit_is_used_too(dao, roles):
    alice, mallory = roles["alice"], roles["mallory"]
    salt = os.urandom(32)
    dao.registry.commit_contribution(commitment_hash(alice.address, 1, CIDS[1], salt), sender=mallory)
    racing = _ReadBeforeTheCopy(dao.registry)
    register_contribution(racing, 1, CIDS[1], ETHER, alice, salt=salt, epoch=1)  # commit refused, reveal
    assert racing.reads == 2
    assert int(dao.registry.contribution_count()) == 1
    assert dao.registry.contributions(1).contributor == alice.address


def test_another_refused_commit_is_still_reported(dao, roles, params, advance):
    alice = roles["alice"]
    advance(params.contribution_period)  # contributions closed: the commit itself is refused
    with pytest.raises(TransactionRefused, match="contributions are closed"):
        register_contribution(dao.registry, 0, CIDS[1], ETHER, alice, epoch=1)


def test_a_commitment_of_another_epoch_is_refused_with_the_reason(dao, roles, params, advance):
    alice, mallory, keeper = roles["alice"], roles["mallory"], roles["keeper"]
    salt = os.urandom(32)
    dao.registry.commit_contribution(commitment_hash(alice.address, 0, CIDS[0], salt), sender=mallory)
    advance(params.contribution_period + params.commit_period)
    dao.settlement.void_epoch(1, sender=keeper)
    dao.settlement.reopen(sender=keeper)  # epoch 2 is open; the copied commitment binds epoch 1
    for epoch in (2, None):  # told the open epoch, or learning it from the contract's refusal
        with pytest.raises(ContributionRefused, match="was made in epoch 1, not in .*fresh salt"):
            register_contribution(dao.registry, 0, CIDS[0], ETHER, alice, salt=salt, epoch=epoch)
    assert int(dao.registry.contribution_count()) == 0
    register_contribution(dao.registry, 0, CIDS[0], ETHER, alice, epoch=2)  # a fresh salt registers
    assert dao.registry.contributions(1).contributor == alice.address

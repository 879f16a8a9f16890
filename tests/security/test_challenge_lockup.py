"""Finding 1 (critical): one unresolved challenge of epoch 1, or an operator who never commits, locked
every stake forever. Now every stake is withdrawable within a bound, with no governance action:
an epoch with no report by its commit deadline, or with a challenge unresolved at its resolution
deadline, is voided by anyone (no shares, bonds back to whoever posted them, stakes released)."""

from __future__ import annotations

import ape

from tests.security.conftest import CIDS, ETHER, commit, register

VOID = 5


def _bound(dao, params) -> int:
    """Seconds from the epoch's opening after which it is final or voidable (docs/security.md)."""
    return (
        params.contribution_period + params.commit_period + params.challenge_window + params.resolution_period
    )


def _withdraw_all(dao, advance, params, stakers):
    for who, cid in stakers:
        dao.registry.request_withdrawal(cid, sender=who)
    advance(params.unbonding_period)
    for who, cid in stakers:
        before = who.balance
        receipt = dao.registry.withdraw(cid, sender=who)
        assert who.balance == before + ETHER - receipt.total_fees_paid
    assert dao.registry.balance == 0


def test_an_unresolved_challenge_of_epoch_one_no_longer_locks_the_stakes(dao, roles, params, advance, chain):
    alice, bob, mallory, keeper = roles["alice"], roles["bob"], roles["mallory"], roles["keeper"]
    opened = chain.pending_timestamp
    stakers = [(alice, register(dao, alice, CIDS[0])), (bob, register(dao, bob, CIDS[1]))]
    advance(params.contribution_period)
    commit(dao, roles["operator"], [(alice.address, 600 * ETHER), (bob.address, 400 * ETHER)])
    dao.settlement.challenge(1, "QmWhy", value=params.challenge_bond, sender=mallory)  # the attack
    with ape.reverts("settlement: a challenge awaits its verdict"):
        dao.settlement.finalize(1, sender=keeper)
    with ape.reverts("registry: epoch not settled"):
        dao.registry.request_withdrawal(stakers[0][1], sender=alice)
    with ape.reverts("settlement: epoch not expired"):  # the resolver still has time
        dao.settlement.void_epoch(1, sender=keeper)

    # Nobody resolves (no holder exists to vote; the guardian is absent). At the deadline, the default.
    record = dao.settlement.epochs(1)
    chain.pending_timestamp = record.resolve_by
    with ape.reverts("settlement: resolution deadline passed"):  # the default is deterministic
        dao.settlement.resolve_challenge(1, True, sender=roles["guardian"])
    dao.settlement.void_epoch(1, sender=keeper)
    assert dao.settlement.epochs(1).status == VOID and dao.settlement.is_settled(1)
    assert chain.pending_timestamp - opened <= _bound(dao, params)

    # The operator's bond goes back (nobody judged its report wrong); the unjudged challenge's bond
    # is forfeited to the holders (stranger finding 5); stakes come back in full after unbonding.
    assert dao.settlement.bonds_owed(roles["operator"]) == params.operator_bond
    dao.settlement.forfeit_challenge(1, sender=keeper)
    assert dao.settlement.bonds_owed(mallory) == 0
    assert dao.shares.undistributed_eth() == params.challenge_bond  # held for the first allocation
    dao.settlement.withdraw(sender=roles["operator"])
    assert dao.settlement.balance == 0
    _withdraw_all(dao, advance, params, stakers)

    # No share exists, so governance cannot open an epoch: the genesis recipe reopens by anyone.
    assert dao.settlement.reopen(sender=keeper)
    assert dao.settlement.current_epoch() == 2
    assert dao.settlement.epochs(2).recipe_cid == dao.settlement.epochs(1).recipe_cid
    assert dao.settlement.contributions_open()


def test_an_operator_who_never_commits_no_longer_locks_the_stakes(dao, roles, params, advance, chain):
    alice, keeper = roles["alice"], roles["keeper"]
    stakers = [(alice, register(dao, alice, CIDS[0]))]
    advance(params.contribution_period)
    with ape.reverts("settlement: epoch not expired"):
        dao.settlement.void_epoch(1, sender=keeper)
    chain.pending_timestamp = dao.settlement.epochs(1).commit_deadline
    with ape.reverts("settlement: commit deadline passed"):  # a late report cannot race the void
        commit(dao, roles["operator"], [(alice.address, ETHER)])
    dao.settlement.void_epoch(1, sender=keeper)
    with ape.reverts("settlement: epoch already settled"):
        dao.settlement.void_epoch(1, sender=keeper)
    with ape.reverts("settlement: nothing to challenge"):
        dao.settlement.challenge(1, "QmWhy", value=params.challenge_bond, sender=keeper)
    _withdraw_all(dao, advance, params, stakers)


def test_an_upheld_challenge_whose_report_is_never_recommitted_voids_by_the_commit_deadline(
    dao, roles, params, advance, chain
):
    alice, keeper, guardian = roles["alice"], roles["keeper"], roles["guardian"]
    stakers = [(alice, register(dao, alice, CIDS[0]))]
    advance(params.contribution_period)
    commit(dao, roles["operator"], [(alice.address, ETHER)])
    dao.settlement.challenge(1, "QmWhy", value=params.challenge_bond, sender=keeper)
    dao.settlement.resolve_challenge(1, True, sender=guardian)
    # The guardian's uphold: the challenger's own bond back, the operator's bond to the holders.
    assert dao.settlement.bonds_owed(keeper) == params.challenge_bond
    assert dao.shares.undistributed_eth() == params.operator_bond
    chain.pending_timestamp = dao.settlement.epochs(1).commit_deadline
    dao.settlement.void_epoch(1, sender=keeper)
    _withdraw_all(dao, advance, params, stakers)


def test_void_and_reopen_failures(dao, roles, params, advance):
    keeper = roles["keeper"]
    with ape.reverts("settlement: current epoch not void"):
        dao.settlement.reopen(sender=keeper)
    with ape.reverts("settlement: not the current epoch"):
        dao.settlement.void_epoch(2, sender=keeper)
    with ape.reverts("settlement: challenge not pending"):
        dao.settlement.refund_challenge(1, sender=keeper)
    advance(params.contribution_period)
    commit(dao, roles["operator"], [(roles["alice"].address, ETHER)])
    dao.settlement.challenge(1, "QmWhy", value=params.challenge_bond, sender=keeper)
    with ape.reverts("settlement: challenge awaits its verdict"):
        dao.settlement.refund_challenge(1, sender=keeper)
    with ape.reverts("settlement: caller is not governance or the guardian"):
        dao.settlement.resolve_challenge(1, True, sender=keeper)

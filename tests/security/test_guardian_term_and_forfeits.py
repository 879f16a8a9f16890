"""Failure paths of the mechanisms that answer the stranger's findings 1-5 (test_stranger_guardian,
test_stranger_late_challenge, test_stranger_bootstrap_grief): the guardian's hard end in time, its
uphold that pays the holders, late challenges that cannot void, and forfeits of unjudged challenges.
Each test runs on the wired DAO of conftest (a guardian, short windows, epoch 1 open)."""

from __future__ import annotations

import ape
import pytest

from dao.chain.deploy import DeployParams
from tests.security.conftest import CIDS, ETHER, commit, register

PENDING, UPHELD, REJECTED, REFUNDED, FORFEITED = 1, 2, 3, 4, 5
OPEN, COMMITTED, CHALLENGED, FINAL, VOID = 1, 2, 3, 4, 5
ZERO = "0x" + "00" * 20


def _committed(dao, roles, params, advance) -> None:
    """Epoch 1 with alice's contribution and an honest report committed by the operator."""
    register(dao, roles["alice"], CIDS[0])
    advance(params.contribution_period)
    commit(dao, roles["operator"], [(roles["alice"].address, 100 * ETHER)])


def _challenge(dao, who, params) -> int:
    challenge_id = int(dao.settlement.challenge_count()) + 1
    dao.settlement.challenge(1, "QmReason", value=params.challenge_bond, sender=who)
    return challenge_id


def _past_resolution(dao, chain, advance) -> None:
    advance(max(0, int(dao.settlement.epochs(1).resolve_by) - chain.pending_timestamp))


class TestGuardianHardEnd:
    @pytest.fixture
    def params(self):
        # The term ends after the report's commit and before its resolution deadline.
        return DeployParams.for_tests(guardian_term=2_000)

    def test_guardian_powers_end_at_guardian_until_whatever_the_epochs(
        self, dao, roles, params, advance, chain
    ):
        guardian = roles["guardian"]
        _committed(dao, roles, params, advance)
        challenge_id = _challenge(dao, roles["mallory"], params)
        assert dao.settlement.guardian_active() and dao.governor.guardian() == guardian.address
        assert chain.pending_timestamp < int(dao.settlement.guardian_until())

        advance(int(dao.settlement.guardian_until()) - chain.pending_timestamp)
        assert not dao.settlement.is_final(1)  # no epoch was ever final: the epoch term never began
        assert not dao.settlement.guardian_active()
        assert dao.governor.guardian() == ZERO
        with ape.reverts("settlement: caller is not governance or the guardian"):
            dao.settlement.resolve_challenge(challenge_id, True, sender=guardian)
        with ape.reverts("settlement: epoch not expired"):
            dao.settlement.void_epoch(1, sender=guardian)
        assert dao.settlement.guardian() == guardian.address  # still named, powerless


def test_guardian_until_is_fixed_at_deployment(dao, params, chain):
    until = int(dao.settlement.guardian_until())
    assert 0 < until - params.guardian_term <= chain.blocks.head.timestamp


def test_a_guardian_term_above_2_32_seconds_is_refused(project, accounts):
    owner = accounts[0]
    with ape.reverts("settlement: guardian term above 2**32 seconds"):
        project.EpochSettlement.deploy(owner, owner, owner, 600, 600, 1, 1, owner, 2**32 + 1, sender=owner)


def test_a_guardian_uphold_pays_the_operator_bond_to_holders(dao, roles, params, advance, chain):
    """The guardian upholds another account's challenge: the challenger gets its own bond back, the
    operator's bond goes to the share token (held while the supply is 0), nobody else is paid."""
    bob, operator, guardian = roles["bob"], roles["operator"], roles["guardian"]
    _committed(dao, roles, params, advance)
    challenge_id = _challenge(dao, bob, params)
    token_before = dao.shares.balance
    dao.settlement.resolve_challenge(challenge_id, True, sender=guardian)
    assert dao.settlement.challenges(challenge_id).status == UPHELD
    assert int(dao.settlement.bonds_owed(bob)) == params.challenge_bond
    assert int(dao.settlement.bonds_owed(operator)) == 0
    assert int(dao.settlement.bonds_owed(guardian)) == 0
    assert dao.shares.balance - token_before == params.operator_bond
    assert dao.settlement.epochs(1).status == OPEN  # the operator may re-commit before the deadline


def test_a_late_challenge_can_still_be_upheld_before_the_deadline(dao, roles, params, advance):
    bob, mallory, guardian = roles["bob"], roles["mallory"], roles["guardian"]
    _committed(dao, roles, params, advance)
    first = _challenge(dao, bob, params)
    advance(params.challenge_window)
    late = _challenge(dao, mallory, params)  # kept open by the first
    assert dao.settlement.challenges(late).late and not dao.settlement.challenges(first).late
    assert dao.settlement.epochs(1).pending_challenges == 2
    dao.settlement.resolve_challenge(late, True, sender=guardian)
    assert dao.settlement.epochs(1).status == OPEN
    assert int(dao.settlement.bonds_owed(mallory)) == params.challenge_bond
    dao.settlement.refund_challenge(first, sender=bob)  # replaced without a verdict on it
    assert dao.settlement.challenges(first).status == REFUNDED


def test_only_late_challenges_unjudged_the_report_stands(dao, roles, params, advance, chain):
    bob, mallory, keeper, guardian = roles["bob"], roles["mallory"], roles["keeper"], roles["guardian"]
    _committed(dao, roles, params, advance)
    first = _challenge(dao, bob, params)
    advance(params.challenge_window)
    late = _challenge(dao, mallory, params)
    dao.settlement.resolve_challenge(first, False, sender=guardian)
    assert dao.settlement.epochs(1).status == CHALLENGED  # the late one still awaits its verdict
    with ape.reverts("settlement: a challenge awaits its verdict"):
        dao.settlement.finalize(1, sender=keeper)
    with ape.reverts("settlement: challenge not unjudged at its resolution deadline"):
        dao.settlement.forfeit_challenge(late, sender=keeper)
    with ape.reverts("settlement: challenge awaits its verdict"):
        dao.settlement.refund_challenge(late, sender=keeper)

    _past_resolution(dao, chain, advance)
    with ape.reverts("settlement: only late challenges unjudged, the report stands"):
        dao.settlement.void_epoch(1, sender=keeper)
    with ape.reverts("settlement: challenge unjudged at its resolution deadline (forfeit it)"):
        dao.settlement.refund_challenge(late, sender=mallory)
    dao.settlement.finalize(1, sender=keeper)
    assert dao.settlement.is_final(1)
    with ape.reverts("settlement: challenge unjudged at its resolution deadline (forfeit it)"):
        dao.settlement.refund_challenge(late, sender=mallory)
    before = dao.shares.balance
    dao.settlement.forfeit_challenge(late, sender=keeper)
    assert dao.shares.balance - before == params.challenge_bond
    assert dao.settlement.challenges(late).status == FORFEITED
    with ape.reverts("settlement: challenge not pending"):
        dao.settlement.forfeit_challenge(late, sender=keeper)
    assert int(dao.settlement.bonds_owed(mallory)) == 0


def test_an_unjudged_in_window_challenge_voids_and_is_forfeited(dao, roles, params, advance, chain):
    mallory, keeper, operator = roles["mallory"], roles["keeper"], roles["operator"]
    _committed(dao, roles, params, advance)
    challenge_id = _challenge(dao, mallory, params)
    advance(params.challenge_window)
    with ape.reverts("settlement: a challenge awaits its verdict"):
        dao.settlement.finalize(1, sender=keeper)
    _past_resolution(dao, chain, advance)
    with ape.reverts("settlement: a challenge went unjudged, void the epoch"):
        dao.settlement.finalize(1, sender=keeper)
    with ape.reverts("settlement: caller is not governance or the guardian"):
        dao.settlement.resolve_challenge(challenge_id, False, sender=keeper)
    dao.settlement.void_epoch(1, sender=keeper)  # liveness: the stated default
    assert dao.settlement.epochs(1).status == VOID
    assert int(dao.settlement.bonds_owed(operator)) == params.operator_bond  # nobody judged it wrong
    before = dao.shares.balance
    dao.settlement.forfeit_challenge(challenge_id, sender=keeper)
    assert dao.shares.balance - before == params.challenge_bond  # held for the first allocation
    assert int(dao.settlement.bonds_owed(mallory)) == 0


def test_challenges_of_a_replaced_report_stay_refundable_past_the_old_deadline(
    dao, roles, params, advance, chain
):
    bob, mallory, keeper, guardian, operator = (
        roles["bob"], roles["mallory"], roles["keeper"], roles["guardian"], roles["operator"]
    )  # fmt: skip
    _committed(dao, roles, params, advance)
    upheld = _challenge(dao, bob, params)
    other = _challenge(dao, mallory, params)
    old_resolve_by = int(dao.settlement.epochs(1).resolve_by)
    dao.settlement.resolve_challenge(upheld, True, sender=guardian)
    commit(dao, operator, [(roles["alice"].address, 50 * ETHER)])  # round 2
    advance(max(0, old_resolve_by - chain.pending_timestamp))
    with ape.reverts("settlement: challenge not unjudged at its resolution deadline"):
        dao.settlement.forfeit_challenge(other, sender=keeper)
    dao.settlement.refund_challenge(other, sender=keeper)
    assert int(dao.settlement.bonds_owed(mallory)) == params.challenge_bond


def test_a_resolver_void_before_the_deadline_refunds(dao, roles, params, advance, chain):
    mallory, keeper, guardian = roles["mallory"], roles["keeper"], roles["guardian"]
    _committed(dao, roles, params, advance)
    challenge_id = _challenge(dao, mallory, params)
    resolve_by = int(dao.settlement.epochs(1).resolve_by)
    dao.settlement.void_epoch(1, sender=guardian)
    advance(max(0, resolve_by - chain.pending_timestamp))
    with ape.reverts("settlement: challenge not unjudged at its resolution deadline"):
        dao.settlement.forfeit_challenge(challenge_id, sender=keeper)
    dao.settlement.refund_challenge(challenge_id, sender=keeper)
    assert int(dao.settlement.bonds_owed(mallory)) == params.challenge_bond

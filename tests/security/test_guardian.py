"""The bootstrap guardian (finding 1): set at deployment, it may resolve challenges and void an
unsettled epoch, nothing else here; it cannot touch a final epoch, parameters or funds; it may step
down, governance may remove it, and it expires by itself (see also tests/unit/contracts)."""

from __future__ import annotations

import ape

from tests.security.conftest import CIDS, ETHER, commit, register


def test_the_guardian_resolves_and_voids_but_nothing_else(dao, roles, params, advance):
    guardian, alice, keeper = roles["guardian"], roles["alice"], roles["keeper"]
    assert dao.settlement.guardian() == guardian.address and dao.settlement.guardian_active()
    contribution = register(dao, alice, CIDS[0])
    advance(params.contribution_period)
    commit(dao, roles["operator"], [(alice.address, ETHER)])
    dao.settlement.challenge(1, "QmWhy", value=params.challenge_bond, sender=keeper)
    dao.settlement.resolve_challenge(1, False, sender=guardian)  # rejected: the bond goes to holders
    assert dao.shares.undistributed_eth() == params.challenge_bond
    for call in (
        lambda: dao.settlement.open_epoch("QmX", b"\x00" * 32, sender=guardian),
        lambda: dao.settlement.set_operator(guardian, sender=guardian),
        lambda: dao.settlement.set_deadlines(1, 1, sender=guardian),
        lambda: dao.settlement.set_bonds(0, 0, sender=guardian),
    ):
        with ape.reverts("ownable: caller is not the owner"):
            call()
    with ape.reverts("registry: caller is not the settlement"):
        dao.registry.slash(contribution, 1, sender=guardian)
    dao.settlement.void_epoch(1, sender=guardian)  # before any deadline: the guardian's judgement
    assert (
        dao.settlement.is_settled(1) and dao.settlement.bonds_owed(roles["operator"]) == params.operator_bond
    )
    with ape.reverts("settlement: epoch already settled"):
        dao.settlement.void_epoch(1, sender=guardian)


def test_the_guardian_steps_down_for_good(dao, roles, params, advance):
    guardian, keeper = roles["guardian"], roles["keeper"]
    with ape.reverts("settlement: caller is not governance or the guardian"):
        dao.settlement.remove_guardian(sender=keeper)
    dao.settlement.remove_guardian(sender=guardian)
    assert not dao.settlement.guardian_active()
    with ape.reverts("settlement: epoch not expired"):
        dao.settlement.void_epoch(1, sender=guardian)
    with ape.reverts("settlement: caller is not governance or the guardian"):
        dao.settlement.remove_guardian(sender=guardian)

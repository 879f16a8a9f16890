"""Finding 6 (medium): a decoy challenge shielded a bad report (one challenge per report: the
operator's sock puppet challenged first, the honest challenge reverted, and after a rejection the
window was closed). Now any number of bonded challenges may target a report, a pending one keeps
the window open, the verdict names who earns the operator bond, and rejected bonds go to holders."""

from __future__ import annotations

import ape

from tests.security.conftest import CIDS, ETHER, commit, register


def test_a_decoy_challenge_no_longer_shields_a_bad_report(dao, roles, params, advance, chain):
    alice, keeper, guardian, operator = roles["alice"], roles["keeper"], roles["guardian"], roles["operator"]
    sock = roles["mallory"]  # the operator's puppet
    honest = roles["bob"]
    register(dao, alice, CIDS[0])
    advance(params.contribution_period)
    commit(dao, operator, [(sock.address, 200_000 * ETHER)])  # the bad report
    bond = params.challenge_bond
    decoy = 1
    dao.settlement.challenge(1, "QmDecoy", value=bond, sender=sock)
    dao.settlement.challenge(1, "QmReal", value=bond, sender=honest)  # no longer "nothing to challenge"
    advance(params.challenge_window)  # the window is over, but challenges are pending: still open
    dao.settlement.challenge(1, "QmLate", value=bond, sender=keeper)
    assert dao.settlement.epochs(1).pending_challenges == 3

    dao.settlement.resolve_challenge(decoy, False, sender=guardian)  # the decoy is rejected...
    assert dao.shares.undistributed_eth() == bond  # ...its bond goes to the holders
    with ape.reverts("settlement: a challenge awaits its verdict"):  # others still pending
        dao.settlement.finalize(1, sender=keeper)
    dao.settlement.resolve_challenge(2, True, sender=guardian)  # the honest one is upheld
    # By the guardian: the honest challenger gets its bond back, the operator's bond goes to holders.
    assert dao.settlement.bonds_owed(honest) == bond
    assert dao.shares.undistributed_eth() == bond + params.operator_bond  # the decoy's and the operator's
    assert dao.settlement.bonds_owed(sock) == 0 and dao.settlement.bonds_owed(operator) == 0
    with ape.reverts("settlement: challenged report no longer stands"):
        dao.settlement.resolve_challenge(3, True, sender=guardian)
    dao.settlement.refund_challenge(3, sender=alice)  # the third report-mate gets its bond back
    assert dao.settlement.bonds_owed(keeper) == bond
    assert dao.settlement.epochs(1).status == 1 and dao.settlement.epochs(1).total_mint == 0
    assert dao.shares.reserved_mint(1) == 0


def test_after_all_challenges_are_rejected_the_window_is_what_it_was(dao, roles, params, advance):
    alice, keeper, guardian, operator = roles["alice"], roles["keeper"], roles["guardian"], roles["operator"]
    register(dao, alice, CIDS[0])
    advance(params.contribution_period)
    commit(dao, operator, [(alice.address, ETHER)])
    dao.settlement.challenge(1, "QmWhy", value=params.challenge_bond, sender=keeper)
    with ape.reverts("settlement: wrong challenge bond"):
        dao.settlement.challenge(1, "QmWhy", value=1, sender=keeper)
    advance(params.challenge_window)
    dao.settlement.resolve_challenge(1, False, sender=guardian)
    with ape.reverts("settlement: challenge window closed"):
        dao.settlement.challenge(1, "QmLate", value=params.challenge_bond, sender=keeper)
    with ape.reverts("settlement: challenge not pending"):
        dao.settlement.resolve_challenge(1, True, sender=guardian)
    dao.settlement.finalize(1, sender=keeper)
    assert dao.settlement.bonds_owed(operator) == params.operator_bond

"""Stranger review 2, finding: the guardian pays itself the reporter's bond through the outcome board.

The settlement sends the operator's bond to the holders when the *guardian* upholds a challenge, so the
guardian "cannot move any stake or bond to itself" (docs/security.md, roles table). The outcome board's
`resolve_post_challenge` does not follow that rule: an upheld post challenge pays the challenger its own
bond *plus the reporter's held bond* whoever judged it. The guardian (or an account it colludes with)
challenges an honest post and upholds its own challenge: it takes the reporter's bond and, by excluding
the rows, can also push the epoch short of rows.

Fixed: as in the settlement, a guardian uphold returns the challenger its own bond and sends the
reporter's bond to the share holders; a governance uphold still pays it to the challenger.
"""

from __future__ import annotations

import boa
import pytest

from tests.unit.contracts.outcome_fixtures import (
    CHALLENGE_BOND,
    CIDS,
    GUARDIAN,
    REPORTER_BOND,
    System,
)


@pytest.fixture
def system():
    with boa.env.anchor():
        yield System.fresh()


def test_the_guardian_cannot_pay_itself_the_reporters_bond(system):
    system.open_live()
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    post_id = system.post()  # an honest post, with the reporter's bond
    assert system.live().bond_held == REPORTER_BOND
    assert system.settlement.guardian_active()

    holders_before = boa.env.get_balance(system.shares.address)
    with boa.env.prank(GUARDIAN):
        challenge_id = system.board.challenge_post(post_id, CIDS[0], value=CHALLENGE_BOND)
        system.board.resolve_post_challenge(challenge_id, True)

    # As in the settlement: the guardian gets back only its own bond; the reporter's goes to holders.
    assert system.board.bonds_owed(GUARDIAN) == CHALLENGE_BOND
    assert boa.env.get_balance(system.shares.address) - holders_before == REPORTER_BOND
    assert system.live().bond_held == 0

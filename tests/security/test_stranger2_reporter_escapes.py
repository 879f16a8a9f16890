"""Stranger review 2, finding: the epoch settling first frees a reporter whose post is disputed.

A post challenge has no deadline of its own and does not hold back the report ("a decoy cannot hold
back a report"); once the epoch is settled its verdict is refused (`outcomes: epoch settled`), the
challenge is refunded and `release_reporter_bond` hands the reporter its bond back. Governance needs
a voting delay + voting period + timelock delay (deployed: ~10 days) to judge, while a report can be
final a challenge window (2 days) after the period ends. Unless someone also challenges the whole
report (and loses that bond when the report is otherwise fine), a reporter who posts bogus rows
late in the period never risks its bond after the guardian's term.

Fixed: a post challenge carries its own verdict deadline (`resolve_by` = challenge time + the
settlement's `resolution_period`) and may be judged until then whether or not its epoch settled;
`release_reporter_bond` waits while a post challenge of the epoch can still get a verdict; only a
challenge unjudged at its deadline (or of an excluded post) is refunded.
"""

from __future__ import annotations

import boa
import pytest

from tests.unit.contracts.outcome_fixtures import (
    ADMIN,
    CHALLENGE_BOND,
    CHALLENGE_WINDOW,
    CHALLENGER,
    CIDS,
    REPORTER,
    REPORTER_BOND,
    System,
)


@pytest.fixture
def system():
    with boa.env.anchor():
        yield System.fresh()


def test_a_disputed_reporter_bond_waits_for_the_verdict(system):
    system.open_live(min_rows=100)
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    post_id = system.post(n_rows=100)  # the rows the challenger disputes
    with boa.env.prank(CHALLENGER):
        challenge_id = system.board.challenge_post(post_id, CIDS[0], value=CHALLENGE_BOND)
    boa.env.time_travel(blocks=system.live().resolution_end + 1 - boa.env.evm.patch.block_number)
    system.commit_report()
    boa.env.time_travel(seconds=CHALLENGE_WINDOW)
    system.settlement.finalize(1)  # governance's verdict is still days away
    with boa.env.prank(REPORTER), boa.reverts("outcomes: a post challenge awaits its verdict"):
        system.board.release_reporter_bond(1)
    with boa.env.prank(REPORTER), boa.reverts("outcomes: challenge awaits its verdict"):
        system.board.refund_post_challenge(challenge_id)
    # The verdict, when it comes, still decides the disputed bond.
    with boa.env.prank(ADMIN):
        system.board.resolve_post_challenge(challenge_id, True)
    assert system.board.bonds_owed(CHALLENGER) == CHALLENGE_BOND + REPORTER_BOND
    assert system.settlement.is_final(1)  # the report stands: its rows were counted when it was made

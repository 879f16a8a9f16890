"""Attacks on live-scored epochs (issue 20), on the real contracts (titanoboa):

- look-ahead: outcome rows posted before the metamodel commitment, or in its block, could be known
  when the model was fixed; an operator who re-commits the metamodel after seeing outcomes picks
  the model that fits them;
- a mode switch after contributors committed: an epoch's scoring mode is fixed when it opens;
- a stuck epoch: a silent reporter or a silent operator never leaves stakes locked;
- griefing the deadlines: nobody extends a period that has enough rows or is still running, and a
  decoy post challenge does not hold back a report.
"""

from __future__ import annotations

import boa
import pytest

from tests.unit.contracts.outcome_fixtures import (
    ADMIN,
    CHALLENGE_BOND,
    CHALLENGER,
    CIDS,
    COMMIT_PERIOD,
    CONTRIBUTION_PERIOD,
    MIN_ROWS,
    OPERATOR,
    PARTS,
    REPORT_BLOCKS,
    REPORTER,
    REPORTER_BOND,
    RESOLUTION_BLOCKS,
    STRANGER,
    ZERO32,
    System,
)


@pytest.fixture(scope="module")
def deployed():
    return System.fresh()


@pytest.fixture
def system(deployed):
    with boa.env.anchor():
        yield deployed


def _to_block(block: int) -> None:
    boa.env.time_travel(blocks=block - boa.env.evm.patch.block_number)


def test_rows_known_before_the_commitment_cannot_be_posted(system):
    system.open_live()
    system.close_contributions()
    with boa.env.prank(REPORTER), boa.reverts("outcomes: no metamodel commitment"):
        system.board.post_outcomes(1, *PARTS[2], 50, value=REPORTER_BOND)
    system.commit_metamodel()
    # Same block as the commitment: the rows may have been known when the model was fixed.
    with boa.env.prank(REPORTER), boa.reverts("outcomes: rows must follow the metamodel commitment"):
        system.board.post_outcomes(1, *PARTS[2], 50, value=REPORTER_BOND)
    assert system.board.live_epochs(1).post_count == 0


def test_the_operator_cannot_pick_the_metamodel_after_seeing_outcomes(system):
    system.open_live()
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    system.post(n_rows=MIN_ROWS)
    chosen = system.board.live_epochs(1)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: metamodel already committed"):
        system.board.commit_metamodel(1, *PARTS[3], b"\x99" * 32)
    after = system.board.live_epochs(1)
    assert (after.metamodel_digest, after.inputs_hash, after.metamodel_block) == (
        chosen.metamodel_digest,
        chosen.inputs_hash,
        chosen.metamodel_block,
    )


def test_an_open_static_epoch_cannot_be_made_live(system):
    with boa.env.prank(ADMIN):
        system.settlement.open_epoch(CIDS[0], ZERO32)
        with boa.reverts("settlement: previous epoch not final or void"):
            system.board.open_live_epoch(CIDS[0], ZERO32, REPORTER, RESOLUTION_BLOCKS, MIN_ROWS, 1)
    with boa.env.prank(STRANGER), boa.reverts("settlement: caller is not the outcome board"):
        system.settlement.open_live(CIDS[0], ZERO32)
    assert not system.settlement.is_live(1) and not system.board.is_live(1)


def test_a_silent_reporter_leaves_the_epoch_voidable_within_its_bound(system):
    system.open_live(max_extensions=1)
    system.close_contributions()
    system.commit_metamodel()
    committed_at = system.board.live_epochs(1).metamodel_block
    _to_block(committed_at + RESOLUTION_BLOCKS + 1)
    with boa.env.prank(STRANGER), boa.reverts("settlement: epoch not expired"):
        system.settlement.void_epoch(1)  # an extension is left: anyone may claim it
    # Nobody claims it: the epoch is voidable once the report deadline passes anyway.
    _to_block(committed_at + RESOLUTION_BLOCKS + REPORT_BLOCKS + 1)
    assert system.board.voidable(1)
    with boa.env.prank(STRANGER):
        system.settlement.void_epoch(1)
    assert system.settlement.is_settled(1)


def test_a_silent_operator_leaves_the_epoch_voidable(system):
    system.open_live()
    boa.env.time_travel(seconds=CONTRIBUTION_PERIOD + COMMIT_PERIOD)  # no metamodel in time
    with boa.env.prank(STRANGER):
        system.settlement.void_epoch(1)
    assert system.settlement.is_settled(1)


def test_a_silent_operator_after_the_rows_leaves_the_epoch_voidable(system):
    system.open_live()
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    system.post(n_rows=MIN_ROWS)
    _to_block(system.board.live_epochs(1).resolution_end + REPORT_BLOCKS + 1)
    with boa.env.prank(STRANGER):
        system.settlement.void_epoch(1)
        system.board.release_reporter_bond(1)
    assert system.board.bonds_owed(REPORTER) == REPORTER_BOND


def test_nobody_extends_a_running_or_sufficient_period(system):
    system.open_live()
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: resolution period not over"):
        system.board.extend_resolution(1)
    system.post(n_rows=MIN_ROWS)
    _to_block(system.board.live_epochs(1).resolution_end + 1)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: enough rows resolved"):
        system.board.extend_resolution(1)


def test_a_decoy_post_challenge_does_not_hold_back_the_report(system):
    system.open_live()
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    post = system.post(n_rows=MIN_ROWS)
    with boa.env.prank(CHALLENGER):
        system.board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
    _to_block(system.board.live_epochs(1).resolution_end + 1)
    system.commit_report()  # a pending challenge does not uncount the rows; only a verdict does
    assert system.settlement.epochs(1).status == 2

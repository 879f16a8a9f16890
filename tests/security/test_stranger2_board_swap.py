"""Stranger review 2, finding (low): replacing the outcome board strands an open live epoch.

The settlement asks `self.outcome_board` (whatever it names *now*) about a live epoch's report
(`check_report`) and permissionless void (`voidable`). If governance names another board
(`set_outcome_board`, e.g. an upgrade, or zero to stop new live epochs) while a live epoch is open,
the new board does not know the epoch: the report is refused and `voidable` says False for ever, so
the epoch's stakes stay locked until a resolver voids it; the "every live epoch is voidable by anyone
after its bound" claim (docs/live_scoring.md) no longer holds. Nothing refuses the swap.

Fixed: `set_outcome_board` is refused while the current epoch is live and not settled; governance
voids it first (it may void any unsettled epoch) when it must swap at once.
"""

from __future__ import annotations

import boa
import pytest

from tests.unit.contracts.outcome_fixtures import (
    ADMIN,
    CIDS,
    REPORT_BLOCKS,
    REPORTER,
    REPORTER_BOND,
    ROOT,
    STRANGER,
    ZERO32,
    System,
)

ZERO = "0x" + "00" * 20


@pytest.fixture
def system():
    with boa.env.anchor():
        yield System.fresh()


def test_an_open_live_epoch_stays_voidable_after_a_board_swap(system):
    """The swap is refused while the live epoch is open; the board that rules it still answers,
    and anyone voids the epoch after its bound. Once it is settled the swap goes through."""
    system.open_live(min_rows=100, max_extensions=0)
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    system.post(n_rows=100)
    with boa.env.prank(ADMIN):  # governance upgrades the board while epoch 1 is open
        new_board = boa.load(
            str(ROOT / "contracts/OutcomeBoard.vy"), system.settlement.address, REPORTER_BOND, REPORT_BLOCKS
        )
        with boa.reverts("settlement: a live epoch is open (void or settle it first)"):
            system.settlement.set_outcome_board(new_board.address)
        with boa.reverts("settlement: a live epoch is open (void or settle it first)"):
            system.settlement.set_outcome_board(ZERO)  # stopping live epochs waits too
    assert system.settlement.outcome_board() == system.board.address
    # Past epoch 1's bound: no report came.
    boa.env.time_travel(
        blocks=system.live().resolution_end + REPORT_BLOCKS + 1 - boa.env.evm.patch.block_number
    )
    assert system.board.voidable(1)  # the board that rules the epoch says void
    with boa.env.prank(STRANGER):
        system.settlement.void_epoch(1)
    assert system.settlement.is_settled(1)
    with boa.env.prank(ADMIN):  # settled: the upgrade goes through, and the old board still pays out
        system.settlement.set_outcome_board(new_board.address)
    assert system.settlement.outcome_board() == new_board.address
    system.board.release_reporter_bond(1)
    assert system.board.bonds_owed(REPORTER) == REPORTER_BOND


def test_governance_voids_the_open_live_epoch_then_swaps(system):
    """The refusal cannot lock governance in: it voids the open epoch, then names the new board."""
    system.open_live()
    system.close_contributions()
    system.commit_metamodel()
    with boa.env.prank(ADMIN):
        new_board = boa.load(
            str(ROOT / "contracts/OutcomeBoard.vy"), system.settlement.address, REPORTER_BOND, REPORT_BLOCKS
        )
        system.settlement.void_epoch(1)
        system.settlement.set_outcome_board(new_board.address)
        assert system.settlement.outcome_board() == new_board.address
    assert system.settlement.is_settled(1)


def test_a_static_epoch_does_not_hold_back_a_board_swap(system):
    with boa.env.prank(ADMIN):
        system.settlement.open_epoch(CIDS[0], ZERO32)  # static, open
        system.settlement.set_outcome_board(ZERO)
    assert system.settlement.outcome_board() == ZERO

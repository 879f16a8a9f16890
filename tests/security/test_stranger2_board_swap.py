"""Stranger review 2, finding (low): replacing the outcome board strands an open live epoch.

The settlement asks `self.outcome_board` (whatever it names *now*) about a live epoch's report
(`check_report`) and permissionless void (`voidable`). If governance names another board
(`set_outcome_board`, e.g. an upgrade, or zero to stop new live epochs) while a live epoch is open,
the new board does not know the epoch: the report is refused and `voidable` says False for ever, so
the epoch's stakes stay locked until a resolver voids it; the "every live epoch is voidable by anyone
after its bound" claim (docs/live_scoring.md) no longer holds. Nothing refuses the swap.
"""

from __future__ import annotations

import boa
import pytest

from tests.unit.contracts.outcome_fixtures import (
    ADMIN,
    REPORT_BLOCKS,
    REPORTER_BOND,
    ROOT,
    STRANGER,
    System,
)


@pytest.fixture
def system():
    with boa.env.anchor():
        yield System.fresh()


@pytest.mark.xfail(strict=True, reason="finding: a board swap leaves an open live epoch unvoidable by anyone")
def test_an_open_live_epoch_stays_voidable_after_a_board_swap(system):
    system.open_live(min_rows=100, max_extensions=0)
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    system.post(n_rows=100)
    with boa.env.prank(ADMIN):  # governance upgrades the board while epoch 1 is open
        new_board = boa.load(
            str(ROOT / "contracts/OutcomeBoard.vy"), system.settlement.address, REPORTER_BOND, REPORT_BLOCKS
        )
        system.settlement.set_outcome_board(new_board.address)
    # Past epoch 1's bound: no report came (the settlement cannot take one any more).
    boa.env.time_travel(
        blocks=system.live().resolution_end + REPORT_BLOCKS + 1 - boa.env.evm.patch.block_number
    )
    assert system.board.voidable(1)  # the board that rules the epoch says void
    with boa.env.prank(STRANGER):
        system.settlement.void_epoch(1)
    assert system.settlement.is_settled(1)

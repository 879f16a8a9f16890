"""Stranger review 2, finding (low): an extension granted late is already over.

`extend_resolution` is allowed until `resolution_end + report_blocks` and sets `resolution_end +=
resolution_blocks`. With `report_blocks > resolution_blocks` (the deployed defaults: 50,400 report
blocks; a recipe's period may be shorter), an extension called more than `resolution_blocks` blocks
after the end gives a new end that has already passed: the reporter cannot post a single row in it,
the extension is spent, and anyone can spend every remaining extension in the same block until the
epoch is voidable. The period the rows were meant to get never exists.
"""

from __future__ import annotations

import boa
import pytest

from tests.unit.contracts.outcome_fixtures import (
    PARTS,
    REPORT_BLOCKS,
    REPORTER,
    RESOLUTION_BLOCKS,
    STRANGER,
    System,
)


@pytest.fixture
def system():
    with boa.env.anchor():
        yield System.fresh()


@pytest.mark.xfail(strict=True, reason="finding: an extension called late ends in the past")
def test_an_extension_leaves_the_reporter_time_to_post(system):
    assert REPORT_BLOCKS > RESOLUTION_BLOCKS
    system.open_live(min_rows=100, max_extensions=2)
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    system.post(n_rows=10)  # short of the 100 rows needed
    end = system.live().resolution_end
    boa.env.time_travel(blocks=end + RESOLUTION_BLOCKS + 1 - boa.env.evm.patch.block_number)
    with boa.env.prank(STRANGER):
        system.board.extend_resolution(1)  # still inside the report window: accepted
    assert system.live().extensions_used == 1
    # The extended period must leave the reporter at least one block to post in.
    assert system.live().resolution_end >= boa.env.evm.patch.block_number, (
        "the extension ended before it began"
    )
    with boa.env.prank(REPORTER):
        system.board.post_outcomes(1, *PARTS[2], 90, value=0)

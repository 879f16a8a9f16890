"""Stranger review 2, finding (low): an extension granted late is already over.

`extend_resolution` is allowed until `resolution_end + report_blocks` and sets `resolution_end +=
resolution_blocks`. With `report_blocks > resolution_blocks` (the deployed defaults: 50,400 report
blocks; a recipe's period may be shorter), an extension called more than `resolution_blocks` blocks
after the end gives a new end that has already passed: the reporter cannot post a single row in it,
the extension is spent, and anyone can spend every remaining extension in the same block until the
epoch is voidable. The period the rows were meant to get never exists.

Fixed: the extended period is counted from the extension's block (`max(end, block - 1) +
resolution_blocks`), so the reporter always gets `resolution_blocks` blocks; each extension still
comes at most `report_blocks` after the end, so a live epoch is voidable by anyone after block
`metamodel_block + (1 + max_extensions) * (resolution_blocks + report_blocks)`.
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
    assert system.live().resolution_end == boa.env.evm.patch.block_number - 1 + RESOLUTION_BLOCKS
    with boa.env.prank(REPORTER):
        system.board.post_outcomes(1, *PARTS[2], 90, value=0)


def test_every_extension_at_the_last_block_still_gives_the_full_period_and_the_bound_holds(system):
    """The latest possible extensions (each at `end + report_blocks`): each gives the reporter
    `resolution_blocks` blocks, and the epoch is voidable by anyone right after the stated bound."""
    extensions = 2
    system.open_live(min_rows=100, max_extensions=extensions)
    system.close_contributions()
    system.commit_metamodel()
    metamodel_block = system.live().metamodel_block
    for used in range(extensions):
        end = system.live().resolution_end
        boa.env.time_travel(blocks=end + REPORT_BLOCKS - boa.env.evm.patch.block_number)
        assert not system.board.voidable(1)
        with boa.env.prank(STRANGER):
            system.board.extend_resolution(1)
        live = system.live()
        assert live.extensions_used == used + 1
        assert live.resolution_end == end + REPORT_BLOCKS - 1 + RESOLUTION_BLOCKS
    bound = metamodel_block + (1 + extensions) * (RESOLUTION_BLOCKS + REPORT_BLOCKS)
    last_end = system.live().resolution_end
    assert last_end + REPORT_BLOCKS <= bound
    boa.env.time_travel(blocks=last_end + 1 - boa.env.evm.patch.block_number)
    assert system.board.voidable(1)  # short of rows, no extension left
    boa.env.time_travel(blocks=bound + 1 - boa.env.evm.patch.block_number)
    with boa.env.prank(STRANGER):
        system.settlement.void_epoch(1)
    assert system.settlement.is_settled(1)

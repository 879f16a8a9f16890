"""Governance for live-scored epochs (issue 20): a retrain proposal with a live recipe opens the
epoch through the Timelock on the outcome board with the recipe's terms; challenges past their
epoch's resolution deadline are no longer offered for a verdict."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from dao.chain.cids import cid_parts
from dao.chain.deploy import DeployParams
from governance import actions
from governance.builders import InvalidProposal, pending_challenges, resolve_challenge, retrain
from tests.unit.governance.epoch_one import ETHER, REPORT_CID, recipe

PARAMS = DeployParams.for_tests()


def _live_recipe(reporter: str):
    return replace(
        recipe(500 * ETHER, "live epoch 2"),
        scoring="live",
        resolution_blocks=30,
        min_resolved_rows=25,
        max_extensions=2,
        outcome_reporter=reporter,
    ).validate()


def _pass(governed, proposed, voter, advance):
    advance(blocks=PARAMS.voting_delay + 1)
    actions.vote(governed, proposed.proposal_id, "for", voter)
    advance(blocks=PARAMS.voting_period)
    actions.queue(governed, proposed.proposal_id, voter)
    advance(PARAMS.timelock_delay)
    return actions.execute(governed, proposed.proposal_id, voter)


def test_a_live_recipe_opens_its_epoch_on_the_outcome_board_through_the_timelock(
    governed, voters, accounts, storage, advance
):
    alice, reporter = voters[0], accounts[7]
    live = _live_recipe(reporter.address.lower())
    proposed = actions.propose_retrain(governed, live, alice, storage=storage)
    assert "outcomes.open_live_epoch(recipe_cid=Qm" in proposed.changes[1]
    _pass(governed, proposed, alice, advance)

    assert int(governed.settlement.current_epoch()) == 2
    assert governed.settlement.is_live(2) and governed.outcomes.is_live(2)
    terms = governed.outcomes.live_epochs(2)
    assert terms.reporter == reporter.address
    assert (int(terms.resolution_blocks), int(terms.min_resolved_rows), int(terms.max_extensions)) == (
        30,
        25,
        2,
    )
    assert storage.get(governed.settlement.epochs(2).recipe_cid) == live.to_json()


def test_a_static_recipe_still_opens_through_the_settlement(governed):
    draft = retrain(governed, "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie", recipe(1).to_json())
    assert draft.targets == [governed.settlement.address]


def test_a_live_recipe_without_an_outcome_board_is_refused(governed):
    # A deployment recorded before live epochs existed names no outcome board.
    addresses = {k: v for k, v in governed.deployment.addresses.items() if k != "outcomes"}
    older = SimpleNamespace(deployment=SimpleNamespace(addresses=addresses), settlement=governed.settlement)
    live = _live_recipe("0x" + "ab" * 20).to_json()
    with pytest.raises(InvalidProposal, match="no outcome board"):
        retrain(older, "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie", live)


def test_challenges_past_the_resolution_deadline_are_not_offered_for_a_verdict(
    governed, voters, accounts, storage, advance, chain
):
    alice = voters[0]
    proposed = actions.propose_retrain(governed, recipe(500 * ETHER, "epoch 2"), alice, storage=storage)
    _pass(governed, proposed, alice, advance)
    advance(PARAMS.contribution_period)
    bond = int(governed.settlement.operator_bond())
    governed.settlement.commit(
        2, *cid_parts(REPORT_CID), b"\x02" * 32, b"\x03" * 32, 0, b"\x00" * 32, value=bond, sender=accounts[1]
    )
    challenge_id = int(
        dict(actions.challenge(governed, 2, "wrong", alice, storage=storage).extra)["challenge_id"]
    )
    assert pending_challenges(governed, 2) == [challenge_id]
    assert resolve_challenge(governed, 2, True).title == f"Uphold challenge {challenge_id} of epoch 2"

    resolve_by = int(governed.settlement.epochs(2).resolve_by)
    advance(resolve_by - chain.pending_timestamp)
    assert chain.pending_timestamp >= resolve_by
    assert pending_challenges(governed, 2) == []
    with pytest.raises(
        InvalidProposal, match="resolution deadline .* has passed: its challenges can no longer"
    ):
        resolve_challenge(governed, 2, True)

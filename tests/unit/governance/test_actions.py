"""Propose, vote, queue, execute, cancel and challenge on the in-process chain; refusals as sentences."""

from __future__ import annotations

import pytest

from dao.chain.cids import cid_parts
from dao.chain.deploy import DeployParams
from governance import actions
from governance.actions import GovernanceRefused
from governance.builders import InvalidProposal
from governance.proposals import ACTIVE, DEFEATED, EXECUTED, PENDING, QUEUED, SUCCEEDED
from tests.unit.governance.epoch_one import ETHER, REPORT_CID, recipe

PARAMS = DeployParams.for_tests()


def _retrain(governed, storage, sender, notes="epoch 2"):
    return actions.propose_retrain(governed, recipe(500 * ETHER, notes), sender, storage=storage)


def test_a_retrain_proposal_goes_from_propose_to_an_opened_epoch(
    governed, voters, storage, advance, tmp_path
):
    alice, bob, carol, _ = voters
    path = tmp_path / "recipe.json"
    path.write_bytes(b"  " + recipe(500 * ETHER, "from a file").to_json() + b"\n")
    proposed = actions.propose_retrain(governed, path, bob, note="Halve the emission.", storage=storage)
    pid = proposed.proposal_id
    assert proposed.tx_hash.startswith("0x") and len(proposed.tx_hash) == 66
    assert f"proposal {pid} created by {bob.address}: Retrain the metamodel" in proposed.changes
    assert "settlement.open_epoch(recipe_cid=Qm" in proposed.changes[1]
    assert governed.proposal(pid).state == PENDING

    advance(blocks=PARAMS.voting_delay + 1)
    assert governed.proposal(pid).state == ACTIVE
    voted = actions.vote(governed, pid, "for", alice, reason="more data next time")
    assert voted.changes[0] == (
        f"{alice.address} voted for on proposal {pid} with 600 shares (reason: more data next time)"
    )
    actions.vote(governed, str(pid)[:12], "against", bob)  # a unique prefix names the proposal
    last = actions.vote(governed, pid, "abstain", carol)
    assert last.changes[1] == "tally now: for 600, against 300, abstain 100; quorum 100 (for + abstain)"

    advance(blocks=PARAMS.voting_period)
    assert governed.proposal(pid).state == SUCCEEDED
    queued = actions.queue(governed, pid, carol)
    assert f"proposal {pid} queued in the timelock (1 operation(s))" in queued.changes[0]
    assert governed.proposal(pid).state == QUEUED

    advance(PARAMS.timelock_delay)
    executed = actions.execute(governed, pid, carol)
    assert governed.settlement.current_epoch() == 2
    assert governed.proposal(pid).state == EXECUTED
    opened = [change for change in executed.changes if change.startswith("epoch 2 opened with recipe Qm")]
    assert len(opened) == 1, executed.changes
    record = governed.settlement.epochs(2)
    assert storage.get(record.recipe_cid) == recipe(500 * ETHER, "from a file").to_json()


def test_proposing_below_the_threshold_says_how_many_shares_it_takes(governed, voters, storage):
    dave = voters[3]
    with pytest.raises(GovernanceRefused) as refused:
        _retrain(governed, storage, dave)
    assert str(refused.value) == "you have 0 shares of voting power; proposing needs 1"


def test_undelegated_shares_are_pointed_out(governed, voters, storage):
    alice, dave = voters[0], voters[3]
    governed.shares.transfer(dave, 5 * ETHER, sender=alice)  # received shares are not delegated
    with pytest.raises(
        GovernanceRefused, match=r"you have 0 shares .* needs 1 \(you hold 5 shares: delegate"
    ):
        _retrain(governed, storage, dave)


def test_one_live_proposal_per_proposer(governed, voters, storage):
    alice = voters[0]
    first = _retrain(governed, storage, alice)
    with pytest.raises(GovernanceRefused, match=f"you already have a live proposal {first.proposal_id} "):
        _retrain(governed, storage, alice, notes="another")


def test_votes_outside_the_voting_period_are_refused_with_the_blocks(governed, voters, storage, advance):
    alice, bob = voters[0], voters[1]
    pid = _retrain(governed, storage, alice).proposal_id
    view = governed.proposal(pid)
    with pytest.raises(
        GovernanceRefused, match=f"voting has not started: it opens after block {view.snapshot}"
    ):
        actions.vote(governed, pid, "for", bob)
    advance(blocks=PARAMS.voting_delay + PARAMS.voting_period + 1)
    with pytest.raises(GovernanceRefused, match=f"voting closed at block {view.deadline} .* defeated"):
        actions.vote(governed, pid, "for", bob)


def test_a_second_vote_and_a_vote_without_power_are_refused(governed, voters, storage, advance):
    alice, _, _, dave = voters
    pid = _retrain(governed, storage, alice).proposal_id
    advance(blocks=PARAMS.voting_delay + 1)
    actions.vote(governed, pid, "for", alice)
    with pytest.raises(GovernanceRefused, match="has already voted on this proposal"):
        actions.vote(governed, pid, "against", alice)
    with pytest.raises(
        GovernanceRefused, match=r"had no voting power at the proposal's snapshot \(block \d+\)"
    ):
        actions.vote(governed, pid, "for", dave)
    with pytest.raises(InvalidProposal, match="a vote is for, against or abstain"):
        actions.vote(governed, pid, "maybe", alice)


def test_queue_and_execute_say_why_not_yet(governed, voters, storage, advance):
    alice, bob, carol, _ = voters
    pid = _retrain(governed, storage, carol).proposal_id
    advance(blocks=PARAMS.voting_delay + 1)
    with pytest.raises(GovernanceRefused, match="cannot be queued: voting is still open until block"):
        actions.queue(governed, pid, carol)
    actions.vote(governed, pid, "for", carol)
    with pytest.raises(GovernanceRefused, match="cannot be executed: voting is still open"):
        actions.execute(governed, pid, carol)
    advance(blocks=PARAMS.voting_period)
    with pytest.raises(GovernanceRefused, match=r"not queued yet: queue it first"):
        actions.execute(governed, pid, carol)
    actions.queue(governed, pid, carol)
    with pytest.raises(GovernanceRefused, match=r"the timelock delay has not passed: .* \(in \d+ s\)"):
        actions.execute(governed, pid, carol)
    with pytest.raises(GovernanceRefused, match="already queued"):
        actions.queue(governed, pid, carol)


def test_a_defeated_proposal_cannot_be_queued_and_the_tally_says_why(governed, voters, storage, advance):
    alice, bob = voters[0], voters[1]
    pid = _retrain(governed, storage, bob).proposal_id
    advance(blocks=PARAMS.voting_delay + 1)
    actions.vote(governed, pid, "against", alice)
    actions.vote(governed, pid, "for", bob)
    advance(blocks=PARAMS.voting_period)
    assert governed.proposal(pid).state == DEFEATED
    with pytest.raises(
        GovernanceRefused,
        match=r"defeated: it did not get more votes for than against \(for 300, against 600, abstain 0",
    ):
        actions.queue(governed, pid, bob)


def test_only_the_proposer_cancels_and_only_while_pending(governed, voters, storage, advance):
    alice, bob = voters[0], voters[1]
    pid = _retrain(governed, storage, alice).proposal_id
    outcome = actions.cancel(governed, pid, alice)
    assert outcome.changes == (f"proposal {pid} canceled: Retrain the metamodel",)
    refusal = f"only the proposer \\({alice.address}\\) may cancel a proposal \\(before voting opens\\)"
    with pytest.raises(GovernanceRefused, match=refusal):
        actions.cancel(governed, pid, bob)
    with pytest.raises(GovernanceRefused, match="can be canceled only before voting opens; it is canceled"):
        actions.cancel(governed, pid, alice)
    late = _retrain(governed, storage, alice, notes="late").proposal_id
    advance(blocks=PARAMS.voting_delay + 1)
    with pytest.raises(GovernanceRefused, match="can be canceled only before voting opens; it is active"):
        actions.cancel(governed, late, alice)


def test_a_parameter_proposal_executes(governed, voters, advance):
    alice, bob = voters[0], voters[1]
    pid = actions.propose_params(governed, alice, voting_period=20, emission=250 * ETHER).proposal_id
    advance(blocks=PARAMS.voting_delay + 1)
    actions.vote(governed, pid, "for", alice)
    advance(blocks=PARAMS.voting_period)
    actions.queue(governed, pid, bob)
    advance(PARAMS.timelock_delay)
    executed = actions.execute(governed, pid, bob)
    assert governed.governor.votingPeriod() == 20
    assert "policy now: emission 250 shares, data pool 70%, slash cap 20%" in executed.changes


def test_challenge_stores_the_reason_and_refusals_name_the_epoch(
    governed, voters, accounts, storage, advance
):
    alice = voters[0]
    with pytest.raises(GovernanceRefused, match="epoch 1 has no committed report to challenge .*final"):
        actions.challenge(governed, 1, "wrong", alice, storage=storage)
    with pytest.raises(InvalidProposal, match="say why"):
        actions.challenge(governed, 1, "  ", alice, storage=storage)

    # Open epoch 2 by proposal, then the operator commits a report that alice disputes.
    pid = _retrain(governed, storage, alice).proposal_id
    advance(blocks=PARAMS.voting_delay + 1)
    actions.vote(governed, pid, "for", alice)
    advance(blocks=PARAMS.voting_period)
    actions.queue(governed, pid, alice)
    advance(PARAMS.timelock_delay)
    actions.execute(governed, pid, alice)
    advance(PARAMS.contribution_period)
    bond = int(governed.settlement.operator_bond())
    governed.settlement.commit(
        2, *cid_parts(REPORT_CID), b"\x02" * 32, b"\x03" * 32, 0, b"\x00" * 32, value=bond, sender=accounts[1]
    )

    outcome = actions.challenge(governed, 2, "the hold-out score is not reproducible", alice, storage=storage)
    facts = dict(outcome.extra)
    assert storage.get(facts["reason_cid"]) == b"the hold-out score is not reproducible"
    assert int(governed.settlement.epochs(2).status) == 3  # challenged
    assert outcome.changes[0].startswith(f"epoch 2's report is challenged by {alice.address}; bond 0.1 ETH")
    # Any number of challenges per report (issue 15, finding 6): a second one is accepted too.
    second = actions.challenge(governed, 2, "again", voters[1], storage=storage)
    assert dict(second.extra)["challenge_id"] == str(int(facts["challenge_id"]) + 1)
    assert int(governed.settlement.epochs(2).pending_challenges) == 2


def test_a_failing_action_is_named_when_executing(governed, voters, storage, advance):
    alice, bob = voters[0], voters[1]
    first = _retrain(governed, storage, alice, notes="first").proposal_id
    second = _retrain(governed, storage, bob, notes="second").proposal_id
    advance(blocks=PARAMS.voting_delay + 1)
    for pid in (first, second):
        actions.vote(governed, pid, "for", alice)
    advance(blocks=PARAMS.voting_period)
    for pid in (first, second):
        actions.queue(governed, pid, bob)
    advance(PARAMS.timelock_delay)
    actions.execute(governed, first, bob)
    with pytest.raises(
        GovernanceRefused,
        match="an action of the proposal failed: the settlement contract refused: previous epoch not final",
    ):
        actions.execute(governed, second, bob)


@pytest.mark.parametrize(
    "message, reason",
    [
        ("governor: vote already cast", "governor: vote already cast"),
        (
            "Error: VM Exception while processing transaction: reverted with reason string "
            "'governor: timelock not ready'",
            "governor: timelock not ready",
        ),
        ("execution reverted", None),
    ],
)
def test_revert_reasons_are_read_from_ape_and_hardhat_messages(message, reason):
    assert actions.revert_reason(Exception(message)) == reason

"""Governor + Timelock (ape): the full flow and every attack of CONTRACTS.md's Governor/Timelock list.

Set-up (module scope, isolated per test by ape): the votes token (the real ShareToken when it
compiles, see `governance_fixtures`), members alice 400, bob 300, carol 200, dave 100 shares
(supply 1,000; minted, hence self-delegated), eve none. Governor: voting delay 2 blocks, voting
period 10 blocks, threshold 10 shares, quorum 10% (100 shares); Timelock delay 60 s, wired like
`dao/chain/deploy.py`.

Views run at the head block (`eth_call`), transactions in the next one: `mine_to(chain, b)` makes
the next transaction land in block b + 1.
"""

from __future__ import annotations

import ape
import pytest
from eth_abi import decode
from eth_utils import keccak

from tests.unit.contracts.governance_fixtures import (
    ACTIVE,
    CANCELED,
    CANCELLER_ROLE,
    DEFAULT_ADMIN_ROLE,
    DEFEATED,
    ETHER,
    EXECUTED,
    EXECUTOR_ROLE,
    EXPIRED,
    PENDING,
    PROPOSER_ROLE,
    QUEUED,
    SUCCEEDED,
    ZERO,
    Proposal,
    delegate,
    deploy_governance,
    deploy_votes_token,
    double,
    mine_to,
)

DELAY = 60
GRACE = 14 * 86_400


@pytest.fixture(scope="module")
def members(accounts):
    return {
        "alice": accounts[1],
        "bob": accounts[2],
        "carol": accounts[3],
        "dave": accounts[4],
        "eve": accounts[5],
    }


@pytest.fixture(scope="module")
def gov(project, deployer, minter, members, chain):
    token = deploy_votes_token(project, deployer, minter)
    g = deploy_governance(project, deployer, token, delay=DELAY)
    for name, amount in (("alice", 400), ("bob", 300), ("carol", 200), ("dave", 100)):
        token.mint(members[name], amount * ETHER)
    chain.mine(1)
    return g


@pytest.fixture
def alice(members):
    return members["alice"]


@pytest.fixture
def bob(members):
    return members["bob"]


@pytest.fixture
def carol(members):
    return members["carol"]


@pytest.fixture
def dave(members):
    return members["dave"]


@pytest.fixture
def eve(members):
    return members["eve"]


def set_value(gov, value: int, description: str | None = None) -> Proposal:
    return Proposal.of(
        [(gov.target, "set_value", (value,), 0)], description or f"Set the parameter to {value}."
    )


def propose(gov, proposal: Proposal, sender) -> int:
    receipt = gov.governor.propose(*proposal.propose_args(), sender=sender)
    events = list(receipt.decode_logs(gov.governor.ProposalCreated))
    assert len(events) == 1 and events[0].proposalId == proposal.id
    return proposal.id


def activate(chain, gov, pid: int) -> None:
    """Mine until the proposal is Active at the head (views and transactions agree)."""
    mine_to(chain, gov.governor.proposalSnapshot(pid) + 1)


def end_vote(chain, gov, pid: int) -> None:
    mine_to(chain, gov.governor.proposalDeadline(pid) + 1)


def passed(chain, gov, proposal: Proposal, proposer, voters) -> int:
    pid = propose(gov, proposal, proposer)
    activate(chain, gov, pid)
    for voter in voters:
        gov.governor.castVote(pid, 1, sender=voter)
    end_vote(chain, gov, pid)
    assert gov.governor.state(pid) == SUCCEEDED
    return pid


def queued(chain, gov, proposal, proposer, voters) -> int:
    pid = passed(chain, gov, proposal, proposer, voters)
    gov.governor.queue(*proposal.args(), sender=proposer)
    return pid


def error_string(data: bytes) -> str:
    """Decode an `Error(string)` revert payload."""
    assert bytes(data[:4]) == keccak(text="Error(string)")[:4]
    return decode(["string"], bytes(data[4:]))[0]


# -- token in use -------------------------------------------------------------------------------
def test_votes_token_in_use(gov):
    """Reports (with -rA / -s) which votes token the suite ran against."""
    print(f"\nGovernor tests run against: {gov.token.kind}")
    assert gov.token.kind in ("ShareToken", "VotesTokenDouble")
    assert gov.token.contract.getPastTotalSupply(gov.token.contract.clock() - 1) == 1_000 * ETHER


# -- full flow ----------------------------------------------------------------------------------
def test_full_flow_through_the_timelock(gov, chain, alice, bob, carol, dave):
    proposal = set_value(gov, 42)
    assert gov.governor.hashProposal(*proposal.args()) == proposal.id  # OpenZeppelin's encoding
    receipt = gov.governor.propose(*proposal.propose_args(), sender=alice)
    created = list(receipt.decode_logs(gov.governor.ProposalCreated))[0]
    pid = proposal.id
    assert created.proposalId == pid and created.proposer == alice.address
    assert created.description == proposal.description
    assert gov.governor.proposalSnapshot(pid) == receipt.block_number + 2 == created.voteStart
    assert gov.governor.proposalDeadline(pid) == receipt.block_number + 12 == created.voteEnd
    assert gov.governor.proposalProposer(pid) == alice.address
    assert gov.governor.state(pid) == PENDING

    activate(chain, gov, pid)
    assert gov.governor.state(pid) == ACTIVE
    r = gov.governor.castVote(pid, 1, sender=alice)
    vote = list(r.decode_logs(gov.governor.VoteCast))[0]
    assert (vote.voter, vote.support, vote.weight) == (alice.address, 1, 400 * ETHER)
    r = gov.governor.castVoteWithReason(pid, 0, "too high", sender=bob)
    assert list(r.decode_logs(gov.governor.VoteCast))[0].reason == "too high"
    gov.governor.castVote(pid, 2, sender=carol)
    assert gov.governor.proposalVotes(pid) == (300 * ETHER, 400 * ETHER, 200 * ETHER)
    assert gov.governor.hasVoted(pid, alice) and not gov.governor.hasVoted(pid, dave)

    end_vote(chain, gov, pid)
    assert gov.governor.state(pid) == SUCCEEDED
    assert gov.governor.proposal_quorum(pid) == 100 * ETHER
    r = gov.governor.queue(*proposal.args(), sender=dave)
    eta = list(r.decode_logs(gov.governor.ProposalQueued))[0].etaSeconds
    assert eta == chain.blocks[r.block_number].timestamp + DELAY == gov.governor.proposalEta(pid)
    assert gov.governor.state(pid) == QUEUED
    (op,) = proposal.operation_ids()
    assert gov.timelock.is_operation_pending(op) and not gov.timelock.is_operation_ready(op)
    assert gov.timelock.get_timestamp(op) == eta

    chain.pending_timestamp = eta
    r = gov.governor.execute(*proposal.args(), sender=dave)
    assert len(list(r.decode_logs(gov.governor.ProposalExecuted))) == 1
    assert gov.target.parameter() == 42
    assert gov.governor.state(pid) == EXECUTED
    assert gov.timelock.is_operation_done(op)


def test_several_actions_run_in_order_once_with_value(gov, chain, alice, bob):
    # Two identical actions: chained predecessors give them distinct timelock operations.
    proposal = Proposal.of(
        [
            (gov.target, "bump", (7,), 0),
            (gov.target, "bump", (7,), 0),
            (gov.target, "pay", (8,), ETHER),
        ],
        "Bump twice and pay one ether.",
    )
    pid = queued(chain, gov, proposal, alice, [alice, bob])
    ops = proposal.operation_ids()
    assert len(set(ops)) == 3 and all(gov.timelock.is_operation_pending(op) for op in ops)
    chain.pending_timestamp += DELAY
    gov.governor.execute(*proposal.args(), value=ETHER, sender=alice)
    assert gov.target.calls(7) == 2 and gov.target.calls(8) == 1
    assert [gov.target.order(i) for i in range(3)] == [7, 7, 8]
    assert gov.target.received() == ETHER
    assert all(gov.timelock.is_operation_done(op) for op in ops)
    assert gov.governor.state(pid) == EXECUTED


def test_parameters_change_only_through_a_proposal(gov, chain, alice, bob):
    for setter in ("set_voting_delay", "set_voting_period", "set_proposal_threshold", "set_quorum_bps"):
        with ape.reverts("governor: caller is not the timelock"):
            getattr(gov.governor, setter)(5, sender=alice)
    g = gov.governor
    proposal = Proposal.of(
        [
            (g, "set_voting_delay", (3,), 0),
            (g, "set_voting_period", (20,), 0),
            (g, "set_proposal_threshold", (50 * ETHER,), 0),
            (g, "set_quorum_bps", (2_000,), 0),
        ],
        "New governance parameters.",
    )
    queued(chain, gov, proposal, alice, [alice, bob])
    chain.pending_timestamp += DELAY
    r = g.execute(*proposal.args(), sender=alice)
    assert [(e.oldVotingDelay, e.newVotingDelay) for e in r.decode_logs(g.VotingDelaySet)] == [(2, 3)]
    assert [(e.oldVotingPeriod, e.newVotingPeriod) for e in r.decode_logs(g.VotingPeriodSet)] == [(10, 20)]
    assert [e.newProposalThreshold for e in r.decode_logs(g.ProposalThresholdSet)] == [50 * ETHER]
    assert [
        (e.oldQuorumNumerator, e.newQuorumNumerator) for e in r.decode_logs(g.QuorumNumeratorUpdated)
    ] == [(1_000, 2_000)]
    assert (g.votingDelay(), g.votingPeriod(), g.proposalThreshold(), g.quorum_bps()) == (
        3,
        20,
        50 * ETHER,
        2_000,
    )
    assert g.quorum_bps_at(r.block_number - 1) == 1_000 and g.quorum_bps_at(r.block_number) == 2_000


def test_out_of_range_parameter_reverts_the_execution(gov, chain, alice, bob):
    proposal = Proposal.of([(gov.governor, "set_quorum_bps", (0,), 0)], "Quorum zero.")
    pid = queued(chain, gov, proposal, alice, [alice, bob])
    chain.pending_timestamp += DELAY
    with ape.reverts("governor: quorum out of range"):
        gov.governor.execute(*proposal.args(), sender=alice)
    assert gov.governor.state(pid) == QUEUED and gov.governor.quorum_bps() == 1_000


# -- proposing ----------------------------------------------------------------------------------
def test_propose_below_threshold(gov, chain, dave, eve):
    with ape.reverts("governor: proposer votes below threshold"):
        gov.governor.propose(*set_value(gov, 1).propose_args(), sender=eve)
    # 9.99 shares, delegated: still below the 10-share threshold.
    gov.token.contract.transfer(eve, 10 * ETHER - 1, sender=dave)
    delegate(gov.token.contract, eve, eve)
    chain.mine(1)
    with ape.reverts("governor: proposer votes below threshold"):
        gov.governor.propose(*set_value(gov, 1).propose_args(), sender=eve)
    gov.token.contract.transfer(eve, 1, sender=dave)
    # The threshold is read at the previous block: the transfer's block counts for the next one.
    gov.governor.propose(*set_value(gov, 1).propose_args(), sender=eve)


def test_duplicate_proposal_refused(gov, chain, alice, bob):
    proposal = set_value(gov, 5)
    pid = propose(gov, proposal, alice)
    with ape.reverts("governor: proposal already exists"):
        gov.governor.propose(*proposal.propose_args(), sender=bob)
    end_vote(chain, gov, pid)
    assert gov.governor.state(pid) == DEFEATED
    with ape.reverts("governor: proposal already exists"):
        gov.governor.propose(*proposal.propose_args(), sender=alice)
    # Another description is another proposal.
    propose(gov, set_value(gov, 5, "Set it to 5, again."), alice)


@pytest.mark.parametrize(
    "shape",
    [(0, 0, 0), (1, 0, 1), (1, 1, 0), (2, 1, 1), (1, 2, 1), (1, 1, 2), (9, 9, 9)],
)
def test_empty_mismatched_or_too_long_arrays_refused(gov, alice, shape):
    n_targets, n_values, n_calldatas = shape
    targets = [gov.target.address] * n_targets
    values = [0] * n_values
    calldatas = [bytes(gov.target.set_value.encode_input(1))] * n_calldatas
    if n_targets == 0:
        message = "governor: empty proposal"
    elif n_targets > 8:
        message = None  # beyond MAX_ACTIONS: the ABI decoder refuses the call
    else:
        message = "governor: invalid proposal length"
    with ape.reverts(message):
        gov.governor.propose(targets, values, calldatas, "malformed", sender=alice)


def test_one_live_proposal_per_proposer(gov, chain, alice):
    first = propose(gov, set_value(gov, 1), alice)
    with ape.reverts("governor: proposer has a live proposal"):
        gov.governor.propose(*set_value(gov, 2).propose_args(), sender=alice)
    activate(chain, gov, first)
    with ape.reverts("governor: proposer has a live proposal"):
        gov.governor.propose(*set_value(gov, 2).propose_args(), sender=alice)
    mine_to(chain, gov.governor.proposalDeadline(first))  # next block is past the deadline
    second = propose(gov, set_value(gov, 2), alice)
    assert gov.governor.latest_proposal_id(alice) == second
    gov.governor.cancel(*set_value(gov, 2).args(), sender=alice)
    propose(gov, set_value(gov, 3), alice)  # a canceled proposal is not live


# -- voting -------------------------------------------------------------------------------------
def test_vote_window_is_after_the_snapshot_until_the_deadline(gov, chain, alice, bob, carol):
    pid = propose(gov, set_value(gov, 1), alice)
    snapshot, deadline = gov.governor.proposalSnapshot(pid), gov.governor.proposalDeadline(pid)
    with ape.reverts("governor: vote not currently active"):
        gov.governor.castVote(pid, 1, sender=alice)
    mine_to(chain, snapshot - 1)  # the next transaction lands in the snapshot block: still pending
    with ape.reverts("governor: vote not currently active"):
        gov.governor.castVote(pid, 1, sender=alice)
    r = gov.governor.castVote(pid, 1, sender=alice)
    assert r.block_number == snapshot + 1
    mine_to(chain, deadline - 1)
    r = gov.governor.castVote(pid, 1, sender=bob)  # the deadline block is the last one
    assert r.block_number == deadline
    with ape.reverts("governor: vote not currently active"):
        gov.governor.castVote(pid, 1, sender=carol)
    assert gov.governor.proposalVotes(pid) == (0, 700 * ETHER, 0)


def test_vote_twice_invalid_support_zero_weight_unknown(gov, chain, alice, eve):
    pid = propose(gov, set_value(gov, 1), alice)
    activate(chain, gov, pid)
    with ape.reverts("governor: invalid vote type"):
        gov.governor.castVote(pid, 3, sender=alice)
    gov.governor.castVote(pid, 0, sender=alice)
    with ape.reverts("governor: vote already cast"):
        gov.governor.castVote(pid, 1, sender=alice)
    with ape.reverts("governor: vote already cast"):
        gov.governor.castVoteWithReason(pid, 0, "again", sender=alice)
    with ape.reverts("governor: no voting power at the snapshot"):
        gov.governor.castVote(pid, 1, sender=eve)
    with ape.reverts("governor: unknown proposal"):
        gov.governor.castVote(pid + 1, 1, sender=alice)
    with ape.reverts("governor: unknown proposal"):
        gov.governor.state(pid + 1)
    assert gov.governor.proposalVotes(pid) == (400 * ETHER, 0, 0)


def test_quorum_exactly_met_passes(gov, chain, alice, dave):
    pid = propose(gov, set_value(gov, 1), alice)
    activate(chain, gov, pid)
    gov.governor.castVote(pid, 1, sender=dave)  # 100 of 1,000 = the 10% quorum exactly
    end_vote(chain, gov, pid)
    assert gov.governor.proposal_quorum(pid) == 100 * ETHER
    assert gov.governor.state(pid) == SUCCEEDED


def test_quorum_one_short_fails(gov, chain, alice, dave, eve):
    gov.token.contract.transfer(eve, 1, sender=dave)  # before the snapshot
    pid = propose(gov, set_value(gov, 1), alice)
    activate(chain, gov, pid)
    gov.governor.castVote(pid, 1, sender=dave)
    end_vote(chain, gov, pid)
    assert gov.governor.proposalVotes(pid) == (0, 100 * ETHER - 1, 0)
    assert gov.governor.state(pid) == DEFEATED
    with ape.reverts("governor: proposal not successful"):
        gov.governor.queue(*set_value(gov, 1).args(), sender=alice)


def test_abstain_counts_toward_quorum_not_toward_passing(gov, chain, alice, carol, dave, eve):
    # dave gives 99 shares away: 1 for + 200 abstain reach the quorum and 1 > 0 passes.
    gov.token.contract.transfer(eve, 99 * ETHER, sender=dave)
    pid = propose(gov, set_value(gov, 1), alice)
    activate(chain, gov, pid)
    gov.governor.castVote(pid, 1, sender=dave)
    gov.governor.castVote(pid, 2, sender=carol)
    end_vote(chain, gov, pid)
    assert gov.governor.state(pid) == SUCCEEDED
    # Abstentions alone never pass.
    pid2 = propose(gov, set_value(gov, 2), carol)
    activate(chain, gov, pid2)
    gov.governor.castVote(pid2, 2, sender=carol)
    end_vote(chain, gov, pid2)
    assert gov.governor.state(pid2) == DEFEATED


def test_for_equal_against_fails(gov, chain, alice, bob, carol, dave):
    pid = propose(gov, set_value(gov, 1), alice)
    activate(chain, gov, pid)
    gov.governor.castVote(pid, 1, sender=bob)  # 300 for
    gov.governor.castVote(pid, 0, sender=carol)  # 200 against
    gov.governor.castVote(pid, 0, sender=dave)  # 300 against
    end_vote(chain, gov, pid)
    assert gov.governor.proposalVotes(pid) == (300 * ETHER, 300 * ETHER, 0)
    assert gov.governor.state(pid) == DEFEATED


def test_quorum_change_does_not_affect_existing_proposals(gov, chain, alice, bob, carol, dave):
    raise_quorum = Proposal.of([(gov.governor, "set_quorum_bps", (5_000,), 0)], "Quorum 50%.")
    queued(chain, gov, raise_quorum, alice, [alice, bob])
    active = propose(gov, set_value(gov, 1), carol)
    activate(chain, gov, active)
    pending = propose(gov, set_value(gov, 2), dave)  # its snapshot comes after the change
    chain.pending_timestamp += DELAY
    r = gov.governor.execute(*raise_quorum.args(), sender=alice)
    assert gov.governor.state(pending) == PENDING and gov.governor.proposalSnapshot(pending) >= r.block_number
    later = propose(gov, set_value(gov, 3), bob)

    for pid in (active, pending, later):
        activate(chain, gov, pid)
        gov.governor.castVote(pid, 1, sender=dave)  # 100 shares: 10%, not 50%
    for pid in (active, pending, later):
        end_vote(chain, gov, pid)
    assert gov.governor.proposal_quorum(active) == gov.governor.proposal_quorum(pending) == 100 * ETHER
    assert gov.governor.proposal_quorum(later) == 500 * ETHER
    assert [gov.governor.state(p) for p in (active, pending, later)] == [SUCCEEDED, SUCCEEDED, DEFEATED]
    # OpenZeppelin's quorum(timepoint) view follows the checkpoint.
    assert gov.governor.quorum(r.block_number - 1) == 100 * ETHER
    assert gov.governor.quorum(r.block_number) == 500 * ETHER


# -- flash loans --------------------------------------------------------------------------------
def test_shares_moved_in_after_the_snapshot_carry_no_weight(gov, chain, alice, bob, carol, eve):
    shares = gov.token.contract
    pid = propose(gov, set_value(gov, 1), alice)
    activate(chain, gov, pid)
    # A whale lends 300 shares to eve, who delegates and votes, then returns them.
    shares.transfer(eve, 300 * ETHER, sender=bob)
    delegate(shares, eve, eve)
    chain.mine(1)
    assert shares.getPastVotes(eve, chain.blocks.head.number - 1) == 300 * ETHER
    with ape.reverts("governor: no voting power at the snapshot"):
        gov.governor.castVote(pid, 0, sender=eve)
    shares.transfer(bob, 300 * ETHER, sender=eve)
    # Shares moved to an existing voter add nothing to its snapshot weight.
    shares.transfer(carol, 400 * ETHER, sender=alice)
    r = gov.governor.castVote(pid, 0, sender=carol)
    assert list(r.decode_logs(gov.governor.VoteCast))[0].weight == 200 * ETHER
    gov.governor.castVote(pid, 1, sender=alice)  # alice keeps her snapshot weight
    gov.governor.castVote(pid, 1, sender=bob)
    assert gov.governor.proposalVotes(pid) == (200 * ETHER, 700 * ETHER, 0)


def test_flash_loan_inside_the_snapshot_block_is_measured_at_its_end(
    gov, chain, project, deployer, alice, bob
):
    shares = gov.token.contract
    flash = double("FlashVoter").deploy(sender=deployer)
    shares.approve(flash, 2**256 - 1, sender=bob)
    pid = propose(gov, set_value(gov, 1), alice)
    snapshot = gov.governor.proposalSnapshot(pid)
    mine_to(chain, snapshot - 1)
    r = flash.flash(shares, bob, 300 * ETHER, ZERO, b"", sender=alice)  # acquire-delegate-return
    assert r.block_number == snapshot
    assert flash.votes_seen() == 300 * ETHER  # the borrower did hold the votes mid-transaction
    chain.mine(1)
    assert shares.getPastVotes(flash, snapshot) == 0
    assert shares.getPastVotes(bob, snapshot) == 300 * ETHER
    # During the vote, a flash loan cannot vote either.
    vote = gov.governor.castVote.encode_input(pid, 1)
    flash.flash(shares, bob, 300 * ETHER, gov.governor, vote, sender=alice)
    assert not flash.call_succeeded()
    assert error_string(flash.call_return()) == "governor: no voting power at the snapshot"
    assert gov.governor.proposalVotes(pid) == (0, 0, 0)
    # Nor can borrowed shares reach the proposal threshold (read at the previous block).
    other = gov.governor.propose.encode_input(*set_value(gov, 9).propose_args())
    flash.flash(shares, bob, 300 * ETHER, gov.governor, other, sender=alice)
    assert error_string(flash.call_return()) == "governor: proposer votes below threshold"


# -- queue, execute, cancel ---------------------------------------------------------------------
def test_queue_before_success_refused(gov, chain, alice, bob):
    proposal = set_value(gov, 1)
    pid = propose(gov, proposal, alice)
    with ape.reverts("governor: proposal not successful"):  # pending
        gov.governor.queue(*proposal.args(), sender=alice)
    activate(chain, gov, pid)
    gov.governor.castVote(pid, 1, sender=alice)
    with ape.reverts("governor: proposal not successful"):  # active, even if already winning
        gov.governor.queue(*proposal.args(), sender=alice)
    with ape.reverts("governor: proposal not queued"):
        gov.governor.execute(*proposal.args(), sender=alice)
    end_vote(chain, gov, pid)
    with ape.reverts("governor: proposal not queued"):  # succeeded but not queued
        gov.governor.execute(*proposal.args(), sender=alice)
    gov.governor.queue(*proposal.args(), sender=bob)
    with ape.reverts("governor: proposal not successful"):  # queued already
        gov.governor.queue(*proposal.args(), sender=bob)


def test_execute_before_eta_after_expiry_and_twice(gov, chain, alice, bob):
    early = set_value(gov, 1)
    pid = queued(chain, gov, early, alice, [alice])
    eta = gov.governor.proposalEta(pid)
    with ape.reverts("governor: timelock not ready"):
        gov.governor.execute(*early.args(), sender=alice)
    chain.pending_timestamp = eta - 1
    with ape.reverts("governor: timelock not ready"):
        gov.governor.execute(*early.args(), sender=alice)
    chain.pending_timestamp = eta
    gov.governor.execute(*early.args(), sender=alice)
    with ape.reverts("governor: proposal not queued"):
        gov.governor.execute(*early.args(), sender=alice)
    assert gov.target.parameter() == 1

    late = set_value(gov, 2)
    pid = queued(chain, gov, late, bob, [bob])
    eta = gov.governor.proposalEta(pid)
    chain.pending_timestamp = eta + GRACE + 1
    with ape.reverts("governor: proposal expired"):
        gov.governor.execute(*late.args(), sender=bob)
    chain.mine(1)
    assert gov.governor.state(pid) == EXPIRED
    assert gov.timelock.is_operation_expired(late.operation_ids()[0])
    assert gov.target.parameter() == 1


def test_last_second_of_the_grace_period_still_executes(gov, chain, alice):
    proposal = set_value(gov, 3)
    pid = queued(chain, gov, proposal, alice, [alice])
    chain.pending_timestamp = gov.governor.proposalEta(pid) + GRACE
    gov.governor.execute(*proposal.args(), sender=alice)
    assert gov.target.parameter() == 3


def test_reverting_target_leaves_the_proposal_queued(gov, chain, deployer, alice, bob):
    reverting = double("RevertingTarget").deploy(sender=deployer)
    proposal = Proposal.of([(gov.target, "bump", (1,), 0), (reverting, "fail", (2,), 0)], "Bump, then fail.")
    pid = queued(chain, gov, proposal, alice, [alice, bob])
    chain.pending_timestamp += DELAY
    with ape.reverts("target: always reverts"):
        gov.governor.execute(*proposal.args(), sender=alice)
    assert gov.governor.state(pid) == QUEUED
    assert gov.target.calls(1) == 0  # the first action was rolled back too
    assert all(gov.timelock.is_operation_ready(op) for op in proposal.operation_ids())
    with ape.reverts("target: always reverts"):  # and stays retryable until it expires
        gov.governor.execute(*proposal.args(), sender=alice)


def test_reentering_target_sees_the_proposal_executed(gov, chain, deployer, alice, bob):
    reentering = double("ReenteringTarget").deploy(sender=deployer)
    proposal = Proposal.of(
        [(reentering, "reenter", (), 0), (gov.target, "bump", (5,), 0)], "Re-enter, then bump."
    )
    pid = proposal.id
    reentering.arm(gov.governor, pid, gov.governor.execute.encode_input(*proposal.args()), sender=deployer)
    queued(chain, gov, proposal, alice, [alice, bob])
    chain.pending_timestamp += DELAY
    gov.governor.execute(*proposal.args(), sender=alice)
    assert reentering.calls() == 1
    assert reentering.state_seen() == EXECUTED  # `executed` was set before the calls
    assert not reentering.reentry_succeeded()
    assert error_string(reentering.reentry_return()) == "governor: proposal not queued"
    assert gov.target.calls(5) == 1


def test_reentering_into_queue_or_cancel_is_refused(gov, chain, deployer, alice, bob):
    reentering = double("ReenteringTarget").deploy(sender=deployer)
    proposal = Proposal.of([(reentering, "reenter", (), 0)], "Re-enter queue.")
    reentering.arm(
        gov.governor, proposal.id, gov.governor.queue.encode_input(*proposal.args()), sender=deployer
    )
    queued(chain, gov, proposal, alice, [alice, bob])
    chain.pending_timestamp += DELAY
    gov.governor.execute(*proposal.args(), sender=alice)
    assert error_string(reentering.reentry_return()) == "governor: proposal not successful"


def test_cancel_only_by_the_proposer_while_pending(gov, chain, alice, bob):
    proposal = set_value(gov, 1)
    pid = propose(gov, proposal, alice)
    with ape.reverts("governor: only the proposer or the guardian may cancel"):
        gov.governor.cancel(*proposal.args(), sender=bob)
    r = gov.governor.cancel(*proposal.args(), sender=alice)
    assert len(list(r.decode_logs(gov.governor.ProposalCanceled))) == 1
    assert gov.governor.state(pid) == CANCELED
    activate(chain, gov, pid)
    assert gov.governor.state(pid) == CANCELED
    with ape.reverts("governor: vote not currently active"):
        gov.governor.castVote(pid, 1, sender=alice)
    with ape.reverts("governor: too late to cancel"):
        gov.governor.cancel(*proposal.args(), sender=alice)
    end_vote(chain, gov, pid)
    with ape.reverts("governor: proposal not successful"):
        gov.governor.queue(*proposal.args(), sender=alice)

    other = set_value(gov, 2)
    pid2 = propose(gov, other, bob)
    activate(chain, gov, pid2)
    with ape.reverts("governor: too late to cancel"):
        gov.governor.cancel(*other.args(), sender=bob)
    with ape.reverts("governor: unknown proposal"):
        gov.governor.cancel(*set_value(gov, 99).args(), sender=bob)


# -- timelock -----------------------------------------------------------------------------------
def test_governor_is_the_only_proposer_canceller_and_executor(gov, accounts, deployer, alice):
    tl = gov.timelock
    for role in (PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE):
        assert tl.hasRole(role, gov.governor)
        assert not tl.hasRole(role, ZERO)  # no open role
        for account in list(accounts)[:10]:
            assert not tl.hasRole(role, account)
    assert tl.hasRole(DEFAULT_ADMIN_ROLE, tl) and not tl.hasRole(DEFAULT_ADMIN_ROLE, deployer)
    assert not tl.hasRole(DEFAULT_ADMIN_ROLE, gov.governor)
    data = bytes(gov.target.set_value.encode_input(7))
    salt, none = b"\x01" * 32, b"\x00" * 32
    with ape.reverts("access_control: account is missing role"):
        tl.schedule(gov.target, 0, data, none, salt, DELAY, sender=alice)
    with ape.reverts("access_control: account is missing role"):
        tl.cancel(salt, sender=alice)
    with ape.reverts("access_control: account is missing role"):
        tl.execute(gov.target, 0, data, none, salt, sender=alice)
    with ape.reverts("access_control: account is missing role"):
        tl.grantRole(PROPOSER_ROLE, alice, sender=deployer)
    # The batch entry points (no expiry) are not exposed.
    names = {abi.name for abi in tl.contract_type.abi if getattr(abi, "name", None)}
    assert "execute" in names and "schedule" in names
    assert "execute_batch" not in names and "schedule_batch" not in names


def test_queued_operation_cannot_be_run_or_canceled_outside_the_governor(gov, chain, alice, bob):
    proposal = set_value(gov, 11)
    queued(chain, gov, proposal, alice, [alice, bob])
    chain.pending_timestamp += DELAY
    (op,) = proposal.operation_ids()
    with ape.reverts("access_control: account is missing role"):
        gov.timelock.execute(
            gov.target, 0, proposal.calldatas[0], b"\x00" * 32, proposal.id.to_bytes(32, "big"), sender=bob
        )
    with ape.reverts("access_control: account is missing role"):
        gov.timelock.cancel(op, sender=bob)
    gov.governor.execute(*proposal.args(), sender=bob)
    assert gov.target.parameter() == 11


def test_delay_changes_only_through_the_timelock_itself(gov, chain, alice, bob):
    with ape.reverts("timelock_controller: caller must be timelock"):
        gov.timelock.update_delay(1, sender=alice)
    proposal = Proposal.of([(gov.timelock, "update_delay", (3_600,), 0)], "Delay one hour.")
    queued(chain, gov, proposal, alice, [alice, bob])
    chain.pending_timestamp += DELAY
    gov.governor.execute(*proposal.args(), sender=alice)
    assert gov.timelock.get_minimum_delay() == 3_600
    # The next proposal is queued with the new delay.
    nxt = set_value(gov, 4)
    pid = passed(chain, gov, nxt, bob, [alice, bob])
    r = gov.governor.queue(*nxt.args(), sender=bob)
    assert gov.governor.proposalEta(pid) == chain.blocks[r.block_number].timestamp + 3_600


def test_timelock_refuses_expired_operations(project, deployer, alice, chain):
    """The Timelock's own expiry, independent of the Governor (alice as proposer and executor)."""
    tl = project.Timelock.deploy(DELAY, [alice], [alice], ZERO, sender=deployer)
    assert tl.GRACE_PERIOD() == GRACE
    target = double("GovTarget").deploy(tl, sender=deployer)
    none = b"\x00" * 32
    ops = []
    for i, value in enumerate((1, 2)):
        data = bytes(target.set_value.encode_input(value))
        salt = bytes([i + 1]) * 32
        r = tl.schedule(target, 0, data, none, salt, DELAY, sender=alice)
        ops.append((data, salt, chain.blocks[r.block_number].timestamp + DELAY))
    data, salt, ready = ops[0]
    with ape.reverts("timelock_controller: operation is not ready"):
        tl.execute(target, 0, data, none, salt, sender=alice)
    chain.pending_timestamp = ready + GRACE
    tl.execute(target, 0, data, none, salt, sender=alice)  # last second of the grace period
    assert target.parameter() == 1
    data, salt, ready = ops[1]
    chain.pending_timestamp = ready + GRACE + 1
    with ape.reverts("timelock: operation expired"):
        tl.execute(target, 0, data, none, salt, sender=alice)
    assert target.parameter() == 1


# -- bootstrap guardian -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def guardian(accounts):
    return accounts[6]


@pytest.fixture(scope="module")
def guarded(project, deployer, minter, members, guardian, chain):
    """The same DAO with a guardian source (a double for the EpochSettlement's views)."""
    token = deploy_votes_token(project, deployer, minter)
    source = double("GuardianSourceDouble").deploy(guardian, sender=deployer)
    g = deploy_governance(project, deployer, token, delay=DELAY, guardian_source=source)
    g.source = source
    for name, amount in (("alice", 400), ("bob", 300), ("carol", 200), ("dave", 100)):
        token.mint(members[name], amount * ETHER)
    chain.mine(1)
    return g


def test_guardian_cancels_pending_active_succeeded_and_queued_proposals(
    guarded, chain, alice, bob, carol, dave, guardian
):
    g = guarded.governor
    assert g.guardian() == guardian.address and g.guardian_source() == guarded.source.address
    pending = set_value(guarded, 1)
    pid = propose(guarded, pending, alice)
    r = g.cancel(*pending.args(), sender=guardian)
    assert [e.proposalId for e in r.decode_logs(g.ProposalCanceled)] == [pid]
    assert g.state(pid) == CANCELED

    active = set_value(guarded, 2)
    pid = propose(guarded, active, bob)
    activate(chain, guarded, pid)
    g.castVote(pid, 1, sender=bob)
    g.cancel(*active.args(), sender=guardian)
    assert g.state(pid) == CANCELED

    succeeded = set_value(guarded, 3)
    pid = passed(chain, guarded, succeeded, carol, [alice])
    g.cancel(*succeeded.args(), sender=guardian)
    assert g.state(pid) == CANCELED
    with ape.reverts("governor: proposal not successful"):
        g.queue(*succeeded.args(), sender=carol)

    queued_one = set_value(guarded, 4)
    pid = queued(chain, guarded, queued_one, dave, [alice])
    (op,) = queued_one.operation_ids()
    assert guarded.timelock.is_operation_pending(op)
    g.cancel(*queued_one.args(), sender=guardian)
    assert g.state(pid) == CANCELED
    assert not guarded.timelock.is_operation(op)  # the timelock operation is cancelled too
    chain.pending_timestamp += DELAY
    with ape.reverts("governor: proposal not queued"):
        g.execute(*queued_one.args(), sender=dave)
    assert guarded.target.parameter() == 0


def test_guardian_cannot_cancel_closed_proposals(guarded, chain, alice, bob, guardian):
    g = guarded.governor
    done = set_value(guarded, 5)
    queued(chain, guarded, done, alice, [alice])
    chain.pending_timestamp += DELAY
    g.execute(*done.args(), sender=alice)
    with ape.reverts("governor: proposal already closed"):  # executed
        g.cancel(*done.args(), sender=guardian)
    lost = set_value(guarded, 6)
    pid = propose(guarded, lost, bob)
    end_vote(chain, guarded, pid)
    assert g.state(pid) == DEFEATED
    with ape.reverts("governor: proposal already closed"):
        g.cancel(*lost.args(), sender=guardian)
    late = set_value(guarded, 8)
    pid = queued(chain, guarded, late, bob, [alice])
    chain.pending_timestamp = g.proposalEta(pid) + GRACE + 1
    chain.mine(1)
    assert g.state(pid) == EXPIRED
    with ape.reverts("governor: proposal already closed"):
        g.cancel(*late.args(), sender=guardian)


def test_guardian_can_do_nothing_else(guarded, chain, alice, guardian):
    g = guarded.governor
    proposal = set_value(guarded, 9)
    pid = propose(guarded, proposal, alice)
    activate(chain, guarded, pid)
    with ape.reverts("governor: no voting power at the snapshot"):
        g.castVote(pid, 1, sender=guardian)
    with ape.reverts("governor: proposal not successful"):
        g.queue(*proposal.args(), sender=guardian)
    with ape.reverts("governor: proposal not queued"):
        g.execute(*proposal.args(), sender=guardian)
    for setter in ("set_voting_delay", "set_voting_period", "set_proposal_threshold", "set_quorum_bps"):
        with ape.reverts("governor: caller is not the timelock"):
            getattr(g, setter)(5, sender=guardian)
    with ape.reverts("governor: caller is not the timelock"):
        g.remove_guardian(sender=guardian)
    with ape.reverts("governor: proposer votes below threshold"):
        g.propose(*set_value(guarded, 10).propose_args(), sender=guardian)


def test_guardian_period_over_or_removed_by_governance(guarded, chain, alice, bob, guardian):
    g = guarded.governor
    guarded.source.set_active(False, sender=bob)  # the settlement says the bootstrap period ended
    assert g.guardian() == ZERO
    proposal = set_value(guarded, 11)
    propose(guarded, proposal, alice)
    with ape.reverts("governor: only the proposer or the guardian may cancel"):
        g.cancel(*proposal.args(), sender=guardian)
    guarded.source.set_active(True, sender=bob)

    # Governance removes the guardian for good: a proposal calling remove_guardian().
    removal = Proposal.of([(g, "remove_guardian", (), 0)], "Remove the bootstrap guardian.")
    pid = queued(chain, guarded, removal, bob, [alice, bob])
    chain.pending_timestamp += DELAY
    r = g.execute(*removal.args(), sender=bob)
    assert [e.guardian_source for e in r.decode_logs(g.GuardianRemoved)] == [guarded.source.address]
    assert g.state(pid) == EXECUTED
    assert g.guardian_source() == ZERO and g.guardian() == ZERO
    other = set_value(guarded, 12)
    mine_to(chain, g.proposalDeadline(g.latest_proposal_id(alice)))  # alice's earlier one is closed
    propose(guarded, other, alice)
    with ape.reverts("governor: only the proposer or the guardian may cancel"):
        g.cancel(*other.args(), sender=guardian)


def test_guardian_cannot_cancel_its_own_removal(guarded, chain, alice, bob, carol, dave, guardian):
    """Stranger finding 1: a proposal made only of real removals (`remove_guardian()` to the Governor
    or to the guardian source, the settlement) is out of the guardian's reach in every state; the
    proposer's own cancel is unchanged."""
    g = guarded.governor
    removal = Proposal.of([(g, "remove_guardian", (), 0)], "Remove the bootstrap guardian.")
    pid = propose(guarded, removal, alice)
    with ape.reverts("governor: the guardian cannot cancel its own removal"):
        g.cancel(*removal.args(), sender=guardian)  # pending
    assert g.state(pid) == PENDING

    # Both removals at once (the settlement's and the Governor's), queued: protected, and it runs.
    both = Proposal.of(
        [(guarded.source, "remove_guardian", (), 0), (g, "remove_guardian", (), 0)], "Remove it everywhere."
    )
    bid = queued(chain, guarded, both, bob, [alice, bob])
    with ape.reverts("governor: the guardian cannot cancel its own removal"):
        g.cancel(*both.args(), sender=guardian)
    assert g.state(bid) == QUEUED
    chain.pending_timestamp += DELAY
    g.execute(*both.args(), sender=bob)
    assert g.guardian() == ZERO and guarded.source.guardian() == ZERO

    # The proposer still withdraws its own pending removal proposal.
    again = Proposal.of([(g, "remove_guardian", (), 0)], "Remove it, take two.")
    aid = propose(guarded, again, dave)
    g.cancel(*again.args(), sender=dave)
    assert g.state(aid) == CANCELED


def test_a_removal_bundled_with_other_calls_is_not_shielded(guarded, chain, alice, bob, guardian):
    """Stranger review 2: a real removal next to another action does not protect that action (else
    any malicious proposal could carry one); the guardian may cancel it, and governance proposes the
    removal alone."""
    g = guarded.governor
    mixed = Proposal.of(
        [(guarded.target, "set_value", (7,), 0), (g, "remove_guardian", (), 0)], "Set 7 and remove."
    )
    mid = queued(chain, guarded, mixed, bob, [alice, bob])
    g.cancel(*mixed.args(), sender=guardian)
    assert g.state(mid) == CANCELED
    assert g.guardian() == guardian.address and guarded.target.parameter() != 7


@pytest.mark.parametrize("case", ["other_target", "with_value", "extra_bytes"])
def test_a_look_alike_removal_does_not_shield_a_proposal(guarded, carol, dave, guardian, case):
    """Stranger review 2: only the exact calldata `remove_guardian()`, with no value, to the Governor
    or the guardian source counts; the selector sent elsewhere (it removes nothing), with value (the
    call would revert) or followed by more bytes is no removal."""
    g = guarded.governor
    selector = keccak(text="remove_guardian()")[:4]
    target, value, data = {
        "other_target": (dave.address, 0, selector),  # an EOA: the call succeeds and does nothing
        "with_value": (g.address, 1, selector),
        "extra_bytes": (g.address, 0, selector + b"\x00" * 32),
    }[case]
    look_alike = Proposal([target], [value], [data], f"Not a removal ({case}).")
    pid = propose(guarded, look_alike, carol)
    g.cancel(*look_alike.args(), sender=guardian)
    assert g.state(pid) == CANCELED


def test_guardian_still_cancels_proposals_that_do_not_remove_it(guarded, carol, guardian):
    """The selector check looks at each call's first four bytes only; a call shorter than four
    bytes (here empty calldata, a plain ETH transfer) is no removal."""
    g = guarded.governor
    plain = Proposal([guarded.target.address], [0], [b""], "Call with no data.")
    pid = propose(guarded, plain, carol)
    g.cancel(*plain.args(), sender=guardian)
    assert g.state(pid) == CANCELED


def test_proposer_may_cancel_only_while_pending_even_with_a_guardian(guarded, chain, alice):
    proposal = set_value(guarded, 13)
    pid = propose(guarded, proposal, alice)
    activate(chain, guarded, pid)
    with ape.reverts("governor: too late to cancel"):
        guarded.governor.cancel(*proposal.args(), sender=alice)


def test_no_guardian_source_means_no_guardian(gov):
    assert gov.governor.guardian_source() == ZERO and gov.governor.guardian() == ZERO


def test_a_source_without_the_views_names_no_guardian(project, deployer, minter, chain, alice, bob):
    """Before the settlement exposes guardian()/guardian_active() (or if it stops answering)."""
    token = deploy_votes_token(project, deployer, minter)
    g = deploy_governance(project, deployer, token, delay=DELAY, guardian_source=token.contract)
    token.mint(alice, 100 * ETHER)
    chain.mine(1)
    assert g.governor.guardian() == ZERO
    proposal = set_value(g, 1)
    propose(g, proposal, alice)
    with ape.reverts("governor: only the proposer or the guardian may cancel"):
        g.governor.cancel(*proposal.args(), sender=bob)

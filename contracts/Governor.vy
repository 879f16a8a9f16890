# pragma version 0.4.3
"""
@title Metamodel DAO Governor
@custom:contract-name Governor
@license GNU Affero General Public License v3.0 only
@notice Share holders propose, vote and execute through the Timelock, with
        OpenZeppelin Governor semantics: the proposal id is the hash of the
        actions and the description hash; voting power is the delegated votes
        at the proposal's snapshot block, so shares bought, borrowed or moved
        after the snapshot carry no weight; against/for/abstain, with for and
        abstain counting toward the quorum and for > against to pass.
@dev Each action is scheduled as its own timelock operation (chained by
     predecessor, salted with the proposal id): snekmate's batch functions
     reserve memory for 255 payloads and cost ~1.6M gas even for one action.
     The quorum fraction is recorded in each proposal when it is created, so a
     change never affects open proposals. A queued proposal expires
     `GRACE_PERIOD` seconds after its eta. One live proposal per proposer.
"""


interface IVotes:
    def getPastVotes(account: address, timepoint: uint256) -> uint256: view
    def getPastTotalSupply(timepoint: uint256) -> uint256: view


interface ITimelock:
    def schedule(target: address, amount: uint256, payload: Bytes[1_024], predecessor: bytes32, salt: bytes32, delay: uint256): nonpayable
    def execute(target: address, amount: uint256, payload: Bytes[1_024], predecessor: bytes32, salt: bytes32): payable
    def hash_operation(target: address, amount: uint256, payload: Bytes[1_024], predecessor: bytes32, salt: bytes32) -> bytes32: view
    def get_minimum_delay() -> uint256: view


MAX_ACTIONS: constant(uint256) = 8
GRACE_PERIOD: public(constant(uint256)) = 14 * 86_400
_BPS: constant(uint256) = 10_000

# ProposalState, in OpenZeppelin's order.
PENDING: constant(uint8) = 0
ACTIVE: constant(uint8) = 1
CANCELED: constant(uint8) = 2
DEFEATED: constant(uint8) = 3
SUCCEEDED: constant(uint8) = 4
QUEUED: constant(uint8) = 5
EXPIRED: constant(uint8) = 6
EXECUTED: constant(uint8) = 7


struct Proposal:
    proposer: address
    snapshot: uint256
    deadline: uint256
    eta: uint256
    quorum_bps: uint256
    executed: bool
    canceled: bool
    against_votes: uint256
    for_votes: uint256
    abstain_votes: uint256


event ProposalCreated:
    proposal_id: uint256
    proposer: address
    targets: DynArray[address, MAX_ACTIONS]
    values: DynArray[uint256, MAX_ACTIONS]
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS]
    vote_start: uint256
    vote_end: uint256
    description: String[4_096]


event VoteCast:
    voter: indexed(address)
    proposal_id: uint256
    support: uint8
    weight: uint256
    reason: String[1_024]


event ProposalQueued:
    proposal_id: uint256
    eta: uint256


event ProposalExecuted:
    proposal_id: uint256


event ProposalCanceled:
    proposal_id: uint256


event ParameterChanged:
    name: String[32]
    old_value: uint256
    new_value: uint256


token: public(immutable(address))
timelock: public(immutable(address))
name: public(String[32])
voting_delay: public(uint256)
voting_period: public(uint256)
proposal_threshold: public(uint256)
quorum_bps: public(uint256)
proposals: public(HashMap[uint256, Proposal])
hasVoted: public(HashMap[uint256, HashMap[address, bool]])
latest_proposal_id: public(HashMap[address, uint256])


@deploy
def __init__(
    token_: address,
    timelock_: address,
    voting_delay_: uint256,
    voting_period_: uint256,
    proposal_threshold_: uint256,
    quorum_bps_: uint256,
    name_: String[32],
):
    """
    @param token_ The votes token (ShareToken).
    @param timelock_ The Timelock that executes passed proposals.
    @param voting_delay_ Blocks between proposing and the snapshot.
    @param voting_period_ Blocks the vote stays open.
    @param proposal_threshold_ Votes needed to propose.
    @param quorum_bps_ Quorum as basis points of the supply at the snapshot.
    @param name_ The governor's name.
    """
    assert voting_period_ > 0, "governor: zero voting period"
    assert quorum_bps_ > 0 and quorum_bps_ <= _BPS, "governor: quorum out of range"
    token = token_
    timelock = timelock_
    self.voting_delay = voting_delay_
    self.voting_period = voting_period_
    self.proposal_threshold = proposal_threshold_
    self.quorum_bps = quorum_bps_
    self.name = name_


@external
@view
def clock() -> uint256:
    """
    @notice The governor's clock: block numbers, like the token's.
    @return uint256 The current block number.
    """
    return block.number


@external
@pure
def hashProposal(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    description_hash: bytes32,
) -> uint256:
    """
    @notice The id of a proposal: keccak256 of its actions and description hash.
    @param targets The called contracts.
    @param values The ETH sent with each call.
    @param calldatas The encoded calls.
    @param description_hash keccak256 of the description.
    @return uint256 The proposal id.
    """
    return self._hash(targets, values, calldatas, description_hash)


@external
def propose(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    description: String[4_096],
) -> uint256:
    """
    @notice Creates a proposal; its snapshot is `voting_delay` blocks from now.
    @param targets The called contracts.
    @param values The ETH sent with each call.
    @param calldatas The encoded calls.
    @param description The human-readable description (its hash is part of the id).
    @return uint256 The proposal id.
    """
    assert len(targets) != 0, "governor: empty proposal"
    assert len(targets) == len(values) and len(targets) == len(calldatas), "governor: invalid proposal length"
    assert block.number > 0, "governor: no past block"
    votes: uint256 = staticcall IVotes(token).getPastVotes(msg.sender, block.number - 1)
    assert votes >= self.proposal_threshold, "governor: proposer votes below threshold"
    latest: uint256 = self.latest_proposal_id[msg.sender]
    if latest != 0:
        state: uint8 = self._state(latest)
        assert state != PENDING and state != ACTIVE, "governor: proposer has a live proposal"
    id: uint256 = self._hash(targets, values, calldatas, keccak256(description))
    assert self.proposals[id].snapshot == 0, "governor: proposal already exists"
    snapshot: uint256 = block.number + self.voting_delay
    deadline: uint256 = snapshot + self.voting_period
    self.proposals[id] = Proposal(
        proposer=msg.sender,
        snapshot=snapshot,
        deadline=deadline,
        eta=0,
        quorum_bps=self.quorum_bps,
        executed=False,
        canceled=False,
        against_votes=0,
        for_votes=0,
        abstain_votes=0,
    )
    self.latest_proposal_id[msg.sender] = id
    log ProposalCreated(
        proposal_id=id,
        proposer=msg.sender,
        targets=targets,
        values=values,
        calldatas=calldatas,
        vote_start=snapshot,
        vote_end=deadline,
        description=description,
    )
    return id


@external
def castVote(proposal_id: uint256, support: uint8) -> uint256:
    """
    @notice Votes against (0), for (1) or abstain (2) with the votes held at the snapshot.
    @param proposal_id The proposal.
    @param support 0, 1 or 2.
    @return uint256 The weight counted.
    """
    return self._cast(proposal_id, msg.sender, support, "")


@external
def castVoteWithReason(proposal_id: uint256, support: uint8, reason: String[1_024]) -> uint256:
    """
    @notice Votes like `castVote`, with a reason recorded in the event.
    @param proposal_id The proposal.
    @param support 0, 1 or 2.
    @param reason Free text.
    @return uint256 The weight counted.
    """
    return self._cast(proposal_id, msg.sender, support, reason)


@external
def queue(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    description_hash: bytes32,
) -> uint256:
    """
    @notice Schedules a succeeded proposal in the Timelock, one operation per action.
    @param targets The called contracts.
    @param values The ETH sent with each call.
    @param calldatas The encoded calls.
    @param description_hash keccak256 of the description.
    @return uint256 The proposal id.
    """
    id: uint256 = self._hash(targets, values, calldatas, description_hash)
    assert self._state(id) == SUCCEEDED, "governor: proposal not successful"
    delay: uint256 = staticcall ITimelock(timelock).get_minimum_delay()
    predecessor: bytes32 = empty(bytes32)
    for i: uint256 in range(MAX_ACTIONS):
        if i >= len(targets):
            break
        salt: bytes32 = keccak256(abi_encode(id, i))
        extcall ITimelock(timelock).schedule(targets[i], values[i], calldatas[i], predecessor, salt, delay)
        predecessor = staticcall ITimelock(timelock).hash_operation(targets[i], values[i], calldatas[i], predecessor, salt)
    eta: uint256 = block.timestamp + delay
    self.proposals[id].eta = eta
    log ProposalQueued(proposal_id=id, eta=eta)
    return id


@external
@payable
def execute(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    description_hash: bytes32,
) -> uint256:
    """
    @notice Executes a queued proposal through the Timelock once its delay has passed.
    @param targets The called contracts.
    @param values The ETH sent with each call.
    @param calldatas The encoded calls.
    @param description_hash keccak256 of the description.
    @return uint256 The proposal id.
    """
    id: uint256 = self._hash(targets, values, calldatas, description_hash)
    state: uint8 = self._state(id)
    assert state != EXPIRED, "governor: proposal expired"
    assert state == QUEUED, "governor: proposal not queued"
    assert block.timestamp >= self.proposals[id].eta, "governor: timelock not ready"
    self.proposals[id].executed = True
    log ProposalExecuted(proposal_id=id)
    predecessor: bytes32 = empty(bytes32)
    for i: uint256 in range(MAX_ACTIONS):
        if i >= len(targets):
            break
        salt: bytes32 = keccak256(abi_encode(id, i))
        extcall ITimelock(timelock).execute(targets[i], values[i], calldatas[i], predecessor, salt, value=values[i])
        predecessor = staticcall ITimelock(timelock).hash_operation(targets[i], values[i], calldatas[i], predecessor, salt)
    return id


@external
def cancel(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    description_hash: bytes32,
) -> uint256:
    """
    @notice Cancels a proposal; only its proposer, and only while it is pending.
    @param targets The called contracts.
    @param values The ETH sent with each call.
    @param calldatas The encoded calls.
    @param description_hash keccak256 of the description.
    @return uint256 The proposal id.
    """
    id: uint256 = self._hash(targets, values, calldatas, description_hash)
    assert self.proposals[id].proposer == msg.sender, "governor: only the proposer may cancel"
    assert self._state(id) == PENDING, "governor: too late to cancel"
    self.proposals[id].canceled = True
    log ProposalCanceled(proposal_id=id)
    return id


@external
@view
def state(proposal_id: uint256) -> uint8:
    """
    @notice The proposal's state (OpenZeppelin's ProposalState order).
    @param proposal_id The proposal.
    @return uint8 Pending 0, Active 1, Canceled 2, Defeated 3, Succeeded 4, Queued 5, Expired 6, Executed 7.
    """
    return self._state(proposal_id)


@external
@view
def proposalVotes(proposal_id: uint256) -> (uint256, uint256, uint256):
    """
    @notice The tally.
    @param proposal_id The proposal.
    @return uint256 Votes against.
    @return uint256 Votes for.
    @return uint256 Abstentions.
    """
    p: Proposal = self.proposals[proposal_id]
    return p.against_votes, p.for_votes, p.abstain_votes


@external
@view
def proposalSnapshot(proposal_id: uint256) -> uint256:
    """
    @notice The block whose votes count.
    @param proposal_id The proposal.
    @return uint256 The snapshot block.
    """
    return self.proposals[proposal_id].snapshot


@external
@view
def proposalDeadline(proposal_id: uint256) -> uint256:
    """
    @notice The last block of the vote.
    @param proposal_id The proposal.
    @return uint256 The deadline block.
    """
    return self.proposals[proposal_id].deadline


@external
@view
def proposalEta(proposal_id: uint256) -> uint256:
    """
    @notice When a queued proposal may execute (0 if not queued).
    @param proposal_id The proposal.
    @return uint256 The timestamp.
    """
    return self.proposals[proposal_id].eta


@external
@view
def proposalProposer(proposal_id: uint256) -> address:
    """
    @notice Who proposed it.
    @param proposal_id The proposal.
    @return address The proposer.
    """
    return self.proposals[proposal_id].proposer


@external
@view
def quorum(timepoint: uint256) -> uint256:
    """
    @notice The quorum at `timepoint` with the current quorum fraction.
    @param timepoint A past block.
    @return uint256 Votes needed (for + abstain).
    """
    return staticcall IVotes(token).getPastTotalSupply(timepoint) * self.quorum_bps // _BPS


@external
@view
def proposal_quorum(proposal_id: uint256) -> uint256:
    """
    @notice The quorum of a proposal (its own recorded fraction of the supply at its snapshot).
    @param proposal_id The proposal (its snapshot must be past).
    @return uint256 Votes needed (for + abstain).
    """
    return self._quorum_of(proposal_id)


@external
def set_voting_delay(new_value: uint256):
    """
    @notice Sets the voting delay in blocks (Timelock only).
    @param new_value Blocks.
    """
    self._only_timelock()
    log ParameterChanged(name="voting_delay", old_value=self.voting_delay, new_value=new_value)
    self.voting_delay = new_value


@external
def set_voting_period(new_value: uint256):
    """
    @notice Sets the voting period in blocks (Timelock only).
    @param new_value Blocks.
    """
    self._only_timelock()
    assert new_value > 0, "governor: zero voting period"
    log ParameterChanged(name="voting_period", old_value=self.voting_period, new_value=new_value)
    self.voting_period = new_value


@external
def set_proposal_threshold(new_value: uint256):
    """
    @notice Sets the proposal threshold (Timelock only).
    @param new_value Votes.
    """
    self._only_timelock()
    log ParameterChanged(name="proposal_threshold", old_value=self.proposal_threshold, new_value=new_value)
    self.proposal_threshold = new_value


@external
def set_quorum_bps(new_value: uint256):
    """
    @notice Sets the quorum fraction for proposals created from now on (Timelock only).
    @param new_value Basis points of the supply.
    """
    self._only_timelock()
    assert new_value > 0 and new_value <= _BPS, "governor: quorum out of range"
    log ParameterChanged(name="quorum_bps", old_value=self.quorum_bps, new_value=new_value)
    self.quorum_bps = new_value


@internal
@view
def _only_timelock():
    assert msg.sender == timelock, "governor: caller is not the timelock"


@internal
@pure
def _hash(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    description_hash: bytes32,
) -> uint256:
    return convert(keccak256(abi_encode(targets, values, calldatas, description_hash)), uint256)


@internal
@view
def _quorum_of(proposal_id: uint256) -> uint256:
    p: Proposal = self.proposals[proposal_id]
    return staticcall IVotes(token).getPastTotalSupply(p.snapshot) * p.quorum_bps // _BPS


@internal
@view
def _state(proposal_id: uint256) -> uint8:
    p: Proposal = self.proposals[proposal_id]
    assert p.snapshot != 0, "governor: unknown proposal"
    if p.executed:
        return EXECUTED
    if p.canceled:
        return CANCELED
    if block.number <= p.snapshot:
        return PENDING
    if block.number <= p.deadline:
        return ACTIVE
    if p.for_votes + p.abstain_votes < self._quorum_of(proposal_id) or p.for_votes <= p.against_votes:
        return DEFEATED
    if p.eta == 0:
        return SUCCEEDED
    if block.timestamp > p.eta + GRACE_PERIOD:
        return EXPIRED
    return QUEUED


@internal
def _cast(proposal_id: uint256, voter: address, support: uint8, reason: String[1_024]) -> uint256:
    assert self._state(proposal_id) == ACTIVE, "governor: vote not currently active"
    assert support <= 2, "governor: invalid vote type"
    assert not self.hasVoted[proposal_id][voter], "governor: vote already cast"
    weight: uint256 = staticcall IVotes(token).getPastVotes(voter, self.proposals[proposal_id].snapshot)
    assert weight != 0, "governor: no voting power at the snapshot"
    self.hasVoted[proposal_id][voter] = True
    if support == 0:
        self.proposals[proposal_id].against_votes += weight
    elif support == 1:
        self.proposals[proposal_id].for_votes += weight
    else:
        self.proposals[proposal_id].abstain_votes += weight
    log VoteCast(voter=voter, proposal_id=proposal_id, support=support, weight=weight, reason=reason)
    return weight

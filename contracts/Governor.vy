# pragma version 0.4.3
"""
@title Metamodel DAO Governor
@custom:contract-name Governor
@license GNU Affero General Public License v3.0 only
@notice Share holders propose, vote and execute through the Timelock, with
        OpenZeppelin Governor semantics: the proposal id is the hash of the
        actions and the description hash, and a description ending in
        `#proposer=0x…` binds the proposal to that proposer; voting power is the delegated votes
        at the proposal's snapshot block, so shares bought, borrowed or moved
        after the snapshot carry no weight; against/for/abstain, with for and
        abstain counting toward the quorum and for > against to pass.
@dev Each action is scheduled as its own timelock operation (chained by
     predecessor, salted with the proposal id): snekmate's batch functions
     reserve memory for 255 payloads and cost ~1.6M gas even for one action.
     The quorum fraction is checkpointed; a proposal uses the fraction in
     force in the block before it was created, so a change never affects a
     proposal that already exists (pending or active). A queued proposal
     expires `GRACE_PERIOD` seconds after its eta (the Timelock enforces the
     same expiry on its operations). One live (pending or active) proposal
     per proposer.
     Bootstrap guardian: the account `guardian_source` (the EpochSettlement)
     names may cancel any proposal not yet closed (pending, active,
     succeeded or queued; a queued one's timelock operations are cancelled
     too) while the source says its period is active, and nothing else.
     Governance removes it for good with a proposal calling
     `remove_guardian()` (the Timelock only); the guardian cannot cancel a
     proposal whose every call is such a removal.
     Storage: a proposal's core is one slot, proposer (160 bits) | creation
     block (48) | voting delay (23) | voting period (23) | canceled (1) |
     executed (1); its three tallies are separate slots (the eta shares the for slot). The
     voting delay, voting period and proposal threshold share one slot.
"""

from ethereum.ercs import IERC165
from ethereum.ercs import IERC20
from .interfaces import IGovernor
from .interfaces import ITimelock
from .interfaces import IVotes
from .modules import checkpoints as ckpt

implements: IERC165
implements: IGovernor


# @dev Most actions in one proposal; payloads are bounded by the Timelock's 1,024 bytes.
MAX_ACTIONS: public(constant(uint256)) = 8
# @dev Longest `params` of the *WithParams votes (simple counting ignores them) and longest signature.
MAX_PARAMS: constant(uint256) = 1_024
MAX_SIGNATURE: constant(uint256) = 1_024

# @dev OpenZeppelin's counting mode of GovernorCountingSimple.
COUNTING_MODE: public(constant(String[64])) = "support=bravo&quorum=for,abstain"
# @dev EIP-712 (OpenZeppelin's Governor: domain name = the governor's name, version "1").
BALLOT_TYPEHASH: public(constant(bytes32)) = keccak256("Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)")
EXTENDED_BALLOT_TYPEHASH: public(constant(bytes32)) = keccak256(
    "ExtendedBallot(uint256 proposalId,uint8 support,address voter,uint256 nonce,string reason,bytes params)"
)
_DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
_VERSION: constant(String[1]) = "1"
# secp256k1n / 2: a larger `s` is the malleable twin of a valid signature (rejected, as OpenZeppelin's ECDSA does).
_MAX_S: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168
_ERC1271_MAGIC: constant(bytes4) = 0x1626BA7E
# ERC-165 ids: IERC165, and IGovernor as Solidity computes `type(IGovernor).interfaceId` (the XOR of
# the selectors IGovernor itself declares) for OpenZeppelin 5.1+ and, without `getProposalId`, 5.0.
_IERC165_ID: constant(bytes4) = 0x01FFC9A7
_IGOVERNOR_ID: constant(bytes4) = 0xCDBDFCEE
_IGOVERNOR_5_0_ID: constant(bytes4) = 0x65455A86

# ProposalState, in OpenZeppelin's order.
PENDING: constant(uint8) = 0
ACTIVE: constant(uint8) = 1
CANCELED: constant(uint8) = 2
DEFEATED: constant(uint8) = 3
SUCCEEDED: constant(uint8) = 4
QUEUED: constant(uint8) = 5
EXPIRED: constant(uint8) = 6
EXECUTED: constant(uint8) = 7

_BPS: constant(uint256) = 10_000
_MASK48: constant(uint256) = (1 << 48) - 1
_MASK160: constant(uint256) = (1 << 160) - 1
# The selector of `remove_guardian()` (EpochSettlement and Governor): the guardian cannot cancel a
# proposal made only of such calls to those two contracts (`_removes_guardian_only`).
_REMOVE_GUARDIAN: constant(bytes4) = method_id("remove_guardian()", output_type=bytes4)
_MASK208: constant(uint256) = (1 << 208) - 1
# @dev Largest voting delay or period, in blocks (23 bits: ~3 years at 12 s).
_MAX_BLOCKS: constant(uint256) = (1 << 23) - 1
_CREATED_SHIFT: constant(uint256) = 160
_DELAY_SHIFT: constant(uint256) = 208
_PERIOD_SHIFT: constant(uint256) = 231
_CANCELED_BIT: constant(uint256) = 1 << 254
_EXECUTED_BIT: constant(uint256) = 1 << 255
_CLOSED_BITS: constant(uint256) = _CANCELED_BIT | _EXECUTED_BIT
_SEEDED: constant(uint256) = 1 << 255
_ETA_SHIFT: constant(uint256) = 208
_MASK47: constant(uint256) = (1 << 47) - 1
# `#proposer=0x` + 40 hex digits
_SUFFIX_LENGTH: constant(uint256) = 52
# SWAR constants of `_hex_value`: one byte per lane of a 32-byte word.
_BYTES: constant(uint256) = max_value(uint256) // 255  # 0x0101...01
_HIGH_BITS: constant(uint256) = _BYTES * 128
_LOW_NIBBLES: constant(uint256) = _BYTES * 15
_CASE_BITS: constant(uint256) = _BYTES * 32
_ADD_50: constant(uint256) = _BYTES * 80  # + 0x50: a byte >= 0x30 ('0') sets its high bit
_ADD_46: constant(uint256) = _BYTES * 70  # + 0x46: a byte >= 0x3A (past '9')
_ADD_1F: constant(uint256) = _BYTES * 31  # + 0x1F: a byte >= 0x61 ('a')
_ADD_19: constant(uint256) = _BYTES * 25  # + 0x19: a byte >= 0x67 (past 'f')
_PAIRS: constant(uint256) = max_value(uint256) // ((1 << 16) - 1) * ((1 << 8) - 1)  # 0x00ff per 16 bits
_QUADS: constant(uint256) = max_value(uint256) // ((1 << 32) - 1) * ((1 << 16) - 1)
_OCTETS: constant(uint256) = max_value(uint256) // ((1 << 64) - 1) * ((1 << 32) - 1)
_HALVES: constant(uint256) = max_value(uint256) // ((1 << 128) - 1) * ((1 << 64) - 1)
# 24 '0' characters above 8 free bytes
_ZEROS_24: constant(uint256) = (_BYTES * 48) >> 64 << 64


struct Tally:
    against_votes: uint256
    for_votes: uint256
    abstain_votes: uint256


# OpenZeppelin 5's IGovernor events, with its exact types and parameter names
# (`signatures` is always a list of empty strings, as in OpenZeppelin: its
# topic is what indexers such as Tally match).
event ProposalCreated:
    proposalId: uint256
    proposer: address
    targets: DynArray[address, MAX_ACTIONS]
    values: DynArray[uint256, MAX_ACTIONS]
    signatures: DynArray[String[1], MAX_ACTIONS]
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS]
    voteStart: uint256
    voteEnd: uint256
    description: String[4_096]


event VoteCast:
    voter: indexed(address)
    proposalId: uint256
    support: uint8
    weight: uint256
    reason: String[1_024]


event VoteCastWithParams:
    voter: indexed(address)
    proposalId: uint256
    support: uint8
    weight: uint256
    reason: String[1_024]
    params: Bytes[MAX_PARAMS]


event ProposalQueued:
    proposalId: uint256
    etaSeconds: uint256


event ProposalExecuted:
    proposalId: uint256


event ProposalCanceled:
    proposalId: uint256


# GovernorSettings' events (OpenZeppelin names).
event VotingDelaySet:
    oldVotingDelay: uint256
    newVotingDelay: uint256


event VotingPeriodSet:
    oldVotingPeriod: uint256
    newVotingPeriod: uint256


event ProposalThresholdSet:
    oldProposalThreshold: uint256
    newProposalThreshold: uint256


event GuardianRemoved:
    guardian_source: address


# GovernorVotesQuorumFraction's event; our denominator is 10,000 (basis points).
event QuorumNumeratorUpdated:
    oldQuorumNumerator: uint256
    newQuorumNumerator: uint256


# @dev The votes token (the ShareToken) and the Timelock that executes.
token: public(immutable(address))
timelock: public(immutable(address))
# @dev Seconds after its eta during which a queued proposal may execute (read from the Timelock).
GRACE_PERIOD: public(immutable(uint256))
_HASHED_NAME: immutable(bytes32)
_CACHED_CHAIN_ID: immutable(uint256)
_CACHED_DOMAIN_SEPARATOR: immutable(bytes32)

name: public(String[32])
# @dev EIP-712 nonces of `castVoteBySig` / `castVoteWithReasonAndParamsBySig` (one sequence per voter).
nonces: public(HashMap[address, uint256])
# @dev Where the bootstrap guardian is read (the EpochSettlement); zero: no guardian.
guardian_source: public(address)
hasVoted: public(HashMap[uint256, HashMap[address, bool]])
latest_proposal_id: public(HashMap[address, uint256])

_core: HashMap[uint256, uint256]
# @dev Tallies, each in the low 208 bits of its slot (votes never exceed the supply, at most
#      2**208 - 1). `propose` seeds the for and against slots with `_SEEDED` (bit 255), so the
#      first voter of either side updates a live slot (~5k gas) instead of creating one (~22k),
#      and so does `queue`, which keeps the eta in bits 208-254 of the for slot: the proposer
#      pays ~44k once, voters and queue save ~51k. Read through `_votes` and `_eta_of`.
_tally: HashMap[uint256, Tally]
# proposal threshold (208 bits) | voting delay << 208 | voting period << 231
_params: uint256
# quorum checkpoints (`checkpoints` packing): index -> block << 208 | basis points
_quorum_history: HashMap[uint256, uint256]
_quorum_count: uint256


@deploy
def __init__(
    token_: address,
    timelock_: address,
    voting_delay_: uint256,
    voting_period_: uint256,
    proposal_threshold_: uint256,
    quorum_bps_: uint256,
    name_: String[32],
    guardian_source_: address,
):
    """
    @dev The Timelock must be deployed first: its `GRACE_PERIOD` is read here.
    @param token_ The votes token (ShareToken).
    @param timelock_ The Timelock that executes passed proposals.
    @param voting_delay_ Blocks between proposing and the snapshot.
    @param voting_period_ Blocks the vote stays open after the snapshot.
    @param proposal_threshold_ Votes needed (at the previous block) to propose.
    @param quorum_bps_ Quorum as basis points of the supply at the snapshot.
    @param name_ The governor's name.
    @param guardian_source_ The contract naming the bootstrap guardian (zero: none).
    """
    assert voting_delay_ <= _MAX_BLOCKS, "governor: voting delay too long"
    assert voting_period_ != 0 and voting_period_ <= _MAX_BLOCKS, "governor: voting period out of range"
    assert proposal_threshold_ <= _MASK208, "governor: threshold too large"
    assert quorum_bps_ != 0 and quorum_bps_ <= _BPS, "governor: quorum out of range"
    token = token_
    timelock = timelock_
    GRACE_PERIOD = staticcall ITimelock(timelock_).GRACE_PERIOD()
    self.name = name_
    _HASHED_NAME = keccak256(name_)
    _CACHED_CHAIN_ID = chain.id
    _CACHED_DOMAIN_SEPARATOR = self._build_domain_separator(keccak256(name_))
    self.guardian_source = guardian_source_
    self._params = proposal_threshold_ | (voting_delay_ << _DELAY_SHIFT) | (voting_period_ << _PERIOD_SHIFT)
    # Key 0: in force since genesis, so every proposal finds a fraction.
    self._quorum_history[0] = quorum_bps_
    self._quorum_count = 1


@external
@view
def clock() -> uint48:
    """
    @notice The governor's clock: block numbers, like the token's (EIP-6372).
    @return uint48 The current block number.
    """
    return convert(block.number, uint48)


@external
@pure
def CLOCK_MODE() -> String[32]:
    """
    @notice The EIP-6372 description of the clock.
    @return String The clock mode: block numbers.
    """
    return "mode=blocknumber&from=default"


@external
@pure
def hashProposal(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice The id of a proposal: keccak256(abi.encode(targets, values, calldatas, descriptionHash)).
    @param targets The called contracts.
    @param values The wei sent with each call.
    @param calldatas The encoded calls.
    @param descriptionHash keccak256 of the description.
    @return uint256 The proposal id.
    """
    return self._hash_proposal(targets, values, calldatas, descriptionHash)


@external
@view
def getProposalId(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice The id of a proposal with these actions (OpenZeppelin 5.1): `hashProposal`'s.
    @param targets The called contracts.
    @param values The wei sent with each call.
    @param calldatas The encoded calls.
    @param descriptionHash keccak256 of the description.
    @return uint256 The proposal id.
    """
    return self._hash_proposal(targets, values, calldatas, descriptionHash)


@external
def propose(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    description: String[4_096],
) -> uint256:
    """
    @notice Creates a proposal; its snapshot is `voting_delay` blocks from now.
    @dev The caller needs `proposal_threshold` votes at the previous block and
         no pending or active proposal of its own. A description that ends in
         `#proposer=0x` + 40 hex digits (OpenZeppelin's suffix rule) may be
         proposed only by that address, so a copy of a pending proposal
         cannot take its id; without a valid suffix anyone may propose it.
    @param targets The called contracts (1 to MAX_ACTIONS).
    @param values The wei sent with each call.
    @param calldatas The encoded calls (at most 1,024 bytes each).
    @param description The human-readable description (its hash is part of the id).
    @return uint256 The proposal id.
    """
    n: uint256 = len(targets)
    assert n != 0, "governor: empty proposal"
    assert n == len(values) and n == len(calldatas), "governor: invalid proposal length"
    if len(description) >= _SUFFIX_LENGTH:
        suffix: String[_SUFFIX_LENGTH] = slice(description, len(description) - _SUFFIX_LENGTH, _SUFFIX_LENGTH)
        assert self._may_propose(msg.sender, suffix), "governor: proposer restricted by the description"
    params: uint256 = self._params
    threshold: uint256 = self._threshold_of(params)
    if threshold != 0:
        votes: uint256 = staticcall IVotes(token).getPastVotes(msg.sender, block.number - 1)
        assert votes >= threshold, "governor: proposer votes below threshold"
    latest: uint256 = self.latest_proposal_id[msg.sender]
    if latest != 0:
        latest_core: uint256 = self._core[latest]
        assert (
            latest_core & _CLOSED_BITS != 0 or block.number > self._deadline(latest_core)
        ), "governor: proposer has a live proposal"
    # `_hash_proposal`, inlined on the hot paths (propose, queue, execute): an
    # internal call taking the three arrays costs 1.7-3.7k gas of memory
    # expansion (Vyper places a callee's 19 kB frame below the caller's).
    id: uint256 = convert(keccak256(abi_encode(targets, values, calldatas, keccak256(description))), uint256)
    assert self._core[id] == 0, "governor: proposal already exists"

    # The creation block and the voting delay and period in force are stored with the proposal.
    core: uint256 = (
        convert(msg.sender, uint256)
        | (block.number << _CREATED_SHIFT)
        | ((params >> _DELAY_SHIFT) << _DELAY_SHIFT)
    )
    self._core[id] = core
    self._tally[id] = Tally(against_votes=_SEEDED, for_votes=_SEEDED, abstain_votes=0)
    self.latest_proposal_id[msg.sender] = id
    signatures: DynArray[String[1], MAX_ACTIONS] = []
    for _: uint256 in range(n, bound=MAX_ACTIONS):
        signatures.append("")
    log ProposalCreated(
        proposalId=id,
        proposer=msg.sender,
        targets=targets,
        values=values,
        signatures=signatures,
        calldatas=calldatas,
        voteStart=self._snapshot(core),
        voteEnd=self._deadline(core),
        description=description,
    )
    return id


@external
def castVote(proposalId: uint256, support: uint8) -> uint256:
    """
    @notice Votes against (0), for (1) or abstain (2) with the votes held at the snapshot.
    @param proposalId The proposal.
    @param support 0 against, 1 for, 2 abstain.
    @return uint256 The weight counted.
    """
    weight: uint256 = self._count_vote(proposalId, msg.sender, support)
    log VoteCast(voter=msg.sender, proposalId=proposalId, support=support, weight=weight, reason="")
    return weight


@external
def castVoteWithReason(proposalId: uint256, support: uint8, reason: String[1_024]) -> uint256:
    """
    @notice Votes like `castVote`, with a reason recorded in the event.
    @param proposalId The proposal.
    @param support 0 against, 1 for, 2 abstain.
    @param reason Free text.
    @return uint256 The weight counted.
    """
    weight: uint256 = self._count_vote(proposalId, msg.sender, support)
    log VoteCast(voter=msg.sender, proposalId=proposalId, support=support, weight=weight, reason=reason)
    return weight


@external
def castVoteWithReasonAndParams(
    proposalId: uint256, support: uint8, reason: String[1_024], params: Bytes[MAX_PARAMS]
) -> uint256:
    """
    @notice Votes like `castVoteWithReason`; `params` are recorded but, as in
            OpenZeppelin's simple counting, do not change the weight.
    @dev Emits `VoteCastWithParams` when `params` is not empty, else `VoteCast` (as OpenZeppelin).
    @param proposalId The proposal.
    @param support 0 against, 1 for, 2 abstain.
    @param reason Free text.
    @param params Extra data for the counting module (ignored by simple counting).
    @return uint256 The weight counted.
    """
    weight: uint256 = self._count_vote(proposalId, msg.sender, support)
    self._log_vote(msg.sender, proposalId, support, weight, reason, params)
    return weight


@external
def castVoteBySig(proposalId: uint256, support: uint8, voter: address, signature: Bytes[MAX_SIGNATURE]) -> uint256:
    """
    @notice Votes for `voter` with its EIP-712 signature of
            `Ballot(proposalId, support, voter, nonce)` (OpenZeppelin's typehash
            and domain: the governor's name, version "1"); the nonce is `nonces(voter)`.
    @dev The signature is an ECDSA one (65 bytes, low s) from an account
         without code, or is accepted by the voter contract's ERC-1271
         `isValidSignature`. Each signature is usable once (the nonce is consumed).
    @param proposalId The proposal.
    @param support 0 against, 1 for, 2 abstain.
    @param voter The account whose votes are cast.
    @param signature The voter's signature.
    @return uint256 The weight counted.
    """
    digest: bytes32 = self._typed_data_hash(
        keccak256(abi_encode(BALLOT_TYPEHASH, proposalId, support, voter, self._use_nonce(voter)))
    )
    assert self._valid_signature(voter, digest, signature), "governor: invalid signature"
    weight: uint256 = self._count_vote(proposalId, voter, support)
    log VoteCast(voter=voter, proposalId=proposalId, support=support, weight=weight, reason="")
    return weight


@external
def castVoteWithReasonAndParamsBySig(
    proposalId: uint256,
    support: uint8,
    voter: address,
    reason: String[1_024],
    params: Bytes[MAX_PARAMS],
    signature: Bytes[MAX_SIGNATURE],
) -> uint256:
    """
    @notice Votes for `voter` with its EIP-712 signature of
            `ExtendedBallot(proposalId, support, voter, nonce, reason, params)`
            (strings and bytes hashed, as EIP-712 encodes them).
    @param proposalId The proposal.
    @param support 0 against, 1 for, 2 abstain.
    @param voter The account whose votes are cast.
    @param reason Free text.
    @param params Extra data for the counting module (ignored by simple counting).
    @param signature The voter's signature (ECDSA, or ERC-1271 for a contract voter).
    @return uint256 The weight counted.
    """
    digest: bytes32 = self._typed_data_hash(
        keccak256(
            abi_encode(
                EXTENDED_BALLOT_TYPEHASH,
                proposalId,
                support,
                voter,
                self._use_nonce(voter),
                keccak256(reason),
                keccak256(params),
            )
        )
    )
    assert self._valid_signature(voter, digest, signature), "governor: invalid signature"
    weight: uint256 = self._count_vote(proposalId, voter, support)
    self._log_vote(voter, proposalId, support, weight, reason, params)
    return weight


@external
def queue(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice Schedules a succeeded proposal in the Timelock, one operation per action.
    @dev Operation i has salt = proposal id and predecessor = operation i - 1
         (none for the first), so the actions run in order and each once.
    @param targets The called contracts.
    @param values The wei sent with each call.
    @param calldatas The encoded calls.
    @param descriptionHash keccak256 of the description.
    @return uint256 The proposal id.
    """
    id: uint256 = convert(keccak256(abi_encode(targets, values, calldatas, descriptionHash)), uint256)  # inlined `_hash_proposal`
    assert self._state(id) == SUCCEEDED, "governor: proposal not successful"
    delay: uint256 = staticcall ITimelock(timelock).get_minimum_delay()
    eta: uint256 = block.timestamp + delay
    assert eta <= _MASK47, "governor: eta too far"
    # Succeeded, so never queued: the eta bits are zero.
    self._tally[id].for_votes = self._tally[id].for_votes | (eta << _ETA_SHIFT)
    log ProposalQueued(proposalId=id, etaSeconds=eta)

    salt: bytes32 = convert(id, bytes32)
    predecessor: bytes32 = empty(bytes32)
    for i: uint256 in range(len(targets), bound=MAX_ACTIONS):
        extcall ITimelock(timelock).schedule(targets[i], values[i], calldatas[i], predecessor, salt, delay)
        predecessor = self._operation_id(targets[i], values[i], calldatas[i], predecessor, salt)
    return id


@external
@payable
def execute(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice Executes a queued proposal through the Timelock once its eta has passed.
    @dev The proposal is marked executed before any call; `msg.value` is
         forwarded to the Timelock, which pays each action's value from its
         own balance. A reverting action reverts the whole execution.
    @param targets The called contracts.
    @param values The wei sent with each call.
    @param calldatas The encoded calls.
    @param descriptionHash keccak256 of the description.
    @return uint256 The proposal id.
    """
    id: uint256 = convert(keccak256(abi_encode(targets, values, calldatas, descriptionHash)), uint256)  # inlined `_hash_proposal`
    state: uint8 = self._state(id)
    assert state != EXPIRED, "governor: proposal expired"
    assert state == QUEUED, "governor: proposal not queued"
    assert block.timestamp >= self._eta_of(self._tally[id].for_votes), "governor: timelock not ready"
    self._core[id] = self._core[id] | _EXECUTED_BIT
    log ProposalExecuted(proposalId=id)

    salt: bytes32 = convert(id, bytes32)
    predecessor: bytes32 = empty(bytes32)
    forwarded: uint256 = msg.value
    for i: uint256 in range(len(targets), bound=MAX_ACTIONS):
        extcall ITimelock(timelock).execute(targets[i], values[i], calldatas[i], predecessor, salt, value=forwarded)
        forwarded = 0
        predecessor = self._operation_id(targets[i], values[i], calldatas[i], predecessor, salt)
    return id


@external
def cancel(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @notice Cancels a proposal: its proposer while it is pending (OpenZeppelin 5),
            or the active bootstrap guardian while it is pending, active,
            succeeded or queued (a queued one's timelock operations too), except
            a proposal that only removes the guardian: the guardian cannot veto
            its own removal.
    @dev A copier cannot censor: a description with the `#proposer=` suffix
         can be proposed (hence cancelled) only by the account it names. A
         proposal is protected only when every call is a real removal: exactly
         the calldata `remove_guardian()`, no value, to this Governor or to
         `guardian_source` (the EpochSettlement), the two contracts that
         implement it. The selector sent elsewhere removes nothing, and a
         removal bundled with other calls would shield them from the guardian;
         governance can always propose the removal alone.
    @param targets The called contracts.
    @param values The wei sent with each call.
    @param calldatas The encoded calls.
    @param descriptionHash keccak256 of the description.
    @return uint256 The proposal id.
    """
    id: uint256 = self._hash_proposal(targets, values, calldatas, descriptionHash)
    core: uint256 = self._core[id]
    assert core != 0, "governor: unknown proposal"
    state: uint8 = self._state(id)
    if msg.sender != self._proposer(core) or state != PENDING:
        if msg.sender != self._active_guardian():
            assert msg.sender == self._proposer(core), "governor: only the proposer or the guardian may cancel"
            assert state == PENDING, "governor: too late to cancel"
        else:
            assert not self._removes_guardian_only(targets, values, calldatas), "governor: the guardian cannot cancel its own removal"
        assert (
            state == PENDING or state == ACTIVE or state == SUCCEEDED or state == QUEUED
        ), "governor: proposal already closed"
    self._core[id] = core | _CANCELED_BIT
    log ProposalCanceled(proposalId=id)
    if state == QUEUED:
        salt: bytes32 = convert(id, bytes32)
        predecessor: bytes32 = empty(bytes32)
        for i: uint256 in range(len(targets), bound=MAX_ACTIONS):
            predecessor = self._operation_id(targets[i], values[i], calldatas[i], predecessor, salt)
            extcall ITimelock(timelock).cancel(predecessor)
    return id


@external
@view
def guardian() -> address:
    """
    @notice The bootstrap guardian while it may cancel proposals (zero otherwise).
    @return address The guardian, or zero once removed or its period is over.
    """
    return self._active_guardian()


@external
def remove_guardian():
    """
    @notice Removes the bootstrap guardian's power to cancel proposals, for good (Timelock only).
    """
    self._only_timelock()
    log GuardianRemoved(guardian_source=self.guardian_source)
    self.guardian_source = empty(address)


@external
@view
def state(proposalId: uint256) -> uint8:
    """
    @notice The proposal's state (OpenZeppelin's ProposalState order).
    @param proposalId The proposal (reverts if unknown).
    @return uint8 Pending 0, Active 1, Canceled 2, Defeated 3, Succeeded 4, Queued 5, Expired 6, Executed 7.
    """
    return self._state(proposalId)


@external
@view
def proposalVotes(proposalId: uint256) -> (uint256, uint256, uint256):
    """
    @notice The tally.
    @param proposalId The proposal.
    @return uint256 Votes against.
    @return uint256 Votes for.
    @return uint256 Abstentions.
    """
    t: Tally = self._tally[proposalId]
    return self._votes(t.against_votes), self._votes(t.for_votes), self._votes(t.abstain_votes)


@external
@view
def proposalSnapshot(proposalId: uint256) -> uint256:
    """
    @notice The block whose votes count (0 if unknown).
    @param proposalId The proposal.
    @return uint256 The snapshot block.
    """
    core: uint256 = self._core[proposalId]
    if core == 0:
        return 0
    return self._snapshot(core)


@external
@view
def proposalDeadline(proposalId: uint256) -> uint256:
    """
    @notice The last block of the vote (0 if unknown).
    @param proposalId The proposal.
    @return uint256 The deadline block.
    """
    core: uint256 = self._core[proposalId]
    if core == 0:
        return 0
    return self._deadline(core)


@external
@view
def proposalEta(proposalId: uint256) -> uint256:
    """
    @notice When a queued proposal may execute (0 if not queued).
    @param proposalId The proposal.
    @return uint256 The timestamp.
    """
    return self._eta_of(self._tally[proposalId].for_votes)


@external
@view
def proposalProposer(proposalId: uint256) -> address:
    """
    @notice Who proposed it (zero if unknown).
    @param proposalId The proposal.
    @return address The proposer.
    """
    return self._proposer(self._core[proposalId])


@external
@view
def quorum(timepoint: uint256) -> uint256:
    """
    @notice OpenZeppelin's quorum view: the fraction in force at `timepoint` times the supply then.
    @param timepoint A past block.
    @return uint256 Votes needed (for + abstain).
    """
    return staticcall IVotes(token).getPastTotalSupply(timepoint) * self._quorum_bps_at(timepoint) // _BPS


@external
@view
def proposal_quorum(proposalId: uint256) -> uint256:
    """
    @notice The quorum a proposal must reach: the fraction in force before it
            was created times the supply at its snapshot. While the snapshot
            is still ahead (Pending), the supply is not known yet: the answer
            is the fraction times the current supply, the quorum if the supply
            does not change before the snapshot.
    @dev OpenZeppelin's `quorum(timepoint)` reverts for a future timepoint;
         this per-proposal view answers in every state.
    @param proposalId The proposal.
    @return uint256 Votes needed (for + abstain).
    """
    core: uint256 = self._core[proposalId]
    assert core != 0, "governor: unknown proposal"
    if self._snapshot(core) >= block.number:
        return staticcall IERC20(token).totalSupply() * self._quorum_bps_at(self._created(core) - 1) // _BPS
    return self._quorum_of(core)


@external
@view
def quorum_bps() -> uint256:
    """
    @notice The current quorum fraction (for proposals created from the next block on).
    @return uint256 Basis points of the supply.
    """
    return ckpt._value(self._quorum_history[self._quorum_count - 1])


@external
@view
def quorum_bps_at(timepoint: uint256) -> uint256:
    """
    @notice The quorum fraction in force at the end of block `timepoint`.
    @param timepoint A block number.
    @return uint256 Basis points of the supply.
    """
    return self._quorum_bps_at(timepoint)


@external
@view
def votingDelay() -> uint256:
    """
    @notice Blocks between proposing and the snapshot.
    @return uint256 Blocks.
    """
    return self._voting_delay_of(self._params)


@external
@view
def votingPeriod() -> uint256:
    """
    @notice Blocks the vote stays open after the snapshot.
    @return uint256 Blocks.
    """
    return self._voting_period_of(self._params)


@external
@view
def proposalThreshold() -> uint256:
    """
    @notice Votes needed at the previous block to propose.
    @return uint256 Votes.
    """
    return self._threshold_of(self._params)


@external
@view
def getVotes(account: address, timepoint: uint256) -> uint256:
    """
    @notice The votes `account` had at the end of block `timepoint` (the token's `getPastVotes`).
    @param account The voter.
    @param timepoint A past block (reverts for the current or a future one).
    @return uint256 Votes.
    """
    return staticcall IVotes(token).getPastVotes(account, timepoint)


@external
@view
def getVotesWithParams(account: address, timepoint: uint256, params: Bytes[MAX_PARAMS]) -> uint256:
    """
    @notice `getVotes`; simple counting ignores `params` (OpenZeppelin's default).
    @param account The voter.
    @param timepoint A past block.
    @param params Ignored.
    @return uint256 Votes.
    """
    return staticcall IVotes(token).getPastVotes(account, timepoint)


@external
@pure
def proposalNeedsQueuing(proposalId: uint256) -> bool:
    """
    @notice Whether a proposal must be queued before it executes: always (every action goes through the Timelock).
    @param proposalId The proposal (any).
    @return bool True.
    """
    return True


@external
@pure
def version() -> String[1]:
    """
    @notice The governor's version, also the EIP-712 domain version.
    @return String "1".
    """
    return _VERSION


@external
@view
def supportsInterface(interfaceId: bytes4) -> bool:
    """
    @notice ERC-165: IERC165 and OpenZeppelin 5's IGovernor (5.1+ and 5.0 ids).
    @param interfaceId The interface id.
    @return bool Whether it is supported.
    """
    return interfaceId in [_IERC165_ID, _IGOVERNOR_ID, _IGOVERNOR_5_0_ID]


@external
@view
def eip712Domain() -> (bytes1, String[32], String[1], uint256, address, bytes32, DynArray[uint256, 1]):
    """
    @notice EIP-5267: the EIP-712 domain of vote signatures.
    @return bytes1 Fields present (name, version, chainId, verifyingContract).
    @return String The name (the governor's name).
    @return String The version ("1").
    @return uint256 The chain id.
    @return address This contract.
    @return bytes32 No salt.
    @return DynArray No extensions.
    """
    return (0x0F, self.name, _VERSION, chain.id, self, empty(bytes32), [])


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    """
    @notice The EIP-712 domain separator of vote signatures.
    @return bytes32 The separator for the current chain.
    """
    return self._domain_separator()


@external
def set_voting_delay(new_value: uint256):
    """
    @notice Sets the voting delay of future proposals (Timelock only).
    @param new_value Blocks.
    """
    self._only_timelock()
    assert new_value <= _MAX_BLOCKS, "governor: voting delay too long"
    params: uint256 = self._params
    log VotingDelaySet(oldVotingDelay=self._voting_delay_of(params), newVotingDelay=new_value)
    self._params = (params & ~(_MAX_BLOCKS << _DELAY_SHIFT)) | (new_value << _DELAY_SHIFT)


@external
def set_voting_period(new_value: uint256):
    """
    @notice Sets the voting period of future proposals (Timelock only).
    @param new_value Blocks (non-zero).
    """
    self._only_timelock()
    assert new_value != 0 and new_value <= _MAX_BLOCKS, "governor: voting period out of range"
    params: uint256 = self._params
    log VotingPeriodSet(oldVotingPeriod=self._voting_period_of(params), newVotingPeriod=new_value)
    self._params = (params & ~(_MAX_BLOCKS << _PERIOD_SHIFT)) | (new_value << _PERIOD_SHIFT)


@external
def set_proposal_threshold(new_value: uint256):
    """
    @notice Sets the proposal threshold (Timelock only).
    @param new_value Votes.
    """
    self._only_timelock()
    assert new_value <= _MASK208, "governor: threshold too large"
    params: uint256 = self._params
    log ProposalThresholdSet(oldProposalThreshold=self._threshold_of(params), newProposalThreshold=new_value)
    self._params = (params & ~_MASK208) | new_value


@external
def set_quorum_bps(new_value: uint256):
    """
    @notice Sets the quorum fraction for proposals created after this block (Timelock only).
    @dev Checkpointed at the current block; existing proposals keep theirs.
    @param new_value Basis points of the supply (1 to 10,000).
    """
    self._only_timelock()
    assert new_value != 0 and new_value <= _BPS, "governor: quorum out of range"
    count: uint256 = self._quorum_count
    latest: uint256 = self._quorum_history[count - 1]
    log QuorumNumeratorUpdated(oldQuorumNumerator=ckpt._value(latest), newQuorumNumerator=new_value)
    entry: uint256 = ckpt._pack(block.number, new_value)
    if ckpt._key(latest) == block.number:
        self._quorum_history[count - 1] = entry
    else:
        self._quorum_history[count] = entry
        self._quorum_count = count + 1


@internal
@view
def _removes_guardian_only(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
) -> bool:
    """
    @dev Whether every call of a proposal removes the guardian: `remove_guardian()` with no
         argument and no value, to this Governor or to the guardian source (the two contracts
         that implement it; the source is set while a guardian is active). Only such a proposal
         is out of the guardian's reach: any other call (the selector sent to another target
         is inert, or a real action bundled with a removal) leaves the guardian its veto, and
         governance can always propose the removal alone.
    """
    source: address = self.guardian_source
    for i: uint256 in range(len(targets), bound=MAX_ACTIONS):
        target: address = targets[i]
        if target != self and target != source:
            return False
        if values[i] != 0:
            return False
        data: Bytes[1_024] = calldatas[i]
        if len(data) != 4 or convert(slice(data, 0, 4), bytes4) != _REMOVE_GUARDIAN:
            return False
    return len(targets) != 0


@internal
@view
def _active_guardian() -> address:
    """
    @dev The guardian while `guardian_source` says its period is active, else
         zero (also when the source does not answer: it names no guardian).
    """
    source: address = self.guardian_source
    if source == empty(address):
        return empty(address)
    ok: bool = False
    answer: Bytes[32] = b""
    ok, answer = raw_call(
        source, method_id("guardian_active()"), max_outsize=32, is_static_call=True, revert_on_failure=False
    )
    if not ok or len(answer) != 32 or convert(answer, uint256) != 1:
        return empty(address)
    ok, answer = raw_call(
        source, method_id("guardian()"), max_outsize=32, is_static_call=True, revert_on_failure=False
    )
    if not ok or len(answer) != 32 or convert(answer, uint256) > _MASK160:
        return empty(address)
    return convert(convert(answer, uint256), address)


@internal
@view
def _only_timelock():
    assert msg.sender == timelock, "governor: caller is not the timelock"


@internal
@pure
def _hash_proposal(
    targets: DynArray[address, MAX_ACTIONS],
    values: DynArray[uint256, MAX_ACTIONS],
    calldatas: DynArray[Bytes[1_024], MAX_ACTIONS],
    descriptionHash: bytes32,
) -> uint256:
    """
    @dev OpenZeppelin's proposal id: keccak256(abi.encode(targets, values, calldatas, descriptionHash)).
    """
    return convert(keccak256(abi_encode(targets, values, calldatas, descriptionHash)), uint256)


@internal
@pure
def _may_propose(proposer: address, suffix: String[_SUFFIX_LENGTH]) -> bool:
    """
    @dev OpenZeppelin's `_isValidDescriptionForProposer`, given the last 52
         characters of the description: true unless they are `#proposer=0x`
         followed by 40 hex digits (either case) naming another address.
    """
    text: Bytes[_SUFFIX_LENGTH] = convert(suffix, Bytes[_SUFFIX_LENGTH])
    if slice(text, 0, 12) != b"#proposer=0x":
        return True
    # 40 hex digits: digits 0-31 in one word, digits 32-39 at the end of the next (padded with '0').
    ok: bool = False
    high: uint256 = 0
    low: uint256 = 0
    ok, high = self._hex_value(convert(extract32(text, 12), uint256))
    if not ok:
        return True  # not an address: no restriction (OpenZeppelin's tryParseAddress fails)
    ok, low = self._hex_value((convert(extract32(text, 20), uint256) & ((1 << 64) - 1)) | _ZEROS_24)
    if not ok:
        return True
    parsed: uint256 = (high << 32) | low
    return parsed == convert(proposer, uint256)


@internal
@pure
def _hex_value(word: uint256) -> (bool, uint256):
    """
    @dev The value of 32 ASCII hex digits (either case, the first most
         significant), all at once (SWAR: one byte per lane, no carry can
         cross a lane); false if any byte is not a hex digit.
    """
    if word & _HIGH_BITS != 0:
        return False, 0
    folded: uint256 = word | _CASE_BITS
    digit: uint256 = (word + _ADD_50) & ~(word + _ADD_46) & _HIGH_BITS
    letter: uint256 = (folded + _ADD_1F) & ~(folded + _ADD_19) & _HIGH_BITS
    if digit | letter != _HIGH_BITS:
        return False, 0
    # One nibble per byte ('a' & 15 = 1, + 9 = 10), then pack neighbours: 2 bytes, 4, 8, 16, 32.
    v: uint256 = (word & _LOW_NIBBLES) + (letter >> 7) * 9
    v = ((v >> 4) | v) & _PAIRS
    v = ((v >> 8) | v) & _QUADS
    v = ((v >> 16) | v) & _OCTETS
    v = ((v >> 32) | v) & _HALVES
    v = ((v >> 64) | v) & ((1 << 128) - 1)
    return True, v


@internal
@pure
def _operation_id(
    target: address, amount: uint256, payload: Bytes[1_024], predecessor: bytes32, salt: bytes32
) -> bytes32:
    """
    @dev The Timelock's id of one action's operation (snekmate's `hash_operation`).
         Action i is scheduled with salt = proposal id and predecessor = the
         operation of action i - 1 (none for the first), so the actions run in
         order and each once.
    """
    return keccak256(abi_encode(target, amount, payload, predecessor, salt))


# Accessors of the packed words. A proposal's core and `_params` keep the
# voting delay and period at the same bits, so the two accessors read both.
@internal
@pure
def _proposer(core: uint256) -> address:
    return convert(core & _MASK160, address)


@internal
@pure
def _created(core: uint256) -> uint256:
    return (core >> _CREATED_SHIFT) & _MASK48


@internal
@pure
def _voting_delay_of(word: uint256) -> uint256:
    return (word >> _DELAY_SHIFT) & _MAX_BLOCKS


@internal
@pure
def _voting_period_of(word: uint256) -> uint256:
    return (word >> _PERIOD_SHIFT) & _MAX_BLOCKS


@internal
@pure
def _threshold_of(params: uint256) -> uint256:
    return params & _MASK208


@internal
@pure
def _votes(tally: uint256) -> uint256:
    # A tally without the eta and `_SEEDED` bits above it.
    return tally & _MASK208


@internal
@pure
def _eta_of(for_slot: uint256) -> uint256:
    # The eta kept above the for tally (0: not queued).
    return (for_slot >> _ETA_SHIFT) & _MASK47


@internal
@pure
def _snapshot(core: uint256) -> uint256:
    # `_created(core) + _voting_delay_of(core)`, without two internal calls (read on every vote)
    return ((core >> _CREATED_SHIFT) & _MASK48) + ((core >> _DELAY_SHIFT) & _MAX_BLOCKS)


@internal
@pure
def _deadline(core: uint256) -> uint256:
    # `_snapshot(core) + _voting_period_of(core)`
    return self._snapshot(core) + ((core >> _PERIOD_SHIFT) & _MAX_BLOCKS)


@internal
@view
def _quorum_bps_at(timepoint: uint256) -> uint256:
    count: uint256 = self._quorum_count
    latest: uint256 = self._quorum_history[count - 1]
    if ckpt._key(latest) <= timepoint:
        return ckpt._value(latest)
    # The first checkpoint after `timepoint` in [0, count - 1) (see `checkpoints`).
    # The first key is 0, so one at or before `timepoint` always exists.
    low: uint256 = 0
    high: uint256 = count - 1
    for _: uint256 in range(ckpt.SEARCH_STEPS):
        if low >= high:
            break
        mid: uint256 = ckpt._mid(low, high)
        if ckpt._key(self._quorum_history[mid]) > timepoint:
            high = mid
        else:
            low = mid + 1
    return ckpt._value(self._quorum_history[high - 1])


@internal
@view
def _quorum_of(core: uint256) -> uint256:
    supply: uint256 = staticcall IVotes(token).getPastTotalSupply(self._snapshot(core))
    return supply * self._quorum_bps_at(self._created(core) - 1) // _BPS


@internal
@view
def _state(proposalId: uint256) -> uint8:
    core: uint256 = self._core[proposalId]
    assert core != 0, "governor: unknown proposal"
    if core & _EXECUTED_BIT != 0:
        return EXECUTED
    if core & _CANCELED_BIT != 0:
        return CANCELED
    if block.number <= self._snapshot(core):
        return PENDING
    if block.number <= self._deadline(core):
        return ACTIVE
    # An eta is set only by `queue`, which requires Succeeded; tallies are final after the deadline.
    for_slot: uint256 = self._tally[proposalId].for_votes
    eta: uint256 = self._eta_of(for_slot)
    if eta != 0:
        if block.timestamp > eta + GRACE_PERIOD:
            return EXPIRED
        return QUEUED
    for_votes: uint256 = self._votes(for_slot)
    if (
        for_votes > self._votes(self._tally[proposalId].against_votes)
        and for_votes + self._votes(self._tally[proposalId].abstain_votes) >= self._quorum_of(core)
    ):
        return SUCCEEDED
    return DEFEATED


@internal
def _count_vote(proposalId: uint256, voter: address, support: uint8) -> uint256:
    """
    @dev OpenZeppelin's `_castVote` without the event: checks the vote is
         open, the support valid and the voter new, then counts its weight
         at the snapshot. Strings stay in the external functions so that
         `castVote` pays no memory for them.
    """
    core: uint256 = self._core[proposalId]
    assert core != 0, "governor: unknown proposal"
    snapshot: uint256 = self._snapshot(core)
    assert (
        core & _CLOSED_BITS == 0
        and block.number > snapshot
        and block.number <= snapshot + self._voting_period_of(core)
    ), "governor: vote not currently active"
    assert support <= 2, "governor: invalid vote type"
    assert not self.hasVoted[proposalId][voter], "governor: vote already cast"
    weight: uint256 = staticcall IVotes(token).getPastVotes(voter, snapshot)
    assert weight != 0, "governor: no voting power at the snapshot"
    self.hasVoted[proposalId][voter] = True
    if support == 0:
        self._tally[proposalId].against_votes += weight
    elif support == 1:
        self._tally[proposalId].for_votes += weight
    else:
        self._tally[proposalId].abstain_votes += weight
    return weight


@internal
def _log_vote(
    voter: address, proposalId: uint256, support: uint8, weight: uint256, reason: String[1_024], params: Bytes[MAX_PARAMS]
):
    # OpenZeppelin: `VoteCastWithParams` only when there are params.
    if len(params) == 0:
        log VoteCast(voter=voter, proposalId=proposalId, support=support, weight=weight, reason=reason)
    else:
        log VoteCastWithParams(
            voter=voter, proposalId=proposalId, support=support, weight=weight, reason=reason, params=params
        )


@internal
def _use_nonce(owner: address) -> uint256:
    nonce: uint256 = self.nonces[owner]
    self.nonces[owner] = nonce + 1
    return nonce


@internal
@view
def _build_domain_separator(hashed_name: bytes32) -> bytes32:
    return keccak256(abi_encode(_DOMAIN_TYPEHASH, hashed_name, keccak256(_VERSION), chain.id, self))


@internal
@view
def _domain_separator() -> bytes32:
    # Recomputed after a chain fork changes the chain id, so signatures cannot replay across the fork.
    if chain.id == _CACHED_CHAIN_ID:
        return _CACHED_DOMAIN_SEPARATOR
    return self._build_domain_separator(_HASHED_NAME)


@internal
@view
def _typed_data_hash(struct_hash: bytes32) -> bytes32:
    return keccak256(concat(b"\x19\x01", self._domain_separator(), struct_hash))


@internal
@view
def _valid_signature(signer: address, digest: bytes32, signature: Bytes[MAX_SIGNATURE]) -> bool:
    """
    @dev OpenZeppelin's `SignatureChecker.isValidSignatureNow`: an account
         without code must have made a 65-byte, low-s ECDSA signature; a
         contract must answer ERC-1271's magic value.
    """
    if signer.is_contract:
        ok: bool = False
        answer: Bytes[32] = b""
        ok, answer = raw_call(
            signer,
            abi_encode(digest, signature, method_id=method_id("isValidSignature(bytes32,bytes)")),
            max_outsize=32,
            is_static_call=True,
            revert_on_failure=False,
        )
        return ok and len(answer) == 32 and convert(slice(answer, 0, 4), bytes4) == _ERC1271_MAGIC
    if len(signature) != 65 or signer == empty(address):
        return False
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    if s > _MAX_S:
        return False
    return ecrecover(digest, v, r, s) == signer

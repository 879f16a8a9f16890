# pragma version 0.4.3
"""
@title Contribution Registry
@custom:contract-name ContributionRegistry
@license GNU Affero General Public License v3.0 only
@notice Contributors register a data set or a model spec (by IPFS CID) for the
        open epoch with an ETH stake, in two steps so that nobody can copy a
        pending registration: first `commit_contribution(keccak256(abi_encode(
        contributor, kind, cid, salt)))`, then, in a later block, `register(kind,
        cid, salt)` from the same account with the stake. The commitment binds the
        contribution to its author before the CID is visible, and its order is
        the contribution's priority (duplicate rows are credited to the earliest
        commitment). Stakes are withdrawn in two steps once the epoch is settled
        (final or void) — request, then withdraw after the unbonding period —
        and stay slashable until withdrawn, so a withdrawal can never front-run
        a slash. Only the settlement contract slashes; slashed ETH becomes
        revenue of the share holders.
@dev Pull payments; every ETH-sending path is non-reentrant. Ids start at 1.
"""

from snekmate.auth import ownable

initializes: ownable

exports: (ownable.owner, ownable.transfer_ownership, ownable.renounce_ownership)


interface IShareToken:
    def distribute_eth(): payable


interface ISettlement:
    def current_epoch() -> uint256: view
    def contributions_open() -> bool: view
    def is_settled(epoch: uint256) -> bool: view


struct Contribution:
    contributor: address
    kind: uint8
    epoch: uint256
    cid: String[64]
    stake: uint256
    slashed: uint256
    withdrawal_requested_at: uint256
    withdrawn: bool
    priority: uint256  # order of its commitment (1 = first ever): earlier wins duplicate rows


struct Commitment:
    priority: uint256
    block: uint256


event ContributionCommitted:
    commitment: indexed(bytes32)
    committer: indexed(address)
    priority: uint256


event ContributionRegistered:
    id: indexed(uint256)
    contributor: indexed(address)
    epoch: indexed(uint256)
    kind: uint8
    cid: String[64]
    stake: uint256
    priority: uint256


event WithdrawalRequested:
    id: indexed(uint256)
    available_at: uint256


event StakeWithdrawn:
    id: indexed(uint256)
    contributor: indexed(address)
    amount: uint256


event StakeSlashed:
    id: indexed(uint256)
    amount: uint256


event SettlementSet:
    settlement: indexed(address)


event MinStakeChanged:
    min_stake: uint256


event UnbondingPeriodChanged:
    unbonding_period: uint256


KIND_DATA: public(constant(uint8)) = 0
KIND_MODEL: public(constant(uint8)) = 1

share_token: public(immutable(address))
settlement: public(address)
min_stake: public(uint256)
unbonding_period: public(uint256)
contributions: public(HashMap[uint256, Contribution])
contribution_count: public(uint256)
commitments: public(HashMap[bytes32, Commitment])
commitment_count: public(uint256)
# epoch -> keccak256(contributor, cid) -> registered: one registration of a CID per contributor and
# epoch; another contributor's copy never blocks it (priority settles who is credited).
_registered: HashMap[uint256, HashMap[bytes32, bool]]


@deploy
def __init__(share_token_: address, min_stake_: uint256, unbonding_period_: uint256):
    """
    @dev The deployer owns the registry until it hands it to the Timelock.
    @param share_token_ The share token that receives slashed stake as revenue.
    @param min_stake_ The minimum stake in wei (positive).
    @param unbonding_period_ Seconds between a withdrawal request and the withdrawal.
    """
    assert min_stake_ > 0, "registry: zero minimum stake"
    ownable.__init__()
    share_token = share_token_
    self.min_stake = min_stake_
    self.unbonding_period = unbonding_period_


@external
def commit_contribution(commitment: bytes32) -> uint256:
    """
    @notice First step of a registration: commits to `commitment_hash(msg.sender,
            kind, cid, salt)` without revealing the CID. Its order is the
            contribution's priority.
    @param commitment The hash; the same account reveals it with `register` in a later block.
    @return uint256 The commitment's priority (1 for the first commitment ever).
    """
    assert commitment != empty(bytes32), "registry: empty commitment"
    assert self.commitments[commitment].block == 0, "registry: commitment already made"
    priority: uint256 = self.commitment_count + 1
    self.commitment_count = priority
    self.commitments[commitment] = Commitment(priority=priority, block=block.number)
    log ContributionCommitted(commitment=commitment, committer=msg.sender, priority=priority)
    return priority


@external
@payable
def register(kind: uint8, cid: String[64], salt: bytes32) -> uint256:
    """
    @notice Second step: reveals a commitment made by the caller in an earlier
            block and registers the contribution for the open epoch, staking the
            ETH sent. Someone who copies this call cannot use it: the commitment
            binds the caller's address.
    @param kind 0 for a data set, 1 for a model spec.
    @param cid The IPFS CID of the artifact (CIDv0 `Qm…` or base32 CIDv1 `b…`).
    @param salt The secret chosen at commitment.
    @return uint256 The contribution id.
    """
    assert kind <= KIND_MODEL, "registry: unknown kind"
    assert msg.value >= self.min_stake, "registry: stake below minimum"
    assert self.settlement != empty(address), "registry: settlement not set"
    assert staticcall ISettlement(self.settlement).contributions_open(), "registry: contributions are closed"
    assert self._is_cid(cid), "registry: invalid CID"
    commitment: bytes32 = self._commitment_hash(msg.sender, kind, cid, salt)
    committed: Commitment = self.commitments[commitment]
    assert committed.block != 0, "registry: no such commitment"
    assert committed.block != max_value(uint256), "registry: commitment already revealed"
    assert committed.block < block.number, "registry: reveal in a later block than the commitment"
    self.commitments[commitment] = Commitment(priority=committed.priority, block=max_value(uint256))
    epoch: uint256 = staticcall ISettlement(self.settlement).current_epoch()
    key: bytes32 = keccak256(abi_encode(msg.sender, cid))
    assert not self._registered[epoch][key], "registry: CID already registered by you this epoch"
    self._registered[epoch][key] = True
    id: uint256 = self.contribution_count + 1
    self.contribution_count = id
    self.contributions[id] = Contribution(
        contributor=msg.sender,
        kind=kind,
        epoch=epoch,
        cid=cid,
        stake=msg.value,
        slashed=0,
        withdrawal_requested_at=0,
        withdrawn=False,
        priority=committed.priority,
    )
    log ContributionRegistered(
        id=id, contributor=msg.sender, epoch=epoch, kind=kind, cid=cid, stake=msg.value, priority=committed.priority
    )
    return id


@external
@pure
def commitment_hash(contributor: address, kind: uint8, cid: String[64], salt: bytes32) -> bytes32:
    """
    @notice The commitment of a registration: keccak256(abi_encode(contributor, kind, cid, salt)).
    @param contributor The account that will reveal it.
    @param kind 0 for a data set, 1 for a model spec.
    @param cid The IPFS CID.
    @param salt A secret random value.
    @return bytes32 The hash to pass to `commit_contribution`.
    """
    return self._commitment_hash(contributor, kind, cid, salt)


@internal
@pure
def _commitment_hash(contributor: address, kind: uint8, cid: String[64], salt: bytes32) -> bytes32:
    return keccak256(abi_encode(contributor, kind, cid, salt))


@external
def request_withdrawal(id: uint256):
    """
    @notice Starts the unbonding of a contribution's stake once its epoch is settled
            (final, or void: then nothing of it can be slashed).
    @param id The contribution id.
    """
    contribution: Contribution = self.contributions[id]
    assert contribution.contributor == msg.sender, "registry: not the contributor"
    assert contribution.withdrawal_requested_at == 0, "registry: withdrawal already requested"
    assert staticcall ISettlement(self.settlement).is_settled(contribution.epoch), "registry: epoch not settled"
    self.contributions[id].withdrawal_requested_at = block.timestamp
    log WithdrawalRequested(id=id, available_at=block.timestamp + self.unbonding_period)


@external
@nonreentrant
def withdraw(id: uint256):
    """
    @notice Pays out what remains of the stake after the unbonding period.
    @param id The contribution id.
    """
    contribution: Contribution = self.contributions[id]
    assert contribution.contributor == msg.sender, "registry: not the contributor"
    assert contribution.withdrawal_requested_at != 0, "registry: withdrawal not requested"
    assert not contribution.withdrawn, "registry: already withdrawn"
    assert block.timestamp >= contribution.withdrawal_requested_at + self.unbonding_period, "registry: still unbonding"
    amount: uint256 = contribution.stake - contribution.slashed
    self.contributions[id].withdrawn = True
    log StakeWithdrawn(id=id, contributor=msg.sender, amount=amount)
    if amount != 0:
        raw_call(msg.sender, b"", value=amount)


@external
@nonreentrant
def slash(id: uint256, amount: uint256) -> uint256:
    """
    @notice Slashes up to `amount` of a contribution's remaining stake (settlement only).
    @param id The contribution id.
    @param amount The wei to slash; clamped to what remains.
    @return uint256 The wei actually slashed, sent to the share holders.
    """
    assert msg.sender == self.settlement, "registry: caller is not the settlement"
    contribution: Contribution = self.contributions[id]
    assert contribution.contributor != empty(address), "registry: unknown contribution"
    assert not contribution.withdrawn, "registry: stake already withdrawn"
    slashed: uint256 = min(amount, contribution.stake - contribution.slashed)
    self.contributions[id].slashed = contribution.slashed + slashed
    log StakeSlashed(id=id, amount=slashed)
    if slashed != 0:
        extcall IShareToken(share_token).distribute_eth(value=slashed)
    return slashed


@external
@view
def stake_of(id: uint256) -> uint256:
    """
    @notice The stake of a contribution as registered (before slashes).
    @param id The contribution id.
    @return uint256 The stake in wei.
    """
    return self.contributions[id].stake


@external
@view
def contribution_epoch(id: uint256) -> uint256:
    """
    @notice The epoch a contribution was registered in (0 for an unknown id).
    @param id The contribution id.
    @return uint256 The epoch.
    """
    return self.contributions[id].epoch


@external
def set_settlement(settlement_: address):
    """
    @notice Wires the settlement contract (the only slasher). Owner only.
    @param settlement_ The settlement contract.
    """
    ownable._check_owner()
    assert settlement_ != empty(address), "registry: zero settlement"
    self.settlement = settlement_
    log SettlementSet(settlement=settlement_)


@external
def set_min_stake(min_stake_: uint256):
    """
    @notice Sets the minimum stake. Owner (Timelock) only.
    @param min_stake_ The minimum stake in wei.
    """
    ownable._check_owner()
    assert min_stake_ > 0, "registry: zero minimum stake"
    self.min_stake = min_stake_
    log MinStakeChanged(min_stake=min_stake_)


@external
def set_unbonding_period(unbonding_period_: uint256):
    """
    @notice Sets the unbonding period. Owner (Timelock) only.
    @param unbonding_period_ Seconds.
    """
    ownable._check_owner()
    self.unbonding_period = unbonding_period_
    log UnbondingPeriodChanged(unbonding_period=unbonding_period_)


@internal
@pure
def _is_cid(cid: String[64]) -> bool:
    """
    @dev CIDv0: 46 base58btc characters starting `Qm`; CIDv1: 59 base32 characters starting `b`.
    """
    raw: Bytes[64] = convert(cid, Bytes[64])
    length: uint256 = len(raw)
    v0: bool = length == 46 and slice(raw, 0, 2) == b"Qm"
    v1: bool = length == 59 and slice(raw, 0, 1) == b"b"
    if not (v0 or v1):
        return False
    for i: uint256 in range(64):
        if i >= length:
            break
        c: uint256 = convert(convert(slice(raw, i, 1), bytes1), uint256)
        if v0:
            # base58btc: 1-9, A-Z without I and O, a-z without l.
            ok: bool = (c >= 49 and c <= 57) or (c >= 65 and c <= 90 and c != 73 and c != 79) or (
                c >= 97 and c <= 122 and c != 108
            )
            if not ok:
                return False
        elif not ((c >= 97 and c <= 122) or (c >= 50 and c <= 55)):
            return False
    return True

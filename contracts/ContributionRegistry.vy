# pragma version 0.4.3
"""
@title Contribution Registry
@custom:contract-name ContributionRegistry
@license GNU Affero General Public License v3.0 only
@notice Contributors register a data set or a model spec (by IPFS CID) for the
        open epoch with an ETH stake, in two steps so that nobody can copy a
        pending registration: first `commit_contribution(keccak256(abi_encode(
        contributor, kind, cid_codec, cid_digest, salt)))`, then, in a later
        block, `register(kind, cid_codec, cid_digest, salt)` from the same
        account with the stake. The commitment binds the
        contribution to its author before the CID is visible, and to the epoch
        whose contribution window it was made in (it can be revealed in that
        epoch only: a commitment made after someone's reveal in an epoch that
        is then voided cannot outrank that author in a later epoch). Its order
        is the contribution's priority (duplicate rows are credited to the
        earliest commitment). Stakes are withdrawn in two steps once the epoch is settled
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
    def contribution_epoch_now() -> uint256: view
    def is_settled(epoch: uint256) -> bool: view


# The view of a contribution (storage keeps it packed in four words, see `_owner_stake`).
struct Contribution:
    contributor: address
    kind: uint8
    epoch: uint256
    cid_codec: uint8  # 0: CIDv0 (dag-pb); 0x55 raw or 0x70 dag-pb: a base32 CIDv1
    cid_digest: bytes32  # the sha2-256 digest the CID's multihash carries
    stake: uint256
    slashed: uint256
    withdrawal_requested_at: uint256
    withdrawn: bool
    priority: uint256  # order of its commitment (1 = first ever): earlier wins duplicate rows


struct Commitment:
    priority: uint256
    epoch: uint256  # the epoch whose contribution window it was made in: the only one it can register in
    block: uint256


event ContributionCommitted:
    commitment: indexed(bytes32)
    committer: indexed(address)
    priority: uint256
    epoch: uint256


# The CID string is rebuilt from (cid_codec, cid_digest): codec 0 is the CIDv0 base58btc(0x12 0x20
# digest); otherwise "b" + base32(0x01 codec 0x12 0x20 digest) (docs/integrating.md).
event ContributionRegistered:
    id: indexed(uint256)
    contributor: indexed(address)
    epoch: indexed(uint256)
    kind: uint8
    cid_codec: uint8
    cid_digest: bytes32
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
# CID codecs (the multicodec of a CIDv1; 0 stands for a CIDv0). Every CID is sha2-256.
CID_V0: public(constant(uint8)) = 0
CID_RAW: public(constant(uint8)) = 85  # 0x55
CID_DAG_PB: public(constant(uint8)) = 112  # 0x70

_MASK_64: constant(uint256) = 2**64 - 1
_MASK_96: constant(uint256) = 2**96 - 1
_MASK_128: constant(uint256) = 2**128 - 1
_ADDRESS_MASK: constant(uint256) = 2**160 - 1
# `_meta` layout: epoch (64 bits) | priority << 64 (64) | kind << 128 (8) | codec << 136 (8)
#                 | withdrawal_requested_at << 144 (64) | withdrawn << 208 (8)
_PRIORITY_SHIFT: constant(uint256) = 64
_KIND_SHIFT: constant(uint256) = 128
_CODEC_SHIFT: constant(uint256) = 136
_REQUESTED_SHIFT: constant(uint256) = 144
_WITHDRAWN_BIT: constant(uint256) = 1 << 208
# A commitment word: priority (64 bits) | epoch << 64 (64) | block << 128; revealed: block field
# all ones. 64 bits hold more priorities and epochs than can ever be made.
_COMMIT_EPOCH_SHIFT: constant(uint256) = 64
_REVEALED: constant(uint256) = _MASK_128

share_token: public(immutable(address))
settlement: public(address)
min_stake: public(uint256)
unbonding_period: public(uint256)
# A contribution in three words written once at registration, and one more for slashes:
# contributor | stake << 160 (a stake is below 2**96 wei), the CID digest, `_meta`, and `_slashed`.
_owner_stake: HashMap[uint256, uint256]
_cid_digest: HashMap[uint256, bytes32]
_meta: HashMap[uint256, uint256]
_slashed: HashMap[uint256, uint256]
_commitments: HashMap[bytes32, uint256]
# Counts plus one: the counters never go from zero to non-zero, so the first registration costs
# what every later one does.
_contributions_plus_one: uint256
_commitments_plus_one: uint256
# epoch -> keccak256(contributor, codec, digest) -> registered: one registration of a CID per
# contributor and epoch; another contributor's copy never blocks it (priority settles who is credited).
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
    self._contributions_plus_one = 1
    self._commitments_plus_one = 1


@external
def commit_contribution(commitment: bytes32) -> uint256:
    """
    @notice First step of a registration: commits to `commitment_hash(msg.sender,
            kind, cid_codec, cid_digest, salt)` without revealing the CID, while
            an epoch's contributions are open. Its order is the contribution's
            priority; it binds that epoch (`register` refuses it in any other).
    @param commitment The hash; the same account reveals it with `register` in a later block
           of the same epoch's contribution window.
    @return uint256 The commitment's priority (1 for the first commitment ever).
    """
    assert commitment != empty(bytes32), "registry: empty commitment"
    assert self._commitments[commitment] == 0, "registry: commitment already made"
    assert self.settlement != empty(address), "registry: settlement not set"
    # The epoch is stored, not hashed in, so the commitment hash clients compute is unchanged.
    epoch: uint256 = staticcall ISettlement(self.settlement).contribution_epoch_now()
    assert epoch != 0, "registry: contributions are closed"
    priority: uint256 = self._commitments_plus_one
    self._commitments_plus_one = priority + 1
    self._commitments[commitment] = priority | epoch << _COMMIT_EPOCH_SHIFT | block.number << 128
    log ContributionCommitted(commitment=commitment, committer=msg.sender, priority=priority, epoch=epoch)
    return priority


@external
@payable
def register(kind: uint8, cid_codec: uint8, cid_digest: bytes32, salt: bytes32) -> uint256:
    """
    @notice Second step: reveals a commitment made by the caller in an earlier
            block of the same epoch and registers the contribution for that
            (open) epoch, staking the ETH sent. Someone who copies this call cannot use it: the commitment
            binds the caller's address.
    @dev The CID travels as its parts: `cid_codec` 0 for a CIDv0 (`Qm…`), or the
         multicodec of a base32 CIDv1 (0x55 raw, 0x70 dag-pb), and the sha2-256
         digest of its multihash. Any such pair is a well-formed CID.
    @param kind 0 for a data set, 1 for a model spec.
    @param cid_codec 0 (CIDv0), 0x55 or 0x70 (CIDv1).
    @param cid_digest The sha2-256 digest in the CID (not zero).
    @param salt The secret chosen at commitment.
    @return uint256 The contribution id.
    """
    assert kind <= KIND_MODEL, "registry: unknown kind"
    assert msg.value >= self.min_stake, "registry: stake below minimum"
    assert msg.value <= _MASK_96, "registry: stake above 2**96 wei"
    assert self.settlement != empty(address), "registry: settlement not set"
    # One call answers both "is it open?" and "which epoch?" (0: contributions closed).
    epoch: uint256 = staticcall ISettlement(self.settlement).contribution_epoch_now()
    assert epoch != 0, "registry: contributions are closed"
    assert cid_codec == CID_V0 or cid_codec == CID_RAW or cid_codec == CID_DAG_PB, "registry: invalid CID (unknown codec)"
    assert cid_digest != empty(bytes32), "registry: invalid CID (empty digest)"
    commitment: bytes32 = self._commitment_hash(msg.sender, kind, cid_codec, cid_digest, salt)
    committed: uint256 = self._commitments[commitment]
    assert committed != 0, "registry: no such commitment"
    committed_block: uint256 = committed >> 128
    assert committed_block != _REVEALED, "registry: commitment already revealed"
    committed_epoch: uint256 = (committed >> _COMMIT_EPOCH_SHIFT) & _MASK_64
    if committed_epoch != epoch:
        raise concat("registry: commitment is from epoch ", uint2str(committed_epoch))
    assert committed_block < block.number, "registry: reveal in a later block than the commitment"
    priority: uint256 = committed & _MASK_64
    self._commitments[commitment] = committed | _REVEALED << 128
    key: bytes32 = keccak256(abi_encode(msg.sender, cid_codec, cid_digest))
    assert not self._registered[epoch][key], "registry: CID already registered by you this epoch"
    self._registered[epoch][key] = True
    id: uint256 = self._contributions_plus_one
    self._contributions_plus_one = id + 1
    self._owner_stake[id] = convert(msg.sender, uint256) | msg.value << 160
    self._cid_digest[id] = cid_digest
    self._meta[id] = (
        epoch
        | priority << _PRIORITY_SHIFT
        | convert(kind, uint256) << _KIND_SHIFT
        | convert(cid_codec, uint256) << _CODEC_SHIFT
    )
    log ContributionRegistered(
        id=id,
        contributor=msg.sender,
        epoch=epoch,
        kind=kind,
        cid_codec=cid_codec,
        cid_digest=cid_digest,
        stake=msg.value,
        priority=priority,
    )
    return id


@external
@pure
def commitment_hash(contributor: address, kind: uint8, cid_codec: uint8, cid_digest: bytes32, salt: bytes32) -> bytes32:
    """
    @notice The commitment of a registration: keccak256(abi_encode(contributor, kind, cid_codec, cid_digest, salt)).
    @param contributor The account that will reveal it.
    @param kind 0 for a data set, 1 for a model spec.
    @param cid_codec 0 (CIDv0), 0x55 or 0x70 (CIDv1).
    @param cid_digest The sha2-256 digest in the CID.
    @param salt A secret random value.
    @return bytes32 The hash to pass to `commit_contribution`.
    """
    return self._commitment_hash(contributor, kind, cid_codec, cid_digest, salt)


@internal
@pure
def _commitment_hash(contributor: address, kind: uint8, cid_codec: uint8, cid_digest: bytes32, salt: bytes32) -> bytes32:
    return keccak256(abi_encode(contributor, kind, cid_codec, cid_digest, salt))


@external
@view
def contributions(id: uint256) -> Contribution:
    """
    @notice A contribution (all fields zero for an unknown id).
    @param id The contribution id.
    @return Contribution Its record.
    """
    owner_stake: uint256 = self._owner_stake[id]
    meta: uint256 = self._meta[id]
    return Contribution(
        contributor=convert(convert(owner_stake & _ADDRESS_MASK, uint160), address),
        kind=convert((meta >> _KIND_SHIFT) & 255, uint8),
        epoch=meta & _MASK_64,
        cid_codec=convert((meta >> _CODEC_SHIFT) & 255, uint8),
        cid_digest=self._cid_digest[id],
        stake=owner_stake >> 160,
        slashed=self._slashed[id],
        withdrawal_requested_at=(meta >> _REQUESTED_SHIFT) & _MASK_64,
        withdrawn=meta & _WITHDRAWN_BIT != 0,
        priority=(meta >> _PRIORITY_SHIFT) & _MASK_64,
    )


@external
@view
def commitments(commitment: bytes32) -> Commitment:
    """
    @notice A commitment: its priority, the epoch it binds, and the block it was made
            in (max uint256 once revealed).
    @param commitment The hash.
    @return Commitment Zeros for an unknown commitment.
    """
    word: uint256 = self._commitments[commitment]
    block_: uint256 = word >> 128
    if block_ == _REVEALED:
        block_ = max_value(uint256)
    return Commitment(
        priority=word & _MASK_64, epoch=(word >> _COMMIT_EPOCH_SHIFT) & _MASK_64, block=block_
    )


@external
@view
def contribution_count() -> uint256:
    """
    @notice How many contributions were registered (ids run from 1 to this).
    @return uint256 The count.
    """
    return self._contributions_plus_one - 1


@external
@view
def commitment_count() -> uint256:
    """
    @notice How many commitments were made (the last priority given).
    @return uint256 The count.
    """
    return self._commitments_plus_one - 1


@external
def request_withdrawal(id: uint256):
    """
    @notice Starts the unbonding of a contribution's stake once its epoch is settled
            (final, or void: then nothing of it can be slashed).
    @param id The contribution id.
    """
    assert self._owner_stake[id] & _ADDRESS_MASK == convert(msg.sender, uint256), "registry: not the contributor"
    meta: uint256 = self._meta[id]
    assert (meta >> _REQUESTED_SHIFT) & _MASK_64 == 0, "registry: withdrawal already requested"
    assert staticcall ISettlement(self.settlement).is_settled(meta & _MASK_64), "registry: epoch not settled"
    self._meta[id] = meta | block.timestamp << _REQUESTED_SHIFT
    log WithdrawalRequested(id=id, available_at=block.timestamp + self.unbonding_period)


@external
@nonreentrant
def withdraw(id: uint256):
    """
    @notice Pays out what remains of the stake after the unbonding period.
    @param id The contribution id.
    """
    owner_stake: uint256 = self._owner_stake[id]
    assert owner_stake & _ADDRESS_MASK == convert(msg.sender, uint256), "registry: not the contributor"
    meta: uint256 = self._meta[id]
    requested_at: uint256 = (meta >> _REQUESTED_SHIFT) & _MASK_64
    assert requested_at != 0, "registry: withdrawal not requested"
    assert meta & _WITHDRAWN_BIT == 0, "registry: already withdrawn"
    assert block.timestamp >= requested_at + self.unbonding_period, "registry: still unbonding"
    amount: uint256 = (owner_stake >> 160) - self._slashed[id]
    self._meta[id] = meta | _WITHDRAWN_BIT
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
    owner_stake: uint256 = self._owner_stake[id]
    assert owner_stake != 0, "registry: unknown contribution"
    assert self._meta[id] & _WITHDRAWN_BIT == 0, "registry: stake already withdrawn"
    already: uint256 = self._slashed[id]
    slashed: uint256 = min(amount, (owner_stake >> 160) - already)
    self._slashed[id] = already + slashed
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
    return self._owner_stake[id] >> 160


@external
@view
def contribution_epoch(id: uint256) -> uint256:
    """
    @notice The epoch a contribution was registered in (0 for an unknown id).
    @param id The contribution id.
    @return uint256 The epoch.
    """
    return self._meta[id] & _MASK_64


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

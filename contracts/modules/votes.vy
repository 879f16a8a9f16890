# pragma version 0.4.3
"""
@title Vote Checkpoints
@custom:contract-name votes
@license GNU Affero General Public License v3.0 only
@notice OpenZeppelin ERC20Votes semantics for a snekmate `erc20`: balances
        vote only once delegated (self-delegation allowed); every change of
        an account's votes and of the total supply is checkpointed by block
        number, so that `getPastVotes` and `getPastTotalSupply` answer what
        was true at any past block (EIP-6372 block-number clock).
@dev A checkpoint is packed into one slot as `block << 208 | votes` by the
     stateless `checkpoints` module (shared with the Governor's quorum
     history). Look-ups read the latest checkpoint first (the common case:
     nothing changed since the snapshot) and binary-search the history
     otherwise. The host contract calls `_transfer_voting_units` after
     every balance change (and `_delegate` to auto-delegate on mint).
     `delegateBySig` signs over the host `erc20`'s EIP-712 domain and consumes
     its `nonces`, so permits and delegations share one nonce sequence, as with
     OpenZeppelin's `Nonces`.
"""

from snekmate.tokens import erc20
from snekmate.utils import ecdsa

from . import checkpoints as ckpt

uses: erc20


event DelegateChanged:
    delegator: indexed(address)
    from_delegate: indexed(address)
    to_delegate: indexed(address)


event DelegateVotesChanged:
    delegate: indexed(address)
    previous_votes: uint256
    new_votes: uint256


_DELEGATION_TYPEHASH: constant(bytes32) = keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)")

_delegates: HashMap[address, address]
_checkpoints: HashMap[address, HashMap[uint256, uint256]]
_checkpoint_count: HashMap[address, uint256]
_supply_checkpoints: HashMap[uint256, uint256]
_supply_checkpoint_count: uint256


@deploy
def __init__():
    """
    @dev Nothing to set up: no account has delegated yet.
    """
    pass


@external
@view
def clock() -> uint48:
    """
    @notice The current timepoint of the voting clock.
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
@view
def delegates(account: address) -> address:
    """
    @notice The account that `account` delegates its votes to.
    @param account The 20-byte delegator address.
    @return address The delegate, or the zero address when none is set.
    """
    return self._delegates[account]


@external
def delegate(delegatee: address):
    """
    @notice Delegates the caller's votes to `delegatee` (itself to vote directly,
            the zero address to stop voting).
    @param delegatee The 20-byte delegate address.
    """
    self._delegate(msg.sender, delegatee)


@external
def delegateBySig(delegatee: address, nonce: uint256, expiry: uint256, v: uint8, r: bytes32, s: bytes32):
    """
    @notice Delegates the signer's votes to `delegatee` by an EIP-712 signature
            over `Delegation(address delegatee,uint256 nonce,uint256 expiry)`.
    @dev The nonce is the signer's `nonces` value, shared with `permit`.
    @param delegatee The 20-byte delegate address.
    @param nonce The signer's current nonce.
    @param expiry The last block timestamp at which the signature is valid.
    @param v The secp256k1 1-byte signature parameter `v`.
    @param r The secp256k1 32-byte signature parameter `r`.
    @param s The secp256k1 32-byte signature parameter `s`.
    """
    assert block.timestamp <= expiry, "votes: signature expired"
    digest: bytes32 = erc20.eip712_domain_separator._hash_typed_data_v4(
        keccak256(abi_encode(_DELEGATION_TYPEHASH, delegatee, nonce, expiry))
    )
    signer: address = ecdsa._recover_vrs(digest, convert(v, uint256), convert(r, uint256), convert(s, uint256))
    assert nonce == erc20.nonces[signer], "votes: invalid nonce"
    erc20.nonces[signer] = unsafe_add(nonce, 1)
    self._delegate(signer, delegatee)


@external
@view
def getVotes(account: address) -> uint256:
    """
    @notice The current votes of `account`.
    @param account The 20-byte address whose votes are read.
    @return uint256 The votes delegated to `account` now.
    """
    return self._latest(account)


@external
@view
def getPastVotes(account: address, timepoint: uint256) -> uint256:
    """
    @notice The votes of `account` at the end of block `timepoint`.
    @param account The 20-byte address whose votes are read.
    @param timepoint A past block number (strictly before the current one).
    @return uint256 The votes `account` had then.
    """
    assert timepoint < block.number, "votes: future lookup"
    return self._lookup(self._checkpoint_count[account], account, timepoint, False)


@external
@view
def getPastTotalSupply(timepoint: uint256) -> uint256:
    """
    @notice The total supply at the end of block `timepoint`.
    @param timepoint A past block number (strictly before the current one).
    @return uint256 The total supply then.
    """
    assert timepoint < block.number, "votes: future lookup"
    return self._lookup(self._supply_checkpoint_count, empty(address), timepoint, True)


@external
@view
def numCheckpoints(account: address) -> uint32:
    """
    @notice The number of checkpoints of `account`.
    @param account The 20-byte address.
    @return uint32 How many checkpoints `account` has.
    """
    return convert(self._checkpoint_count[account], uint32)


@external
@view
def checkpoints(account: address, pos: uint32) -> (uint48, uint208):
    """
    @notice The checkpoint at position `pos` of `account`.
    @param account The 20-byte address.
    @param pos The checkpoint index (0 is the oldest).
    @return uint48 The block of the checkpoint.
    @return uint208 The votes from that block on.
    """
    assert convert(pos, uint256) < self._checkpoint_count[account], "votes: no such checkpoint"
    packed: uint256 = self._checkpoints[account][convert(pos, uint256)]
    return convert(ckpt._key(packed), uint48), convert(ckpt._value(packed), uint208)


@internal
def _delegate(account: address, delegatee: address):
    """
    @dev Moves `account`'s whole balance of votes from its old delegate to `delegatee`.
    """
    old: address = self._delegates[account]
    self._delegates[account] = delegatee
    log DelegateChanged(delegator=account, from_delegate=old, to_delegate=delegatee)
    self._move_votes(old, delegatee, erc20.balanceOf[account])


@internal
def _transfer_voting_units(owner: address, to: address, amount: uint256):
    """
    @dev Call after a balance change: mint (`owner` zero), burn (`to` zero) or transfer.
    """
    if owner == empty(address):
        self._push_supply(self._latest_supply() + amount)
    if to == empty(address):
        self._push_supply(self._latest_supply() - amount)
    self._move_votes(self._delegates[owner], self._delegates[to], amount)


@internal
def _move_votes(src: address, dst: address, amount: uint256):
    if src == dst or amount == 0:
        return
    if src != empty(address):
        before: uint256 = self._latest(src)
        self._push(src, before - amount)
        log DelegateVotesChanged(delegate=src, previous_votes=before, new_votes=before - amount)
    if dst != empty(address):
        before: uint256 = self._latest(dst)
        self._push(dst, before + amount)
        log DelegateVotesChanged(delegate=dst, previous_votes=before, new_votes=before + amount)


@internal
@view
def _latest(account: address) -> uint256:
    count: uint256 = self._checkpoint_count[account]
    if count == 0:
        return 0
    return ckpt._value(self._checkpoints[account][count - 1])


@internal
@view
def _latest_supply() -> uint256:
    count: uint256 = self._supply_checkpoint_count
    if count == 0:
        return 0
    return ckpt._value(self._supply_checkpoints[count - 1])


@internal
def _push(account: address, votes_: uint256):
    assert votes_ <= ckpt.VALUE_MASK, "votes: votes overflow uint208"
    count: uint256 = self._checkpoint_count[account]
    packed: uint256 = ckpt._pack(block.number, votes_)
    # Several changes within one block keep one checkpoint: the block's final value.
    if count > 0 and ckpt._key(self._checkpoints[account][count - 1]) == block.number:
        self._checkpoints[account][count - 1] = packed
    else:
        self._checkpoints[account][count] = packed
        self._checkpoint_count[account] = count + 1


@internal
def _push_supply(supply: uint256):
    assert supply <= ckpt.VALUE_MASK, "votes: total supply overflow uint208"
    count: uint256 = self._supply_checkpoint_count
    packed: uint256 = ckpt._pack(block.number, supply)
    if count > 0 and ckpt._key(self._supply_checkpoints[count - 1]) == block.number:
        self._supply_checkpoints[count - 1] = packed
    else:
        self._supply_checkpoints[count] = packed
        self._supply_checkpoint_count = count + 1


@internal
@view
def _at(account: address, index: uint256, supply: bool) -> uint256:
    if supply:
        return self._supply_checkpoints[index]
    return self._checkpoints[account][index]


@internal
@view
def _lookup(count: uint256, account: address, timepoint: uint256, supply: bool) -> uint256:
    """
    @dev The value of the last checkpoint at or before `timepoint` (0 if none).
    """
    if count == 0:
        return 0
    latest: uint256 = self._at(account, count - 1, supply)
    if ckpt._key(latest) <= timepoint:
        return ckpt._value(latest)
    # The first checkpoint after `timepoint` in [0, count - 1) (see `checkpoints`).
    low: uint256 = 0
    high: uint256 = count - 1
    for _: uint256 in range(ckpt.SEARCH_STEPS):
        if low >= high:
            break
        mid: uint256 = ckpt._mid(low, high)
        if ckpt._key(self._at(account, mid, supply)) > timepoint:
            high = mid
        else:
            low = mid + 1
    if high == 0:
        return 0
    return ckpt._value(self._at(account, high - 1, supply))

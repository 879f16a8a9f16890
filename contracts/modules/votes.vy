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
     history). An account's latest checkpoint lives with its checkpoint count
     and how it delegates in one head slot (`count << 224 | block << 176 |
     mode << 174 | votes`), and only the older checkpoints in the history.
     The mode says whether the account delegates to nobody, to itself or to
     another account (only then is `_delegates` read): a transfer between two
     self-delegated holders reads and writes one slot per party for its votes
     and, in a new block, writes the previous latest checkpoint to the
     history. Look-ups read the latest checkpoint first (the common case:
     nothing changed since the snapshot) and binary-search the history
     otherwise. The total supply, and so every account's votes, is kept below
     2**174 (about 2.4e34 shares of 18 decimals). The host contract calls `_transfer_voting_units` after
     every balance change (and `_delegate` to auto-delegate on mint).
     `delegateBySig` signs over the host `erc20`'s EIP-712 domain and consumes
     its `nonces`, so permits and delegations share one nonce sequence, as with
     OpenZeppelin's `Nonces`.
"""

from snekmate.tokens import erc20
from snekmate.utils import ecdsa

from . import checkpoints as ckpt

uses: erc20


# Parameter names as OpenZeppelin's IVotes, so that decoders by name read ours unchanged.
event DelegateChanged:
    delegator: indexed(address)
    fromDelegate: indexed(address)
    toDelegate: indexed(address)


event DelegateVotesChanged:
    delegate: indexed(address)
    previousVotes: uint256
    newVotes: uint256


_COUNT_SHIFT: constant(uint256) = 224
_BLOCK_SHIFT: constant(uint256) = 176
_BLOCK_MASK: constant(uint256) = (1 << 48) - 1
_MODE_SHIFT: constant(uint256) = 174
_MODE_BITS: constant(uint256) = 3 << 174
_VOTES_MASK: constant(uint256) = (1 << 174) - 1
# How an account delegates (the head's mode bits).
_UNDELEGATED: constant(uint256) = 0
_SELF: constant(uint256) = 1
_OTHER: constant(uint256) = 2

_DELEGATION_TYPEHASH: constant(bytes32) = keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)")

# account -> its delegate, only when that is another account (mode _OTHER)
_delegates: HashMap[address, address]
# account -> position -> checkpoint, for positions below count - 1 (the latest is in `_head`)
_checkpoints: HashMap[address, HashMap[uint256, uint256]]
# account -> count << 224 | block of the latest checkpoint << 176 | mode << 174 | its votes
_head: HashMap[address, uint256]
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
    return self._delegate_of(account)


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
    head: uint256 = self._head[account]
    return self._lookup(head >> _COUNT_SHIFT, self._head_checkpoint(head), account, timepoint, False)


@external
@view
def getPastTotalSupply(timepoint: uint256) -> uint256:
    """
    @notice The total supply at the end of block `timepoint`.
    @param timepoint A past block number (strictly before the current one).
    @return uint256 The total supply then.
    """
    assert timepoint < block.number, "votes: future lookup"
    count: uint256 = self._supply_checkpoint_count
    if count == 0:
        return 0
    return self._lookup(count, self._supply_checkpoints[count - 1], empty(address), timepoint, True)


@external
@view
def numCheckpoints(account: address) -> uint32:
    """
    @notice The number of checkpoints of `account`.
    @param account The 20-byte address.
    @return uint32 How many checkpoints `account` has.
    """
    return convert(self._head[account] >> _COUNT_SHIFT, uint32)


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
    head: uint256 = self._head[account]
    count: uint256 = head >> _COUNT_SHIFT
    assert convert(pos, uint256) < count, "votes: no such checkpoint"
    packed: uint256 = self._head_checkpoint(head)
    if convert(pos, uint256) != count - 1:
        packed = self._checkpoints[account][convert(pos, uint256)]
    return convert(ckpt._key(packed), uint48), convert(ckpt._value(packed), uint208)


@internal
def _delegate(account: address, delegatee: address):
    """
    @dev Moves `account`'s whole balance of votes from its old delegate to `delegatee`.
    """
    head: uint256 = self._head[account]
    old: address = self._delegate_of(account)
    mode: uint256 = _UNDELEGATED
    if delegatee == account:
        mode = _SELF
    elif delegatee != empty(address):
        mode = _OTHER
    # `_delegates` holds only delegations to another account: set it, or clear a stale one.
    if mode == _OTHER or (old != account and old != empty(address)):
        self._delegates[account] = delegatee if mode == _OTHER else empty(address)
    self._head[account] = (head & ~_MODE_BITS) | mode << _MODE_SHIFT
    log DelegateChanged(delegator=account, fromDelegate=old, toDelegate=delegatee)
    self._move_votes(old, delegatee, erc20.balanceOf[account])


@internal
@view
def _delegate_of(account: address) -> address:
    """
    @dev The account `account` delegates to (empty: none), from its head's mode.
    """
    mode: uint256 = (self._head[account] >> _MODE_SHIFT) & 3
    if mode == _SELF:
        return account
    if mode == _OTHER:
        return self._delegates[account]
    return empty(address)


@internal
def _transfer_voting_units(owner: address, to: address, amount: uint256):
    """
    @dev Call after a balance change: mint (`owner` zero), burn (`to` zero) or transfer.
    """
    if owner == empty(address):
        self._push_supply(self._latest_supply() + amount)
    if to == empty(address):
        self._push_supply(self._latest_supply() - amount)
    # Each party's head is read once: for a self-delegated party it is also its delegate's.
    src: address = empty(address)
    src_head: uint256 = 0
    dst: address = empty(address)
    dst_head: uint256 = 0
    src, src_head = self._delegate_with_head(owner)
    dst, dst_head = self._delegate_with_head(to)
    self._move(src, src_head, dst, dst_head, amount)


@internal
@view
def _delegate_with_head(account: address) -> (address, uint256):
    """
    @dev `account`'s delegate and the delegate's head slot (empty and 0 when undelegated).
    """
    if account == empty(address):
        return empty(address), 0
    head: uint256 = self._head[account]
    mode: uint256 = (head >> _MODE_SHIFT) & 3
    if mode == _SELF:
        return account, head
    if mode == _OTHER:
        delegatee: address = self._delegates[account]
        return delegatee, self._head[delegatee]
    return empty(address), 0


@internal
def _move_votes(src: address, dst: address, amount: uint256):
    src_head: uint256 = 0
    dst_head: uint256 = 0
    if src != empty(address):
        src_head = self._head[src]
    if dst != empty(address):
        dst_head = self._head[dst]
    self._move(src, src_head, dst, dst_head, amount)


@internal
def _move(src: address, src_head: uint256, dst: address, dst_head: uint256, amount: uint256):
    """
    @dev Moves `amount` votes from `src` to `dst` (either empty: minted or burnt), given their heads.
         The checkpoint write is written out for each side: an internal call per party costs
         gas on every transfer.
    """
    if src == dst or amount == 0:
        return
    if src != empty(address):
        before: uint256 = src_head & _VOTES_MASK
        after: uint256 = before - amount
        count: uint256 = src_head >> _COUNT_SHIFT
        latest_block: uint256 = (src_head >> _BLOCK_SHIFT) & _BLOCK_MASK
        # Several changes within one block keep one checkpoint: the block's final value. `src`
        # had votes (`before - amount` did not underflow), so it has a checkpoint: count >= 1.
        if latest_block != block.number:
            # The previous latest joins the history, packed as `checkpoints.vy` packs.
            self._checkpoints[src][unsafe_sub(count, 1)] = latest_block << ckpt.KEY_SHIFT | before
            count = unsafe_add(count, 1)
        self._head[src] = count << _COUNT_SHIFT | block.number << _BLOCK_SHIFT | (src_head & _MODE_BITS) | after
        log DelegateVotesChanged(delegate=src, previousVotes=before, newVotes=after)
    if dst != empty(address):
        before: uint256 = dst_head & _VOTES_MASK
        after: uint256 = before + amount
        # The total supply bounds every account's votes, and it is kept below 2**174.
        assert after <= _VOTES_MASK, "votes: votes overflow uint174"
        count: uint256 = dst_head >> _COUNT_SHIFT
        latest_block: uint256 = (dst_head >> _BLOCK_SHIFT) & _BLOCK_MASK
        if count == 0 or latest_block != block.number:
            if count != 0:
                self._checkpoints[dst][unsafe_sub(count, 1)] = latest_block << ckpt.KEY_SHIFT | before
            count = unsafe_add(count, 1)
        self._head[dst] = count << _COUNT_SHIFT | block.number << _BLOCK_SHIFT | (dst_head & _MODE_BITS) | after
        log DelegateVotesChanged(delegate=dst, previousVotes=before, newVotes=after)


@internal
@view
def _latest(account: address) -> uint256:
    return self._head[account] & _VOTES_MASK


@internal
@pure
def _head_checkpoint(head: uint256) -> uint256:
    """
    @dev The latest checkpoint of a head slot, packed as the history's are.
    """
    return ckpt._pack((head >> _BLOCK_SHIFT) & _BLOCK_MASK, head & _VOTES_MASK)


@internal
@view
def _latest_supply() -> uint256:
    count: uint256 = self._supply_checkpoint_count
    if count == 0:
        return 0
    return ckpt._value(self._supply_checkpoints[count - 1])


@internal
def _push_supply(supply: uint256):
    assert supply <= _VOTES_MASK, "votes: total supply overflow uint174"
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
def _lookup(count: uint256, latest: uint256, account: address, timepoint: uint256, supply: bool) -> uint256:
    """
    @dev The value of the last checkpoint at or before `timepoint` (0 if none), given the
         count and the latest checkpoint; the others are at positions below count - 1.
    """
    if count == 0:
        return 0
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

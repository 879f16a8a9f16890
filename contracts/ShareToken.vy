# pragma version 0.4.3
"""
@title Metamodel DAO Share
@custom:contract-name ShareToken
@license GNU Affero General Public License v3.0 only
@notice The DAO's ownership: an ERC-20 (18 decimals, EIP-2612 `permit`) whose
        holders vote (after delegating, OpenZeppelin ERC20Votes semantics) and
        earn dividends in ETH and in one ERC-20 revenue token. Only the epoch
        settlement contract mints, within a per-epoch cap set by governance;
        committing an epoch's report reserves its mint, so that later burns or
        limit changes cannot leave committed shares unclaimable. When a report
        becomes final its whole mint is allocated at once to a pool held by
        this contract: allocated shares are in the supply (so a supply-based
        quorum counts every committed share) and earn dividends from finality,
        but carry no votes until their owner claims them; a claim releases the
        shares together with every dividend they earned since allocation, so
        no claim order changes anybody's payout.
@dev Composition: snekmate's audited `erc20` keeps balances, allowances,
     permit and EIP-712; this contract wraps every balance change so that the
     `votes` and `dividends` modules see it. erc20's own `transfer`, `mint`,
     `burn` and minter role are deliberately not exported: they would bypass
     the hooks. Balance-changing entry points, distributions and claims share
     one reentrancy lock, so a holder re-entering from its ETH receive cannot
     move shares or claim again. `distribute_token` only ever pulls the
     revenue token fixed at deployment, which the constructor refuses to be
     this contract's own address: shares can never be taken as revenue.
     The pool is this contract's own balance: it never delegates (no votes),
     nobody can transfer to it, and its dividends are claimable only through
     `release`, which moves them to the released shares' owner by crediting
     the shares at the dividend-per-share of their allocation.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20

from .modules import dividends
from .modules import votes

initializes: ownable
initializes: erc20[ownable := ownable]
initializes: votes[erc20 := erc20]
initializes: dividends[erc20 := erc20]

exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.approve,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    erc20.eip712Domain,
    ownable.owner,
    ownable.transfer_ownership,
    ownable.renounce_ownership,
    votes.clock,
    votes.CLOCK_MODE,
    votes.delegates,
    votes.delegate,
    votes.delegateBySig,
    votes.getVotes,
    votes.getPastVotes,
    votes.getPastTotalSupply,
    votes.numCheckpoints,
    votes.checkpoints,
    dividends.revenue_token,
    dividends.withdrawable_dividends,
    dividends.withdrawn_dividends,
    dividends.total_distributed_eth,
    dividends.total_distributed_token,
    dividends.total_claimed_eth,
    dividends.total_claimed_token,
    dividends.undistributed_eth,
    dividends.undistributed_token,
)


event MinterChanged:
    previous_minter: indexed(address)
    new_minter: indexed(address)


event EpochMintLimitsChanged:
    max_epoch_mint_bps: uint256
    min_epoch_mint: uint256


event EpochMintReserved:
    epoch: indexed(uint256)
    amount: uint256


event SharesMinted:
    to: indexed(address)
    amount: uint256
    epoch: indexed(uint256)


event SharesAllocated:
    epoch: indexed(uint256)
    amount: uint256


event SharesReleased:
    epoch: indexed(uint256)
    to: indexed(address)
    amount: uint256


_BPS: constant(uint256) = 10_000
_LIMIT_SHIFT: constant(uint256) = 240
_MIN_MASK: constant(uint256) = (1 << 240) - 1

minter: public(address)
minted_in_epoch: public(HashMap[uint256, uint256])
# max_epoch_mint_bps << 240 | min_epoch_mint (one slot read per mint)
_mint_limits: uint256
# epoch -> total supply at the epoch's first mint + 1 (0: no mint yet)
_epoch_start_supply: HashMap[uint256, uint256]
# epoch -> shares reserved when its report was committed (0: none); replaces the cap once set
reserved_mint: public(HashMap[uint256, uint256])
# epoch -> _ALLOCATED | allocated << 128 | released (0: not allocated)
_pool: HashMap[uint256, uint256]
# epoch -> asset -> the dividend per share (magnified) when the epoch's shares were allocated
_allocation_per_share: HashMap[uint256, HashMap[address, uint256]]

_ALLOCATED: constant(uint256) = 1 << 255
_LOW: constant(uint256) = (1 << 128) - 1
_AMOUNT_MASK: constant(uint256) = (1 << 127) - 1


@deploy
def __init__(
    name_: String[25],
    symbol_: String[5],
    revenue_token_: address,
    name_eip712_: String[50],
    version_eip712_: String[20],
):
    """
    @dev The deployer owns the token until it hands ownership to the Timelock.
         No minter is set and the mint limits are zero: the settlement contract
         and the limits are wired in afterwards.
    @param name_ The token name.
    @param symbol_ The token symbol.
    @param revenue_token_ The ERC-20 whose revenue is distributed besides ETH.
    @param name_eip712_ The EIP-712 signing-domain name.
    @param version_eip712_ The EIP-712 signing-domain version.
    """
    ownable.__init__()
    erc20.__init__(name_, symbol_, 18, name_eip712_, version_eip712_)
    # erc20 makes its deployer a minter of its own mint, which is not exported; revoke it anyway.
    erc20.is_minter[msg.sender] = False
    log erc20.RoleMinterChanged(minter=msg.sender, status=False)
    votes.__init__()
    dividends.__init__(revenue_token_)


@external
@nonreentrant
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` shares from the caller to `to`; earned dividends stay with the caller.
    @param to The 20-byte receiver address.
    @param amount The number of shares (18 decimals).
    @return bool True on success.
    """
    self._transfer(msg.sender, to, amount)
    return True


@external
@nonreentrant
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` shares from `owner` to `to` using the caller's allowance.
    @param owner The 20-byte owner address.
    @param to The 20-byte receiver address.
    @param amount The number of shares.
    @return bool True on success.
    """
    erc20._spend_allowance(owner, msg.sender, amount)
    self._transfer(owner, to, amount)
    return True


@external
@nonreentrant
def mint(to: address, amount: uint256, epoch: uint256):
    """
    @notice Mints `amount` new shares of `epoch` to `to` (minter only, within the epoch cap).
    @dev The recipient is auto-delegated to itself when it has no delegate:
         contributors receive shares by mint, and undelegated supply would make
         a supply-based quorum unreachable. Revenue held while the supply was
         below one share is distributed once the supply reaches one share.
    @param to The 20-byte receiver address.
    @param amount The number of shares.
    @param epoch The epoch the shares were earned in.
    """
    assert msg.sender == self.minter, "share: not minter"
    assert to != empty(address), "share: mint to the zero address"
    assert to != self, "share: mint to the share token"
    supply: uint256 = erc20.totalSupply
    self._count_mint(epoch, amount, supply)

    if votes._delegate_of(to) == empty(address):
        votes._delegate(to, to)
    erc20._mint(to, amount)
    votes._transfer_voting_units(empty(address), to, amount)
    dividends._on_transfer(empty(address), to, amount)
    if supply < dividends.MIN_DISTRIBUTION_SUPPLY:
        dividends._fold_held()
    log SharesMinted(to=to, amount=amount, epoch=epoch)


@external
@nonreentrant
def allocate(epoch: uint256, amount: uint256):
    """
    @notice Allocates `epoch`'s whole final mint to the pool (minter only, once per epoch).
    @dev Called when the epoch's report becomes final. The shares are minted to
         this contract: from now on they are in the supply and earn dividends,
         without votes until released. The dividend per share of the moment is
         recorded, so a release hands the claimant everything its shares earned
         since. Revenue held while the supply was below one share is folded in
         right after, i.e. shared pro rata over this allocation.
    @param epoch The final epoch.
    @param amount The epoch's committed total mint (within its reservation or cap).
    """
    assert msg.sender == self.minter, "share: not minter"
    assert self._pool[epoch] == 0, "share: epoch already allocated"
    assert amount <= _AMOUNT_MASK, "share: allocation too large"
    supply: uint256 = erc20.totalSupply
    self._count_mint(epoch, amount, supply)
    self._pool[epoch] = _ALLOCATED | amount << 128
    for asset: address in [dividends.ETH, dividends.revenue_token]:
        per_share: uint256 = dividends._per_share[asset]
        if per_share != 0:
            self._allocation_per_share[epoch][asset] = per_share
    log SharesAllocated(epoch=epoch, amount=amount)
    if amount == 0:
        return
    erc20._mint(self, amount)
    # The pool never delegates: the supply checkpoint grows, nobody's votes do.
    votes._transfer_voting_units(empty(address), self, amount)
    dividends._on_transfer(empty(address), self, amount)
    if supply < dividends.MIN_DISTRIBUTION_SUPPLY:
        dividends._fold_held()


@external
@nonreentrant
def release(epoch: uint256, to: address, amount: uint256):
    """
    @notice Moves `amount` allocated shares of `epoch` from the pool to `to`, with their dividends (minter only).
    @dev `to` gets the shares as if it had held them since the allocation:
         every ETH and token dividend they earned in the pool becomes claimable
         by `to`. The recipient is auto-delegated to itself when it has no
         delegate, as on a mint.
    @param epoch The epoch whose allocation the shares come from.
    @param to The 20-byte receiver address.
    @param amount The number of shares.
    """
    assert msg.sender == self.minter, "share: not minter"
    assert to != empty(address) and to != self, "share: release to an invalid address"
    pool: uint256 = self._pool[epoch]
    assert pool != 0, "share: epoch not allocated"
    assert (pool & _LOW) + amount <= (pool >> 128) & _AMOUNT_MASK, "share: release above the allocation"
    self._pool[epoch] = pool + amount
    if votes._delegate_of(to) == empty(address):
        votes._delegate(to, to)
    erc20._transfer(self, to, amount)
    votes._move_votes(empty(address), votes._delegate_of(to), amount)
    dividends._on_release(to, amount, self._allocation_per_share[epoch][dividends.ETH], self._allocation_per_share[epoch][dividends.revenue_token])
    log SharesReleased(epoch=epoch, to=to, amount=amount)


@external
@view
def allocated_shares(epoch: uint256) -> uint256:
    """
    @notice The shares allocated to the pool when `epoch` became final.
    @param epoch The epoch number.
    @return uint256 Shares (0 before finality).
    """
    return (self._pool[epoch] >> 128) & _AMOUNT_MASK


@external
@view
def released_shares(epoch: uint256) -> uint256:
    """
    @notice The shares of `epoch`'s allocation already released to their owners.
    @param epoch The epoch number.
    @return uint256 Shares.
    """
    return self._pool[epoch] & _LOW


@external
@view
def is_allocated(epoch: uint256) -> bool:
    """
    @notice Whether `epoch`'s final mint was allocated (possibly zero shares).
    @param epoch The epoch number.
    @return bool True once allocated.
    """
    return self._pool[epoch] != 0


@external
@view
def release_dividends(epoch: uint256, amount: uint256) -> (uint256, uint256):
    """
    @notice The dividends that releasing `amount` shares of `epoch` now would make claimable.
    @param epoch The epoch number.
    @param amount The number of shares.
    @return uint256 ETH in wei.
    @return uint256 Revenue-token units.
    """
    if self._pool[epoch] == 0:
        return 0, 0
    return (
        (dividends._per_share[dividends.ETH] - self._allocation_per_share[epoch][dividends.ETH]) * amount // dividends.MAGNITUDE,
        (dividends._per_share[dividends.revenue_token] - self._allocation_per_share[epoch][dividends.revenue_token]) * amount // dividends.MAGNITUDE,
    )


@external
def reserve_epoch_mint(epoch: uint256, amount: uint256):
    """
    @notice Reserves `amount` shares of `epoch`'s cap for a committed report (minter only).
    @dev From then on the reservation is the epoch's cap: burns that lower the
         supply and governance lowering the limits no longer reach shares that
         were committed. A rejected report is replaced by a new reservation,
         allowed only while nothing of the epoch has been minted.
    @param epoch The epoch number.
    @param amount The committed total mint; at most the epoch's current cap.
    """
    assert msg.sender == self.minter, "share: not minter"
    assert self.minted_in_epoch[epoch] == 0, "share: epoch already minting"
    assert amount <= self._epoch_cap(epoch), "share: epoch mint cap exceeded"
    self.reserved_mint[epoch] = amount
    log EpochMintReserved(epoch=epoch, amount=amount)


@external
@nonreentrant
def burn(amount: uint256):
    """
    @notice Destroys `amount` of the caller's shares (dividends already earned stay claimable).
    @param amount The number of shares.
    """
    erc20._burn(msg.sender, amount)
    votes._transfer_voting_units(msg.sender, empty(address), amount)
    dividends._on_transfer(msg.sender, empty(address), amount)


@external
@payable
@nonreentrant
def distribute_eth():
    """
    @notice Distributes the ETH sent to current holders pro rata (revenue deposit);
            held until the first shares exist while the supply is zero.
    """
    dividends._distribute(empty(address), msg.value)


@external
@payable
@nonreentrant
def __default__():
    """
    @notice Plain ETH sent to the token is revenue, distributed like `distribute_eth`.
    @dev Calls with data (an unknown function) are refused rather than taken as revenue.
    """
    assert len(msg.data) == 0, "share: unknown function"
    dividends._distribute(empty(address), msg.value)


@external
@nonreentrant
def distribute_token(amount: uint256):
    """
    @notice Pulls `amount` revenue tokens from the caller and distributes what arrived.
    @dev The caller must have approved this contract. Fee-on-transfer tokens
         credit the measured balance increase, not `amount`.
    @param amount The number of revenue-token units to pull.
    """
    dividends._receive_token(amount)


@external
@nonreentrant
def claim():
    """
    @notice Pays the caller its ETH and revenue-token dividends.
    @dev A revenue-token transfer that fails (paused, blacklisted) never blocks
         the ETH: the token part then stays claimable (`TokenClaimDeferred`).
    """
    dividends._claim(msg.sender)


@external
@nonreentrant
def claim_eth():
    """
    @notice Pays the caller its ETH dividends only.
    """
    dividends._claim_eth(msg.sender)


@external
@nonreentrant
def claim_token():
    """
    @notice Pays the caller its revenue-token dividends only; reverts if the token refuses.
    """
    dividends._claim_token(msg.sender)


@external
@nonreentrant
def claim_for(holder: address):
    """
    @notice Pays `holder` its dividends (keepers may claim for contracts), as `claim` does.
    @param holder The 20-byte holder address; the payment goes to it, never to the caller.
    """
    assert holder != self, "share: the pool's dividends go with its shares"
    dividends._claim(holder)


@external
def set_minter(new_minter: address):
    """
    @notice Sets the only account that may mint (the epoch settlement). Owner only.
    @param new_minter The 20-byte minter address (zero disables minting).
    """
    ownable._check_owner()
    log MinterChanged(previous_minter=self.minter, new_minter=new_minter)
    self.minter = new_minter


@external
def set_epoch_mint_limits(max_epoch_mint_bps_: uint256, min_epoch_mint_: uint256):
    """
    @notice Sets the per-epoch mint cap: max(min_epoch_mint, supply at the epoch's first mint * bps / 10000).
    @param max_epoch_mint_bps_ The cap as basis points of the supply (at most 10000).
    @param min_epoch_mint_ The floor of the cap, so that the first epochs can mint.
    """
    ownable._check_owner()
    assert max_epoch_mint_bps_ <= _BPS, "share: cap above 100% of the supply"
    assert min_epoch_mint_ <= _MIN_MASK, "share: min epoch mint too large"
    self._mint_limits = max_epoch_mint_bps_ << _LIMIT_SHIFT | min_epoch_mint_
    log EpochMintLimitsChanged(max_epoch_mint_bps=max_epoch_mint_bps_, min_epoch_mint=min_epoch_mint_)


@external
@view
def max_epoch_mint_bps() -> uint256:
    """
    @notice The per-epoch cap as basis points of the supply at the epoch's first mint.
    @return uint256 Basis points (10000 = 100%).
    """
    return self._mint_limits >> _LIMIT_SHIFT


@external
@view
def min_epoch_mint() -> uint256:
    """
    @notice The floor of the per-epoch cap.
    @return uint256 Shares.
    """
    return self._mint_limits & _MIN_MASK


@external
@view
def epoch_mint_cap(epoch: uint256) -> uint256:
    """
    @notice How many shares `epoch` may mint in all (already minted included).
    @dev Its reservation once a report is committed; before that, from the
         limits, with the current supply standing in for the supply at the
         epoch's start until its first mint.
    @param epoch The epoch number.
    @return uint256 The cap.
    """
    reserved: uint256 = self.reserved_mint[epoch]
    if reserved != 0:
        return reserved
    return self._epoch_cap(epoch)


@internal
@view
def _epoch_cap(epoch: uint256) -> uint256:
    start: uint256 = self._epoch_start_supply[epoch]
    if start == 0:
        return self._cap(erc20.totalSupply)
    return self._cap(start - 1)


@internal
@view
def _cap(start_supply: uint256) -> uint256:
    limits: uint256 = self._mint_limits
    return max(limits & _MIN_MASK, start_supply * (limits >> _LIMIT_SHIFT) // _BPS)


@internal
def _count_mint(epoch: uint256, amount: uint256, supply: uint256):
    """
    @dev Adds `amount` to `epoch`'s minted total, within its reservation or, without one, its cap.
    """
    minted: uint256 = self.minted_in_epoch[epoch] + amount
    reserved: uint256 = self.reserved_mint[epoch]
    if reserved != 0:
        assert minted <= reserved, "share: epoch mint cap exceeded"
    else:
        start: uint256 = self._epoch_start_supply[epoch]
        if start == 0:
            start = supply + 1
            self._epoch_start_supply[epoch] = start
        assert minted <= self._cap(start - 1), "share: epoch mint cap exceeded"
    self.minted_in_epoch[epoch] = minted


@internal
def _transfer(owner: address, to: address, amount: uint256):
    # The pool holds allocated shares only; shares sent to it would earn for nobody.
    assert to != self, "share: transfer to the share token"
    erc20._transfer(owner, to, amount)
    votes._transfer_voting_units(owner, to, amount)
    dividends._on_transfer(owner, to, amount)

# pragma version 0.4.3
"""
@title Dividends
@custom:contract-name dividends
@license GNU Affero General Public License v3.0 only
@notice Pro-rata revenue for the holders of a snekmate `erc20`, in ETH and in
        one ERC-20 revenue token fixed at deployment. Revenue is credited to
        holders at the moment it arrives; transfers, mints and burns afterwards
        never move what was already earned, and a claim costs the same gas
        whatever the number of holders.
@dev A dividend-per-share accumulator magnified by 2**128 with int256
     per-holder corrections: accumulated(h) = (per_share * balance(h) +
     correction(h)) // 2**128, withdrawable = accumulated - withdrawn. Each
     distribution truncates less than supply / 2**128 wei in all, so no
     remainder is carried.
     Revenue that arrives while the supply is zero (in fact: below one share,
     `MIN_DISTRIBUTION_SUPPLY`) is held; the host calls `_fold_held` after a
     mint from such a supply, which distributes it to the holders as soon as
     the supply reaches one share. Held revenue is non-zero only while the
     supply is below that floor, so an ordinary distribution never reads it.
     Accounting lives in the totals (distributed, claimed, held), never in
     `self.balance`: ETH can be force-sent and stays outside the accounting.
     Every per-asset total is kept below 2**128 (asserted), so the distributed
     and claimed totals share one slot and so do a holder's withdrawn amounts;
     entitlements never exceed what was distributed. per_share * balance must
     stay below 2**255, i.e. (revenue / supply at its arrival) * any later
     balance < 2**127 units: the one-share floor is what keeps that true (with
     revenue spread over a dust supply, a later mint would overflow and revert
     forever); at one share or more it needs revenue * balance < 1.7e56.
     The host contract calls `_on_transfer` after every balance change (or
     `_on_release` when shares leave its allocation pool) and wraps
     `_distribute`, `_receive_token` and the claims in its reentrancy lock.
     ETH and token dividends are paid independently: `_claim` pays ETH even
     when the revenue token refuses its transfer (paused, blacklisting), and
     leaves the token entitlement intact for a later `_claim_token`.
"""

from ethereum.ercs import IERC20
from snekmate.tokens import erc20

uses: erc20


event DividendsDistributed:
    asset: indexed(address)
    amount: uint256
    per_share_magnified: uint256


event RevenueHeld:
    asset: indexed(address)
    amount: uint256


event DividendsClaimed:
    holder: indexed(address)
    eth: uint256
    token: uint256


event TokenClaimDeferred:
    holder: indexed(address)
    amount: uint256


MAGNITUDE: constant(uint256) = 1 << 128
# Revenue is held while the supply is below one share (see the module notes).
MIN_DISTRIBUTION_SUPPLY: constant(uint256) = 10**18
_LOW: constant(uint256) = (1 << 128) - 1
ETH: constant(address) = empty(address)

revenue_token: public(immutable(address))

# asset -> dividend per share, magnified by 2**128
_per_share: HashMap[address, uint256]
# asset -> holder -> correction, magnified
_corrections: HashMap[address, HashMap[address, int256]]
# holder -> eth withdrawn << 128 | token withdrawn
_withdrawn: HashMap[address, uint256]
# asset -> distributed << 128 | claimed
_totals: HashMap[address, uint256]
# asset -> received while the supply was zero
_held: HashMap[address, uint256]


@deploy
def __init__(revenue_token_: address):
    """
    @dev Fixes the ERC-20 revenue token for the contract's lifetime. At
         deployment `self` is the share token's own address, so refusing it
         here guarantees `_receive_token` can never take shares as revenue.
    @param revenue_token_ The 20-byte address of the revenue token.
    """
    assert revenue_token_ != empty(address), "dividends: revenue token is the zero address"
    assert revenue_token_ != self, "dividends: revenue token is the share token"
    revenue_token = revenue_token_


@external
@view
def withdrawable_dividends(holder: address) -> (uint256, uint256):
    """
    @notice What `holder` can claim now.
    @param holder The 20-byte holder address.
    @return uint256 Claimable ETH in wei.
    @return uint256 Claimable revenue-token units.
    """
    balance: uint256 = erc20.balanceOf[holder]
    withdrawn: uint256 = self._withdrawn[holder]
    return (
        self._accumulated(ETH, holder, balance) - (withdrawn >> 128),
        self._accumulated(revenue_token, holder, balance) - (withdrawn & _LOW),
    )


@external
@view
def withdrawn_dividends(holder: address) -> (uint256, uint256):
    """
    @notice What `holder` has claimed so far.
    @param holder The 20-byte holder address.
    @return uint256 Claimed ETH in wei.
    @return uint256 Claimed revenue-token units.
    """
    withdrawn: uint256 = self._withdrawn[holder]
    return withdrawn >> 128, withdrawn & _LOW


@external
@view
def total_distributed_eth() -> uint256:
    """
    @notice ETH credited to holders so far.
    @return uint256 Wei distributed.
    """
    return self._totals[ETH] >> 128


@external
@view
def total_distributed_token() -> uint256:
    """
    @notice Revenue-token units credited to holders so far.
    @return uint256 Units distributed.
    """
    return self._totals[revenue_token] >> 128


@external
@view
def total_claimed_eth() -> uint256:
    """
    @notice ETH paid out to holders so far.
    @return uint256 Wei claimed.
    """
    return self._totals[ETH] & _LOW


@external
@view
def total_claimed_token() -> uint256:
    """
    @notice Revenue-token units paid out so far.
    @return uint256 Units claimed.
    """
    return self._totals[revenue_token] & _LOW


@external
@view
def undistributed_eth() -> uint256:
    """
    @notice ETH received while the supply was below one share, waiting for the first shares.
    @return uint256 Wei held.
    """
    return self._held[ETH]


@external
@view
def undistributed_token() -> uint256:
    """
    @notice Revenue-token units received while the supply was below one share.
    @return uint256 Units held.
    """
    return self._held[revenue_token]


@internal
@view
def _accumulated(asset: address, holder: address, balance: uint256) -> uint256:
    """
    @dev Everything `holder` has earned in `asset`, claimed or not.
    """
    return convert(convert(self._per_share[asset] * balance, int256) + self._corrections[asset][holder], uint256) // MAGNITUDE


@internal
def _distribute(asset: address, amount: uint256):
    """
    @dev Credits `amount` of `asset` to the current holders, or holds it while
         the supply is below one share.
    """
    if amount == 0:
        return
    supply: uint256 = erc20.totalSupply
    if supply < MIN_DISTRIBUTION_SUPPLY:
        held: uint256 = self._held[asset] + amount
        assert held + (self._totals[asset] >> 128) <= _LOW, "dividends: revenue overflow"
        self._held[asset] = held
        log RevenueHeld(asset=asset, amount=amount)
        return
    self._credit(asset, amount, supply)


@internal
def _credit(asset: address, amount: uint256, supply: uint256):
    totals: uint256 = self._totals[asset]
    distributed: uint256 = (totals >> 128) + amount
    assert distributed <= _LOW, "dividends: revenue overflow"
    per_share: uint256 = self._per_share[asset] + amount * MAGNITUDE // supply
    self._per_share[asset] = per_share
    self._totals[asset] = distributed << 128 | (totals & _LOW)
    log DividendsDistributed(asset=asset, amount=amount, per_share_magnified=per_share)


@internal
def _fold_held():
    """
    @dev Distributes what was held while the supply was below one share; the
         host calls it after a mint that started from such a supply.
    """
    supply: uint256 = erc20.totalSupply
    if supply < MIN_DISTRIBUTION_SUPPLY:
        return
    for asset: address in [ETH, revenue_token]:
        held: uint256 = self._held[asset]
        if held != 0:
            self._held[asset] = 0
            self._credit(asset, held, supply)


@internal
def _on_transfer(owner: address, to: address, amount: uint256):
    """
    @dev Keeps past entitlements where they are when `amount` moves (zero address = mint/burn).
    """
    if amount == 0:
        return
    # The two assets written out: a loop over a literal list costs a memory copy on every transfer.
    per_share: uint256 = self._per_share[ETH]
    if per_share != 0:
        moved: int256 = convert(per_share * amount, int256)
        if owner != empty(address):
            self._corrections[ETH][owner] += moved
        if to != empty(address):
            self._corrections[ETH][to] -= moved
    per_share = self._per_share[revenue_token]
    if per_share != 0:
        moved: int256 = convert(per_share * amount, int256)
        if owner != empty(address):
            self._corrections[revenue_token][owner] += moved
        if to != empty(address):
            self._corrections[revenue_token][to] -= moved


@internal
def _receive_token(amount: uint256):
    """
    @dev Pulls `amount` from the caller and distributes what actually arrived
         (fee-on-transfer tokens credit less than `amount`).
    """
    before: uint256 = staticcall IERC20(revenue_token).balanceOf(self)
    assert extcall IERC20(revenue_token).transferFrom(msg.sender, self, amount, default_return_value=True), "dividends: transferFrom failed"
    received: uint256 = staticcall IERC20(revenue_token).balanceOf(self) - before
    self._distribute(revenue_token, received)


@internal
def _on_release(to: address, amount: uint256, eth_per_share_at: uint256, token_per_share_at: uint256):
    """
    @dev `amount` shares moved from the host's pool (its own balance) to `to`
         after `_on_transfer`-free balance changes: they move as if at the
         dividend per share of their allocation (`*_per_share_at`), so what
         they earned in the pool since goes with them. The pool's accumulated
         dividends are exactly sum((per_share - at) * unreleased) magnified:
         never negative, zero once all is released.
    """
    if amount == 0:
        return
    if eth_per_share_at != 0:
        moved: int256 = convert(eth_per_share_at * amount, int256)
        self._corrections[ETH][self] += moved
        self._corrections[ETH][to] -= moved
    if token_per_share_at != 0:
        moved: int256 = convert(token_per_share_at * amount, int256)
        self._corrections[revenue_token][self] += moved
        self._corrections[revenue_token][to] -= moved


@internal
@view
def _owed(holder: address) -> (uint256, uint256, uint256, uint256):
    """
    @dev (eth accumulated, token accumulated, eth owed, token owed) of `holder`.
    """
    balance: uint256 = erc20.balanceOf[holder]
    eth_total: uint256 = self._accumulated(ETH, holder, balance)
    token_total: uint256 = self._accumulated(revenue_token, holder, balance)
    withdrawn: uint256 = self._withdrawn[holder]
    return eth_total, token_total, eth_total - (withdrawn >> 128), token_total - (withdrawn & _LOW)


@internal
def _claim(holder: address):
    """
    @dev Both assets; a failing token transfer is undone and deferred, never blocks the ETH.
    """
    eth_total: uint256 = 0
    token_total: uint256 = 0
    eth: uint256 = 0
    token: uint256 = 0
    eth_total, token_total, eth, token = self._owed(holder)
    assert eth != 0 or token != 0, "dividends: nothing to claim"
    if token != 0 and not self._pay_token(holder, token_total, token, False):
        token = 0
    if eth != 0:
        self._pay_eth(holder, eth_total, eth)
    log DividendsClaimed(holder=holder, eth=eth, token=token)


@internal
def _claim_eth(holder: address):
    """
    @dev ETH only.
    """
    eth_total: uint256 = 0
    token_total: uint256 = 0
    eth: uint256 = 0
    token: uint256 = 0
    eth_total, token_total, eth, token = self._owed(holder)
    assert eth != 0, "dividends: no ETH to claim"
    self._pay_eth(holder, eth_total, eth)
    log DividendsClaimed(holder=holder, eth=eth, token=0)


@internal
def _claim_token(holder: address):
    """
    @dev Revenue token only; reverts when the token refuses the transfer.
    """
    eth_total: uint256 = 0
    token_total: uint256 = 0
    eth: uint256 = 0
    token: uint256 = 0
    eth_total, token_total, eth, token = self._owed(holder)
    assert token != 0, "dividends: no token to claim"
    self._pay_token(holder, token_total, token, True)
    log DividendsClaimed(holder=holder, eth=0, token=token)


@internal
def _pay_eth(holder: address, eth_total: uint256, eth: uint256):
    """
    @dev Effects (withdrawn, claimed total), then the payment.
    """
    self._withdrawn[holder] = eth_total << 128 | (self._withdrawn[holder] & _LOW)
    self._totals[ETH] += eth
    success: bool = raw_call(holder, b"", value=eth, revert_on_failure=False)
    assert success, "dividends: ETH transfer failed"


@internal
def _pay_token(holder: address, token_total: uint256, token: uint256, strict: bool) -> bool:
    """
    @dev Effects, then the transfer. When the token refuses it and `strict` is
         off, the effects are undone (the entitlement stays claimable) and the
         deferral is logged; the host's reentrancy lock covers the window.
    """
    withdrawn: uint256 = self._withdrawn[holder]
    self._withdrawn[holder] = (withdrawn >> 128) << 128 | token_total
    self._totals[revenue_token] += token
    success: bool = False
    response: Bytes[32] = b""
    success, response = raw_call(
        revenue_token,
        abi_encode(holder, token, method_id=method_id("transfer(address,uint256)")),
        max_outsize=32,
        revert_on_failure=False,
    )
    if success and len(response) != 0:
        success = len(response) == 32 and convert(convert(response, bytes32), uint256) == 1
    if success:
        return True
    assert not strict, "dividends: token transfer failed"
    self._withdrawn[holder] = withdrawn
    self._totals[revenue_token] -= token
    log TokenClaimDeferred(holder=holder, amount=token)
    return False

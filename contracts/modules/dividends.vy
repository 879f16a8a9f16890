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
     per-holder corrections: entitlement(h) = (per_share * balance(h) +
     correction(h)) / 2**128. The division remainder of each distribution is
     carried into the next one, so dust is distributed later, never overpaid.
     Revenue that arrives while the supply is zero is held and folded into the
     next distribution. Accounting is kept in `total_distributed_*` and
     `total_claimed_*`, never in `self.balance` (ETH can be force-sent). The
     host contract calls `_on_transfer` after every balance change.
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


MAGNITUDE: constant(uint256) = 1 << 128
ETH: constant(address) = empty(address)

revenue_token: public(immutable(address))

_per_share: HashMap[address, uint256]
_carry: HashMap[address, uint256]
_corrections: HashMap[address, HashMap[address, int256]]
_withdrawn: HashMap[address, HashMap[address, uint256]]
_distributed: HashMap[address, uint256]
_claimed: HashMap[address, uint256]
_held: HashMap[address, uint256]


@deploy
def __init__(revenue_token_: address):
    """
    @dev Fixes the ERC-20 revenue token for the contract's lifetime.
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
    return self._withdrawable(ETH, holder), self._withdrawable(revenue_token, holder)


@external
@view
def withdrawn_dividends(holder: address) -> (uint256, uint256):
    """
    @notice What `holder` has claimed so far.
    @param holder The 20-byte holder address.
    @return uint256 Claimed ETH in wei.
    @return uint256 Claimed revenue-token units.
    """
    return self._withdrawn[ETH][holder], self._withdrawn[revenue_token][holder]


@external
@view
def total_distributed_eth() -> uint256:
    """
    @notice ETH credited to holders so far.
    @return uint256 Wei distributed.
    """
    return self._distributed[ETH]


@external
@view
def total_distributed_token() -> uint256:
    """
    @notice Revenue-token units credited to holders so far.
    @return uint256 Units distributed.
    """
    return self._distributed[revenue_token]


@external
@view
def total_claimed_eth() -> uint256:
    """
    @notice ETH paid out to holders so far.
    @return uint256 Wei claimed.
    """
    return self._claimed[ETH]


@external
@view
def total_claimed_token() -> uint256:
    """
    @notice Revenue-token units paid out so far.
    @return uint256 Units claimed.
    """
    return self._claimed[revenue_token]


@external
@view
def undistributed_eth() -> uint256:
    """
    @notice ETH received while the supply was zero, waiting for the first shares.
    @return uint256 Wei held.
    """
    return self._held[ETH]


@external
@view
def undistributed_token() -> uint256:
    """
    @notice Revenue-token units received while the supply was zero.
    @return uint256 Units held.
    """
    return self._held[revenue_token]


@internal
@view
def _withdrawable(asset: address, holder: address) -> uint256:
    accumulated: int256 = convert(self._per_share[asset] * erc20.balanceOf[holder], int256) + self._corrections[
        asset
    ][holder]
    # Corrections never make a holder's accumulated amount negative; clamp defensively.
    if accumulated <= 0:
        return 0
    return convert(accumulated, uint256) // MAGNITUDE - self._withdrawn[asset][holder]


@internal
def _distribute(asset: address, amount: uint256):
    supply: uint256 = erc20.totalSupply
    if supply == 0:
        self._held[asset] += amount
        log RevenueHeld(asset=asset, amount=amount)
        return
    total: uint256 = amount + self._held[asset]
    if total == 0:
        return
    self._held[asset] = 0
    numerator: uint256 = total * MAGNITUDE + self._carry[asset]
    self._per_share[asset] += numerator // supply
    self._carry[asset] = numerator % supply
    self._distributed[asset] += total
    log DividendsDistributed(asset=asset, amount=total, per_share_magnified=self._per_share[asset])


@internal
def _fold_held(asset: address):
    """
    @dev Distributes revenue held while the supply was zero (called after a mint).
    """
    if self._held[asset] != 0:
        self._distribute(asset, 0)


@internal
def _on_transfer(owner: address, to: address, amount: uint256):
    """
    @dev Keeps past entitlements where they are when `amount` moves (zero address = mint/burn).
    """
    for asset: address in [ETH, revenue_token]:
        moved: int256 = convert(self._per_share[asset] * amount, int256)
        if owner != empty(address):
            self._corrections[asset][owner] += moved
        if to != empty(address):
            self._corrections[asset][to] -= moved


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
def _claim(holder: address):
    """
    @dev Effects before interactions: both withdrawals are recorded before any transfer.
    """
    eth: uint256 = self._withdrawable(ETH, holder)
    token: uint256 = self._withdrawable(revenue_token, holder)
    assert eth != 0 or token != 0, "dividends: nothing to claim"
    self._withdrawn[ETH][holder] += eth
    self._withdrawn[revenue_token][holder] += token
    self._claimed[ETH] += eth
    self._claimed[revenue_token] += token
    log DividendsClaimed(holder=holder, eth=eth, token=token)
    if token != 0:
        assert extcall IERC20(revenue_token).transfer(holder, token, default_return_value=True), "dividends: token transfer failed"
    if eth != 0:
        raw_call(holder, b"", value=eth)

# pragma version 0.4.3
"""
@title Reentrant receiver (test double)
@custom:contract-name ReentrantReceiver
@license GNU Affero General Public License v3.0 only
@notice A share holder contract that, when paid ETH, calls back into the share
        token (claim again, or transfer its shares away) and records whether the
        re-entry succeeded. With `swallow` it ignores the failed re-entry, so
        the outer claim can complete; without it the failure propagates.
"""

interface IShares:
    def claim(): nonpayable
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def balanceOf(owner: address) -> uint256: view

MODE_CLAIM: constant(uint8) = 1
MODE_TRANSFER: constant(uint8) = 2

shares: public(address)
mode: public(uint8)
swallow: public(bool)
attempts: public(uint256)
reentry_succeeded: public(bool)
received: public(uint256)


@deploy
def __init__(shares_: address):
    """
    @param shares_ The share token to re-enter.
    """
    self.shares = shares_


@external
def arm(mode_: uint8, swallow_: bool):
    """
    @notice Chooses what to do on the next ETH receipt.
    @param mode_ 1 = claim again, 2 = transfer all shares to the caller of `claim`.
    @param swallow_ Ignore a failed re-entry instead of reverting.
    """
    self.mode = mode_
    self.swallow = swallow_


@external
def claim():
    """
    @notice Claims this contract's dividends.
    """
    extcall IShares(self.shares).claim()


@external
@payable
def __default__():
    """
    @notice Receives ETH and re-enters the share token once.
    """
    self.received += msg.value
    if self.attempts != 0 or self.mode == 0:
        return
    self.attempts += 1
    data: Bytes[68] = b""
    if self.mode == MODE_CLAIM:
        data = method_id("claim()")
    else:
        balance: uint256 = staticcall IShares(self.shares).balanceOf(self)
        data = abi_encode(tx.origin, balance, method_id=method_id("transfer(address,uint256)"))
    success: bool = raw_call(self.shares, data, revert_on_failure=False)
    self.reentry_succeeded = success
    if not self.swallow:
        assert success, "receiver: re-entry failed"

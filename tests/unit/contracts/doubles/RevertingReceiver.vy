# pragma version 0.4.3
"""
@title Reverting receiver (test double)
@custom:contract-name RevertingReceiver
@license GNU Affero General Public License v3.0 only
@notice A share holder contract that refuses ETH: its dividend claim must
        revert without blocking anyone else's.
"""

interface IShares:
    def claim(): nonpayable


@external
def claim(shares: address):
    """
    @notice Claims this contract's dividends from `shares`.
    @param shares The share token.
    """
    extcall IShares(shares).claim()


@external
@payable
def __default__():
    """
    @notice Refuses every ETH payment.
    """
    raise "receiver: no ETH accepted"

# pragma version 0.4.3
"""
@title Flash borrower (test double)
@custom:contract-name FlashBorrower
@license GNU Affero General Public License v3.0 only
@notice Within one transaction: takes a lender's shares (with its allowance),
        delegates them, records the votes they give, and returns them: the
        flash-loan vote pattern (Beanstalk). The block's checkpoint must only
        show the end state.
"""

interface IShares:
    def transferFrom(owner: address, to: address, amount: uint256) -> bool: nonpayable
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def delegate(delegatee: address): nonpayable
    def getVotes(account: address) -> uint256: view

votes_seen: public(uint256)


@external
def borrow(shares: address, lender: address, amount: uint256, delegatee: address):
    """
    @notice Borrows `amount` shares of `lender`, delegates them to `delegatee`, returns them.
    @param shares The share token.
    @param lender The owner who approved this contract.
    @param amount The number of shares.
    @param delegatee Who gets the borrowed votes for the duration of the call.
    """
    extcall IShares(shares).transferFrom(lender, self, amount)
    extcall IShares(shares).delegate(delegatee)
    self.votes_seen = staticcall IShares(shares).getVotes(delegatee)
    extcall IShares(shares).transfer(lender, amount)

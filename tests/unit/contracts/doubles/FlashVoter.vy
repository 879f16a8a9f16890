# pragma version 0.4.3
"""
@title Flash-loan voter (test double)
@custom:contract-name FlashVoter
@license GNU Affero General Public License v3.0 only
@notice Within one transaction: takes a lender's shares (with its allowance),
        delegates them to itself, makes one call to the Governor (vote or
        propose) if asked, and returns the shares: Beanstalk-style flash-loan
        governance. Records the votes it held mid-transaction and whether the
        Governor call went through.
"""

interface IShares:
    def transferFrom(owner: address, to: address, amount: uint256) -> bool: nonpayable
    def transfer(to: address, amount: uint256) -> bool: nonpayable
    def delegate(delegatee: address): nonpayable
    def getVotes(account: address) -> uint256: view

votes_seen: public(uint256)
call_succeeded: public(bool)
call_return: public(Bytes[256])


@external
def flash(shares: address, lender: address, amount: uint256, governor: address, payload: Bytes[4_096]):
    """
    @notice Borrows `amount` shares of `lender`, delegates them to itself, calls `governor` with `payload` (unless zero), returns the shares.
    @param shares The share token.
    @param lender The owner who approved this contract.
    @param amount The number of shares.
    @param governor The Governor (zero: no call).
    @param payload The calldata of the Governor call (e.g. castVote or propose).
    """
    extcall IShares(shares).transferFrom(lender, self, amount)
    extcall IShares(shares).delegate(self)
    self.votes_seen = staticcall IShares(shares).getVotes(self)
    if governor != empty(address):
        ok: bool = False
        data: Bytes[256] = b""
        ok, data = raw_call(governor, payload, max_outsize=256, revert_on_failure=False)
        self.call_succeeded = ok
        self.call_return = data
    extcall IShares(shares).transfer(lender, amount)

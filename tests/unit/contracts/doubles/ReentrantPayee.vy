# pragma version 0.4.3
"""
@title Reentrant payee (test double)
@custom:contract-name ReentrantPayee
@license GNU Affero General Public License v3.0 only
@notice A contract that stakes, requests predictions or challenges through `act`, and that,
        when paid ETH, calls the paying contract again once with the calldata it was armed
        with, recording whether the re-entry succeeded. The failed re-entry is swallowed so
        that the outer payout completes and can be checked to have paid exactly once.
"""

target: public(address)
reentry: public(Bytes[256])
attempts: public(uint256)
reentry_succeeded: public(bool)
received: public(uint256)


@external
@payable
def act(target_: address, data: Bytes[256]):
    """
    @notice Calls `target_` with `data`, forwarding the ETH sent with this call.
    @param target_ The contract to call.
    @param data The calldata.
    """
    raw_call(target_, data, value=msg.value)


@external
def arm(target_: address, data: Bytes[256]):
    """
    @notice Sets the call to make once, from inside the next ETH receipt.
    @param target_ The contract to re-enter.
    @param data The calldata of the re-entry.
    """
    self.target = target_
    self.reentry = data


@external
@payable
def __default__():
    """
    @notice Receives ETH and re-enters the armed target once.
    """
    self.received += msg.value
    if self.attempts != 0 or self.target == empty(address):
        return
    self.attempts += 1
    self.reentry_succeeded = raw_call(self.target, self.reentry, revert_on_failure=False)

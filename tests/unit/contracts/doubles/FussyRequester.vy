# pragma version 0.4.3
"""
@title Fussy requester (test double)
@custom:contract-name FussyRequester
@license GNU Affero General Public License v3.0 only
@notice A client contract that requests predictions through `act` and accepts
        ETH only while `accepting` is on: a refund pushed to it while off must
        fail without blocking the sender, and stay claimable.
"""

accepting: public(bool)


@external
@payable
def act(target: address, data: Bytes[256]):
    """
    @notice Calls `target` with `data`, forwarding the ETH sent with this call.
    @param target The contract to call.
    @param data The calldata.
    """
    raw_call(target, data, value=msg.value)


@external
def set_accepting(accepting_: bool):
    """
    @notice Turns ETH receipts on or off.
    @param accepting_ Whether ETH is accepted.
    """
    self.accepting = accepting_


@external
@payable
def __default__():
    """
    @notice Receives ETH only while accepting.
    """
    assert self.accepting, "requester: no ETH accepted"

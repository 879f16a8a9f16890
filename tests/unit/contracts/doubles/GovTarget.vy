# pragma version 0.4.3
"""
@title Governed target (test double)
@custom:contract-name GovTarget
@license GNU Affero General Public License v3.0 only
@notice A contract owned by the Timelock: a parameter only the owner sets,
        a counter of calls per tag (each timelock operation must run once),
        and a payable call that records the wei it received.
"""

owner: public(address)
parameter: public(uint256)
calls: public(HashMap[uint256, uint256])
total_calls: public(uint256)
received: public(uint256)
order: public(DynArray[uint256, 64])


event ValueSet:
    old_value: uint256
    new_value: uint256


event Bumped:
    tag: uint256
    count: uint256


@deploy
def __init__(owner_: address):
    """
    @param owner_ Who may call (the Timelock).
    """
    self.owner = owner_


@external
def set_value(new_value: uint256):
    """
    @notice Sets the parameter (owner only).
    @param new_value The new value.
    """
    assert msg.sender == self.owner, "target: not owner"
    log ValueSet(old_value=self.parameter, new_value=new_value)
    self.parameter = new_value


@external
def bump(tag: uint256):
    """
    @notice Counts one call tagged `tag` (owner only) and records the order.
    @param tag Any number (the tests use one per proposal action).
    """
    assert msg.sender == self.owner, "target: not owner"
    self.calls[tag] += 1
    self.total_calls += 1
    if len(self.order) < 64:
        self.order.append(tag)
    log Bumped(tag=tag, count=self.calls[tag])


@external
@payable
def pay(tag: uint256):
    """
    @notice Receives wei (owner only).
    @param tag Any number.
    """
    assert msg.sender == self.owner, "target: not owner"
    self.received += msg.value
    self.calls[tag] += 1
    self.total_calls += 1
    if len(self.order) < 64:
        self.order.append(tag)

# pragma version 0.4.3
"""
@title Fee-on-transfer ERC-20 (test double)
@custom:contract-name FeeOnTransferToken
@license GNU Affero General Public License v3.0 only
@notice Burns 1% of every transfer, so the receiver gets less than `amount`
        (like several real tokens). Anyone may mint: it is a test double.
"""

from ethereum.ercs import IERC20

implements: IERC20

FEE_BPS: constant(uint256) = 100

balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
totalSupply: public(uint256)


@external
def mint(to: address, amount: uint256):
    """
    @notice Mints `amount` to `to` (no access control: test double).
    @param to The receiver.
    @param amount The amount.
    """
    self.balanceOf[to] += amount
    self.totalSupply += amount
    log IERC20.Transfer(sender=empty(address), receiver=to, value=amount)


@external
def approve(spender: address, amount: uint256) -> bool:
    """
    @notice Sets `spender`'s allowance.
    @param spender The spender.
    @param amount The allowance.
    @return bool True.
    """
    self.allowance[msg.sender][spender] = amount
    log IERC20.Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` minus the fee to `to`.
    @param to The receiver.
    @param amount The amount debited.
    @return bool True.
    """
    self._move(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` minus the fee from `owner` to `to`.
    @param owner The owner.
    @param to The receiver.
    @param amount The amount debited.
    @return bool True.
    """
    self.allowance[owner][msg.sender] -= amount
    self._move(owner, to, amount)
    return True


@internal
def _move(owner: address, to: address, amount: uint256):
    fee: uint256 = amount * FEE_BPS // 10_000
    self.balanceOf[owner] -= amount
    self.balanceOf[to] += amount - fee
    self.totalSupply -= fee
    log IERC20.Transfer(sender=owner, receiver=to, value=amount - fee)

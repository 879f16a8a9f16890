# pragma version 0.4.3
"""
@title Pausable, blacklisting ERC-20 (test double)
@custom:contract-name PausableERC20
@license GNU Affero General Public License v3.0 only
@notice snekmate's `erc20` whose `transfer` and `transferFrom` revert while
        paused or when either party is blocked, as USDC and USDT do: the
        revenue token of the finding-8 regression (a failing revenue token
        must never freeze ETH dividends).
@dev The deployer is owner and minter; anyone may pause or block (a test double).
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20

initializes: ownable
initializes: erc20[ownable := ownable]

exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.approve,
    erc20.mint,
)

paused: public(bool)
blocked: public(HashMap[address, bool])


@deploy
def __init__():
    """
    @dev The deployer becomes owner and minter.
    """
    ownable.__init__()
    erc20.__init__("Pausable", "PAU", 18, "Pausable", "1")


@external
def set_paused(paused_: bool):
    """
    @notice Pauses or resumes every transfer.
    @param paused_ True to pause.
    """
    self.paused = paused_


@external
def set_blocked(account: address, blocked_: bool):
    """
    @notice Blocks or unblocks `account` as a sender or receiver.
    @param account The 20-byte address.
    @param blocked_ True to block.
    """
    self.blocked[account] = blocked_


@internal
def _check(owner: address, to: address):
    assert not self.paused, "pausable: paused"
    assert not self.blocked[owner] and not self.blocked[to], "pausable: blocked"


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice A plain transfer, refused while paused or blocked.
    @param to The receiver.
    @param amount The units.
    @return bool True.
    """
    self._check(msg.sender, to)
    erc20._transfer(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice A plain transferFrom, refused while paused or blocked.
    @param owner The owner.
    @param to The receiver.
    @param amount The units.
    @return bool True.
    """
    self._check(owner, to)
    erc20._spend_allowance(owner, msg.sender, amount)
    erc20._transfer(owner, to, amount)
    return True

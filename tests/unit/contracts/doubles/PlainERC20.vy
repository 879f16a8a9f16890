# pragma version 0.4.3
"""
@title Plain ERC-20 (test double)
@custom:contract-name PlainERC20
@license GNU Affero General Public License v3.0 only
@notice snekmate's `erc20` exported whole: the plain revenue token of the tests
        and the reference transfer of the gas benchmark.
@dev The deployer is owner and minter.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20

initializes: ownable
initializes: erc20[ownable := ownable]

exports: erc20.__interface__


@deploy
def __init__():
    """
    @dev The deployer becomes owner and minter.
    """
    ownable.__init__()
    erc20.__init__("Plain", "PLN", 18, "Plain", "1")

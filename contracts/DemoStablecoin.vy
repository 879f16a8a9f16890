# pragma version 0.4.3
"""
@title Demo Stablecoin
@custom:contract-name DemoStablecoin
@license GNU Affero General Public License v3.0 only
@notice A plain ERC-20 standing in for a real stablecoin on test chains: it is the
        ShareToken's revenue token in the demo and the tests.
@dev snekmate's audited `erc20`, exported whole; its owner-gated minter role lets the
     deployer fund demo clients. Never deploy this as the revenue token of a real DAO.
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
    erc20.__init__("Demo USD", "dUSD", 18, "Demo USD", "1")

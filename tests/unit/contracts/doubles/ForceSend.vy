# pragma version 0.4.3
"""
@title Force-send (test double)
@custom:contract-name ForceSend
@license GNU Affero General Public License v3.0 only
@notice Sends its ETH to `target` with `selfdestruct` at construction, which no
        receive function can refuse or observe.
"""


@deploy
@payable
def __init__(target: address):
    """
    @param target The address that receives the ETH.
    """
    selfdestruct(target)

# pragma version 0.4.3
"""
@title Reverting target (test double)
@custom:contract-name RevertingTarget
@license GNU Affero General Public License v3.0 only
@notice Every call reverts: a proposal calling it must revert as a whole and stay queued.
"""


@external
def fail(tag: uint256):
    """
    @notice Always reverts.
    @param tag Ignored.
    """
    raise "target: always reverts"

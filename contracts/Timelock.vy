# pragma version 0.4.3
"""
@title Metamodel DAO Timelock
@custom:contract-name Timelock
@license GNU Affero General Public License v3.0 only
@notice Owns every admin function of the DAO. Only the Governor proposes,
        cancels and executes; the minimum delay can be changed only by the
        timelock itself, i.e. by a passed proposal.
@dev snekmate's audited `timelock_controller`, exported whole. The deployer
     receives the admin role to wire the Governor in and renounces it in the
     same deployment (see `dao/deploy.py`). Expiry of queued proposals is
     enforced by the Governor (`GRACE_PERIOD`).
"""

from snekmate.auth import access_control
from snekmate.governance import timelock_controller

initializes: access_control
initializes: timelock_controller[access_control := access_control]

exports: timelock_controller.__interface__


@deploy
@payable
def __init__(
    minimum_delay_: uint256,
    proposers_: DynArray[address, 255],
    executors_: DynArray[address, 255],
    admin_: address,
):
    """
    @dev See snekmate's `timelock_controller.__init__`.
    @param minimum_delay_ Seconds between queueing and execution.
    @param proposers_ Accounts with the proposer and canceller roles.
    @param executors_ Accounts with the executor role.
    @param admin_ An optional extra admin for the initial wiring.
    """
    access_control.__init__()
    timelock_controller.__init__(minimum_delay_, proposers_, executors_, admin_)

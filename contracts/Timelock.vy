# pragma version 0.4.3
"""
@title Metamodel DAO Timelock
@custom:contract-name Timelock
@license GNU Affero General Public License v3.0 only
@notice Owns every admin function of the DAO. Only the Governor schedules,
        cancels and executes; the minimum delay and the roles can be changed
        only by the timelock itself, i.e. by a passed proposal. An operation
        that was not executed within `GRACE_PERIOD` seconds of becoming ready
        has expired and can never execute.
@dev snekmate's audited `timelock_controller` with one change: `execute`
     also refuses expired operations (snekmate has no grace period), and the
     batch entry points `schedule_batch`/`execute_batch` are not exported (the
     Governor schedules one operation per action, and an expiry-free batch
     path would bypass the grace period). The deployer receives the admin role
     to wire the Governor in and renounces it in the same deployment (see
     `dao/chain/deploy.py`). The Governor reports the same expiry as its `Expired`
     state (it reads `GRACE_PERIOD` from here at deployment).
"""

from snekmate.auth import access_control
from snekmate.governance import timelock_controller

from .interfaces import ITimelock

implements: ITimelock

initializes: access_control
initializes: timelock_controller[access_control := access_control]

exports: (
    access_control.DEFAULT_ADMIN_ROLE,
    access_control.hasRole,
    access_control.getRoleAdmin,
    access_control.grantRole,
    access_control.revokeRole,
    access_control.renounceRole,
    access_control.set_role_admin,
    timelock_controller.PROPOSER_ROLE,
    timelock_controller.EXECUTOR_ROLE,
    timelock_controller.CANCELLER_ROLE,
    timelock_controller.IERC721_TOKENRECEIVER_SELECTOR,
    timelock_controller.IERC1155_TOKENRECEIVER_SINGLE_SELECTOR,
    timelock_controller.IERC1155_TOKENRECEIVER_BATCH_SELECTOR,
    timelock_controller.get_timestamp,
    timelock_controller.get_minimum_delay,
    timelock_controller.__default__,
    timelock_controller.supportsInterface,
    timelock_controller.is_operation,
    timelock_controller.is_operation_pending,
    timelock_controller.is_operation_ready,
    timelock_controller.is_operation_done,
    timelock_controller.get_operation_state,
    timelock_controller.hash_operation,
    timelock_controller.schedule,
    timelock_controller.cancel,
    timelock_controller.update_delay,
    timelock_controller.onERC721Received,
    timelock_controller.onERC1155Received,
    timelock_controller.onERC1155BatchReceived,
)


# @dev Seconds after an operation becomes ready during which it may execute.
GRACE_PERIOD: public(constant(uint256)) = 14 * 86_400


@deploy
@payable
def __init__(
    minimum_delay_: uint256,
    proposers_: DynArray[address, 255],
    executors_: DynArray[address, 255],
    admin_: address,
):
    """
    @dev See snekmate's `timelock_controller.__init__`: the timelock
         administers itself; `admin_` (optional, zero to omit) may wire
         roles without delay and must renounce afterwards.
    @param minimum_delay_ Seconds between scheduling and execution.
    @param proposers_ Accounts granted the proposer and canceller roles.
    @param executors_ Accounts granted the executor role.
    @param admin_ An optional extra admin for the initial wiring.
    """
    access_control.__init__()
    timelock_controller.__init__(minimum_delay_, proposers_, executors_, admin_)


@external
@payable
def execute(target: address, amount: uint256, payload: Bytes[1_024], predecessor: bytes32, salt: bytes32):
    """
    @notice Executes a ready, unexpired operation containing a single call.
    @dev snekmate's `execute` plus the expiry check; the caller needs the
         executor role (or the role must be open). Reentrancy is harmless:
         the operation must still be ready after the call.
    @param target The called contract.
    @param amount The wei sent with the call.
    @param payload The ABI-encoded call.
    @param predecessor The operation that must be done first (zero: none).
    @param salt The operation's salt.
    """
    timelock_controller._only_role_or_open_role(timelock_controller.EXECUTOR_ROLE)
    id: bytes32 = timelock_controller._hash_operation(target, amount, payload, predecessor, salt)
    timelock_controller._before_call(id, predecessor)
    assert block.timestamp <= timelock_controller.get_timestamp[id] + GRACE_PERIOD, "timelock: operation expired"
    timelock_controller._execute(target, amount, payload)
    log timelock_controller.CallExecuted(id=id, index=empty(uint256), target=target, amount=amount, payload=payload)
    timelock_controller._after_call(id)


@external
@view
def is_operation_expired(id: bytes32) -> bool:
    """
    @notice Whether a scheduled, not executed operation is past its grace period.
    @param id The operation id (`hash_operation`).
    @return bool True if it can never execute any more.
    """
    ready_at: uint256 = timelock_controller.get_timestamp[id]
    return ready_at > 1 and block.timestamp > ready_at + GRACE_PERIOD

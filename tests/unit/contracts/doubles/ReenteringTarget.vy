# pragma version 0.4.3
"""
@title Reentering target (test double)
@custom:contract-name ReenteringTarget
@license GNU Affero General Public License v3.0 only
@notice Called by the Timelock during a proposal's execution, it records the
        proposal's state as the Governor reports it then, and re-enters the
        Governor with a prepared call (e.g. `execute` of the same proposal),
        recording whether that call succeeded and what it returned.
"""

interface IGovernor:
    def state(proposal_id: uint256) -> uint8: view

governor: public(address)
proposal_id: public(uint256)
payload: public(Bytes[2_048])
state_seen: public(uint8)
reentry_succeeded: public(bool)
reentry_return: public(Bytes[256])
calls: public(uint256)


@external
def arm(governor_: address, proposal_id_: uint256, payload_: Bytes[2_048]):
    """
    @notice Prepares the re-entry.
    @param governor_ The Governor.
    @param proposal_id_ The proposal whose state is recorded.
    @param payload_ The calldata sent back to the Governor.
    """
    self.governor = governor_
    self.proposal_id = proposal_id_
    self.payload = payload_


@external
def reenter():
    """
    @notice Records the proposal state and re-enters the Governor without reverting.
    """
    self.calls += 1
    self.state_seen = staticcall IGovernor(self.governor).state(self.proposal_id)
    ok: bool = False
    data: Bytes[256] = b""
    ok, data = raw_call(self.governor, self.payload, max_outsize=256, revert_on_failure=False)
    self.reentry_succeeded = ok
    self.reentry_return = data

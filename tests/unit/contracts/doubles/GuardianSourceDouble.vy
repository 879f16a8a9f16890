# pragma version 0.4.3
"""
@title Guardian source (test double)
@custom:contract-name GuardianSourceDouble
@license GNU Affero General Public License v3.0 only
@notice Stands in for the EpochSettlement's `guardian()` and
        `guardian_active()` views in the Governor tests; anyone may set them.
"""

guardian: public(address)
guardian_active: public(bool)


@deploy
def __init__(guardian_: address):
    """
    @param guardian_ The guardian, active from the start.
    """
    self.guardian = guardian_
    self.guardian_active = True


@external
def set_active(active: bool):
    """
    @notice Starts or ends the bootstrap period (test double: anyone).
    @param active Whether the guardian may act.
    """
    self.guardian_active = active


@external
def remove_guardian():
    """
    @notice Removes the guardian, as the EpochSettlement's `remove_guardian()` (test double: anyone).
    """
    self.guardian = empty(address)

"""The contracts' statuses and kinds as IntEnums: the one Python spelling of each on-chain number."""

from __future__ import annotations

from enum import IntEnum


class EpochStatus(IntEnum):
    """`EpochSettlement.epochs(n).status`."""

    NOT_OPENED = 0
    OPEN = 1
    COMMITTED = 2
    CHALLENGED = 3
    FINAL = 4
    VOID = 5  # settled without a report (deadline passed, or voided by governance or the guardian)

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


class ContributionKind(IntEnum):
    """`ContributionRegistry.contributions(id).kind`."""

    DATA = 0
    MODEL = 1

    @property
    def label(self) -> str:
        return self.name.lower()


class ProposalState(IntEnum):
    """`Governor.state(id)`, as OpenZeppelin numbers it."""

    PENDING = 0
    ACTIVE = 1
    CANCELED = 2
    DEFEATED = 3
    SUCCEEDED = 4
    QUEUED = 5
    EXPIRED = 6
    EXECUTED = 7

    @property
    def label(self) -> str:
        return self.name.capitalize()

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


class RequestStatus(IntEnum):
    """`PredictionMarket.requests(id).status`: where the request's fee is."""

    OPEN = 0  # held, waiting for the operator
    FULFILLED = 1  # paid to the share holders
    REFUNDED = 2  # back with the requester (after the deadline, or at once on a refusal)
    REFUSED = 3  # refused, but the requester did not accept the refund: `refund` pays it

    @property
    def label(self) -> str:
        return self.name.lower()


class RefusalReason(IntEnum):
    """`PredictionMarket.refuse(id, reason)`: why the operator refused a request."""

    INVALID_INPUT = 1  # unreadable, or not the metamodel's features
    INPUT_TOO_LARGE = 2
    INPUT_UNAVAILABLE = 3  # not a CID, or its content cannot be fetched
    MODEL_UNAVAILABLE = 4  # no final metamodel can serve it
    OPERATOR_ERROR = 5  # the operator failed to compute the answer

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")

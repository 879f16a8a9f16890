"""Where each epoch stands, read from the settlement contract (readers never need the operator's pipeline)."""

from __future__ import annotations

from dao.chain.enums import EpochStatus


def epoch_status(dao, epoch: int) -> EpochStatus:
    return EpochStatus(int(dao.settlement.epochs(epoch).status))


def latest_final_epoch(dao) -> int | None:
    for epoch in range(int(dao.settlement.current_epoch()), 0, -1):
        if epoch_status(dao, epoch) == EpochStatus.FINAL:
            return epoch
    return None

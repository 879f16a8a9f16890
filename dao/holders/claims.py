"""Claiming what an account is owed: shares from final epochs (Merkle proofs), then dividends.

Proofs come from the epoch's report on IPFS; the chain's `leaf_used` says what was already claimed,
so claiming twice is a no-op here and a revert on-chain, never a double mint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dao.chain.enums import EpochStatus
from dao.chain.epochs import epoch_status
from dao.chain.reverts import refusals_as_errors
from valuation.report import ValuationReport

FINAL = EpochStatus.FINAL


@dataclass(frozen=True)
class Owed:
    account: str
    shares: dict[int, int]  # epoch -> unclaimed share wei
    eth: int
    token: int

    @property
    def nothing(self) -> bool:
        return not self.shares and not self.eth and not self.token


@dataclass
class Claimed:
    account: str
    shares: dict[int, int] = field(default_factory=dict)
    eth: int = 0
    token: int = 0
    tx_hashes: list[str] = field(default_factory=list)


def _report(storage, dao, epoch: int) -> ValuationReport:
    return ValuationReport.from_json(storage.get(dao.settlement.epochs(epoch).report_cid))


def unclaimed_shares(dao, storage, address: str) -> dict[int, tuple[int, list[bytes]]]:
    """epoch -> (amount, proof) for every final epoch where `address` has an unclaimed leaf."""
    owed = {}
    for epoch in range(1, int(dao.settlement.current_epoch()) + 1):
        if epoch_status(dao, epoch) != FINAL:
            continue
        report = _report(storage, dao, epoch)
        if address not in report.allocation:
            continue
        if dao.settlement.leaf_used(epoch, report.mint_leaf(address)):
            continue
        proof = [bytes.fromhex(p[2:]) for p in report.proofs[address]]
        owed[epoch] = (int(report.allocation[address]), proof)
    return owed


def accounts_with_claims(dao, storage) -> list[str]:
    """Every account in a final epoch's allocation: the ones that may have something to claim."""
    found: set[str] = set()
    for epoch in range(1, int(dao.settlement.current_epoch()) + 1):
        if epoch_status(dao, epoch) == FINAL:
            found.update(_report(storage, dao, epoch).allocation)
    return sorted(found)


def claimable(dao, storage, address: str) -> Owed:
    eth, token = dao.shares.withdrawable_dividends(address)
    shares = {epoch: amount for epoch, (amount, _) in unclaimed_shares(dao, storage, address).items()}
    return Owed(address, shares, int(eth), int(token))


def claim_everything(dao, storage, account) -> Claimed:
    """Claim the account's shares of every final epoch, then its dividends in ETH and the revenue token.

    Shares first: dividends already earned are unaffected by new shares (the accumulator's
    corrections), and revenue that arrives later is then paid on the full balance.
    """
    claimed = Claimed(account.address)
    for epoch, (amount, proof) in unclaimed_shares(dao, storage, account.address).items():
        with refusals_as_errors():
            receipt = dao.settlement.claim_shares(epoch, account.address, amount, proof, sender=account)
        claimed.shares[epoch] = amount
        claimed.tx_hashes.append(receipt.txn_hash)
    eth, token = dao.shares.withdrawable_dividends(account.address)
    if eth or token:
        with refusals_as_errors():
            receipt = dao.shares.claim(sender=account)
        claimed.eth, claimed.token = int(eth), int(token)
        claimed.tx_hashes.append(receipt.txn_hash)
    return claimed

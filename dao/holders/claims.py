"""Claiming what an account is owed: shares from final epochs (Merkle proofs), then dividends.

Proofs come from the epoch's report on IPFS; the chain's `leaf_used` says what was already claimed,
so claiming twice is a no-op here and a revert on-chain, never a double mint.

An epoch's shares are allocated to the share token's pool when it becomes final and earn dividends
from then on; claiming them releases them with what they earned, so there is no hurry to claim and
the amounts shown include what unclaimed shares earned already.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dao.chain.cids import report_cid as report_cid_of
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
    token_deferred: int = 0  # the revenue token refused its transfer (paused, blacklist): still owed
    tx_hashes: list[str] = field(default_factory=list)


def _report(storage, dao, epoch: int) -> ValuationReport:
    return ValuationReport.from_json(storage.get(report_cid_of(dao.settlement.epochs(epoch))))


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
    """Unclaimed shares per epoch, and the dividends claimable once they are claimed.

    The dividends include what the unclaimed shares earned in the pool since their epoch was final
    (`release_dividends`): claiming the shares makes it claimable.
    """
    eth, token = (int(v) for v in dao.shares.withdrawable_dividends(address))
    shares = {epoch: amount for epoch, (amount, _) in unclaimed_shares(dao, storage, address).items()}
    for epoch, amount in shares.items():
        pending_eth, pending_token = dao.shares.release_dividends(epoch, amount)
        eth, token = eth + int(pending_eth), token + int(pending_token)
    return Owed(address, shares, eth, token)


def claim_everything(dao, storage, account) -> Claimed:
    """Claim the account's shares of every final epoch, then its dividends in ETH and the revenue token.

    Shares first: each claim releases the shares with the dividends they earned since finality, so
    one dividend claim then pays everything. A revenue token that refuses its transfer (paused,
    blacklisting) does not block the ETH: its part stays owed (`token_deferred`) for a later claim.
    """
    claimed = Claimed(account.address)
    for epoch, (amount, proof) in unclaimed_shares(dao, storage, account.address).items():
        with refusals_as_errors():
            receipt = dao.settlement.claim_shares(epoch, account.address, amount, proof, sender=account)
        claimed.shares[epoch] = amount
        claimed.tx_hashes.append(receipt.txn_hash)
    eth, token = dao.shares.withdrawable_dividends(account.address)
    if eth or token:
        paid_before = dao.shares.withdrawn_dividends(account.address)
        with refusals_as_errors():
            receipt = dao.shares.claim(sender=account)
        paid_after = dao.shares.withdrawn_dividends(account.address)
        claimed.eth = int(paid_after[0]) - int(paid_before[0])
        claimed.token = int(paid_after[1]) - int(paid_before[1])
        claimed.token_deferred = int(token) - claimed.token
        claimed.tx_hashes.append(receipt.txn_hash)
    return claimed

"""`dao status`: where the DAO stands, read from the chain (JSON-ready)."""

from __future__ import annotations

from dao.chain.cids import report_cid as report_cid_of
from dao.chain.epochs import epoch_status


def holders(dao) -> dict[str, int]:
    """Every address that ever received shares, with its current balance (zero balances dropped).
    The token's own pool of final but unclaimed allocations is not a holder (see `unclaimed_wei`)."""
    from ape import chain

    seen: set[str] = set()
    for log in dao.shares.Transfer.range(dao.deployment.block, chain.blocks.height + 1):
        seen.add(log.event_arguments.get("receiver") or log.event_arguments.get("to"))
    seen.discard(None)
    seen.discard("0x0000000000000000000000000000000000000000")
    seen.discard(dao.shares.address)
    balances = {address: int(dao.shares.balanceOf(address)) for address in seen}
    return {address: balance for address, balance in balances.items() if balance}


def dao_status(dao, top: int = 10) -> dict:
    from ape import chain

    epoch = int(dao.settlement.current_epoch())
    record = dao.settlement.epochs(epoch) if epoch else None
    count = int(dao.registry.contribution_count())
    contributions = [dao.registry.contributions(i) for i in range(1, count + 1)]
    current = [c for c in contributions if int(c.epoch) == epoch]
    supply = int(dao.shares.totalSupply())
    balances = holders(dao)
    ranked = sorted(balances.items(), key=lambda item: (-item[1], item[0]))
    pending_eth = pending_token = 0
    for address in balances:
        eth, token = dao.shares.withdrawable_dividends(address)
        pending_eth, pending_token = pending_eth + int(eth), pending_token + int(token)
    return {
        "network": dao.deployment.network,
        "block": int(chain.blocks.height),
        "epoch": {
            "number": epoch,
            "status": epoch_status(dao, epoch).label if epoch else "none",
            "recipe_cid": record.recipe_cid if record else None,
            "contributions_close": int(record.contributions_close) if record else None,
            "report_cid": (report_cid_of(record) or None) if record else None,
        },
        "contributions": {
            "this_epoch": len(current),
            "this_epoch_stake_wei": str(sum(int(c.stake) for c in current)),
            "all_epochs": len(contributions),
            "staked_wei": str(
                sum(int(c.stake) - int(c.slashed) for c in contributions if not bool(c.withdrawn))
            ),
            "slashed_wei": str(sum(int(c.slashed) for c in contributions)),
        },
        "shares": {
            "supply_wei": str(supply),
            "holders": len(balances),
            # Allocated at finality, counted in the supply, released with their dividends on claim.
            "unclaimed_wei": str(int(dao.shares.balanceOf(dao.shares.address))),
            "top_holders": [
                {"address": a, "balance_wei": str(b), "fraction": b / supply if supply else 0}
                for a, b in ranked[:top]
            ],
        },
        "revenue": {
            "distributed_eth_wei": str(int(dao.shares.total_distributed_eth())),
            "distributed_token_wei": str(int(dao.shares.total_distributed_token())),
            "pending_dividends_eth_wei": str(pending_eth),
            "pending_dividends_token_wei": str(pending_token),
            "prediction_requests": int(dao.market.request_count()),
            "prediction_price_wei": str(int(dao.market.price())),
        },
    }

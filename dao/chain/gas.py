"""Gas for our own transactions on live networks: estimated against the pending state, with a margin.

On local chains ape sends the block's gas limit (`gas_limit: max`) and estimates nothing. On other
networks ape estimates each transaction with `eth_estimateGas` at the node's default block, which
is "latest": that simulation runs in the latest block, where a holder's vote checkpoint written by
their previous transaction is overwritten in place, while the real transaction lands in the next
block and pushes a new checkpoint (measured: estimated 96,495, needed 118,678, out of gas). At
"pending" the simulation runs in the next block. ape-config.yaml adds the 20% margin
(`gas_limit: auto: multiplier: 1.2` for mainnet and sepolia; other live networks: add the same).
"""

from __future__ import annotations

ESTIMATE_AT = "pending"


def install_pending_estimates() -> None:
    """Make ape's live-network providers estimate at "pending" unless a block is asked for.

    Applied to ape's `Web3Provider` (every node and hosted-RPC provider derives from it); local and
    forked networks are left alone. Idempotent.
    """
    from ape_ethereum.provider import Web3Provider

    original = Web3Provider.estimate_gas_cost
    if getattr(original, "estimates_at_pending", False):
        return

    def estimate_gas_cost(self, txn, block_id=None, **kwargs) -> int:
        if block_id is None and not self.network.is_dev:
            block_id = ESTIMATE_AT
        return original(self, txn, block_id=block_id, **kwargs)

    estimate_gas_cost.estimates_at_pending = True
    estimate_gas_cost.__doc__ = original.__doc__
    Web3Provider.estimate_gas_cost = estimate_gas_cost

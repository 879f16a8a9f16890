"""A live-scored epoch on ape's in-process chain with the real contracts (issue 20), shared by the
`dao outcomes`/`dao epoch show` tests and the operator-run tests.

Opening a live epoch is a governance act (the Timelock calls `OutcomeBoard.open_live_epoch`); the
in-process provider cannot impersonate the Timelock, so `deploy_live` wires the same contracts with
the deployer kept as owner and records them as the deployment the CLI and `DAO.load()` read. The
production wiring (board deployed, named by the settlement, owned by the Timelock) is checked on
`create_dao`.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from dao.chain.deployments import Deployment, save_deployment

ETHER = 10**18
PERIOD, WINDOW, REPORTER_BOND, REPORT_BLOCKS = 600, 600, ETHER // 4, 50


@dataclass
class LiveChain:
    settlement: object
    registry: object
    board: object
    owner: object
    operator: object
    reporter: object


def deploy_live(
    project,
    accounts,
    chain,
    storage,
    recipe_bytes: bytes,
    resolution_blocks: int,
    min_rows: int,
    max_extensions: int = 1,
    reporter=None,
) -> LiveChain:
    """Deploy and wire the contracts (TEST::0 owns, TEST::1 operates, TEST::5 reports unless given),
    save the deployment, store the recipe and open epoch 1 live with the given terms."""
    owner, operator = accounts[0], accounts[1]
    reporter = reporter or accounts[5]
    stable = project.DemoStablecoin.deploy(sender=owner)
    shares = project.ShareToken.deploy("S", "S", stable, "S", "1", sender=owner)
    registry = project.ContributionRegistry.deploy(shares, ETHER // 100, 3_600, sender=owner)
    settlement = project.EpochSettlement.deploy(
        shares, registry, operator, PERIOD, WINDOW, ETHER // 10, ETHER // 10, owner, 7 * 86_400, sender=owner
    )
    board = project.OutcomeBoard.deploy(settlement, REPORTER_BOND, REPORT_BLOCKS, sender=owner)
    settlement.set_outcome_board(board, sender=owner)
    registry.set_settlement(settlement, sender=owner)
    shares.set_minter(settlement, sender=owner)
    # A first epoch mints from a zero supply: its floor must cover the emission (as `dao deploy` sets).
    shares.set_epoch_mint_limits(2_000, 10_000 * ETHER, sender=owner)
    market = project.PredictionMarket.deploy(shares, operator, ETHER // 1_000, 3_600, sender=owner)
    addresses = {"revenue_token": stable.address, "shares": shares.address, "registry": registry.address}
    addresses |= {"settlement": settlement.address, "outcomes": board.address, "market": market.address}
    save_deployment(Deployment("ethereum:local:test", chain.chain_id, chain.blocks.height, addresses))
    recipe_cid = storage.add(recipe_bytes)
    board.open_live_epoch(
        recipe_cid,
        keccak(recipe_bytes),
        reporter,
        resolution_blocks,
        min_rows,
        max_extensions,
        sender=owner,
    )
    return LiveChain(settlement, registry, board, owner, operator, reporter)

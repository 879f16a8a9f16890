"""Deploy and wire every contract of the DAO, then hand every admin role to the Timelock.

Order matters because of the circular references: the registry must know the settlement (it is
the only slasher) and the settlement must know the registry, so the registry's settlement is set
by the deployer while it still owns the registry; ownership goes to the Timelock last, and the
deployer renounces the Timelock's admin role so that nothing but governance changes the system.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dao.chain.abi import contract_abis
from dao.chain.deployments import Deployment, save_deployment
from dao.chain.units import ETHER
from dao.errors import DaoError

ZERO_ADDRESS = "0x" + "00" * 20


class DeploymentError(DaoError):
    """Deploying or wiring the contracts failed."""


@dataclass(frozen=True)
class DeployParams:
    """Initial parameters; governance changes all of them later. Windows are seconds, votes blocks."""

    share_name: str = "Metamodel Share"
    share_symbol: str = "MMS"
    min_stake: int = ETHER // 100
    unbonding_period: int = 14 * 24 * 3600
    contribution_period: int = 3 * 24 * 3600
    challenge_window: int = 2 * 24 * 3600
    # Liveness without governance: no report this long after contributions close, or a challenge
    # unresolved this long after the challenge window, and anyone may void the epoch.
    commit_period: int = 7 * 24 * 3600
    resolution_period: int = 14 * 24 * 3600  # > voting delay + voting period + timelock delay
    operator_bond: int = ETHER // 10
    challenge_bond: int = ETHER // 10
    prediction_price: int = ETHER // 1000
    fulfil_deadline: int = 24 * 3600
    max_epoch_mint_bps: int = 2_000  # an epoch may mint at most 20% of the supply...
    min_epoch_mint: int = 1_000_000 * ETHER  # ...or this floor, so the first epochs can mint at all
    timelock_delay: int = 2 * 24 * 3600
    # Blocks between a proposal and its snapshot: ~1 day at 12 s, so holders of a final epoch can
    # claim (and delegate) before a vote's snapshot; `for_tests` (the --fast flag) keeps 1.
    voting_delay: int = 7_200
    voting_period: int = 50_400  # blocks (~1 week at 12 s)
    proposal_threshold: int = ETHER  # one share
    quorum_bps: int = 1_000  # 10% of the supply at the snapshot
    governor_name: str = "Metamodel Governor"
    revenue_token: str | None = None  # None: deploy the demo stablecoin (test chains only)
    # The bootstrap guardian (expected: a multisig) may resolve challenges, void an unsettled epoch
    # and cancel proposals until GUARDIAN_EPOCHS epochs after the first final one are settled, and
    # never after `guardian_term` seconds from deployment (`guardian_until`); None: no guardian.
    guardian: str | None = None
    guardian_term: int = 180 * 24 * 3600
    # Live-scored epochs (OutcomeBoard): the outcome reporter's bond per live epoch, and the blocks
    # after the resolution period in which the live report must be committed (~1 week at 12 s).
    reporter_bond: int = ETHER // 10
    report_blocks: int = 50_400

    @classmethod
    def for_tests(cls, **overrides) -> DeployParams:
        """Short windows so that a test or the demo can play a whole epoch in seconds."""
        fast = dict(
            unbonding_period=3_600,
            contribution_period=600,
            challenge_window=600,
            commit_period=3_600,  # the operator's run takes wall-clock time on a live node
            resolution_period=1_800,
            fulfil_deadline=600,
            timelock_delay=60,
            voting_delay=1,
            voting_period=10,
            guardian_term=7 * 24 * 3600,  # a week: the demo's epochs fit many times over
            report_blocks=100,
        )
        fast.update(overrides)
        return cls(**fast)


def deploy_dao(
    project,
    deployer,
    operator,
    network: str,
    params: DeployParams | None = None,
    genesis_recipe: tuple[str, bytes] | None = None,
) -> Deployment:
    """Deploy, wire and hand over the DAO; record and return the deployment.

    `project` is an ape project manager, `deployer` and `operator` ape accounts; `network` is the
    ape network choice the provider is connected to (used only to name the record).
    `genesis_recipe` = (recipe CID, keccak256 of its bytes) opens epoch 1 before the hand-over:
    before any share exists nobody can vote, so governance could never open the first epoch.
    """
    from ape import chain

    params = params or DeployParams()
    tx = {"sender": deployer}
    if params.revenue_token is None:
        revenue_token = project.DemoStablecoin.deploy(**tx)
        revenue_address = revenue_token.address
    else:
        revenue_address = params.revenue_token

    shares = project.ShareToken.deploy(
        params.share_name, params.share_symbol, revenue_address, params.share_name, "1", **tx
    )
    registry = project.ContributionRegistry.deploy(
        shares.address, params.min_stake, params.unbonding_period, **tx
    )
    settlement = project.EpochSettlement.deploy(
        shares.address,
        registry.address,
        operator.address,
        params.contribution_period,
        params.challenge_window,
        params.operator_bond,
        params.challenge_bond,
        params.guardian or ZERO_ADDRESS,
        params.guardian_term,
        **tx,
    )
    outcomes = project.OutcomeBoard.deploy(
        settlement.address, params.reporter_bond, params.report_blocks, **tx
    )
    market = project.PredictionMarket.deploy(
        shares.address, operator.address, params.prediction_price, params.fulfil_deadline, **tx
    )
    timelock = project.Timelock.deploy(params.timelock_delay, [], [], deployer.address, **tx)
    governor = project.Governor.deploy(
        shares.address,
        timelock.address,
        params.voting_delay,
        params.voting_period,
        params.proposal_threshold,
        params.quorum_bps,
        params.governor_name,
        settlement.address,  # names the bootstrap guardian, who may cancel proposals while active
        **tx,
    )

    # Wiring while the deployer still owns everything.
    registry.set_settlement(settlement.address, **tx)
    settlement.set_deadlines(params.commit_period, params.resolution_period, **tx)
    settlement.set_outcome_board(outcomes.address, **tx)
    shares.set_minter(settlement.address, **tx)
    shares.set_epoch_mint_limits(params.max_epoch_mint_bps, params.min_epoch_mint, **tx)
    for role in ("PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE"):
        timelock.grantRole(getattr(timelock, role)(), governor.address, **tx)

    if genesis_recipe is not None:
        settlement.open_epoch(genesis_recipe[0], genesis_recipe[1], **tx)

    # Hand-over: governance owns every admin function; the deployer keeps nothing.
    for owned in (shares, registry, settlement, outcomes, market):
        owned.transfer_ownership(timelock.address, **tx)
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), deployer.address, **tx)

    addresses = {
        "revenue_token": revenue_address,
        "shares": shares.address,
        "registry": registry.address,
        "settlement": settlement.address,
        "outcomes": outcomes.address,
        "market": market.address,
        "timelock": timelock.address,
        "governor": governor.address,
    }
    deployment = Deployment(
        network=network,
        chain_id=chain.chain_id,
        block=chain.blocks.height,
        addresses=addresses,
        # The record says what was deployed: the revenue token's address even when it was made here.
        params={**asdict(params), "revenue_token": revenue_address},
        deployer=deployer.address,
        abis=contract_abis(project),
    )
    save_deployment(deployment)
    return deployment

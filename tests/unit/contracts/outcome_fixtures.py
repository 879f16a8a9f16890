"""A settlement + outcome board (+ share token, registry) on titanoboa for the live-scoring tests.

The deployer (`ADMIN`) keeps ownership so that tests can open live epochs directly; in production the
Timelock owns both (dao.chain.deploy). `System.fresh()` deploys a new set; tests use one per test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boa

from dao.chain.cids import cid_parts

ROOT = Path(__file__).resolve().parents[3]
ETHER = 10**18
CONTRIBUTION_PERIOD, CHALLENGE_WINDOW, COMMIT_PERIOD, RESOLUTION_PERIOD = 600, 600, 900, 1_200
OPERATOR_BOND, CHALLENGE_BOND, REPORTER_BOND = ETHER, ETHER // 2, ETHER // 4
RESOLUTION_BLOCKS, REPORT_BLOCKS, MIN_ROWS = 20, 30, 100
OPEN, COMMITTED, CHALLENGED, FINAL, VOID = 1, 2, 3, 4, 5
PENDING, UPHELD, REJECTED, REFUNDED = 1, 2, 3, 4
CIDS = [
    "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
    "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
    "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie",
    "QmbgxEKzU1AvXcG9NxvU4L5aBiPRE7v7seLcNqKKs2epZ6",
]
PARTS = [cid_parts(text) for text in CIDS]
ZERO32 = b"\x00" * 32

ADMIN = boa.env.generate_address("outcomes-admin")
OPERATOR = boa.env.generate_address("outcomes-operator")
REPORTER = boa.env.generate_address("outcomes-reporter")
GUARDIAN = boa.env.generate_address("outcomes-guardian")
CHALLENGER = boa.env.generate_address("outcomes-challenger")
STRANGER = boa.env.generate_address("outcomes-stranger")
for _who in (ADMIN, OPERATOR, REPORTER, GUARDIAN, CHALLENGER, STRANGER):
    boa.env.set_balance(_who, 10**24)


@dataclass
class System:
    shares: object
    registry: object
    settlement: object
    board: object

    @classmethod
    def fresh(cls) -> System:
        with boa.env.prank(ADMIN):
            revenue = boa.load(str(ROOT / "tests/unit/contracts/doubles/PlainERC20.vy"))
            shares = boa.load(str(ROOT / "contracts/ShareToken.vy"), "S", "S", revenue.address, "S", "1")
            registry = boa.load(
                str(ROOT / "contracts/ContributionRegistry.vy"), shares.address, ETHER // 10, 3_600
            )
            settlement = boa.load(
                str(ROOT / "contracts/EpochSettlement.vy"),
                shares.address,
                registry.address,
                OPERATOR,
                CONTRIBUTION_PERIOD,
                CHALLENGE_WINDOW,
                OPERATOR_BOND,
                CHALLENGE_BOND,
                GUARDIAN,
                30 * 86_400,  # the guardian's hard term
            )
            settlement.set_deadlines(COMMIT_PERIOD, RESOLUTION_PERIOD)
            board = boa.load(
                str(ROOT / "contracts/OutcomeBoard.vy"), settlement.address, REPORTER_BOND, REPORT_BLOCKS
            )
            settlement.set_outcome_board(board.address)
            registry.set_settlement(settlement.address)
            shares.set_minter(settlement.address)
            shares.set_epoch_mint_limits(10_000, 10**30)
        return cls(shares, registry, settlement, board)

    def open_live(self, min_rows: int = MIN_ROWS, max_extensions: int = 1) -> int:
        with boa.env.prank(ADMIN):
            return self.board.open_live_epoch(
                CIDS[0], ZERO32, REPORTER, RESOLUTION_BLOCKS, min_rows, max_extensions
            )

    def close_contributions(self) -> None:
        boa.env.time_travel(seconds=CONTRIBUTION_PERIOD)

    def commit_metamodel(self, epoch: int = 1) -> None:
        with boa.env.prank(OPERATOR):
            self.board.commit_metamodel(epoch, *PARTS[1], b"\x11" * 32)

    def post(self, epoch: int = 1, n_rows: int = MIN_ROWS, value: int | None = None) -> int:
        if value is None:
            value = 0 if self.board.live_epochs(epoch).bond_held else REPORTER_BOND
        with boa.env.prank(REPORTER):
            return self.board.post_outcomes(epoch, *PARTS[2], n_rows, value=value)

    def commit_report(self, epoch: int = 1) -> None:
        with boa.env.prank(OPERATOR):
            self.settlement.commit(epoch, *PARTS[3], b"\x22" * 32, ZERO32, 0, ZERO32, value=OPERATOR_BOND)

    def live(self, epoch: int = 1):
        return self.board.live_epochs(epoch)

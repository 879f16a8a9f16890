"""From Shapley values to shares and slashes: integer amounts that add up exactly.

The epoch's emission is split between the data pool and the model pool (`data_pool_bps`); within
a pool, shares go to players in proportion to their positive values, in wei, by the largest-
remainder method (ties broken by player order) so each pool's amounts sum to its emission exactly.
A pool with no positive value passes its emission to the other pool; with none anywhere nothing is
minted. A slash happens only where a value's whole confidence interval lies below zero: its size
is the stake times `slash_cap_bps` times how negative the value is relative to the most negative
one, so the worst offender loses the cap and milder harm loses proportionally less. Mints are
aggregated per account (one Merkle leaf each); slashes are per contribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from valuation.errors import InvalidInput
from valuation.precision import published

BPS = 10_000


@dataclass(frozen=True)
class Player:
    contribution_id: int
    account: str
    value: float
    ci_low: float
    ci_high: float
    stake: int  # wei


@dataclass(frozen=True)
class Allocation:
    mints: dict[str, int]  # account -> share wei
    slashes: dict[int, int]  # contribution id -> stake wei
    data_emission: int
    model_emission: int

    @property
    def total_mint(self) -> int:
        return sum(self.mints.values())


def split_proportionally(total: int, weights: Sequence[float]) -> list[int]:
    """Integers proportional to `weights` that sum to `total` exactly (largest remainder)."""
    if total < 0:
        raise InvalidInput("cannot split a negative amount")
    exact = [Fraction(w) for w in weights]
    mass = sum(exact)
    if mass <= 0:
        return [0] * len(exact)
    shares = [total * w / mass for w in exact]
    floors = [int(s) for s in shares]
    leftover = total - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class PayoutPolicy:
    emission: int
    data_pool_bps: int
    slash_cap_bps: int

    def _check(self) -> None:
        if self.emission < 0:
            raise InvalidInput(f"emission must not be negative, got {self.emission}")
        for name in ("data_pool_bps", "slash_cap_bps"):
            if not 0 <= getattr(self, name) <= BPS:
                raise InvalidInput(f"{name} must be between 0 and {BPS}, got {getattr(self, name)}")

    def allocate(self, data_players: Sequence[Player], model_players: Sequence[Player]) -> Allocation:
        self._check()
        data_positive = sum(max(p.value, 0.0) for p in data_players) > 0
        model_positive = sum(max(p.value, 0.0) for p in model_players) > 0
        data_emission = self.emission * self.data_pool_bps // BPS
        model_emission = self.emission - data_emission
        if not data_positive:
            data_emission, model_emission = 0, model_emission + data_emission if model_positive else 0
        if not model_positive:
            data_emission, model_emission = data_emission + model_emission if data_positive else 0, 0

        mints: dict[str, int] = {}
        for players, emission in ((data_players, data_emission), (model_players, model_emission)):
            amounts = split_proportionally(emission, [max(p.value, 0.0) for p in players])
            for player, amount in zip(players, amounts, strict=True):
                if amount:
                    mints[player.account] = mints.get(player.account, 0) + amount

        slashes: dict[int, int] = {}
        harmful = [p for p in (*data_players, *model_players) if p.ci_high < 0]
        if harmful:
            worst = min(p.value for p in harmful)
            for player in harmful:
                severity = Fraction(player.value) / Fraction(worst) if worst < 0 else Fraction(1)
                amount = int(player.stake * self.slash_cap_bps * min(severity, Fraction(1)) / BPS)
                if amount:
                    slashes[player.contribution_id] = amount
        return Allocation(mints, slashes, data_emission, model_emission)


def players_from_result(
    result, ids: Sequence[int], accounts: Sequence[str], stakes: Sequence[int]
) -> list[Player]:
    """Join a `ShapleyResult` with the contributions it valued, at the numbers a report publishes
    (so the allocation is a function of the published numbers alone)."""
    values = np.asarray(result.values)
    if not len(values) == len(ids) == len(accounts) == len(stakes):
        raise InvalidInput("result, ids, accounts and stakes must have one entry per player")
    return [
        Player(
            int(ids[i]),
            accounts[i],
            published(values[i]),
            published(result.ci_low[i]),
            published(result.ci_high[i]),
            int(stakes[i]),
        )
        for i in range(len(values))
    ]

"""Every parameter governance can change: which contract holds it, its setter, unit and range.

Setters that take several values (e.g. `set_windows(contribution_period, challenge_window)`) list
their parameters here in argument order; a proposal that changes one of them passes the current
value of the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from dao.errors import DaoError

DAY = 24 * 3600
MAX_UINT = 2**256 - 1


class ParameterOutOfRange(DaoError):
    """A proposed parameter value is outside what the DAO accepts."""


@dataclass(frozen=True)
class Parameter:
    name: str
    holder: str  # attribute of `dao.chain.bindings.DAO`
    getter: str
    setter: str
    unit: str  # wei | shares | seconds | blocks | bps
    low: int
    high: int
    why: str  # what the bound protects, said when a value falls outside it

    def contract(self, dao):
        return getattr(dao, self.holder)

    def read(self, dao) -> int:
        return int(getattr(self.contract(dao), self.getter)())

    def check(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterOutOfRange(f"{self.name} must be an integer ({self.unit}), got {value!r}")
        if not self.low <= value <= self.high:
            raise ParameterOutOfRange(
                f"{self.name} = {render_value(self, value)} is outside "
                f"[{render_value(self, self.low)}, {render_value(self, self.high)}]: {self.why}"
            )


def render_value(parameter: Parameter, value: int) -> str:
    if parameter.unit in ("wei", "shares"):
        return f"{value / 1e18:,.6g} {'ETH' if parameter.unit == 'wei' else 'shares'}"
    if parameter.unit == "bps":
        return f"{value / 100:g}%"
    if parameter.unit == "seconds":
        return f"{value / 3600:g} h" if value >= 3600 else f"{value} s"
    return f"{value} {parameter.unit}"


_TABLE = (
    Parameter(
        "emission",
        "settlement",
        "emission",
        "set_policy",
        "shares",
        1,
        10**9 * 10**18,
        "an epoch must mint something and at most a billion shares",
    ),
    Parameter(
        "data_pool_bps",
        "settlement",
        "data_pool_bps",
        "set_policy",
        "bps",
        0,
        10_000,
        "a split of the emission is a fraction",
    ),
    Parameter(
        "slash_cap_bps",
        "settlement",
        "slash_cap_bps",
        "set_policy",
        "bps",
        0,
        5_000,
        "slashing more than half a stake in one epoch would punish noise in the estimate",
    ),
    Parameter(
        "contribution_period",
        "settlement",
        "contribution_period",
        "set_windows",
        "seconds",
        60,
        30 * DAY,
        "contributors need time to register, and epochs must end",
    ),
    Parameter(
        "challenge_window",
        "settlement",
        "challenge_window",
        "set_windows",
        "seconds",
        60,
        30 * DAY,
        "verifiers need time to recompute a report before it is final",
    ),
    Parameter(
        "operator_bond",
        "settlement",
        "operator_bond",
        "set_bonds",
        "wei",
        0,
        10**6 * 10**18,
        "bonds are in ETH",
    ),
    Parameter(
        "challenge_bond",
        "settlement",
        "challenge_bond",
        "set_bonds",
        "wei",
        0,
        10**6 * 10**18,
        "bonds are in ETH",
    ),
    Parameter(
        "min_stake",
        "registry",
        "min_stake",
        "set_min_stake",
        "wei",
        1,
        10**6 * 10**18,
        "a zero stake would make slashing meaningless",
    ),
    Parameter(
        "unbonding_period",
        "registry",
        "unbonding_period",
        "set_unbonding_period",
        "seconds",
        60,
        365 * DAY,
        "stakes must stay slashable for a while after an epoch is final",
    ),
    Parameter(
        "prediction_price", "market", "price", "set_price", "wei", 0, 10**6 * 10**18, "prices are in ETH"
    ),
    Parameter(
        "fulfil_deadline",
        "market",
        "fulfil_deadline",
        "set_fulfil_deadline",
        "seconds",
        60,
        30 * DAY,
        "clients must get a refund eventually",
    ),
    Parameter(
        "max_epoch_mint_bps",
        "shares",
        "max_epoch_mint_bps",
        "set_epoch_mint_limits",
        "bps",
        0,
        10_000,
        "the per-epoch mint cap is a fraction of the supply",
    ),
    Parameter(
        "min_epoch_mint",
        "shares",
        "min_epoch_mint",
        "set_epoch_mint_limits",
        "shares",
        0,
        10**9 * 10**18,
        "the floor of the per-epoch mint cap is at most a billion shares",
    ),
    Parameter(
        "voting_delay",
        "governor",
        "votingDelay",
        "set_voting_delay",
        "blocks",
        1,
        50_400,
        "the snapshot must be at least one block after the proposal (no same-block vote buying)",
    ),
    Parameter(
        "voting_period",
        "governor",
        "votingPeriod",
        "set_voting_period",
        "blocks",
        5,
        50_400 * 4,
        "holders need time to vote",
    ),
    Parameter(
        "proposal_threshold",
        "governor",
        "proposalThreshold",
        "set_proposal_threshold",
        "shares",
        0,
        10**9 * 10**18,
        "the threshold is a number of shares",
    ),
    Parameter(
        "quorum_bps",
        "governor",
        "quorum_bps",
        "set_quorum_bps",
        "bps",
        100,
        10_000,
        "a quorum under 1% of the supply invites low-turnout takeovers",
    ),
)

PARAMETERS: dict[str, Parameter] = {parameter.name: parameter for parameter in _TABLE}

"""Shapley values of a coalition game, computed through `shap`.

Players are columns; the background is one all-zeros row; we explain the all-ones row; the model
function maps 0/1 coalition rows to game values. Exact enumeration (shap's Exact explainer) when
2^G is affordable; otherwise shap's KernelExplainer with `l1_reg=False` (its default "auto"
silently zeroes players past ten) repeated with independent seeds, each run twice: plainly, then
on the game minus a size-only control variate measured on the other repeats (see `_kernel_runs`;
it cuts the spread between seeds about threefold at 100 data providers). Each value gets a
t-interval that holds for all players at once with 95% confidence (Bonferroni: each player's is a
1 - 0.05/G interval), since stakes are slashed when an interval lies below zero and a clean
contributor must not be slashed because one of many intervals missed by chance.

The interval covers two sources of noise. The estimator's: Kernel repeats disagree (exact values
have none). The validation set's: v(S) is a mean over m validation rows, and Shapley values are
linear in v, so φ is the mean of per-row Shapley values φ_r; their spread gives φ a standard
error sd(φ_r)/√m, the noise of having drawn these m rows and not others. Exact values get
φ ± t(m-1)·sd/√m with the per-row values accumulated as Σ_S c_S ⊗ rowscores(S) over the
enumeration; Kernel estimates add both variances (Welch-Satterthwaite degrees of freedom). A
Kernel estimate of one row's value is far noisier than the row's true value varies, so its spread
would count the estimator's noise again: the rows' variance is instead the covariance, over rows,
of two independent per-row estimates (weighted least squares on the coalitions of the even and of
the odd repeats), in which the estimator noise of each half cancels out.
Without this, an exact value a hair below zero (a clean provider whose rows the model no longer
needs) was "certainly harmful" and slashed. The game's
cache makes repeated coalitions free, so the budget counts distinct trainings. Groups of players
(same owner, copies, clones) play as one; their value is then split by the grouping's weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import comb

import numpy as np
import shap
from scipy import stats

from valuation.errors import BudgetTooSmall
from valuation.grouping import Grouping, NearCopyRule, group_players
from valuation.precision import published
from valuation.screening import SCREEN_MIN_PLAYERS, screen_grouping, screening_scores

# Bumped whenever the same game and seed can give different values (reports record it, so
# `dao verify` names an engine change instead of reporting bare differences).
# 1: Kernel SHAP repeats; 2: with the size-only control variate; 3: intervals include the
# validation set's sampling noise (exact values no longer have zero-width intervals).
ESTIMATOR_VERSION = 3
EXACT_MAX_PLAYERS = 16
DEFAULT_REPEATS = 5
FAMILY_CONFIDENCE = 0.95  # for all players' intervals together


@dataclass(frozen=True)
class ShapleyResult:
    values: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    evaluations: int
    method: str  # "exact" | "kernel"
    player_names: list[str]
    grand_value: float
    empty_value: float
    groups: tuple[tuple[int, ...], ...] = field(default_factory=tuple)
    group_reasons: tuple[str, ...] = field(default_factory=tuple)
    valued_by: tuple[str, ...] = ()  # per player, when screening merged some players into blocks
    standard_errors: np.ndarray | None = None  # per player: the repeats' standard error (exact: 0)
    validation_errors: np.ndarray | None = None  # per player: sd of per-row values / √m (None: no rows)

    def to_dict(self) -> dict:
        """The published form: numbers at `PUBLISHED_DECIMALS` (see `valuation.precision`)."""
        group_of = {player: g for g, members in enumerate(self.groups) for player in members}
        return {
            "method": self.method,
            "evaluations": int(self.evaluations),
            "grand_value": published(self.grand_value),
            "empty_value": published(self.empty_value),
            "players": [
                {
                    "name": name,
                    "value": published(self.values[i]),
                    "ci_low": published(self.ci_low[i]),
                    "ci_high": published(self.ci_high[i]),
                    "group": group_of[i],
                    **({"valued_by": self.valued_by[i]} if self.valued_by else {}),
                }
                for i, name in enumerate(self.player_names)
            ],
            "groups": [
                {"members": list(members), "reason": reason}
                for members, reason in zip(self.groups, self.group_reasons, strict=True)
            ],
        }


def _group_game(game, grouping: Grouping):
    membership = grouping.membership

    def f(group_masks: np.ndarray) -> np.ndarray:
        return game.values((np.asarray(group_masks) @ membership) > 0.5)

    return f


def _group_rows(game, grouping: Grouping):
    membership = grouping.membership

    def rows(group_masks: np.ndarray) -> np.ndarray | None:
        return game.row_values((np.asarray(group_masks) @ membership) > 0.5)

    return rows


def _all_masks(n: int, start: int, stop: int) -> np.ndarray:
    return ((np.arange(start, stop)[:, None] >> np.arange(n)) & 1).astype(bool)


def exact_row_values(rows_of, n_groups: int, chunk: int = 4096) -> np.ndarray | None:
    """Per-validation-row exact Shapley values, shape (G, m): Σ_S c_S ⊗ rowscores(S) over all 2^G
    coalitions, with c_S,g = w(|S|-1) for g in S and -w(|S|) otherwise, w(k) = k!(G-k-1)!/G!.
    Their mean over rows is the exact value (up to rounding); None when the game has no rows."""
    weight = np.array([1.0 / (n_groups * comb(n_groups - 1, k)) for k in range(n_groups)] + [0.0])
    total = None
    for start in range(0, 2**n_groups, chunk):
        masks = _all_masks(n_groups, start, min(2**n_groups, start + chunk))
        rows = rows_of(masks)
        if rows is None:
            return None
        sizes = masks.sum(axis=1)
        inside = weight[np.maximum(sizes - 1, 0)][:, None]
        outside = weight[sizes][:, None]
        coefficients = np.where(masks, inside, -outside)  # (chunk, G)
        part = coefficients.T @ rows
        total = part if total is None else total + part
    return total


def kernel_row_values(rows_of, masks: np.ndarray) -> np.ndarray | None:
    """Per-validation-row Shapley values, shape (G, m), from the coalitions Kernel SHAP sampled: the
    Shapley-kernel weighted least-squares fit of every row's scores at once, constrained to add up
    to that row's v(all) - v(none). None when the game has no rows or too few coalitions."""
    n_groups = masks.shape[1]
    masks = np.unique(np.asarray(masks, dtype=bool), axis=0)
    sizes = masks.sum(axis=1)
    masks = masks[(sizes > 0) & (sizes < n_groups)]
    ends = rows_of(np.vstack([np.zeros(n_groups, dtype=bool), np.ones(n_groups, dtype=bool)]))
    rows = rows_of(masks) if len(masks) >= n_groups - 1 else None
    if rows is None or ends is None:
        return None
    empty, total = ends[0], ends[1] - ends[0]
    sizes = masks.sum(axis=1)
    binomials = np.array([comb(n_groups, int(s)) for s in sizes], dtype=float)
    weights = (n_groups - 1) / (binomials * sizes * (n_groups - sizes))
    Z = masks.astype(float)
    last = Z[:, -1:]
    design = (Z[:, :-1] - last) * np.sqrt(weights)[:, None]
    target = (rows - empty[None, :] - last * total[None, :]) * np.sqrt(weights)[:, None]
    head = np.linalg.lstsq(design, target, rcond=None)[0]  # (G-1, m)
    return np.vstack([head, total[None, :] - head.sum(axis=0, keepdims=True)])


def kernel_row_errors(rows_of, halves: list[np.ndarray], n_groups: int) -> tuple[np.ndarray, int]:
    """sd(φ_r)/√m per group and m - 1 from two independent halves of the sampled coalitions: the
    covariance over rows of the halves' per-row values (unbiased for the rows' own variance, the
    halves' estimator noise being independent); zeros and 0 when it cannot be measured."""
    first, second = (kernel_row_values(rows_of, half) for half in halves)
    if first is None or second is None or first.shape[1] < 2:
        return np.zeros(n_groups), 0
    m = first.shape[1]
    centred = (first - first.mean(axis=1, keepdims=True)) * (second - second.mean(axis=1, keepdims=True))
    variance = np.maximum(centred.sum(axis=1) / (m - 1), 0.0)
    return np.sqrt(variance / m), m - 1


def _row_errors(per_row: np.ndarray | None, n_groups: int) -> tuple[np.ndarray, int]:
    """sd(φ_r)/√m per group and the m - 1 degrees of freedom (zeros and 0 without rows)."""
    if per_row is None or per_row.shape[1] < 2:
        return np.zeros(n_groups), 0
    m = per_row.shape[1]
    return per_row.std(axis=1, ddof=1) / np.sqrt(m), m - 1


def _quantile(df: np.ndarray | float, n_groups: int) -> np.ndarray:
    """The two-sided t quantile of a 1 - 0.05/G interval (Bonferroni over the G players)."""
    per_player = 1 - (1 - FAMILY_CONFIDENCE) / n_groups
    return stats.t.ppf(1 - (1 - per_player) / 2, df)


def _exact(f, n_groups: int) -> np.ndarray:
    masker = shap.maskers.Independent(np.zeros((1, n_groups)), max_samples=1)
    explainer = shap.explainers.Exact(f, masker)
    explanation = explainer(np.ones((1, n_groups)), max_evals=2**n_groups + 2)
    return np.asarray(explanation.values[0], dtype=float)


def _kernel_run(f, n_groups: int, nsamples: int, seed: int) -> np.ndarray:
    # KernelExplainer draws from numpy's global generator: seed it, and put the caller's state back.
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        explainer = shap.KernelExplainer(f, np.zeros((1, n_groups)))
        values = explainer.shap_values(np.ones((1, n_groups)), nsamples=nsamples, l1_reg=False, silent=True)
    finally:
        np.random.set_state(state)
    return np.asarray(values, dtype=float).reshape(-1)[:n_groups]


class _Recorder:
    """The game function, remembering every coalition it is asked about and its value, in order."""

    def __init__(self, f):
        self.f = f
        self.masks: list[np.ndarray] = []
        self.values: list[np.ndarray] = []

    def __call__(self, masks: np.ndarray) -> np.ndarray:
        out = self.f(masks)
        self.masks.append(np.asarray(masks) > 0.5)
        self.values.append(np.asarray(out, dtype=float).reshape(-1))
        return out


def _size_baseline(records: list[_Recorder], additive: np.ndarray, empty: float) -> np.ndarray:
    """h(k), k = 0..G: the mean over recorded coalitions of size k of what the additive values do
    not explain, v(S) - v(none) - sum of `additive` over S; zero at both ends (by efficiency) and
    interpolated linearly over sizes nobody sampled."""
    n_groups = len(additive)
    masks = np.concatenate([m for r in records for m in r.masks])
    values = np.concatenate([v for r in records for v in r.values])
    sizes = masks.sum(axis=1)
    unexplained = values - empty - masks @ additive
    total = np.bincount(sizes, weights=unexplained, minlength=n_groups + 1)
    count = np.bincount(sizes, minlength=n_groups + 1)
    mean = np.divide(total, count, out=np.zeros(n_groups + 1), where=count > 0)
    known = count > 0
    known[0] = known[n_groups] = True
    mean[0] = mean[n_groups] = 0.0
    k = np.arange(n_groups + 1)
    return np.interp(k, k[known], mean[known])


def _kernel_runs(f, n_groups: int, nsamples: int, seeds, empty: float) -> tuple[np.ndarray, list[np.ndarray]]:
    """Kernel SHAP once per seed, then again with a size-only control variate. Returns one row of
    values per seed, and the coalitions the even and the odd seeds sampled.

    Kernel SHAP fits an additive game to the sampled coalitions; its noise comes from the part of
    v that no additive game explains. In a data game most of that part is a function of coalition
    size alone (the learning curve bends: the 50th provider adds less than the 5th). Subtracting
    h(|S|), that part measured on the other repeats' samples, leaves a game with the same
    coalitions and far less noise; h is zero for the empty and the full coalition and symmetric,
    so its Shapley values are all zero and the estimate stays an estimate of v's. An additive game
    has h = 0 and stays exact. Each repeat's baseline comes from the other repeats, so a repeat's
    own noise never enters its baseline. The second pass reuses the seed, hence the coalitions,
    and replays the first pass's values: it costs no trainings and no game lookups.
    """
    records, plain = [], []
    for seed in seeds:
        record = _Recorder(f)
        plain.append(_kernel_run(record, n_groups, nsamples, int(seed)))
        records.append(record)
    runs = []
    for r, seed in enumerate(seeds):
        others = [i for i in range(len(seeds)) if i != r] or [r]
        additive = np.mean([plain[i] for i in others], axis=0)
        h = _size_baseline([records[i] for i in others], additive, empty)
        runs.append(_kernel_run(_residual_replay(records[r], h), n_groups, nsamples, int(seed)))
    halves = [
        np.concatenate(
            [m for record in records[parity::2] for m in record.masks] or [np.empty((0, n_groups))]
        )
        for parity in (0, 1)
    ]
    return np.array(runs), halves


def _residual_replay(record: _Recorder, h: np.ndarray):
    """v(S) - h(|S|) for the recorded calls, answered again in the same order: the second pass of
    a seed asks for exactly the coalitions the first one did, so the game is not consulted twice."""
    calls = iter(zip(record.masks, record.values, strict=True))

    def residual(masks: np.ndarray) -> np.ndarray:
        recorded_masks, values = next(calls, (None, None))
        if recorded_masks is None or not np.array_equal(recorded_masks, np.asarray(masks) > 0.5):
            raise RuntimeError("Kernel SHAP's second pass asked for other coalitions than its first")
        return values - h[recorded_masks.sum(axis=1)]

    return residual


def estimate_shapley(
    game,
    budget: int | None = None,
    random_state: int | None = 0,
    n_repeats: int = DEFAULT_REPEATS,
    group: bool = True,
    exact_max_players: int = EXACT_MAX_PLAYERS,
    screen_min_players: int = SCREEN_MIN_PLAYERS,
    rule: NearCopyRule | None = None,
) -> ShapleyResult:
    """Shapley values of `game`'s players with confidence intervals.

    `budget=None` computes exact values when the (grouped) game has at most `exact_max_players`
    players; a budget of at least 2^G trainings also gets exact values. Otherwise Kernel SHAP runs
    `n_repeats` times with seeds drawn from `random_state`, each with about budget / n_repeats
    samples and a size-only control variate; the cache keeps distinct trainings within the budget
    (plus the two fixed coalitions).
    A classification data game with at least `screen_min_players` (grouped) players is screened (see
    `valuation.screening`); `valued_by` then says, per player, how its value was measured.
    `rule`: the near-copy rule data providers are grouped by (None: `NearCopyRule()`; an epoch
    passes its recipe's).
    """
    grouping = group_players(game, rule) if group else Grouping.singletons(game.n_players)
    valued_by: tuple[str, ...] = ()
    screenable = game.supports_screening and game.task == "classification"
    if screenable and len(grouping.groups) >= screen_min_players:
        grouping, valued_by = screen_grouping(grouping, screening_scores(game))
    n_groups = len(grouping.groups)
    f = _group_game(game, grouping)
    rows_of = _group_rows(game, grouping)
    empty = float(f(np.zeros((1, n_groups)))[0])
    grand = float(f(np.ones((1, n_groups)))[0])

    exact_affordable = budget is None and n_groups <= exact_max_players
    if exact_affordable or (budget is not None and budget >= 2**n_groups):
        group_values = _exact(f, n_groups) if n_groups > 1 else np.array([grand - empty])
        group_errors = np.zeros(n_groups)
        row_errors, df = _row_errors(exact_row_values(rows_of, n_groups), n_groups)
        half = _quantile(df, n_groups) * row_errors if df else np.zeros(n_groups)
        low, high = group_values - half, group_values + half
        method = "exact"
    else:
        budget = budget if budget is not None else 64 * n_groups
        per_run = budget // max(n_repeats, 1)
        if per_run < 2 * n_groups + 2:
            raise BudgetTooSmall(
                f"a budget of {budget} gives {per_run} samples per repeat; Kernel SHAP needs at least "
                f"2·G+2 = {2 * n_groups + 2} for {n_groups} players: raise the budget or lower n_repeats"
            )
        seeds = np.random.SeedSequence(random_state).generate_state(n_repeats)
        runs, halves = _kernel_runs(f, n_groups, per_run, seeds, empty)
        group_values = runs.mean(axis=0)
        group_errors = runs.std(axis=0, ddof=1) / np.sqrt(n_repeats) if n_repeats > 1 else np.zeros(n_groups)
        row_errors, row_df = kernel_row_errors(rows_of, halves, n_groups)
        variance = group_errors**2 + row_errors**2
        # Welch-Satterthwaite: the degrees of freedom of a sum of two estimated variances.
        parts = (group_errors**4 / max(n_repeats - 1, 1) if n_repeats > 1 else 0.0) + (
            row_errors**4 / row_df if row_df else 0.0
        )
        df = np.divide(variance**2, parts, out=np.ones(n_groups), where=parts > 0)
        half = np.where(variance > 0, _quantile(df, n_groups) * np.sqrt(variance), 0.0)
        low, high = group_values - half, group_values + half
        method = "kernel"

    # Split each group's value (and interval) among its members by the grouping's weights.
    owner_of = np.zeros(game.n_players, dtype=int)
    for g, members in enumerate(grouping.groups):
        owner_of[list(members)] = g
    weights = grouping.weights
    ci_low = np.minimum(low[owner_of] * weights, high[owner_of] * weights)
    ci_high = np.maximum(low[owner_of] * weights, high[owner_of] * weights)
    if valued_by:
        # A screened block's split is an estimate, not a measurement of each member: its members'
        # intervals reach zero, so nobody is slashed for the company they were grouped with.
        screened = np.array([how != "shapley" for how in valued_by])
        ci_low = np.where(screened, np.minimum(ci_low, 0.0), ci_low)
        ci_high = np.where(screened, np.maximum(ci_high, 0.0), ci_high)
    return ShapleyResult(
        values=group_values[owner_of] * weights,
        ci_low=ci_low,
        ci_high=ci_high,
        evaluations=game.evaluations,
        method=method,
        player_names=list(game.player_names),
        grand_value=grand,
        empty_value=empty,
        groups=grouping.groups,
        group_reasons=grouping.reasons,
        valued_by=valued_by,
        standard_errors=group_errors[owner_of] * np.abs(weights),
        validation_errors=row_errors[owner_of] * np.abs(weights),
    )

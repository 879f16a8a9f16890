"""Live-scored epochs (issue 20), the chain-free part: value contributions on outcomes that did not
exist when the metamodel was fixed.

The flow (see docs/live_scoring.md): contributions close; the operator trains the metamodel and
commits it at block C before any scoring row exists; during the resolution period the outcome
reporter posts outcome rows (features, realised target), each at some block; after the period the
operator values every contribution on exactly the rows posted after C. Every coalition model is a
deterministic function of the contributions, so valuing after the outcomes arrive gives no
look-ahead; what must be checked is that no scoring row could have been known at C.

This module is pure data in, data out:
- `select_scoring_rows` keeps the rows a live epoch may score on and refuses the others, each with
  a reason: posted at or before the commitment block (look-ahead), after the period's end, by
  anyone but the reporter, with features that are not finite numbers, or an exact copy of a row
  that existed before the commitment (`known_rows`: the epoch's contributions, anchor, hold-outs
  and history).
- `resolve_period` says what happens when the period ends: value, extend once, or void the epoch
  (stakes withdrawable). Too few resolved rows is an outcome returned as data, never a stuck epoch.
- `value_contributions` values data providers and model builders on given scoring rows (a static
  hold-out or live rows) with the engine's games and estimator, and allocates with `PayoutPolicy`.
- `value_live_epoch` chains the three.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from valuation.errors import InvalidInput
from valuation.games import ProviderGame
from valuation.payout import Allocation, PayoutPolicy, players_from_result
from valuation.shapley import ShapleyResult, estimate_shapley
from valuation.stake_weighting import META_LEARNERS, StakedModelGame

SCORING_MODES = ("static", "live")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
MIN_SCORING_ROWS = 2  # the games cannot score fewer


@dataclass(frozen=True)
class LiveScoring:
    """A recipe's live-scoring terms. `resolution_blocks`: how long outcome rows may be posted after
    the metamodel commitment; `min_resolved_rows`: how many accepted rows the valuation needs;
    `max_extensions`: how many times a short period is extended (by `resolution_blocks`) before the
    epoch is voided; `meta_learner`: one of `META_LEARNERS`."""

    resolution_blocks: int
    min_resolved_rows: int
    max_extensions: int = 1
    meta_learner: str = "stacked"
    outcome_reporter: str | None = None  # who may post scoring rows (None: not checked)

    def validate(self) -> LiveScoring:
        for name in ("resolution_blocks", "min_resolved_rows", "max_extensions"):
            if not isinstance(getattr(self, name), int) or isinstance(getattr(self, name), bool):
                raise InvalidInput(f"live scoring: {name} must be an integer, got {getattr(self, name)!r}")
        if self.resolution_blocks < 1:
            raise InvalidInput(
                f"live scoring: resolution_blocks must be at least 1, got {self.resolution_blocks}"
            )
        if self.min_resolved_rows < MIN_SCORING_ROWS:
            raise InvalidInput(
                f"live scoring: min_resolved_rows must be at least {MIN_SCORING_ROWS} (the games cannot "
                f"score fewer), got {self.min_resolved_rows}"
            )
        if self.max_extensions < 0:
            raise InvalidInput(
                f"live scoring: max_extensions must not be negative, got {self.max_extensions}"
            )
        if self.meta_learner not in META_LEARNERS:
            raise InvalidInput(
                f"live scoring: meta_learner {self.meta_learner!r} is not one of {META_LEARNERS}"
            )
        reporter = self.outcome_reporter
        if reporter is not None and not (isinstance(reporter, str) and _ADDRESS.match(reporter)):
            raise InvalidInput(
                f"live scoring: outcome_reporter must be a 0x-prefixed 20-byte address, got {reporter!r}"
            )
        return self

    def to_dict(self) -> dict:
        terms = {
            "scoring": "live",
            "resolution_blocks": self.resolution_blocks,
            "min_resolved_rows": self.min_resolved_rows,
            "max_extensions": self.max_extensions,
            "meta_learner": self.meta_learner,
        }
        if self.outcome_reporter is not None:
            terms["outcome_reporter"] = self.outcome_reporter
        return terms

    @classmethod
    def from_dict(cls, document: dict) -> LiveScoring | None:
        """The terms from a recipe's scoring fields (`dao.data.recipe.SCORING_KEYS`, as
        `Recipe.live_scoring` hands them; a field at None is not stated): None for a static epoch
        (no `scoring`, or "static")."""
        mode = document.get("scoring", "static")
        if mode not in SCORING_MODES:
            raise InvalidInput(f"scoring must be one of {SCORING_MODES}, got {mode!r}")
        if mode == "static":
            return None
        stated = {k: v for k, v in document.items() if k in _TERMS and v is not None}
        missing = {"resolution_blocks", "min_resolved_rows"} - set(stated)
        if missing:
            raise InvalidInput(f"live scoring needs {sorted(missing)} in the recipe")
        return cls(**stated).validate()


_TERMS = ("resolution_blocks", "min_resolved_rows", "max_extensions", "meta_learner", "outcome_reporter")


@dataclass(frozen=True)
class OutcomeRows:
    """Outcome rows as offered for scoring: features, realised targets, the block each was posted
    at, and (optionally) who posted it."""

    X: np.ndarray
    y: np.ndarray
    posted_block: np.ndarray
    poster: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        X = np.asarray(self.X)
        if X.ndim != 2:
            raise InvalidInput(f"outcome rows: features must be a 2-D array, got shape {X.shape}")
        blocks = np.asarray(self.posted_block)
        if len(np.asarray(self.y)) != len(X) or blocks.shape != (len(X),):
            raise InvalidInput(
                f"outcome rows: {len(X)} feature rows, {len(np.asarray(self.y))} targets and "
                f"{blocks.size} posted blocks; give one of each per row"
            )
        if len(X) and (blocks.dtype.kind not in "iu" or blocks.min() < 0):
            raise InvalidInput("outcome rows: posted blocks must be non-negative integers")
        if self.poster is not None and len(self.poster) != len(X):
            raise InvalidInput(f"outcome rows: {len(self.poster)} posters for {len(X)} rows")


@dataclass(frozen=True)
class RowSelection:
    """The rows a live epoch scores on (`X`, `y`: the offered rows at `accepted`, in offered order)
    and the refused ones: offered index -> why."""

    X: np.ndarray
    y: np.ndarray
    accepted: tuple[int, ...]
    refused: dict[int, str] = field(default_factory=dict)

    @property
    def lookahead_refused(self) -> tuple[int, ...]:
        """The offered rows refused because they were posted at or before the commitment."""
        return tuple(i for i, why in sorted(self.refused.items()) if why.startswith("look-ahead"))

    @property
    def known_refused(self) -> tuple[int, ...]:
        """The offered rows refused because they copy a row that existed before the commitment."""
        return tuple(i for i, why in sorted(self.refused.items()) if why.startswith("known"))


def row_hash(features, target) -> bytes:
    """What identifies an outcome row: its features (as float64, -0.0 read as 0.0) and its target."""
    values = np.asarray(features, dtype=np.float64).ravel() + 0.0
    label = target.item() if isinstance(target, np.generic) else target
    return hashlib.sha256(values.tobytes() + repr(label).encode()).digest()


def known_rows(sources: Sequence[tuple[str, np.ndarray, np.ndarray]]) -> dict[bytes, str]:
    """{row_hash: the name of the first source holding that row} over `sources` = (name, X, y),
    the rows that existed before a live epoch's metamodel was committed (what `select_scoring_rows`
    refuses as `known`). Labels are compared as `row_hash` reads them: give the sources' targets
    and the outcome rows' the same encoding (one schema, one reader)."""
    found: dict[bytes, str] = {}
    for name, X, y in sources:
        X, y = np.asarray(X), np.asarray(y)
        if len(X) != len(y):
            raise InvalidInput(f"known rows: {name} has {len(X)} feature rows and {len(y)} targets")
        if len(y) == 0:
            continue
        # `row_hash` of each row, in bulk (a tenth of the time): the same bytes, the same labels
        # (`tolist` gives the Python scalars `.item()` does).
        values = np.ascontiguousarray(np.asarray(X, dtype=np.float64).reshape(len(y), -1) + 0.0)
        raw, width = values.tobytes(), values.shape[1] * 8
        for i, label in enumerate(y.tolist()):
            digest = hashlib.sha256(raw[i * width : (i + 1) * width] + repr(label).encode()).digest()
            found.setdefault(digest, name)
    return found


def select_scoring_rows(
    rows: OutcomeRows,
    commitment_block: int,
    period_end_block: int | None = None,
    reporter: str | None = None,
    known: Mapping[bytes, str] | None = None,
) -> RowSelection:
    """Accept exactly the rows posted after the metamodel commitment (and by the end of the period,
    and by the reporter, when given), each distinct outcome once; refuse every other row with its
    reason (`duplicate of row i` for a repeat of the offered row i). `known` (`known_rows`): rows
    that existed before the commitment, by `row_hash`; an exact copy of one is refused, naming its
    source: posting it after C does not make it an outcome the metamodel could not have seen."""
    if commitment_block < 0:
        raise InvalidInput(f"the commitment block must not be negative, got {commitment_block}")
    if period_end_block is not None and period_end_block <= commitment_block:
        raise InvalidInput(
            f"the resolution period ends at block {period_end_block}, not after the commitment at "
            f"block {commitment_block}"
        )
    if reporter is not None and rows.poster is None:
        raise InvalidInput(f"the outcome reporter is {reporter} but the rows do not say who posted them")
    X = np.asarray(rows.X)
    y = np.asarray(rows.y)
    blocks = np.asarray(rows.posted_block)
    refused: dict[int, str] = {}
    first_seen: dict[bytes, int] = {}
    for i in range(len(X)):
        block = int(blocks[i])
        if block <= commitment_block:
            refused[i] = (
                f"look-ahead: posted at block {block}, at or before the metamodel commitment at block "
                f"{commitment_block}, so it could have been known when the metamodel was fixed"
            )
        elif period_end_block is not None and block > period_end_block:
            refused[i] = (
                f"late: posted at block {block}, after the resolution period ended at block "
                f"{period_end_block}"
            )
        elif reporter is not None and rows.poster[i].lower() != reporter.lower():
            refused[i] = (
                f"not the reporter: posted by {rows.poster[i]}, the recipe's outcome reporter is {reporter}"
            )
        elif X.dtype.kind not in "iuf" or not np.isfinite(X[i]).all():
            refused[i] = "invalid: the row's features are not all finite numbers"
        elif known and (source := known.get(row_hash(X[i], y[i]))) is not None:
            refused[i] = (
                f"known: an exact copy of a row of {source}, which existed before the metamodel "
                f"commitment at block {commitment_block}"
            )
        if refused.get(i, "").startswith(("not the reporter", "invalid")):
            continue  # neither shadows a later copy: a stranger cannot void the reporter's row
        # The same outcome posted twice (in two posts or within one) counts once, for its first
        # posting; a copy of a look-ahead row stays refused, having been known at the commitment.
        digest = row_hash(X[i], y[i])
        if digest in first_seen:
            refused.setdefault(i, f"duplicate of row {first_seen[digest]}")
        else:
            first_seen[digest] = i
    accepted = tuple(i for i in range(len(X)) if i not in refused)
    index = np.asarray(accepted, dtype=np.int64)
    return RowSelection(X[index], y[index], accepted, refused)


class Resolution(StrEnum):
    VALUE = "value"  # enough rows: value the epoch on them
    EXTEND = "extend"  # too few: the period runs `resolution_blocks` longer
    VOID = "void"  # still too few after the extensions: the epoch is voided, stakes withdrawable


@dataclass(frozen=True)
class PeriodOutcome:
    action: Resolution
    resolved_rows: int
    min_resolved_rows: int
    extensions_used: int
    reason: str
    new_end_block: int | None = None  # for EXTEND: the period's new last block

    def to_dict(self) -> dict:
        return {
            "action": self.action.value,
            "resolved_rows": self.resolved_rows,
            "min_resolved_rows": self.min_resolved_rows,
            "extensions_used": self.extensions_used,
            "reason": self.reason,
            "new_end_block": self.new_end_block,
        }


def resolve_period(
    resolved_rows: int,
    terms: LiveScoring,
    extensions_used: int,
    period_end_block: int,
    extend_block: int | None = None,
) -> PeriodOutcome:
    """What the end of a resolution period with `resolved_rows` accepted rows leads to.

    An extension's new end mirrors `OutcomeBoard.extend_resolution`: `max(period_end_block,
    extend_block - 1) + resolution_blocks`, the `resolution_blocks` blocks from the extension's own
    block on, so a late extension still gives the reporter the whole period. `extend_block` is the
    block the extension lands in; None means the earliest, the block right after the end (then the
    new end is `period_end_block + resolution_blocks`)."""
    terms.validate()
    if not 0 <= extensions_used <= terms.max_extensions:
        raise InvalidInput(
            f"{extensions_used} extensions used; the recipe allows between 0 and {terms.max_extensions}"
        )
    if extend_block is not None and extend_block <= period_end_block:
        raise InvalidInput(
            f"an extension lands after the period's end (block {period_end_block}), "
            f"not at block {extend_block}"
        )
    need = terms.min_resolved_rows
    if resolved_rows >= need:
        return PeriodOutcome(
            Resolution.VALUE,
            resolved_rows,
            need,
            extensions_used,
            f"{resolved_rows} resolved rows, {need} needed",
        )
    if extensions_used < terms.max_extensions:
        start = period_end_block + 1 if extend_block is None else extend_block
        end = max(period_end_block, start - 1) + terms.resolution_blocks
        return PeriodOutcome(
            Resolution.EXTEND,
            resolved_rows,
            need,
            extensions_used,
            f"{resolved_rows} resolved rows of the {need} needed: the period is extended to block {end} "
            f"(extension {extensions_used + 1} of {terms.max_extensions})",
            end,
        )
    return PeriodOutcome(
        Resolution.VOID,
        resolved_rows,
        need,
        extensions_used,
        f"{resolved_rows} resolved rows of the {need} needed after {extensions_used} extension(s): the "
        "epoch is voided and every stake is withdrawable",
    )


@dataclass(frozen=True)
class ContributionValues:
    data_result: ShapleyResult
    model_result: ShapleyResult
    allocation: Allocation
    metamodel_score: float  # the metamodel's negative log-loss (or negative MSE) on the scoring rows
    data_ids: tuple[int, ...]
    model_ids: tuple[int, ...]

    def summary(self) -> dict[str, dict]:
        """Per player name: its value and whether its stake is slashed."""
        out = {}
        for result, ids in ((self.data_result, self.data_ids), (self.model_result, self.model_ids)):
            for name, value, cid in zip(result.player_names, result.values, ids, strict=True):
                out[name] = {"value": float(value), "slashed": cid in self.allocation.slashes}
        return out


def value_contributions(
    providers: Sequence[tuple],
    anchor: tuple,
    metamodel,
    scoring: tuple,
    policy: PayoutPolicy,
    data_stakes: Sequence[int],
    data_names: Sequence[str] | None = None,
    model_names: Sequence[str] | None = None,
    data_owners: Sequence | None = None,
    model_owners: Sequence | None = None,
    budget: int | None = None,
    random_state: int | None = 0,
) -> ContributionValues:
    """Shapley values of the providers (`ProviderGame` on `anchor`) and of the fitted metamodel's
    builders (`StakedModelGame`, so a stake-aware meta-learner combines each coalition by its
    stakes), both scored on `scoring` = (X, y); then shares and slashes by `policy`. Model stakes
    are the metamodel's `stakes`. Contribution ids are 0.. for providers, then the models."""
    model_stakes = list(metamodel.stakes) if metamodel.stakes is not None else None
    n_data, n_models = len(providers), len(metamodel.base_models_)
    if len(data_stakes) != n_data:
        raise InvalidInput(f"{len(data_stakes)} data stakes for {n_data} providers")
    if model_stakes is None:
        raise InvalidInput("the metamodel has no stakes: fit it with one stake per model spec")
    data_names = list(data_names) if data_names is not None else [f"provider {i}" for i in range(n_data)]
    model_names = list(model_names) if model_names is not None else [f"model {i}" for i in range(n_models)]
    data_game = ProviderGame(
        providers, anchor, scoring, owners=data_owners, task=metamodel.task,
        player_names=data_names, random_state=random_state,
    )  # fmt: skip
    model_game = StakedModelGame.from_metamodel(
        metamodel, scoring, owners=model_owners, player_names=model_names
    )
    data_result = estimate_shapley(data_game, budget=budget, random_state=random_state)
    model_result = estimate_shapley(model_game, budget=budget, random_state=random_state)
    data_ids = tuple(range(n_data))
    model_ids = tuple(range(n_data, n_data + n_models))
    allocation = policy.allocate(
        players_from_result(data_result, data_ids, data_names, list(data_stakes)),
        players_from_result(model_result, model_ids, model_names, model_stakes),
    )
    return ContributionValues(
        data_result, model_result, allocation, metamodel.neg_loss(*scoring), data_ids, model_ids
    )


@dataclass(frozen=True)
class LiveValuation:
    outcome: PeriodOutcome
    selection: RowSelection
    values: ContributionValues | None  # only when outcome.action is VALUE


def value_live_epoch(
    providers: Sequence[tuple],
    anchor: tuple,
    metamodel,
    rows: OutcomeRows,
    commitment_block: int,
    period_end_block: int,
    terms: LiveScoring,
    policy: PayoutPolicy,
    data_stakes: Sequence[int],
    reporter: str | None = None,
    extensions_used: int = 0,
    known: Mapping[bytes, str] | None = None,
    **kwargs,
) -> LiveValuation:
    """Select the scoring rows, decide the period's outcome, and value the epoch only when it says
    VALUE. `known`: rows that existed before the commitment (`known_rows`), refused. `kwargs` go to
    `value_contributions` (names, owners, budget, random_state)."""
    selection = select_scoring_rows(rows, commitment_block, period_end_block, reporter, known)
    outcome = resolve_period(len(selection.accepted), terms, extensions_used, period_end_block)
    if outcome.action is not Resolution.VALUE:
        return LiveValuation(outcome, selection, None)
    values = value_contributions(
        providers, anchor, metamodel, (selection.X, selection.y), policy, data_stakes, **kwargs
    )
    return LiveValuation(outcome, selection, values)

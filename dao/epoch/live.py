"""A live-scored epoch's valuation (issue 20), without the chain: the epoch's inputs, the outcome
posts the board recorded (cid, block, poster, n_rows) and the metamodel commitment in, the report
with its live section (or the period's outcome when there is nothing to value yet) out.

The operator's run calls `value_live_epoch` once the resolution period has ended, with the posts
and blocks read from the chain; `dao verify` calls it with the same chain data. Everything here is
a deterministic function of those inputs: the metamodel is trained exactly as in a static epoch
(the recipe's meta-learner, fixed folds and seeds), so valuing it after the outcomes arrive gives no
look-ahead; what is checked is that every scoring row was posted after the commitment, within the
period, by the recipe's reporter, counted once, and is not an exact copy of a row that existed
before the commitment (`read_known_rows`: the epoch's data sets, anchor, hold-out and history;
`valuation.live.select_scoring_rows`).

The report of a live epoch differs from a static one in three places: its values, allocation and
`metamodel_score` are on the accepted outcome rows; its `inputs.live` names the commitment and every
post (so the inputs hash covers them); its `scoring` entry is the live section — mode, commitment
block C, period end E, extensions used, accepted row count, refusals by row and by post, the
meta-learner, and the values on the committed hold-out beside the live ones (static vs live).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from eth_utils import keccak

from dao.data.datasets import MAX_BYTES, InvalidDataset
from dao.data.encoding import encode_features
from dao.data.recipe import Recipe
from dao.epoch.valuation import (
    KIND_DATA,
    Contribution,
    EpochError,
    EpochValuation,
    HistoryRef,
    StageClock,
    allocate,
    capped,
    check_artifacts,
    epoch_inputs,
    load_validation,
    prepare_epoch,
    provenance_record,
    read_history,
    read_rows,
    value_games,
)
from dao.storage import (
    ContentNotFound,
    ContentTooLarge,
    CorruptBlock,
    InvalidCID,
    NotAFile,
    StorageUnavailable,
)
from valuation.live import (
    OutcomeRows,
    PeriodOutcome,
    Resolution,
    known_rows,
    resolve_period,
    select_scoring_rows,
)
from valuation.merkle import keccak256
from valuation.precision import published
from valuation.report import ValuationReport, canonical_dumps


@dataclass(frozen=True)
class OutcomePost:
    """One post on the outcome board: a CSV of outcome rows (the recipe's features and target) at
    `cid`, posted at `block` by `poster`, declaring `n_rows` rows (what the contract counts)."""

    cid: str
    block: int
    poster: str
    n_rows: int

    def to_dict(self) -> dict:
        return {"cid": self.cid, "block": self.block, "poster": self.poster, "n_rows": self.n_rows}


@dataclass(frozen=True)
class MetamodelCommitment:
    """What the operator committed on-chain before any scoring row existed: the block, and (when
    known) the metamodel's CID and the hash of the epoch's inputs at that time."""

    block: int
    model_cid: str = ""
    inputs_hash: str = ""

    def to_dict(self) -> dict:
        return {"block": self.block, "model_cid": self.model_cid, "inputs_hash": self.inputs_hash}


def read_live_inputs(live: dict) -> tuple[list[OutcomePost], MetamodelCommitment, int, int]:
    """A report's `inputs.live` read back: its posts, the metamodel commitment, the period's end block
    and the extensions used (what `value_live_epoch` takes)."""
    try:
        posts = [OutcomePost(p["cid"], int(p["block"]), p["poster"], int(p["n_rows"])) for p in live["posts"]]
        commitment = MetamodelCommitment(**live["commitment"])
        return posts, commitment, int(live["period_end_block"]), int(live["extensions_used"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EpochError(f"the report's inputs.live is malformed: {exc}") from None


@dataclass(frozen=True)
class LiveEpochValuation:
    outcome: PeriodOutcome  # value, extend or void
    section: dict  # the live section (the report's `scoring`), also when nothing was valued
    valuation: EpochValuation | None  # only when the outcome is VALUE


@dataclass(frozen=True)
class PostedRows:
    rows: OutcomeRows  # every row of the posts that could be read, in post order
    refused_posts: dict[int, str]  # post index -> why none of its rows is offered
    spans: tuple[tuple[int, int] | None, ...]  # per post: its rows' [first, end) indices in `rows`


def read_posts(storage, recipe: Recipe, posts: Sequence[OutcomePost]) -> PostedRows:
    """The posts' rows as offered for scoring. A post whose file cannot be found or read, does not
    fit the schema, or holds another number of rows than it declared offers none (the reporter's
    fault, said why); a storage that is down or corrupt is the operator's and stops the run."""
    width = len(recipe.schema.features)
    X_parts, y_parts, blocks, posters = [], [], [], []
    refused: dict[int, str] = {}
    spans: list[tuple[int, int] | None] = []
    offered = 0
    for index, post in enumerate(posts):
        if isinstance(post.block, bool) or not isinstance(post.block, int) or post.block < 0:
            raise EpochError(f"outcome post {index} has block {post.block!r}; blocks are integers >= 0")
        try:
            content = b"".join(storage.open(post.cid, max_bytes=MAX_BYTES))
            X, y = read_rows(content, recipe, f"outcome post {index}")
        except (StorageUnavailable, CorruptBlock) as exc:
            raise EpochError(
                f"outcome post {index} ({post.cid}) could not be read: {exc}; nothing was committed, "
                "fix the storage and run the valuation again"
            ) from exc
        except (ContentNotFound, InvalidCID, NotAFile, ContentTooLarge) as exc:
            refused[index] = capped(f"not retrievable: {exc}")
        except (InvalidDataset, ValueError) as exc:
            refused[index] = capped(f"does not fit the epoch's schema: {exc}")
        else:
            if len(y) != post.n_rows:
                refused[index] = f"declares {post.n_rows} rows but its file holds {len(y)}"
            else:
                X_parts.append(X)
                y_parts.append(np.asarray(y))
                blocks += [post.block] * len(y)
                posters += [post.poster] * len(y)
                spans.append((offered, offered + len(y)))
                offered += len(y)
                continue
        spans.append(None)
    X = np.vstack(X_parts) if X_parts else np.zeros((0, width))
    y = np.concatenate(y_parts) if y_parts else np.zeros(0)
    rows = OutcomeRows(X, y, np.asarray(blocks, dtype=np.int64), tuple(posters))
    return PostedRows(rows, refused, tuple(spans))


@dataclass(frozen=True)
class KnownRows:
    """The rows that existed before the metamodel commitment, by `row_hash` -> source name, and
    what the live section says about them."""

    rows: dict[bytes, str]
    record: dict


def read_known_rows(
    storage,
    recipe: Recipe,
    contributions: Sequence[Contribution],
    validation_csv: bytes,
    history: Sequence[HistoryRef] = (),
    operator_key: bytes | None = None,
) -> KnownRows:
    """Every row the DAO, its contributors or its operator had before the metamodel was committed:
    the anchor set, the epoch's hold-out, the history (`read_history`: revealed hold-outs and earlier
    epochs' data sets, as provenance reads them) and every data set registered for the epoch that
    can be read in its schema, accepted or not (its CID was public from its registration). An exact
    copy of one of them, posted after C, is no outcome the metamodel could not have seen.

    Near copies are not refused: a genuine outcome lies near the rows of the past (that is what a
    model predicts from), so a tolerance would refuse the most typical outcomes and tilt the scoring
    rows towards outliers. An exact copy is different: where genuine outcomes often equal known rows
    (a tiny feature space), a post of many outcomes repeats rows itself and is refused already (no
    file may hold duplicated rows): such a schema does not suit live scoring. A deterministic
    function of its inputs, which the operator's run and `dao verify` both have."""
    try:
        anchor = read_rows(storage.get(recipe.anchor_cid), recipe, "anchor set")
    except (ContentNotFound, InvalidCID, NotAFile, StorageUnavailable, CorruptBlock) as exc:
        raise EpochError(f"the anchor set {recipe.anchor_cid} cannot be read: {exc}") from exc
    sources = [
        ("the anchor set", *anchor),
        ("the epoch's hold-out set", *load_validation(validation_csv, recipe)),
    ]
    history_sources, history_record = read_history(storage, recipe, history, operator_key)
    sources += [(source.name, source.X, source.y) for source in history_sources]
    data = [c for c in contributions if c.kind == KIND_DATA]
    readable, _, unread = check_artifacts(storage, recipe, data, operator_key)
    sources += [
        (f"contribution #{c.id}", encode_features(dataset.features, recipe.schema), dataset.target)
        for c, dataset in readable
    ]
    rows = known_rows(sources)
    record = {"compared": len(rows)}
    if unread:  # rejected at intake as unreadable: nothing to compare with (their reasons: `rejected`)
        record["unread"] = sorted(unread)
    if history_record["skipped"]:
        record["history_skipped"] = sorted(history_record["skipped"])
    return KnownRows(rows, record)


def _values(result) -> list[dict]:
    return [
        {"name": name, "value": published(v)}
        for name, v in zip(result.player_names, result.values, strict=True)
    ]


def value_live_epoch(
    storage,
    epoch: int,
    recipe_cid: str,
    recipe: Recipe,
    contributions: list[Contribution],
    validation_csv: bytes,
    posts: Sequence[OutcomePost],
    commitment: MetamodelCommitment,
    period_end_block: int,
    extensions_used: int = 0,
    operator_key: bytes | None = None,
    validation_cid: str | None = None,
    stages: dict[str, float] | None = None,
    history: Sequence[HistoryRef] = (),
) -> LiveEpochValuation:
    """Value a live-scored epoch on the outcome rows posted in (C, E], C the commitment block and
    E `period_end_block` (already extended `extensions_used` times). When the accepted rows are
    fewer than the recipe's minimum, nothing is trained: the outcome says extend (with the new end)
    or void. Otherwise the report is valued and allocated on the accepted rows and carries the
    values on the committed hold-out beside them (static vs live)."""
    terms = recipe.live_scoring
    if terms is None:
        raise EpochError("the recipe scores this epoch on its hold-out (scoring static): use value_epoch")
    if "0x" + keccak(validation_csv).hex() != recipe.validation_commitment:
        raise EpochError("the hold-out validation set does not match the recipe's validation_commitment")
    posted = read_posts(storage, recipe, posts)
    known = read_known_rows(storage, recipe, contributions, validation_csv, history, operator_key)
    selection = select_scoring_rows(
        posted.rows, commitment.block, period_end_block, terms.outcome_reporter, known.rows
    )
    outcome = resolve_period(len(selection.accepted), terms, extensions_used, period_end_block)
    section = {
        "mode": "live",
        "meta_learner": recipe.meta_learner,
        "commitment_block": commitment.block,
        "period_end_block": period_end_block,
        "extensions_used": extensions_used,
        "offered_rows": len(posted.rows.y),
        "accepted_rows": len(selection.accepted),
        "refused_rows": {str(i): why for i, why in sorted(selection.refused.items())},
        "refused_posts": {str(i): why for i, why in sorted(posted.refused_posts.items())},
        "known_rows": known.record,
        "outcome": outcome.to_dict(),
    }
    if outcome.action is not Resolution.VALUE:
        return LiveEpochValuation(outcome, section, None)

    clock = StageClock(stages)
    validation = load_validation(validation_csv, recipe)
    prepared = prepare_epoch(storage, recipe, contributions, operator_key, clock, history)
    live = value_games(prepared, recipe, (selection.X, selection.y))
    static = value_games(prepared, recipe, validation)
    section["static"] = {
        "metamodel_score": published(static.metamodel_score),
        "data": _values(static.data_result),
        "model": _values(static.model_result),
    }
    inputs = epoch_inputs(recipe_cid, recipe, contributions, validation_cid, history)
    inputs["live"] = {
        "commitment": commitment.to_dict(),
        "period_end_block": period_end_block,
        "extensions_used": extensions_used,
        "posts": [post.to_dict() for post in posts],
    }
    report = ValuationReport.build(
        epoch,
        inputs,
        live.data_result.to_dict() | {"provenance": provenance_record(prepared, recipe)},
        live.model_result.to_dict(),
        live.metamodel_score,
        allocate(prepared, recipe, live),
        {contribution_id: capped(reason) for contribution_id, reason in prepared.rejected.items()},
        scoring=section,
    )
    clock.lap("value")
    valuation = EpochValuation(
        report,
        prepared.metamodel,
        live.data_result,
        live.model_result,
        prepared.accepted_data,
        prepared.accepted_models,
    )
    return LiveEpochValuation(outcome, section, valuation)


def value_named_live_inputs(
    storage,
    epoch: int,
    recipe_cid: str,
    recipe: Recipe,
    contributions: list[Contribution],
    validation_csv: bytes,
    live: dict,
    **options,
) -> LiveEpochValuation:
    """`value_live_epoch` on the commitment and posts a committed report's `inputs.live` names (its
    inputs hash covers them): what `dao verify` recomputes and `dao epoch rebuild` rebuilds."""
    posts, commitment, end, extensions = read_live_inputs(live)
    return value_live_epoch(
        storage,
        epoch,
        recipe_cid,
        recipe,
        contributions,
        validation_csv,
        posts,
        commitment,
        end,
        extensions,
        **options,
    )


def prepare_commitment(
    storage,
    recipe_cid: str,
    recipe: Recipe,
    contributions: list[Contribution],
    validation_cid: str | None,
    operator_key: bytes | None = None,
    history: Sequence[HistoryRef] = (),
):
    """What the operator commits when contributions close, before any outcome row exists: the
    trained metamodel (its file's CID goes on-chain with the hash) and the 0x-hash of the epoch's
    inputs, the one `value_live_epoch`'s report will name and `dao verify` checks. Returns
    (PreparedEpoch, inputs_hash)."""
    if recipe.live_scoring is None:
        raise EpochError("the recipe scores this epoch on its hold-out (scoring static): nothing to commit")
    prepared = prepare_epoch(storage, recipe, contributions, operator_key, None, history)
    inputs = epoch_inputs(recipe_cid, recipe, contributions, validation_cid, history)
    return prepared, commitment_inputs_hash(inputs)


def commitment_inputs_hash(inputs: dict) -> str:
    """The 0x-hash of an epoch's inputs as the metamodel commitment states it: the report's inputs
    without their `live` part (the posts do not exist yet when the metamodel is committed)."""
    return "0x" + keccak256(canonical_dumps({k: v for k, v in inputs.items() if k != "live"})).hex()

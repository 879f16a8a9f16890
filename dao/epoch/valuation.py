"""One epoch's off-chain work: read contributions, fetch and validate artifacts, value, report.

The chain says what was contributed (the registry) and under which recipe (the settlement); IPFS
holds the artifacts; `valuation/` does the pure work. The result is a `ValuationReport` whose
canonical bytes anyone can recompute from the same inputs.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from eth_utils import keccak

from dao.chain.cids import contribution_cid
from dao.chain.enums import ContributionKind
from dao.data.anchor_checks import FarFromAnchor, unknown_labels
from dao.data.datasets import MAX_BYTES, Dataset, InvalidDataset, load_dataset, stream_dataset
from dao.data.encoding import encode_features
from dao.data.recipe import DataSchema, Recipe
from dao.data.sealing import HEADER_MAX, SealingError, is_sealed, missing_recipients, overhead, unseal
from dao.data.specs import MAX_SPEC_BYTES, read_model_spec
from dao.errors import DaoError
from dao.storage import (
    ContentNotFound,
    ContentTooLarge,
    CorruptBlock,
    InvalidCID,
    NotAFile,
    StorageUnavailable,
)
from valuation import ModelGame, PayoutPolicy, ProviderGame, StackedMetamodel, estimate_shapley
from valuation.budget import PoolShape, budget_problem
from valuation.errors import BaseModelsFailed
from valuation.metamodel import BaseFitCache
from valuation.payout import players_from_result
from valuation.provenance import Source, trace_rows
from valuation.report import ValuationReport, library_versions
from valuation.specs import InvalidModelSpec
from valuation.stake_weighting import StakedModelGame, is_stake_aware, make_meta_learner

KIND_DATA, KIND_MODEL = ContributionKind.DATA, ContributionKind.MODEL


class EpochError(DaoError):
    """The epoch cannot be valued as it stands (recipe, hold-out or artifacts)."""


@dataclass(frozen=True)
class Contribution:
    id: int
    contributor: str
    kind: int
    epoch: int
    cid: str
    stake: int


@dataclass(frozen=True)
class HistoryRef:
    """Rows the DAO saw before this epoch, as the report's inputs name them: a revealed hold-out
    set (`owner` None: the DAO's own, nobody is credited), an earlier final epoch's accepted data
    set (`owner`: the account that committed it), or a data set revealed in a voided epoch
    (`paid` False: its owner, the first to reveal it, was never paid and keeps its rows; anybody
    else's copy of them is traced to it)."""

    name: str  # "epoch 3 hold-out", "epoch 3 #12"
    cid: str
    owner: str | None = None
    paid: bool = True

    def to_dict(self) -> dict:
        # `paid` only when False: the inputs (and their hash) of reports without such refs stay as they were.
        return {"name": self.name, "cid": self.cid, "owner": self.owner} | (
            {} if self.paid else {"paid": False}
        )


@dataclass(frozen=True)
class EpochValuation:
    report: ValuationReport
    metamodel: StackedMetamodel
    data_result: object
    model_result: object
    accepted_data: list[Contribution]
    accepted_models: list[Contribution]


def read_contributions(dao, epoch: int) -> list[Contribution]:
    """Every contribution registered for `epoch`, in priority order (the order of their commitments,
    not of their reveals): the valuation credits a duplicated row to the earliest, so a copier who
    reveals first still comes after the author who committed first."""
    found = []
    for cid in range(1, dao.registry.contribution_count() + 1):
        record = dao.registry.contributions(cid)
        if record.epoch == epoch:
            found.append(
                (
                    int(record.priority),
                    Contribution(
                        cid,
                        record.contributor,
                        record.kind,
                        record.epoch,
                        contribution_cid(record),
                        record.stake,
                    ),
                )
            )
    return [contribution for _, contribution in sorted(found, key=lambda pair: pair[0])]


def read_recipe(dao, storage, epoch: int) -> tuple[str, Recipe]:
    """The epoch's recipe from IPFS, checked against the hash governance committed to."""
    record = dao.settlement.epochs(epoch)
    data = storage.get(record.recipe_cid)
    if keccak(data) != bytes(record.params_hash):
        raise EpochError(f"the recipe at {record.recipe_cid} does not hash to epoch {epoch}'s params_hash")
    return record.recipe_cid, Recipe.from_json(data)


class StageClock:
    """Adds the seconds since the previous lap to `stages[name]` (no-op without a dict)."""

    def __init__(self, stages: dict[str, float] | None):
        self.stages, self.last = stages, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.stages is not None:
            self.stages[name] = self.stages.get(name, 0.0) + now - self.last
        self.last = now


def _peek(chunks: Iterator[bytes], n: int) -> tuple[bytes, Iterator[bytes]]:
    """The first `n` bytes of a stream, and the whole stream still to read."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= n:
            break
    return head[:n], itertools.chain([head], chunks)


MAX_REASON_CHARS = 300
_WITHHELD = "details withheld: the data set is sealed"
# What a sealed data set's rejection may say: the kind of problem, never a value or a column name.
_PRIVATE_REASONS = {
    InvalidDataset: f"the data set does not fit the epoch's schema ({_WITHHELD})",
    "labels": f"its labels include classes the anchor set lacks ({_WITHHELD})",
    "classes": f"its classes are too rare for the metamodel's cross-fitting ({_WITHHELD})",
    "far": f"its values lie too far from the anchor set's ({_WITHHELD})",
    Exception: f"the data set cannot be read ({_WITHHELD})",
}
# The bytes a sealed box adds to what it seals (libsodium: a 32-byte key and a 16-byte tag).
_SEAL_OVERHEAD = overhead(1)  # contributors fit blobs for several recipients within it


def capped(reason: str) -> str:
    """A rejection reason as the public report carries it: at most `MAX_REASON_CHARS` characters."""
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


def _check_operator_key(operator_key: bytes | None) -> None:
    if operator_key is not None and len(operator_key) != 32:
        raise EpochError(
            f"the operator key has {len(operator_key)} bytes; it must be 32 bytes (a Curve25519 private "
            "key, as `dao` writes to .dao/operator.key): nothing was committed, restore the key and run "
            "the epoch again"
        )


def _read_artifact(
    storage, contribution: Contribution, recipe: Recipe, operator_key: bytes | None, seen: dict
):
    """One contribution's content checked: its Dataset or ModelSpec (`seen["sealed"]` is set as
    soon as a sealed data set is recognised, before it is opened)."""
    is_data = contribution.kind == KIND_DATA
    limit = MAX_BYTES + _SEAL_OVERHEAD if is_data else MAX_SPEC_BYTES
    try:
        stream = storage.open(contribution.cid, max_bytes=limit)
    except TypeError as exc:  # our own backend's signature, not the contributor's content
        raise _OperatorFault(f"the storage backend {storage!r} cannot read with a size limit: {exc}") from exc
    head, chunks = _peek(stream, HEADER_MAX)
    sealed = is_sealed(head)
    seen["sealed"] = sealed and is_data
    if sealed and is_data:
        if operator_key is None:
            raise _OperatorFault(
                f"contribution {contribution.id} is sealed and this run has no operator key: nothing was "
                "committed; put the operator's key at .dao/operator.key and run the epoch again"
            )
        _check_recipients(head, operator_key, recipe)
        chunks = iter([unseal(b"".join(chunks), operator_key)])
    if is_data:
        # Streamed: a data set is parsed chunk by chunk, never held whole as text.
        return stream_dataset(chunks, recipe.schema, f"contribution {contribution.id}")
    spec = read_model_spec(b"".join(chunks))
    if spec.estimator not in recipe.model_allow_list:
        raise InvalidModelSpec(f"{spec.estimator} is not on this epoch's allow-list")
    # Otherwise one such spec would stop the whole epoch's metamodel from fitting.
    if spec.task != recipe.schema.task:
        raise InvalidModelSpec(f"the spec is for {spec.task}; this epoch's task is {recipe.schema.task}")
    return spec


def _check_recipients(head: bytes, operator_key: bytes, recipe: Recipe) -> None:
    """A private data set must be sealed to the operator and to every auditor the recipe names, or
    the auditors could not verify the epoch; decided from the header alone, alike on every machine."""
    from nacl.public import PrivateKey

    # The recipe's operator key, not this run's: an auditor re-running the intake must require the
    # same recipients as the operator did.
    operator = recipe.operator_key or bytes(PrivateKey(operator_key).public_key)
    required = [operator, *recipe.auditor_keys]
    missing = missing_recipients(head, required)
    if missing:
        names = ["the operator" if key == required[0] else f"auditor 0x{key.hex()}" for key in missing]
        raise SealingError(f"the data set is not sealed to {', '.join(names)} named by the epoch's recipe")


class _OperatorFault(Exception):
    """Raised inside the per-artifact guard for faults that must stop the run."""


def check_artifacts(
    storage,
    recipe: Recipe,
    contributions: list[Contribution],
    operator_key: bytes | None = None,
    sealed: set[int] | None = None,
) -> tuple[list[tuple[Contribution, Dataset]], list[tuple[Contribution, object]], dict[int, str]]:
    """Fetch and validate every contribution: (accepted data, accepted models, rejected id -> reason).

    Whatever goes wrong with one contribution's content is that contribution's rejection, with a
    reason (it keeps its stake): content that cannot be found or is not a file, an invalid CID,
    oversized or malformed files, and any exception a parser raises on them. Only the operator's own
    faults abort the run: a storage backend that is down or returns corrupted blocks, and a sealed
    data set without (or with a malformed) operator key. The ids of sealed data sets are added to
    `sealed`; their reasons never quote the data.
    """
    _check_operator_key(operator_key)
    sealed = set() if sealed is None else sealed
    rejected: dict[int, str] = {}
    data: list[tuple[Contribution, Dataset]] = []
    models: list[tuple[Contribution, object]] = []
    for contribution in contributions:
        seen = {"sealed": False}
        try:
            artifact = _read_artifact(storage, contribution, recipe, operator_key, seen)
            if contribution.kind == KIND_DATA:
                data.append((contribution, artifact))
            else:
                models.append((contribution, artifact))
        except _OperatorFault as exc:
            raise EpochError(str(exc)) from None
        except ContentNotFound as exc:
            rejected[contribution.id] = f"artifact not retrievable: {exc}"
        except (StorageUnavailable, CorruptBlock) as exc:
            raise EpochError(
                f"contribution {contribution.id} ({contribution.cid}) could not be read: {exc}; "
                "nothing was committed, fix the storage and run the epoch again"
            ) from exc
        except (InvalidDataset, InvalidModelSpec, SealingError, ValueError) as exc:
            rejected[contribution.id] = str(exc)
        except (InvalidCID, NotAFile, ContentTooLarge) as exc:
            rejected[contribution.id] = f"artifact not readable: {exc}"
        except Exception as exc:  # a stranger's file must never stop the epoch, whatever it breaks
            rejected[contribution.id] = f"artifact not readable ({type(exc).__name__})"
        if seen["sealed"]:
            sealed.add(contribution.id)
            if contribution.id in rejected:
                rejected[contribution.id] = _private_reason(exc_kind=rejected[contribution.id])
        if contribution.id in rejected:
            rejected[contribution.id] = capped(rejected[contribution.id])
    return data, models, rejected


def _private_reason(exc_kind: str) -> str:
    if "is invalid: " in exc_kind:
        return _PRIVATE_REASONS[InvalidDataset]
    return _PRIVATE_REASONS[Exception]


def _check_enough(data: list, models: list, rejected: dict) -> None:
    if len(data) < 2 or len(models) < 2:
        raise EpochError(
            f"an epoch needs at least 2 valid data sets and 2 valid models; got {len(data)} and "
            f"{len(models)} ({len(rejected)} rejected)"
        )


def reject_unusable_labels(
    labelled: list[tuple[Contribution, np.ndarray]],
    anchor_labels: np.ndarray,
    n_folds: int,
    rejected: dict[int, str],
) -> list[tuple[Contribution, np.ndarray]]:
    """The (data set, labels) pairs the metamodel can train on; the others are rejected (into
    `rejected`) with why.

    Labels come from the anchor set: a label it lacks could not be validated and, a few rows of it
    being fewer than the folds, would stop the metamodel's stratified cross-fitting for everyone.
    For the same reason a class with fewer rows than folds across all data sets rejects the data
    sets holding it (until none is left that rare).
    """
    known = set(np.unique(anchor_labels).tolist())
    counts = {}
    kept = []
    for contribution, target in labelled:
        labels, n = np.unique(target, return_counts=True)
        problem = unknown_labels(labels, known)
        if problem:
            rejected[contribution.id] = problem
            continue
        counts[contribution.id] = dict(zip(labels.tolist(), n.tolist(), strict=True))
        kept.append((contribution, target))
    while True:
        pooled: dict = {}
        for contribution, _ in kept:
            for label, n in counts[contribution.id].items():
                pooled[label] = pooled.get(label, 0) + n
        rare = {label for label, n in pooled.items() if n < n_folds}
        if not rare:
            return kept
        for contribution, _ in kept:
            held = sorted(rare & set(counts[contribution.id]))
            if held:
                rejected[contribution.id] = (
                    f"classes {held} have fewer than {n_folds} rows across all data sets: too few for "
                    f"the metamodel's {n_folds}-fold cross-fitting"
                )
        kept = [(c, d) for c, d in kept if c.id not in rejected]


def reject_over_budget(
    models: list[tuple[Contribution, object]], pool: PoolShape, recipe: Recipe, rejected: dict[int, str]
) -> list[tuple[Contribution, object]]:
    """The (contribution, spec) pairs whose estimated training cost on `pool` fits the recipe's
    training budget; the others are rejected (into `rejected`) with the estimate and the cap, before
    anything trains. The estimate is arithmetic on the pool's shape: every machine rejects the same."""
    kept = []
    for contribution, spec in models:
        problem = budget_problem(spec, pool, recipe.training_budget, recipe.n_folds)
        if problem:
            rejected[contribution.id] = f"the model is over the epoch's training budget: {problem}"
        else:
            kept.append((contribution, spec))
    return kept


def pool_shape(X: np.ndarray, y: np.ndarray, task: str) -> PoolShape:
    """The pooled training data's shape as the training budget reads it."""
    classes = len(np.unique(y)) if task == "classification" else 1
    return PoolShape(rows=int(X.shape[0]), features=int(X.shape[1]), classes=classes)


def epoch_inputs(
    recipe_cid: str,
    recipe: Recipe,
    contributions: list[Contribution],
    validation_cid: str | None,
    history: Sequence[HistoryRef] = (),
) -> dict:
    """Everything the report depends on, as it is hashed into `inputs_hash` (`history` only when
    there is some: a first epoch's inputs keep the bytes they had before provenance)."""
    inputs = {
        "recipe_cid": recipe_cid,
        "contributions": [
            {"id": c.id, "cid": c.cid, "kind": c.kind, "contributor": c.contributor, "stake": str(c.stake)}
            for c in contributions
        ],
        "anchor_cid": recipe.anchor_cid,
        "validation_commitment": recipe.validation_commitment,
        "validation_cid": validation_cid,
        "random_state": recipe.random_state,
        "versions": library_versions(),
    }
    if history:
        inputs["history"] = [ref.to_dict() for ref in history]
    return inputs


def _xy(dataset: Dataset, schema: DataSchema) -> tuple[np.ndarray, np.ndarray]:
    return encode_features(dataset.features, schema), dataset.target


def read_history(
    storage, recipe: Recipe, history: Sequence[HistoryRef], operator_key: bytes | None = None
) -> tuple[list[Source], dict]:
    """The rows of `history` (oldest first) as provenance `Source`s, and what was left out and why.

    The latest sources are read first and kept whole while their rows total at most the recipe's
    `max_history_rows` (the cost of an epoch stays bounded however long the history grows; older
    sources then go unread, and the record says which). A source that does not fit this epoch's
    schema (the schema changed) cannot hold copies of its rows and is skipped, said why. A source
    that cannot be read is the operator's fault (it pins what it values): the run stops."""
    budget, kept, skipped = recipe.max_history_rows, [], {}
    for at, ref in enumerate(reversed(history)):
        try:
            # An unpaid source is any registrant's file, never accepted (rejected, or a voided
            # epoch's): read with the intake's size limit, as its own epoch did, so an oversized
            # one cannot stall every later epoch. Paid sources passed that limit or are the DAO's.
            if ref.paid:
                data = storage.get(ref.cid)
            else:
                data = b"".join(storage.open(ref.cid, max_bytes=MAX_BYTES + _SEAL_OVERHEAD))
        except (ContentNotFound, InvalidCID, NotAFile, ContentTooLarge) as exc:
            if not ref.paid:  # a voided epoch's registration nobody valued: like a rejected artifact
                skipped[ref.name] = capped(f"cannot be read: {exc}")
                continue
            raise EpochError(
                f"{ref.name} ({ref.cid}) cannot be read for provenance: {exc}; nothing was committed: "
                "the operator keeps (pins) every hold-out it revealed and every data set it valued"
            ) from exc
        except (StorageUnavailable, CorruptBlock) as exc:
            raise EpochError(
                f"{ref.name} ({ref.cid}) cannot be read for provenance: {exc}; nothing was committed: "
                "the operator keeps (pins) every hold-out it revealed and every data set it valued"
            ) from exc
        if is_sealed(data):
            if operator_key is None:
                raise EpochError(
                    f"{ref.name} is sealed and this run has no operator key to compare with it: nothing "
                    "was committed; put the operator's key at .dao/operator.key and run again"
                )
            try:
                data = unseal(data, operator_key)
            except SealingError as exc:
                if not ref.paid:
                    skipped[ref.name] = capped(f"cannot be unsealed with the operator key: {exc}")
                    continue
                raise EpochError(f"{ref.name} cannot be unsealed with this operator key: {exc}") from exc
        try:
            X, y = _xy(load_dataset(data, recipe.schema, ref.name), recipe.schema)
        except (InvalidDataset, ValueError) as exc:
            skipped[ref.name] = capped(f"does not fit this epoch's schema: {exc}")
            continue
        if len(y) > budget:
            for rest in list(reversed(history))[at:]:
                skipped[rest.name] = f"beyond the recipe's max_history_rows ({recipe.max_history_rows})"
            break
        budget -= len(y)
        kept.append(Source(ref.name, X, y, ref.owner, ref.paid))
    kept.reverse()
    return kept, {"sources": [s.name for s in kept], "skipped": skipped}


_NO_ROWS = (
    "no rows of its own: each was the DAO's (anchor, a revealed hold-out) or first committed by "
    "another contribution"
)
_ONE_CLASS = "of its own rows, only one class is left once the rows others brought first are removed"


def _with_null_players(result, valued: list[int], names: list[str], reason: str):
    """`result` over the valued players, widened to every accepted data set: the others (their
    rows all traced elsewhere) are valued 0 with a zero-width interval, each a group of its own."""
    n, at = len(names), {k: i for i, k in enumerate(valued)}

    def widen(values):
        if values is None:
            return None
        out = np.zeros(n)
        out[valued] = np.asarray(values)
        return out

    groups = [tuple(valued[m] for m in g) for g in result.groups] + [(k,) for k in range(n) if k not in at]
    reasons = list(result.group_reasons) + [reason] * (n - len(valued))
    order = sorted(range(len(groups)), key=lambda g: groups[g][0])
    valued_by = (
        tuple(result.valued_by[at[k]] if k in at else "provenance" for k in range(n))
        if result.valued_by
        else ()
    )
    return dataclasses.replace(
        result,
        values=widen(result.values),
        ci_low=widen(result.ci_low),
        ci_high=widen(result.ci_high),
        player_names=list(names),
        groups=tuple(groups[g] for g in order),
        group_reasons=tuple(reasons[g] for g in order),
        valued_by=valued_by,
        standard_errors=widen(result.standard_errors),
        validation_errors=widen(result.validation_errors),
    )


@dataclass
class PreparedEpoch:
    """An epoch after intake and training, before any game is scored: what the static and the live
    valuation share (the metamodel is fixed here, before any scoring row is looked at)."""

    schema: DataSchema
    anchor_xy: tuple[np.ndarray, np.ndarray]
    accepted_data: list[Contribution]
    models: list[tuple[Contribution, object]]
    metamodel: StackedMetamodel
    trace: object  # valuation.provenance trace of the accepted data sets' rows
    valued: list[int]  # indices into accepted_data of the data sets that enter the provider game
    null_reason: dict[int, str]
    history_record: dict
    rejected: dict[int, str]

    @property
    def accepted_models(self) -> list[Contribution]:
        return [c for c, _ in self.models]


def metamodel_for(recipe: Recipe, specs: list, stakes: list[int]) -> StackedMetamodel:
    """The (unfitted) metamodel a recipe asks for: its meta-learner, given the builders' stakes when
    it weighs models by stake. The default ("stacked") is built exactly as before the choice existed."""
    meta_learner = make_meta_learner(recipe.meta_learner, recipe.schema.task, recipe.random_state)
    # Plain ints: the chain's stake values are ape types, which would otherwise be pickled into the
    # metamodel file (and make ape a dependency of loading it).
    stakes = [int(stake) for stake in stakes]
    return StackedMetamodel(
        specs,
        task=recipe.schema.task,
        n_folds=recipe.n_folds,
        random_state=recipe.random_state,
        **({"meta_learner": meta_learner, "stakes": stakes} if meta_learner is not None else {}),
    )


def prepare_epoch(
    storage,
    recipe: Recipe,
    contributions: list[Contribution],
    operator_key: bytes | None = None,
    clock: StageClock | None = None,
    history: Sequence[HistoryRef] = (),
) -> PreparedEpoch:
    """Intake (fetch, validate, reject with reasons), training of the metamodel and the provenance
    trace: everything of an epoch's valuation that does not look at the scoring rows."""
    clock = clock or StageClock(None)
    schema = recipe.schema
    anchor = stream_dataset(storage.open(recipe.anchor_cid), schema, "anchor set")
    sealed: set[int] = set()
    data, models, rejected = check_artifacts(storage, recipe, contributions, operator_key, sealed)
    _check_enough(data, models, rejected)

    # Memory: each data set becomes one float matrix and its parsed table is let go; the pooled
    # copy lives only while the metamodel trains.
    anchor_xy = _xy(anchor, schema)
    far = FarFromAnchor(anchor_xy[0], anchor_xy[1], schema)
    encoded = []
    while data:
        contribution, dataset = data.pop(0)
        X, y = _xy(dataset, schema)
        del dataset
        problem = far.problem(X, y)
        if problem:
            rejected[contribution.id] = _PRIVATE_REASONS["far"] if contribution.id in sealed else problem
        else:
            encoded.append((contribution, (X, y)))
    if schema.task == "classification":  # after the other rejections: they can leave a class rare
        before = set(rejected)
        reject_unusable_labels([(c, y) for c, (_, y) in encoded], anchor.target, recipe.n_folds, rejected)
        for contribution_id in (set(rejected) - before) & sealed:
            kind = "labels" if rejected[contribution_id].startswith("labels") else "classes"
            rejected[contribution_id] = _PRIVATE_REASONS[kind]
        encoded = [(c, arrays) for c, arrays in encoded if c.id not in rejected]
    accepted_data = [c for c, _ in encoded]
    provider_arrays = [arrays for _, arrays in encoded]
    del encoded
    clock.lap("validate")
    _check_enough(accepted_data, models, rejected)
    pooled_X = np.vstack([X for X, _ in provider_arrays])
    pooled_y = np.concatenate([y for _, y in provider_arrays])
    models = reject_over_budget(models, pool_shape(pooled_X, pooled_y, schema.task), recipe, rejected)
    _check_enough(accepted_data, models, rejected)
    # Base models fitted once: when a spec fails on the data, the others come from this cache.
    fits = BaseFitCache()
    while True:
        try:
            metamodel = metamodel_for(recipe, [spec for _, spec in models], [c.stake for c, _ in models]).fit(
                pooled_X, pooled_y, fit_cache=fits
            )
            break
        except BaseModelsFailed as exc:
            # A spec with valid parameters can still fail on this data; it is rejected, not the epoch.
            for index, why in exc.failures.items():
                rejected[models[index][0].id] = f"the model could not be trained on this epoch's data: {why}"
            models = [model for index, model in enumerate(models) if index not in exc.failures]
            _check_enough(accepted_data, models, rejected)
    del pooled_X, pooled_y, fits
    clock.lap("train")

    # Provenance (issue 18): each row is credited to whoever brought it first, in commit order —
    # the DAO for its anchor and revealed hold-outs, an earlier final epoch's committer, or an
    # earlier commitment of this epoch. History rows leave the game (the DAO has them); near-copies
    # of this epoch's earlier rows become those rows, which the duplicate rule credits once.
    sources, history_record = read_history(storage, recipe, history, operator_key)
    trace = trace_rows(
        provider_arrays,
        anchor_xy,
        sources,
        owners=[c.contributor for c in accepted_data],
        rule=recipe.near_copy_rule,
        names=[f"#{c.id}" for c in accepted_data],
    )
    del provider_arrays
    # A data set left without rows of its own is valued 0 without entering the game: it brought
    # nothing, and it took nothing either (its rows are counted once, for their first owner), so
    # there is no harm to slash it for. The same for one left with a single class (a game's
    # provider must show two).
    valued, null_reason = [], {}
    for k, (_, y) in enumerate(trace.providers):
        if len(y) == 0:
            null_reason[k] = _NO_ROWS
        elif schema.task == "classification" and len(np.unique(y)) < 2:
            null_reason[k] = _ONE_CLASS
        else:
            valued.append(k)
    if len(valued) < 2:
        raise EpochError(
            f"an epoch needs at least 2 data sets with rows of their own; {len(valued)} of "
            f"{len(accepted_data)} accepted data sets have any once copies are credited to their first owner"
        )
    return PreparedEpoch(
        schema,
        anchor_xy,
        accepted_data,
        models,
        metamodel,
        trace,
        valued,
        null_reason,
        history_record,
        rejected,
    )


@dataclass(frozen=True)
class GameResults:
    """Both games' Shapley results on one scoring set, and the metamodel's score on it."""

    data_result: object
    model_result: object
    metamodel_score: float


def value_games(prepared: PreparedEpoch, recipe: Recipe, scoring: tuple) -> GameResults:
    """Shapley values of the providers and the builders of a prepared epoch, scored on `scoring` =
    (X, y): the committed hold-out of a static epoch, or the accepted outcome rows of a live one.
    With a stake-aware meta-learner, each coalition of builders is combined by its stakes."""
    accepted_data, valued, rule = prepared.accepted_data, prepared.valued, recipe.near_copy_rule
    data_game = ProviderGame(
        [prepared.trace.providers[k] for k in valued],
        prepared.anchor_xy,
        scoring,
        owners=[accepted_data[k].contributor for k in valued],
        task=prepared.schema.task,
        player_names=[f"#{accepted_data[k].id}" for k in valued],
        random_state=recipe.random_state,
    )
    data_result = estimate_shapley(
        data_game, budget=recipe.valuation_budget, random_state=recipe.random_state, rule=rule
    )
    if prepared.null_reason:
        data_result = _with_null_players(
            data_result, valued, [f"#{c.id}" for c in accepted_data], "valued 0 by provenance"
        )
    owners = [c.contributor for c, _ in prepared.models]
    metamodel = prepared.metamodel
    game_class = StakedModelGame if is_stake_aware(metamodel.meta_learner) else ModelGame
    model_game = game_class.from_metamodel(metamodel, scoring, owners=owners)
    model_game.player_names = [f"#{c.id}" for c, _ in prepared.models]
    model_result = estimate_shapley(
        model_game, budget=recipe.valuation_budget, random_state=recipe.random_state
    )
    return GameResults(data_result, model_result, metamodel.neg_loss(*scoring))


def provenance_record(prepared: PreparedEpoch, recipe: Recipe) -> dict:
    """The report's `data_values.provenance`: which rows were credited to whom, and why some data
    sets were valued 0 without entering the game."""
    provenance = prepared.trace.to_dict(ids=[c.id for c in prepared.accepted_data])
    for k, why in prepared.null_reason.items():
        provenance["providers"][k]["valued_zero"] = why
    provenance["history"] = prepared.history_record
    provenance["rule"] = dataclasses.asdict(recipe.near_copy_rule) | {
        "max_history_rows": recipe.max_history_rows
    }
    return provenance


def allocate(prepared: PreparedEpoch, recipe: Recipe, results: GameResults):
    """Shares and slashes from the games' published numbers under the recipe's policy."""
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    accepted_data, accepted_models = prepared.accepted_data, prepared.accepted_models
    return policy.allocate(
        players_from_result(
            results.data_result,
            [c.id for c in accepted_data],
            [c.contributor for c in accepted_data],
            [c.stake for c in accepted_data],
        ),
        players_from_result(
            results.model_result,
            [c.id for c in accepted_models],
            [c.contributor for c in accepted_models],
            [c.stake for c in accepted_models],
        ),
    )


def scoring_record(recipe: Recipe) -> dict:
    """The report's `scoring` entry of a static epoch: empty on the default stacked meta-learner
    (the report keeps the bytes it had before the choice existed), else the mode and meta-learner."""
    if recipe.scoring == "static" and recipe.meta_learner == "stacked":
        return {}
    return {"mode": recipe.scoring, "meta_learner": recipe.meta_learner}


def value_epoch(
    storage,
    epoch: int,
    recipe_cid: str,
    recipe: Recipe,
    contributions: list[Contribution],
    validation_csv: bytes,
    operator_key: bytes | None = None,
    validation_cid: str | None = None,
    stages: dict[str, float] | None = None,
    history: Sequence[HistoryRef] = (),
) -> EpochValuation:
    """Validate every artifact, train the metamodel, value both games and build the report.

    `validation_cid` is where the hold-out set is revealed with the report, so that anyone can
    recompute it (`dao verify`); the recipe's commitment proves it was fixed before contributions.
    Trainings fan out over joblib's active configuration (see `dao.epoch.compute`); the report's
    bytes do not depend on it. `history`: what the DAO saw in earlier epochs (oldest first, see
    `dao.epoch.history.gather_history`), read from `storage` like the contributions: rows copied
    from it, exactly or nearly, earn nothing here (the report's `data_values.provenance` says which
    rows were credited to whom). The recipe's meta-learner combines the models (with their stakes
    when it weighs by stake); the report records it unless it is the default.
    """
    if recipe.scoring != "static":
        raise EpochError(
            "the recipe scores this epoch live, on outcome rows posted after the metamodel "
            "commitment: value it with dao.epoch.live.value_live_epoch"
        )
    if "0x" + keccak(validation_csv).hex() != recipe.validation_commitment:
        raise EpochError("the hold-out validation set does not match the recipe's validation_commitment")
    clock = StageClock(stages)
    validation = load_validation(validation_csv, recipe)
    prepared = prepare_epoch(storage, recipe, contributions, operator_key, clock, history)
    results = value_games(prepared, recipe, validation)
    allocation = allocate(prepared, recipe, results)
    inputs = epoch_inputs(recipe_cid, recipe, contributions, validation_cid, history)
    report = ValuationReport.build(
        epoch,
        inputs,
        results.data_result.to_dict() | {"provenance": provenance_record(prepared, recipe)},
        results.model_result.to_dict(),
        results.metamodel_score,
        allocation,
        {contribution_id: capped(reason) for contribution_id, reason in prepared.rejected.items()},
        scoring=scoring_record(recipe),
    )
    clock.lap("value")
    return EpochValuation(
        report,
        prepared.metamodel,
        results.data_result,
        results.model_result,
        prepared.accepted_data,
        prepared.accepted_models,
    )


def load_validation(validation_csv: bytes, recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
    """The revealed hold-out set as (X, y) in the recipe's encoding."""
    return read_rows(validation_csv, recipe, "validation set")


def read_rows(data: bytes, recipe: Recipe, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A CSV of the recipe's schema (hold-out, outcome rows) as (X, y) in the recipe's encoding."""
    return _xy(load_dataset(data, recipe.schema, name), recipe.schema)

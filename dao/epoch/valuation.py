"""One epoch's off-chain work: read contributions, fetch and validate artifacts, value, report.

The chain says what was contributed (the registry) and under which recipe (the settlement); IPFS
holds the artifacts; `valuation/` does the pure work. The result is a `ValuationReport` whose
canonical bytes anyone can recompute from the same inputs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from eth_utils import keccak

from dao.chain.enums import ContributionKind
from dao.data.anchor_checks import FarFromAnchor, unknown_labels
from dao.data.datasets import Dataset, InvalidDataset, load_dataset, stream_dataset
from dao.data.encoding import encode_features
from dao.data.recipe import DataSchema, Recipe
from dao.data.sealing import MARKER as SEALED_MARKER
from dao.data.sealing import SealingError, is_sealed, unseal
from dao.errors import DaoError
from dao.storage import ContentNotFound, CorruptBlock, StorageUnavailable
from valuation import ModelGame, PayoutPolicy, ProviderGame, StackedMetamodel, estimate_shapley
from valuation.errors import BaseModelsFailed
from valuation.payout import players_from_result
from valuation.report import ValuationReport, library_versions
from valuation.specs import InvalidModelSpec, parse_model_spec

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
                        cid, record.contributor, record.kind, record.epoch, record.cid, record.stake
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


class _StageClock:
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


def check_artifacts(
    storage, recipe: Recipe, contributions: list[Contribution], operator_key: bytes | None = None
) -> tuple[list[tuple[Contribution, Dataset]], list[tuple[Contribution, object]], dict[int, str]]:
    """Fetch and validate every contribution: (accepted data, accepted models, rejected id -> reason).

    A contribution whose content cannot be found, or that fails its schema, spec or allow-list, is
    rejected with the reason (it keeps its stake). A storage backend that is down or returns
    corrupted blocks aborts the run instead: that is the operator's fault, not the contributor's.
    """
    rejected: dict[int, str] = {}
    data: list[tuple[Contribution, Dataset]] = []
    models: list[tuple[Contribution, object]] = []
    for contribution in contributions:
        try:
            head, chunks = _peek(storage.open(contribution.cid), len(SEALED_MARKER))
            if is_sealed(head):
                if operator_key is None:
                    raise SealingError("the data set is sealed and this run has no operator key")
                chunks = iter([unseal(b"".join(chunks), operator_key)])
            if contribution.kind == KIND_DATA:
                # Streamed: a data set is parsed chunk by chunk, never held whole as text.
                name = f"contribution {contribution.id}"
                data.append((contribution, stream_dataset(chunks, recipe.schema, name)))
            else:
                spec = parse_model_spec(b"".join(chunks))
                if spec.estimator not in recipe.model_allow_list:
                    raise InvalidModelSpec(f"{spec.estimator} is not on this epoch's allow-list")
                # Otherwise one such spec would stop the whole epoch's metamodel from fitting.
                if spec.task != recipe.schema.task:
                    raise InvalidModelSpec(
                        f"the spec is for {spec.task}; this epoch's task is {recipe.schema.task}"
                    )
                models.append((contribution, spec))
        except ContentNotFound as exc:
            rejected[contribution.id] = f"artifact not retrievable: {exc}"
        except (StorageUnavailable, CorruptBlock) as exc:
            raise EpochError(
                f"contribution {contribution.id} ({contribution.cid}) could not be read: {exc}; "
                "nothing was committed, fix the storage and run the epoch again"
            ) from exc
        except (InvalidDataset, InvalidModelSpec, SealingError, ValueError) as exc:
            rejected[contribution.id] = str(exc)
    return data, models, rejected


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


def epoch_inputs(
    recipe_cid: str, recipe: Recipe, contributions: list[Contribution], validation_cid: str | None
) -> dict:
    """Everything the report depends on, as it is hashed into `inputs_hash`."""
    return {
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


def _xy(dataset: Dataset, schema: DataSchema) -> tuple[np.ndarray, np.ndarray]:
    return encode_features(dataset.features, schema), dataset.target


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
) -> EpochValuation:
    """Validate every artifact, train the metamodel, value both games and build the report.

    `validation_cid` is where the hold-out set is revealed with the report, so that anyone can
    recompute it (`dao verify`); the recipe's commitment proves it was fixed before contributions.
    Trainings fan out over joblib's active configuration (see `dao.epoch.compute`); the report's
    bytes do not depend on it.
    """
    if "0x" + keccak(validation_csv).hex() != recipe.validation_commitment:
        raise EpochError("the hold-out validation set does not match the recipe's validation_commitment")
    clock = _StageClock(stages)
    schema = recipe.schema
    anchor = stream_dataset(storage.open(recipe.anchor_cid), schema, "anchor set")
    validation = _xy(load_dataset(validation_csv, schema, "validation set"), schema)
    data, models, rejected = check_artifacts(storage, recipe, contributions, operator_key)
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
            rejected[contribution.id] = problem
        else:
            encoded.append((contribution, (X, y)))
    if schema.task == "classification":  # after the other rejections: they can leave a class rare
        reject_unusable_labels([(c, y) for c, (_, y) in encoded], anchor.target, recipe.n_folds, rejected)
        encoded = [(c, arrays) for c, arrays in encoded if c.id not in rejected]
    accepted_data = [c for c, _ in encoded]
    provider_arrays = [arrays for _, arrays in encoded]
    del encoded
    clock.lap("validate")
    _check_enough(accepted_data, models, rejected)
    pooled_X = np.vstack([X for X, _ in provider_arrays])
    pooled_y = np.concatenate([y for _, y in provider_arrays])
    while True:
        try:
            metamodel = StackedMetamodel(
                [spec for _, spec in models],
                task=schema.task,
                n_folds=recipe.n_folds,
                random_state=recipe.random_state,
            ).fit(pooled_X, pooled_y)
            break
        except BaseModelsFailed as exc:
            # A spec with valid parameters can still fail on this data; it is rejected, not the epoch.
            for index, why in exc.failures.items():
                rejected[models[index][0].id] = f"the model could not be trained on this epoch's data: {why}"
            models = [model for index, model in enumerate(models) if index not in exc.failures]
            _check_enough(accepted_data, models, rejected)
    del pooled_X, pooled_y
    clock.lap("train")

    data_game = ProviderGame(
        provider_arrays,
        anchor_xy,
        validation,
        owners=[c.contributor for c in accepted_data],
        task=schema.task,
        player_names=[f"#{c.id}" for c in accepted_data],
        random_state=recipe.random_state,
    )
    data_result = estimate_shapley(
        data_game, budget=recipe.valuation_budget, random_state=recipe.random_state
    )
    model_game = ModelGame.from_metamodel(metamodel, validation, owners=[c.contributor for c, _ in models])
    model_game.player_names = [f"#{c.id}" for c, _ in models]
    model_result = estimate_shapley(
        model_game, budget=recipe.valuation_budget, random_state=recipe.random_state
    )

    accepted_models = [c for c, _ in models]
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    allocation = policy.allocate(
        players_from_result(
            data_result,
            [c.id for c in accepted_data],
            [c.contributor for c in accepted_data],
            [c.stake for c in accepted_data],
        ),
        players_from_result(
            model_result,
            [c.id for c in accepted_models],
            [c.contributor for c in accepted_models],
            [c.stake for c in accepted_models],
        ),
    )
    inputs = epoch_inputs(recipe_cid, recipe, contributions, validation_cid)
    report = ValuationReport.build(
        epoch,
        inputs,
        data_result.to_dict(),
        model_result.to_dict(),
        metamodel.neg_loss(*validation),
        allocation,
        rejected,
    )
    clock.lap("value")
    return EpochValuation(report, metamodel, data_result, model_result, accepted_data, accepted_models)

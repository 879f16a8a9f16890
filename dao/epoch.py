"""One epoch's off-chain work: read contributions, fetch and validate artifacts, value, report.

The chain says what was contributed (the registry) and under which recipe (the settlement); IPFS
holds the artifacts; `valuation/` does the pure work. The result is a `ValuationReport` whose
canonical bytes anyone can recompute from the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from eth_utils import keccak

from dao.datasets import Dataset, InvalidDataset, load_dataset
from dao.errors import DaoError
from dao.recipe import Recipe
from dao.sealing import SealingError, unseal
from valuation import ModelGame, PayoutPolicy, ProviderGame, StackedMetamodel, estimate_shapley
from valuation.payout import players_from_result
from valuation.report import ValuationReport, library_versions
from valuation.specs import InvalidModelSpec, parse_model_spec

KIND_DATA, KIND_MODEL = 0, 1


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
    """Every contribution registered for `epoch`, in registration order."""
    found = []
    for cid in range(1, dao.registry.contribution_count() + 1):
        record = dao.registry.contributions(cid)
        if record.epoch == epoch:
            found.append(
                Contribution(cid, record.contributor, record.kind, record.epoch, record.cid, record.stake)
            )
    return found


def read_recipe(dao, storage, epoch: int) -> tuple[str, Recipe]:
    """The epoch's recipe from IPFS, checked against the hash governance committed to."""
    record = dao.settlement.epochs(epoch)
    data = storage.get(record.recipe_cid)
    if keccak(data) != bytes(record.params_hash):
        raise EpochError(f"the recipe at {record.recipe_cid} does not hash to epoch {epoch}'s params_hash")
    return record.recipe_cid, Recipe.from_json(data)


def _xy(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    return dataset.features.to_numpy(dtype=float), dataset.target


def value_epoch(
    storage,
    epoch: int,
    recipe_cid: str,
    recipe: Recipe,
    contributions: list[Contribution],
    validation_csv: bytes,
    operator_key: bytes | None = None,
) -> EpochValuation:
    """Validate every artifact, train the metamodel, value both games and build the report."""
    if "0x" + keccak(validation_csv).hex() != recipe.validation_commitment:
        raise EpochError("the hold-out validation set does not match the recipe's validation_commitment")
    schema = recipe.schema
    anchor = load_dataset(storage.get(recipe.anchor_cid), schema, "anchor set")
    validation = load_dataset(validation_csv, schema, "validation set")

    rejected: dict[int, str] = {}
    data: list[tuple[Contribution, Dataset]] = []
    models: list[tuple[Contribution, object]] = []
    for contribution in contributions:
        try:
            raw = storage.get(contribution.cid)
            if operator_key is not None:
                raw = unseal(raw, operator_key)
            if contribution.kind == KIND_DATA:
                data.append((contribution, load_dataset(raw, schema, f"contribution {contribution.id}")))
            else:
                spec = parse_model_spec(raw)
                if spec.estimator not in recipe.model_allow_list:
                    raise InvalidModelSpec(f"{spec.estimator} is not on this epoch's allow-list")
                models.append((contribution, spec))
        except (InvalidDataset, InvalidModelSpec, SealingError, DaoError, ValueError) as exc:
            rejected[contribution.id] = str(exc)
    if len(data) < 2 or len(models) < 2:
        raise EpochError(
            f"an epoch needs at least 2 valid data sets and 2 valid models; got {len(data)} and "
            f"{len(models)} ({len(rejected)} rejected)"
        )

    data_game = ProviderGame(
        [_xy(d) for _, d in data],
        _xy(anchor),
        _xy(validation),
        owners=[c.contributor for c, _ in data],
        player_names=[f"#{c.id}" for c, _ in data],
        random_state=recipe.random_state,
    )
    data_result = estimate_shapley(
        data_game, budget=recipe.valuation_budget, random_state=recipe.random_state
    )
    pooled_X = np.vstack([_xy(d)[0] for _, d in data])
    pooled_y = np.concatenate([_xy(d)[1] for _, d in data])
    metamodel = StackedMetamodel(
        [spec for _, spec in models], n_folds=recipe.n_folds, random_state=recipe.random_state
    ).fit(pooled_X, pooled_y)
    model_game = ModelGame.from_metamodel(
        metamodel, _xy(validation), owners=[c.contributor for c, _ in models]
    )
    model_game.player_names = [f"#{c.id}" for c, _ in models]
    model_result = estimate_shapley(
        model_game, budget=recipe.valuation_budget, random_state=recipe.random_state
    )

    accepted_data = [c for c, _ in data]
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
    inputs = {
        "recipe_cid": recipe_cid,
        "contributions": [
            {"id": c.id, "cid": c.cid, "kind": c.kind, "contributor": c.contributor, "stake": str(c.stake)}
            for c in contributions
        ],
        "anchor_cid": recipe.anchor_cid,
        "validation_commitment": recipe.validation_commitment,
        "random_state": recipe.random_state,
        "versions": library_versions(),
    }
    report = ValuationReport.build(
        epoch,
        inputs,
        data_result.to_dict(),
        model_result.to_dict(),
        metamodel.score(*_xy(validation)),
        allocation,
        rejected,
    )
    return EpochValuation(report, metamodel, data_result, model_result, accepted_data, accepted_models)

"""The demo's epoch 1 as plain inputs of `value_epoch`, without a chain: its 8 data sets and 6 model
specs stored in `storage` under a public recipe. Used where an epoch is valued off-chain on purpose
(the cross-kernel benchmark, the compute-backend tests)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from dao.chain.units import ETHER
from dao.data.examples import build_demo_artifacts
from dao.data.recipe import DataSchema, Recipe
from dao.epoch.valuation import Contribution


@dataclass(frozen=True)
class EpochInputs:
    """What `value_epoch(storage, 1, recipe_cid, recipe, contributions, validation_csv,
    validation_cid=...)` takes."""

    storage: object
    recipe_cid: str
    recipe: Recipe
    contributions: list[Contribution]
    validation_csv: bytes
    validation_cid: str


def demo_epoch_inputs(storage) -> EpochInputs:
    """Store the demo's epoch-1 artifacts in `storage` (public, no sealing) and describe the epoch."""
    artifacts = build_demo_artifacts()
    recipe = Recipe(
        schema=DataSchema(features=artifacts.schema_features, target=artifacts.target),
        model_allow_list=("logistic_regression", "random_forest", "hist_gradient_boosting", "gaussian_nb"),
        emission=1_000 * ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=storage.add(artifacts.anchor_csv),
        validation_commitment="0x" + keccak(artifacts.validation_csv).hex(),
    ).validate()
    contents = [(0, csv) for csv in artifacts.provider_csvs] + [(1, spec) for spec in artifacts.model_specs]
    contributions = [
        Contribution(index + 1, f"0x{index + 1:040x}", kind, 1, storage.add(content), ETHER // 10)
        for index, (kind, content) in enumerate(contents)
    ]
    return EpochInputs(
        storage,
        storage.add(recipe.to_json()),
        recipe,
        contributions,
        artifacts.validation_csv,
        storage.add(artifacts.validation_csv),
    )

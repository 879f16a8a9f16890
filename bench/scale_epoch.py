"""End-to-end epoch time by stage for 16, 64 and 256 contributors: `python -m bench.scale_epoch`.

Each size deploys the DAO on ape's in-process chain with a fresh local IPFS store, registers the
contributions (every contributor its own funded account: owners group players, so shared accounts
would merge them), closes the window and times `dao.epoch.pipeline.run_epoch` stage by stage (fetch,
validate, train, value, publish, commit). Contributors are 4 model builders and N - 4 data
providers sharing 8,000 rows of `make_classification` data (dealt class by class, 40% of the
labels of a tenth of the providers flipped). Prints one JSON object; `--quick` runs N = 16 only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from eth_utils import keccak

from bench.scale import stratified_scenario
from dao.chain.units import ETHER
from dao.holders.contribute import register_contribution

PROVIDER_ROWS = 8_000
MODELS = (
    ("logistic_regression", {"C": 1.0, "max_iter": 300}),
    ("gaussian_nb", {}),
    ("random_forest", {"n_estimators": 30, "max_depth": 6}),
    ("hist_gradient_boosting", {"max_iter": 40}),
)
VALUATION_BUDGET = 2_000


def _csv(X: np.ndarray, y: np.ndarray) -> bytes:
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])]).round(6)
    frame["label"] = y.astype(int)
    return frame.to_csv(index=False, float_format="%.6f").encode()


def _spec(estimator: str, params: dict) -> bytes:
    document = {"spec_version": 1, "estimator": estimator, "task": "classification", "params": params}
    return json.dumps(document, sort_keys=True).encode()


def epoch_stages(n_contributors: int) -> dict:
    """Deploy, contribute and run one epoch with `n_contributors`; the stage timings."""
    from ape import accounts, project

    from dao.chain.bindings import DAO, advance_chain
    from dao.chain.deploy import DeployParams, deploy_dao
    from dao.data.recipe import DataSchema, Recipe
    from dao.epoch.pipeline import run_epoch
    from dao.storage import EmbeddedStorage

    scenario = stratified_scenario(n_contributors - len(MODELS), PROVIDER_ROWS)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DAO_STATE_DIR"] = str(Path(scratch) / "state")
        storage = EmbeddedStorage(Path(scratch) / "ipfs")
        validation_csv = _csv(*scenario.validation)
        width = scenario.anchor[0].shape[1]
        recipe = Recipe(
            schema=DataSchema(features=tuple((f"x{i}", "float64") for i in range(width)), target="label"),
            model_allow_list=tuple(name for name, _ in MODELS),
            emission=1_000 * ETHER,
            data_pool_bps=7_000,
            slash_cap_bps=2_000,
            anchor_cid=storage.add(_csv(*scenario.anchor)),
            validation_commitment="0x" + keccak(validation_csv).hex(),
            valuation_budget=VALUATION_BUDGET,
        ).validate()
        recipe_bytes = recipe.to_json()
        test_accounts = accounts.test_accounts
        params = DeployParams.for_tests()
        deployment = deploy_dao(
            project,
            test_accounts[0],
            test_accounts[1],
            "ethereum:local:test",
            params,
            genesis_recipe=(storage.add(recipe_bytes), keccak(recipe_bytes)),
        )
        dao = DAO(deployment, project)
        artifacts = [(0, _csv(X, y)) for X, y in scenario.providers]
        artifacts += [(1, _spec(name, parameters)) for name, parameters in MODELS]
        started = time.perf_counter()
        stake = int(dao.registry.min_stake())
        for kind, content in artifacts:
            contributor = test_accounts.generate_test_account()
            test_accounts[2].transfer(contributor, stake + ETHER // 100)
            register_contribution(dao.registry, kind, storage.add(content), stake, contributor)
        register_seconds = time.perf_counter() - started
        advance_chain(params.contribution_period)
        started = time.perf_counter()
        run = run_epoch(dao, storage, test_accounts[1], 1, validation_csv)
        total = time.perf_counter() - started
    return {
        "contributors": n_contributors,
        "data_providers": len(scenario.providers),
        "models": len(MODELS),
        "register_seconds": register_seconds,
        "stages_seconds": {stage: round(seconds, 3) for stage, seconds in run.stages.items()},
        "epoch_run_seconds": total,
        "committed": run.committed_now,
        "players_in_the_data_shapley_game": len(run.report.data_values["groups"]),
        "data_valued_by": sorted(
            {p.get("valued_by", run.report.data_values["method"]) for p in run.report.data_values["players"]}
        ),
    }


def run(quick: bool = False, log=sys.stderr) -> dict:
    from ape import networks
    from ape.logging import logger

    logger.set_level("WARNING")
    sizes = [16] if quick else [16, 64, 256]
    rows = []
    for n in sizes:
        with networks.parse_network_choice("ethereum:local:test"):
            rows.append(epoch_stages(n))
        print(f"[bench.scale_epoch] N={n}: {rows[-1]['epoch_run_seconds']:.1f} s", file=log)
    return {"quick": quick, "epochs": rows}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 16 only")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), indent=2))


if __name__ == "__main__":
    main()

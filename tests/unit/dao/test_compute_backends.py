"""The valuation report does not depend on where trainings run: serially, in two local worker
processes, or on a Dask LocalCluster (two worker processes on loopback) through `dao.epoch.compute`."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from joblib import Parallel

from dao.data.examples import build_demo_artifacts
from dao.data.recipe import DataSchema, Recipe
from dao.epoch.compute import ComputeUnavailable, compute_backend
from dao.epoch.valuation import Contribution, value_epoch
from dao.storage import EmbeddedStorage

pytestmark = pytest.mark.slow
ETHER = 10**18


@pytest.fixture(scope="module")
def epoch_inputs(tmp_path_factory):
    """A public epoch with the demo's 8 data sets and 6 models, stored in a fresh local store."""
    storage = EmbeddedStorage(tmp_path_factory.mktemp("ipfs"))
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
    recipe_cid = storage.add(recipe.to_json())
    contents = [(0, csv) for csv in artifacts.provider_csvs] + [(1, spec) for spec in artifacts.model_specs]
    contributions = [
        Contribution(index + 1, f"0x{index + 1:040x}", kind, 1, storage.add(content), ETHER // 10)
        for index, (kind, content) in enumerate(contents)
    ]
    validation_cid = storage.add(artifacts.validation_csv)
    return storage, recipe_cid, recipe, contributions, artifacts.validation_csv, validation_cid


def _report(epoch_inputs) -> bytes:
    storage, recipe_cid, recipe, contributions, validation_csv, validation_cid = epoch_inputs
    valuation = value_epoch(
        storage,
        1,
        recipe_cid,
        recipe,
        contributions,
        validation_csv,
        validation_cid=validation_cid,
    )
    return valuation.report.to_json()


def test_serial_two_processes_and_a_dask_cluster_give_the_same_bytes(epoch_inputs):
    from distributed import LocalCluster

    serial = _report(epoch_inputs)
    with compute_backend(n_jobs=2):
        assert Parallel().n_jobs == 2  # set for the engine through joblib, not passed down
        assert _report(epoch_inputs) == serial
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        with compute_backend(scheduler=cluster.scheduler_address):
            assert Parallel().n_jobs == -1  # every worker of the cluster
            assert _report(epoch_inputs) == serial


def test_the_scheduler_comes_from_the_environment_and_a_dead_one_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DAO_DASK_SCHEDULER", "tcp://127.0.0.1:9")
    with pytest.raises(ComputeUnavailable, match="no Dask scheduler answers at tcp://127.0.0.1:9"):
        with compute_backend():
            pass
    with pytest.raises(ComputeUnavailable, match="--jobs 0"):
        with compute_backend(n_jobs=0):
            pass

"""The valuation report does not depend on where trainings run: serially, in two local worker
processes, or on a Dask LocalCluster (two worker processes on loopback) through `dao.epoch.compute`."""

from __future__ import annotations

import pytest
from joblib import Parallel

from dao.epoch.compute import ComputeUnavailable, compute_backend
from dao.epoch.example import demo_epoch_inputs
from dao.epoch.valuation import value_epoch
from dao.storage import EmbeddedStorage

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def epoch_inputs(tmp_path_factory):
    """A public epoch with the demo's 8 data sets and 6 models, stored in a fresh local store."""
    epoch = demo_epoch_inputs(EmbeddedStorage(tmp_path_factory.mktemp("ipfs")))
    return (
        epoch.storage,
        epoch.recipe_cid,
        epoch.recipe,
        epoch.contributions,
        epoch.validation_csv,
        epoch.validation_cid,
    )


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

"""Where coalition trainings run: in this process, in local worker processes, or on a Dask cluster.

Every training is deterministic and single-threaded (see `valuation.games`), so the choice changes
wall time only, never a value or a byte of the report. The Dask cluster is chosen by
`--scheduler tcp://host:port` or `DAO_DASK_SCHEDULER`; it runs through joblib's Dask backend.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from dao.errors import DaoError

SCHEDULER_ENV = "DAO_DASK_SCHEDULER"


class ComputeUnavailable(DaoError):
    """The configured Dask scheduler could not be reached."""


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The Dask scheduler to use: the argument, else `DAO_DASK_SCHEDULER`, else none."""
    return scheduler or os.environ.get(SCHEDULER_ENV) or None


@contextmanager
def compute_backend(n_jobs: int | None = None, scheduler: str | None = None) -> Iterator[None]:
    """Run the enclosed valuation on `scheduler`'s Dask cluster, or locally with `n_jobs` workers
    (None or 1: serial; -1: every core).

    The valuation engine takes its workers from joblib's active `parallel_config`, which this sets:
    nothing below needs an `n_jobs` argument.
    """
    from joblib import parallel_config

    if n_jobs == 0:
        raise ComputeUnavailable("--jobs 0 means no worker at all: give 1 (serial), N, or -1 (every core)")
    address = scheduler_address(scheduler)
    if address is None:
        if n_jobs is None:
            yield
        else:
            with parallel_config(n_jobs=n_jobs):
                yield
        return
    from distributed import Client

    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except OSError as exc:
        raise ComputeUnavailable(f"no Dask scheduler answers at {address}: {exc}") from exc
    try:
        with client.as_current(), parallel_config(backend="dask", n_jobs=-1):
            yield
    finally:
        client.close()

"""One thread per training, wherever it runs, so that values are bit-identical on any backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from joblib import parallel_config
from threadpoolctl import threadpool_limits


@contextmanager
def single_threaded() -> Iterator[None]:
    """One BLAS/OpenMP thread, and estimators' own joblib calls run sequentially.

    Specs may not set `n_jobs`, so estimators such as random forests follow joblib's active
    configuration: on a Dask or loky worker they would sum tree outputs across threads in whatever
    order the threads finish, which moves the last bit of a probability.
    """
    with threadpool_limits(limits=1), parallel_config(backend="sequential"):
        yield

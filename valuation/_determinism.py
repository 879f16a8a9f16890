"""Bit-identical values on any backend: one thread per training, and data at an aligned address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from joblib import Parallel, effective_n_jobs, parallel_config
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


# What numpy's own allocations guarantee. An array unpickled by a scheduler can start at any byte
# (Dask hands them out of its network frames, e.g. 29 bytes past a 64-byte boundary); BLAS and
# numpy's SIMD loops take other code paths on such data, and an lbfgs fit that stops at max_iter
# can then end far from where it ends on the caller's copy.
_ALIGNMENT = 16


def aligned(value):
    """`value` with every array in it (through tuples and lists) at an aligned address; an array
    that already is one is returned as is, a misaligned one is copied."""
    if isinstance(value, np.ndarray):
        return value.copy(order="K") if value.ctypes.data % _ALIGNMENT else value
    if type(value) in (tuple, list):  # exactly: a named tuple is rebuilt differently, and left as is
        return type(value)(aligned(item) for item in value)
    return value


_STRING_SET = re.compile(r"\{('[^']*'(?:, '[^']*')*)\}")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def stable_message(exc: BaseException) -> str:
    """`Type: message`, the same in every process: reports carry it and `dao verify` compares bytes,
    but sklearn prints sets of names (whose order follows per-process string hashing) and objects
    with their addresses."""
    message = _STRING_SET.sub(lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", str(exc))
    return f"{type(exc).__name__}: {_ADDRESS.sub('', message)}"


def configured_workers() -> int:
    """How many workers the caller's joblib configuration provides (`parallel_config(n_jobs=...)`,
    a Dask backend, ...): 1 without one, and 1 inside `single_threaded`."""
    return max(1, effective_n_jobs(Parallel().n_jobs))

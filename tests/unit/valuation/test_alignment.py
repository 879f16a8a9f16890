"""Data at an address numpy would never allocate (as a Dask worker unpickles it) is realigned before
any training, so values do not depend on where the bytes happened to land."""

from __future__ import annotations

import json
import pickle
import warnings
from collections import namedtuple

import numpy as np

from valuation import ModelGame
from valuation._determinism import aligned
from valuation.metamodel import StackedMetamodel
from valuation.specs import parse_model_spec


def _misaligned(array: np.ndarray, offset: int = 3) -> np.ndarray:
    """A copy of `array` starting `offset` bytes past a 64-byte boundary."""
    buffer = np.zeros(array.nbytes + 64, dtype=np.uint8)
    start = (-buffer.ctypes.data) % 64 + offset
    copy = buffer[start : start + array.nbytes].view(array.dtype).reshape(array.shape)
    copy[...] = array
    return copy


def test_aligned_copies_only_what_is_misaligned_through_tuples_and_lists():
    good = np.arange(12.0).reshape(3, 4)
    bad = _misaligned(good)
    assert bad.ctypes.data % 8 and np.array_equal(bad, good)
    assert aligned(good) is good
    fixed = aligned([(bad, good), bad])
    assert isinstance(fixed, list) and isinstance(fixed[0], tuple)
    for array in (fixed[0][0], fixed[1]):
        assert array.ctypes.data % 16 == 0 and np.array_equal(array, good)
    assert fixed[0][1] is good
    pair = namedtuple("Pair", "X y")(bad, good)
    assert aligned(pair) is pair  # rebuilt differently from a plain tuple: left alone


def test_a_metamodel_fit_on_misaligned_data_is_bit_identical(breast_cancer):
    # Unscaled features: lbfgs stops at max_iter, so a last-bit difference in one BLAS call shows
    # in the predictions (0.25 before the realignment).
    X, y = breast_cancer
    specs = [parse_model_spec(json.dumps({"estimator": "logistic_regression", "params": {}}))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        here = StackedMetamodel(specs, random_state=0).fit(X, y)
        there = StackedMetamodel(specs, random_state=0).fit(_misaligned(X), _misaligned(y))
    np.testing.assert_array_equal(here.base_predictions(X)[0], there.base_predictions(X)[0])
    np.testing.assert_array_equal(here.oof_predictions_[0], there.oof_predictions_[0])


def test_a_game_arriving_misaligned_on_a_worker_is_realigned(breast_cancer):
    X, y = breast_cancer
    rng = np.random.default_rng(0)
    oof = [rng.dirichlet([1, 1], size=300) for _ in range(3)]
    valid = [rng.dirichlet([1, 1], size=100) for _ in range(3)]
    game = ModelGame(oof, y[:300], valid, y[300:400])
    state = pickle.loads(pickle.dumps(game)).__dict__
    arrived = ModelGame.__new__(ModelGame)
    arrived.__setstate__({**state, "_train": [_misaligned(a) for a in state["_train"]]})
    assert all(a.ctypes.data % 16 == 0 for a in arrived._train)
    assert arrived.value([0, 2]) == game.value([0, 2])

"""`dao verify`'s check of a live epoch's committed metamodel file (dao.epoch.committed_model): equal
bytes pass; other bytes pass only when the file loads with the verifier's own classes and predicts
as the verifier's model within the tolerance; a file naming anything else is refused unloaded."""

from __future__ import annotations

import io
import os
import pickle

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from dao.epoch.committed_model import FIELD, RefusedGlobal, committed_model_differences, load_restricted
from dao.epoch.store import metamodel_bytes

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
y = (X[:, 0] + 0.3 * rng.normal(size=60) > 0).astype(int)


def _fitted(model):
    return model.fit(X, y)


def test_equal_bytes_and_equal_predictions_pass():
    ours = metamodel_bytes(_fitted(KNeighborsClassifier(n_neighbors=3)))
    assert committed_model_differences(ours, ours, X, 1e-4) == []
    used = joblib.load(io.BytesIO(ours))
    used.predict_proba(X)  # a neighbour tree counts its queries: other bytes, same model
    other = metamodel_bytes(used)
    assert other != ours and committed_model_differences(other, ours, X, 1e-4) == []


def test_another_model_of_the_same_classes_differs_by_its_probabilities():
    ours = metamodel_bytes(_fitted(LogisticRegression(C=1.0)))
    theirs = metamodel_bytes(_fitted(LogisticRegression(C=1e-3)))
    [(field, committed, recomputed)] = committed_model_differences(theirs, ours, X, 1e-4)
    assert field == FIELD and committed.startswith("a metamodel whose probabilities differ by")
    assert recomputed == "within 0.0001"


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("touch /tmp/should-not-exist",))


def test_a_file_naming_other_code_is_refused_without_running_it(tmp_path):
    ours = metamodel_bytes(_fitted(LogisticRegression()))
    evil = pickle.dumps(_RunsCode())
    marker = "/tmp/should-not-exist"
    if os.path.exists(marker):
        os.remove(marker)
    [(field, committed, _)] = committed_model_differences(evil, ours, X, 1e-4)
    assert field == FIELD and committed == f"a file that uses {os.system.__module__}.system"
    assert not os.path.exists(marker)
    with pytest.raises(RefusedGlobal):
        load_restricted(metamodel_bytes(_fitted(KNeighborsClassifier())), frozenset())


def test_an_unreadable_file_is_a_difference_not_a_crash():
    ours = metamodel_bytes(_fitted(LogisticRegression()))
    [(_, committed, _)] = committed_model_differences(b"not a pickle", ours, X, 1e-4)
    assert committed.startswith("an unreadable metamodel file")

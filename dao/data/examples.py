"""The demo's cast and artifacts, generated deterministically from scikit-learn's breast_cancer.

Eight data providers (two with 40% of labels flipped, one resubmitting another's rows under a
second identity), five model builders (one useless model, one clone of another's spec), and the
DAO's own anchor and hold-out validation sets.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer

from dao.data.recipe import DEFAULT_DATA_POOL_BPS, DEFAULT_EMISSION, DEFAULT_SLASH_CAP_BPS, DataSchema, Recipe

FEATURES = (
    "mean radius",
    "mean texture",
    "mean smoothness",
    "mean compactness",
    "mean concavity",
    "worst radius",
    "worst texture",
    "worst smoothness",
    "worst concavity",
    "worst symmetry",
)
TARGET = "malignant"
MODEL_ALLOW_LIST = ("logistic_regression", "random_forest", "hist_gradient_boosting", "gaussian_nb")
PROVIDERS = 8
FLIPPED = (2, 5)  # providers whose labels are 40% flipped
DUPLICATOR = 7  # resubmits provider 0's rows under a second identity
FLIP_RATE = 0.4


@dataclass(frozen=True)
class DemoArtifacts:
    schema_features: tuple[tuple[str, str], ...]
    target: str
    anchor_csv: bytes
    validation_csv: bytes
    provider_csvs: tuple[bytes, ...]
    model_specs: tuple[bytes, ...]
    roles: dict[str, str]  # who is honest and who is not, for the demo's narration and checks


def _frame(X: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(X, columns=list(FEATURES)).round(6)
    frame[TARGET] = y.astype(int)
    return frame


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, float_format="%.6f").encode()


def _spec(estimator: str, **params) -> bytes:
    return json.dumps(
        {"spec_version": 1, "estimator": estimator, "task": "classification", "params": params},
        sort_keys=True,
    ).encode()


def build_demo_artifacts(random_state: int = 7) -> DemoArtifacts:
    data = load_breast_cancer(as_frame=True)
    X = data.frame[list(FEATURES)].to_numpy()
    y = (data.target.to_numpy() == 0).astype(int)  # 1 = malignant
    rng = np.random.default_rng(random_state)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]

    anchor, validation, pool = slice(0, 40), slice(40, 200), slice(200, None)
    pool_X, pool_y = X[pool], y[pool]
    honest_parts = np.array_split(np.arange(len(pool_y)), PROVIDERS - 1)
    providers = []
    for index in range(PROVIDERS - 1):
        rows = honest_parts[index]
        labels = pool_y[rows].copy()
        if index in FLIPPED:
            flip = rng.choice(len(rows), size=int(FLIP_RATE * len(rows)), replace=False)
            labels[flip] = 1 - labels[flip]
        providers.append(_csv(_frame(pool_X[rows], labels)))
    # The duplicator: identical bytes would be refused as an already registered CID, so it
    # reverses the rows: the same content under a new CID and a second identity.
    providers.append(_csv(pd.read_csv(io.BytesIO(providers[0])).iloc[::-1]))

    specs = (
        _spec("logistic_regression", C=1.0, max_iter=500),
        _spec("random_forest", n_estimators=60, max_depth=6),
        _spec("hist_gradient_boosting", max_iter=80, learning_rate=0.1),
        _spec("gaussian_nb"),
        _spec("logistic_regression", C=1e-6, max_iter=200),  # useless: shrunk to the prior
        # A clone of builder 1's model, spelled with a default made explicit so its CID differs.
        _spec("random_forest", n_estimators=60, max_depth=6, min_samples_leaf=1),
    )
    roles = {
        **{f"provider {i}": "honest" for i in range(PROVIDERS)},
        **{f"provider {i}": "labels 40% flipped" for i in FLIPPED},
        f"provider {DUPLICATOR}": "copy of provider 0's rows",
        "builder 0": "honest",
        "builder 1": "honest",
        "builder 2": "honest",
        "builder 3": "honest",
        "builder 4": "useless model",
        "builder 5": "clone of builder 1",
    }
    return DemoArtifacts(
        schema_features=tuple((name, "float64") for name in FEATURES),
        target=TARGET,
        anchor_csv=_csv(_frame(X[anchor], y[anchor])),
        validation_csv=_csv(_frame(X[validation], y[validation])),
        provider_csvs=tuple(providers),
        model_specs=specs,
        roles=roles,
    )


def example_recipe(
    artifacts: DemoArtifacts,
    anchor_cid: str,
    validation_commitment: str,
    notes: str,
    extra: dict | None = None,
) -> Recipe:
    """The genesis recipe of the demo's artifacts under the default policy (`dao example`, the demo)."""
    return Recipe(
        schema=DataSchema(features=artifacts.schema_features, target=artifacts.target),
        model_allow_list=MODEL_ALLOW_LIST,
        emission=DEFAULT_EMISSION,
        data_pool_bps=DEFAULT_DATA_POOL_BPS,
        slash_cap_bps=DEFAULT_SLASH_CAP_BPS,
        anchor_cid=anchor_cid,
        validation_commitment=validation_commitment,
        notes=notes,
        extra=extra or {},
    ).validate()

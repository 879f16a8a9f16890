"""Model specs: JSON naming an estimator from an allow-list, with validated parameters.

    {"spec_version": 1, "estimator": "random_forest", "task": "classification",
     "params": {"n_estimators": 50, "max_depth": 5}}

No pickles, no imports by name: a fixed table maps names to scikit-learn classes. Parameters must
be real parameters of the estimator (`get_params()`), of the default's type, and within our bounds
for the expensive or risky ones; `random_state` is injected by us and `n_jobs` is forbidden (the
epoch run owns parallelism).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.svm import SVC, SVR

from valuation._determinism import stable_message
from valuation.errors import InvalidInput

SPEC_VERSION = 1

ALLOW_LIST = {
    ("logistic_regression", "classification"): LogisticRegression,
    ("ridge", "regression"): Ridge,
    ("linear_regression", "regression"): Ridge,  # Ridge(alpha=0) is ordinary least squares
    ("random_forest", "classification"): RandomForestClassifier,
    ("random_forest", "regression"): RandomForestRegressor,
    ("hist_gradient_boosting", "classification"): HistGradientBoostingClassifier,
    ("hist_gradient_boosting", "regression"): HistGradientBoostingRegressor,
    ("k_neighbors", "classification"): KNeighborsClassifier,
    ("k_neighbors", "regression"): KNeighborsRegressor,
    ("gaussian_nb", "classification"): GaussianNB,
    ("svm", "classification"): SVC,
    ("svm", "regression"): SVR,
    ("mlp", "classification"): MLPClassifier,
    ("mlp", "regression"): MLPRegressor,
}
FORBIDDEN = {"n_jobs", "random_state", "verbose", "warm_start", "callbacks"}
# Bounds that keep one epoch's training affordable.
BOUNDS = {
    "n_estimators": (1, 500),
    "max_iter": (1, 2000),
    "max_depth": (1, 64),
    "n_neighbors": (1, 200),
    "C": (1e-8, 1e6),
    "alpha": (0.0, 1e6),
    "learning_rate": (1e-6, 1.0),
    "learning_rate_init": (1e-6, 1.0),
    "max_leaf_nodes": (2, 4096),
    "min_samples_leaf": (1, 10_000),
}
MAX_HIDDEN_LAYERS, MAX_LAYER_WIDTH = 3, 512


class InvalidModelSpec(InvalidInput):
    """A model spec names an unknown estimator or parameter, or a value out of range."""


@dataclass(frozen=True)
class ModelSpec:
    estimator: str
    task: str
    params: dict = field(default_factory=dict)
    spec_version: int = SPEC_VERSION

    def build(self, random_state: int | None = 0):
        """An unfitted estimator; probability outputs forced on where stacking needs them."""
        cls = ALLOW_LIST[(self.estimator, self.task)]
        params = dict(self.params)
        if cls is SVC:
            params["probability"] = True
        if "random_state" in cls().get_params():
            params["random_state"] = random_state
        return cls(**params)

    def to_json(self) -> bytes:
        document = {"spec_version": self.spec_version, "estimator": self.estimator, "task": self.task}
        document["params"] = self.params
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _check_param(name: str, value, default, estimator: str) -> None:
    where = f"params.{name} of {estimator}"
    if name == "hidden_layer_sizes":
        sizes = [value] if isinstance(value, int) else value
        if not isinstance(sizes, list) or not sizes or not all(isinstance(s, int) and s > 0 for s in sizes):
            raise InvalidModelSpec(f"{where} must be a positive integer or a list of them")
        if len(sizes) > MAX_HIDDEN_LAYERS or max(sizes) > MAX_LAYER_WIDTH:
            raise InvalidModelSpec(
                f"{where} allows at most {MAX_HIDDEN_LAYERS} layers of {MAX_LAYER_WIDTH} units"
            )
        return
    if isinstance(value, bool) or isinstance(default, bool):
        if not (isinstance(value, bool) and isinstance(default, bool)):
            raise InvalidModelSpec(f"{where} must be {type(default).__name__}, got {value!r}")
    elif isinstance(value, int | float):
        if not math.isfinite(value):
            raise InvalidModelSpec(f"{where} must be finite")
        if isinstance(default, str) and name not in BOUNDS:
            raise InvalidModelSpec(f"{where} must be a string like {default!r}, got {value!r}")
    elif isinstance(value, str):
        if default is not None and not isinstance(default, str):
            raise InvalidModelSpec(f"{where} must be a number, got {value!r}")
    elif value is not None:
        raise InvalidModelSpec(f"{where} has unsupported type {type(value).__name__}")
    if name in BOUNDS and isinstance(value, int | float) and not isinstance(value, bool):
        low, high = BOUNDS[name]
        if not low <= value <= high:
            raise InvalidModelSpec(f"{where} = {value} is outside the allowed range [{low}, {high}]")


def parse_model_spec(source: str | bytes | dict) -> ModelSpec:
    """Validate a spec document; `InvalidModelSpec` names the field and the allowed values."""
    try:
        document = json.loads(source) if isinstance(source, str | bytes) else dict(source)
    except ValueError as exc:
        raise InvalidModelSpec(f"the model spec is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidModelSpec("the model spec must be a JSON object")
    unknown = set(document) - {"spec_version", "estimator", "task", "params"}
    if unknown:
        raise InvalidModelSpec(f"unknown top-level fields {sorted(unknown)}")
    if document.get("spec_version", SPEC_VERSION) != SPEC_VERSION:
        raise InvalidModelSpec(f"spec_version must be {SPEC_VERSION}")
    estimator, task = document.get("estimator"), document.get("task", "classification")
    if (estimator, task) not in ALLOW_LIST:
        names = sorted({name for name, t in ALLOW_LIST if t == task})
        raise InvalidModelSpec(
            f"estimator {estimator!r} is not allowed for {task!r}; allowed: {', '.join(names)}"
        )
    params = document.get("params", {})
    if not isinstance(params, dict):
        raise InvalidModelSpec("params must be a JSON object")
    defaults = ALLOW_LIST[(estimator, task)]().get_params()
    for name, value in params.items():
        if name in FORBIDDEN:
            raise InvalidModelSpec(f"params.{name} is set by the epoch run and may not be given")
        if name not in defaults or (name == "probability"):
            known = ", ".join(sorted(set(defaults) - FORBIDDEN))
            raise InvalidModelSpec(f"params.{name} is not a parameter of {estimator}; known: {known}")
        _check_param(name, value, defaults[name], estimator)
    if isinstance(params.get("hidden_layer_sizes"), list):
        params = {**params, "hidden_layer_sizes": tuple(params["hidden_layer_sizes"])}
    spec = ModelSpec(estimator, task, params)
    try:
        # sklearn checks values (solver names, activations) only when fitting; check them now, so
        # that a bad value is refused at contribution instead of failing in the epoch's training.
        spec.build(0)._validate_params()
    except (TypeError, ValueError) as exc:  # InvalidParameterError is both
        raise InvalidModelSpec(f"{estimator} refuses these params: {stable_message(exc)}") from None
    return spec

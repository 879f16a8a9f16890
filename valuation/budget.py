"""A deterministic training budget: what one model spec costs to cross-fit on a pool, before it runs.

The allow-list bounds each parameter, but not their product: a random forest of 500 unbounded trees
over every feature without bootstrap, or a gradient boosting of 2,000 rounds of 4,096 leaves that
never stops early, is a valid spec that trains for hours on a large pool. So every spec gets a cost
estimate from the pool's shape (rows, encoded features, classes) and its parameters, and the recipe
caps it.

The estimate is pure arithmetic on integers and floats (no timing, no randomness, no library
call), so every machine computes the same number and the same specs are refused everywhere. It
counts the work of the epoch's cross-fitting: `n_folds` fits on the training folds with predictions
on the held-out fold, then one fit on every row. Each family's count is the textbook complexity of
its training (worst case where the data decides: a forest's trees as deep as their bound allows,
boosting that never stops early, an iterative solver that never converges before `max_iter`),
scaled by a per-family constant so that one unit is roughly one nanosecond of one core of the
reference machine (`_NS_PER_OP`). The cap is per pooled row (`DEFAULT_COST_PER_ROW`, 10 ms of one
core per row and spec, so 200,000 rows allow about 33 minutes per spec) with a floor of
`MIN_BUDGET_ROWS` rows: a tree's or a round's cost grows with the rows too, so the cap bounds the
work a spec asks per row, which its parameters (trees, depth, rounds, leaves) mostly decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from valuation.errors import InvalidInput

# The cap grows with the pool: a DAO with more rows spends more time training. Units per pooled row
# (1 unit ~ 1 ns: 10 ms of one core per row and spec), and never less than for `MIN_BUDGET_ROWS` rows.
DEFAULT_COST_PER_ROW = 1e7
MIN_BUDGET_ROWS = 10_000
# Nanoseconds of one reference core per counted operation, per family (single-threaded, measured on
# a 2-core x86-64 container with scikit-learn's `make_classification`: the estimate is within a
# factor of ~3 of the measured time for the shapes tried; worst cases, such as an iterative solver
# that converges early, over-estimate).
_NS_PER_OP = {
    "forest": 8.0,  # per (row x feature considered x level x log2 rows): sorting-based splits
    "boosting": 10.0,  # per (row x feature x level) histogram update, and per (leaf x feature x bin)
    "linear": 1.0,  # per (row x feature) multiply-add of a gradient or a Gram matrix entry
    "neighbors": 0.5,  # per (query x training row x feature) distance term (brute force, BLAS)
    "svm": 1.5,  # per (row x row x feature) kernel term
    "mlp": 1.5,  # per (row x weight) multiply-add, forward and backward
    "nb": 20.0,  # per (row x feature x class)
}
_BINS = 256  # histogram gradient boosting's bins per feature (max_bins + the missing-values bin)


@dataclass(frozen=True)
class PoolShape:
    """What the estimate needs to know of the pool: rows, encoded feature columns, classes."""

    rows: int
    features: int
    classes: int = 2  # 0 or 1 for regression (one output)

    def __post_init__(self) -> None:
        for name in ("rows", "features", "classes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidInput(f"PoolShape.{name} must be a non-negative integer, got {value!r}")


def _log2(n: float) -> int:
    """ceil(log2(n)) for n >= 2, in integers: no libm, the same on every machine."""
    return (max(int(n), 2) - 1).bit_length()


def _outputs(classes: int) -> int:
    """Output columns a one-vs-rest or softmax model fits: one for regression or two classes."""
    return classes if classes > 2 else 1


def _max_features(value, features: int) -> int:
    """The features a split considers, as scikit-learn reads `max_features` (None: all of them)."""
    if value is None:
        return features
    if value == "sqrt":
        return max(1, math.isqrt(features))
    if value == "log2":
        return max(1, features.bit_length() - 1)  # floor(log2(features)), as scikit-learn
    if isinstance(value, float):
        return max(1, min(features, int(value * features)))
    if isinstance(value, int):
        return max(1, min(features, value))
    return features


def _forest(params: dict, task: str, n: int, queries: int, f: int, c: int) -> float:
    trees = params.get("n_estimators", 100)
    mtry = _max_features(params.get("max_features", "sqrt" if task == "classification" else 1.0), f)
    rows = n
    if params.get("bootstrap", True) and params.get("max_samples") is not None:
        share = params["max_samples"]
        rows = min(n, share if isinstance(share, int) else max(1, int(share * n)))
    # Depth: the bound the spec sets, else 1.5 times a balanced tree's (trees grown to pure leaves
    # on noisy data are unbalanced, but their deep levels hold few rows).
    leaf = params.get("min_samples_leaf", 1)
    leaf = leaf if isinstance(leaf, int) and leaf > 1 else 1  # a float is a share of rows: ignored
    depth = 3 * _log2(rows // leaf) // 2
    if params.get("max_depth") is not None:
        depth = min(depth, params["max_depth"])
    if params.get("max_leaf_nodes") is not None:
        depth = min(depth, params["max_leaf_nodes"] - 1)
    fit = trees * rows * mtry * max(depth, 1) * _log2(rows) * (c if c > 2 else 1) ** 0.5
    predict = trees * queries * max(depth, 1)
    return _NS_PER_OP["forest"] * (fit + predict)


def _boosting(params: dict, n: int, queries: int, f: int, c: int) -> float:
    # Never stopping early: the worst case the spec allows (n_iter_no_change cannot shorten it).
    rounds = params.get("max_iter", 100) * _outputs(c)
    # A leaf holds at least min_samples_leaf rows: a small pool cannot grow 4,096 leaves.
    leaf_rows = params.get("min_samples_leaf", 20)
    leaves = min(params.get("max_leaf_nodes", 31) or n, max(2, n // max(leaf_rows, 1)))
    depth = _log2(leaves)
    if params.get("max_depth") is not None:
        depth = min(depth, params["max_depth"])
    bins = min(_BINS, params.get("max_bins", 255) + 1)
    per_round = n * f * max(depth, 1) + leaves * f * bins + n  # histograms, splits, gradients
    return _NS_PER_OP["boosting"] * (rounds * per_round + rounds * queries * max(depth, 1))


def _logistic(params: dict, n: int, queries: int, f: int, c: int) -> float:
    iterations = params.get("max_iter", 100)
    outputs = _outputs(c)
    if params.get("solver", "lbfgs") == "newton-cholesky":
        per_iteration = outputs * (n * f * f + f**3)
    else:
        per_iteration = 2 * outputs * n * f
    return _NS_PER_OP["linear"] * (iterations * per_iteration + queries * f * outputs)


def _ridge(params: dict, n: int, queries: int, f: int) -> float:
    if params.get("solver", "auto") in ("auto", "cholesky", "svd", "lbfgs") or params.get("solver") is None:
        fit = n * f * f + f**3
    else:  # iterative solvers run up to max_iter (sklearn's default for them: 1,000)
        fit = (params.get("max_iter") or 1000) * 2 * n * f
    return _NS_PER_OP["linear"] * (fit + queries * f)


def _neighbors(n: int, queries: int, f: int) -> float:
    # Fitting stores the rows; predicting compares each query with every row (worst case: brute).
    return _NS_PER_OP["neighbors"] * (n * f + queries * n * f)


def _svm(task: str, n: int, queries: int, f: int, c: int) -> float:
    # libsvm: up to n^2 kernel terms (one-vs-one over c classes: about twice that in all);
    # probability outputs add Platt scaling's internal 5-fold cross-validation.
    fit = n * n * f * (2 if c > 2 else 1) * (6 if task == "classification" else 1)
    return _NS_PER_OP["svm"] * (fit + queries * n * f)


def _mlp(params: dict, n: int, queries: int, f: int, c: int) -> float:
    sizes = params.get("hidden_layer_sizes", (100,))
    sizes = (sizes,) if isinstance(sizes, int) else tuple(sizes)
    widths = (f, *sizes, _outputs(c))
    weights = sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=True))
    iterations = params.get("max_iter", 200)
    if params.get("solver", "adam") == "lbfgs":
        iterations = max(iterations, params.get("max_fun", 15_000))
    return _NS_PER_OP["mlp"] * (3 * iterations * n * weights + queries * weights)


def fit_cost(
    estimator: str, task: str, params: dict, rows: int, queries: int, features: int, classes: int
) -> float:
    """The estimated cost of one fit on `rows` rows and one prediction of `queries` rows."""
    n, f, c = max(rows, 1), max(features, 1), classes if task == "classification" else 1
    if estimator == "random_forest":
        return _forest(params, task, n, queries, f, c)
    if estimator == "hist_gradient_boosting":
        return _boosting(params, n, queries, f, c)
    if estimator == "logistic_regression":
        return _logistic(params, n, queries, f, c)
    if estimator in ("ridge", "linear_regression"):
        return _ridge(params, n, queries, f)
    if estimator == "k_neighbors":
        return _neighbors(n, queries, f)
    if estimator == "svm":
        return _svm(task, n, queries, f, c)
    if estimator == "mlp":
        return _mlp(params, n, queries, f, c)
    if estimator == "gaussian_nb":
        return _NS_PER_OP["nb"] * (n + queries) * f * max(c, 1)
    raise InvalidInput(f"no training cost model for estimator {estimator!r}")


def training_cost(spec, pool: PoolShape, n_folds: int = 5) -> float:
    """The estimated cost of the epoch's cross-fitting of `spec` (a `ModelSpec`) on `pool`:
    `n_folds` fits on the training folds, each predicting its held-out fold, then one fit on every row.
    """
    if n_folds < 2:
        raise InvalidInput(f"n_folds must be at least 2, got {n_folds}")
    held_out = pool.rows // n_folds
    train = pool.rows - held_out

    def cost(rows: int, queries: int) -> float:
        return fit_cost(spec.estimator, spec.task, spec.params, rows, queries, pool.features, pool.classes)

    return n_folds * cost(train, held_out) + cost(pool.rows, 0)


def budget_cap(rows: int, cost_per_row: float | None = None) -> float:
    """The most a spec may cost on a pool of `rows` rows: `cost_per_row` (default
    `DEFAULT_COST_PER_ROW`) for each row, counting at least `MIN_BUDGET_ROWS`."""
    per_row = DEFAULT_COST_PER_ROW if cost_per_row is None else cost_per_row
    return per_row * max(rows, MIN_BUDGET_ROWS)


def budget_problem(spec, pool: PoolShape, cost_per_row: float | None = None, n_folds: int = 5) -> str | None:
    """Why `spec` is over the budget on `pool`, as a sentence with the estimate and the cap; or None."""
    max_cost = budget_cap(pool.rows, cost_per_row)
    estimate = training_cost(spec, pool, n_folds)
    if estimate <= max_cost:
        return None
    return (
        f"its estimated training cost {estimate:.3g} exceeds the epoch's training budget {max_cost:.3g} "
        f"(about {estimate / 1e9 / 60:.0f} min against {max_cost / 1e9 / 60:.0f} min of one core, for "
        f"{n_folds}-fold cross-fitting on {pool.rows:,} rows and {pool.features} features); "
        "lower its iterations, trees, depth or leaves"
    )

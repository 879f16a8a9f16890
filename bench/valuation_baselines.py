"""The baselines of `python -m bench.valuation`, each counting the trainings it causes.

- shap used naively on the same game: players as columns, one all-zeros background row, explain the
  all-ones row, the game's `values` as the model. Exact, Kernel (its default `l1_reg`, default or
  given `nsamples`) and Permutation (its default `max_evals`). The game caches by coalition, so the
  count is of distinct trainings.
- pyDVL 0.10's TMC-Shapley and MSR-Banzhaf on a `GroupedDataset` (one group per provider) with a
  `ModelUtility` whose model trains the game's valuation model on anchor + the sample's rows and
  whose scorer is the game's score. pyDVL caches nothing by default, so every utility call it makes
  with a non-empty subset is a training, and that is what we count (the empty subset returns the
  scorer's default, which we set to v(∅) and count once).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import shap
from joblib import parallel_config
from pydvl.valuation import (
    GroupedDataset,
    ModelUtility,
    MSRBanzhafValuation,
    StoppingCriterion,
    SupervisedScorer,
    TMCShapleyValuation,
)
from pydvl.valuation.dataset import Dataset
from pydvl.valuation.result import Status
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from bench.valuation_scenarios import Scenario, mask_index
from valuation.games import ProviderGame, default_valuation_model
from valuation.scoring import score


@dataclass
class Estimate:
    values: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    trainings: int  # trainings the method caused (distinct coalitions for cached games)
    seconds: float
    calls: int  # coalition evaluations the method asked for (repeats included)


def _explain_inputs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((1, n)), np.ones((1, n))


class _CountingGame:
    """The game's `values`, counting the rows shap asks for (repeats included)."""

    def __init__(self, game: ProviderGame):
        self.game = game
        self.calls = 0

    def __call__(self, masks: np.ndarray) -> np.ndarray:
        self.calls += len(masks)
        return self.game.values(masks)


def shap_naive(game: ProviderGame, method: str, seed: int = 0, nsamples: int | str = "auto") -> Estimate:
    """shap as a newcomer would call it; `game` must be fresh (its cache counts this run's trainings)."""
    n = game.n_players
    background, row = _explain_inputs(n)
    f = _CountingGame(game)
    start = time.perf_counter()
    if method == "exact":
        explainer = shap.explainers.Exact(f, shap.maskers.Independent(background, max_samples=1))
        values = explainer(row, max_evals=2**n + 2, silent=True).values[0]
    elif method == "kernel":
        state = np.random.get_state()  # KernelExplainer samples from numpy's global generator
        np.random.seed(seed)
        try:
            explainer = shap.KernelExplainer(f, background)
            values = explainer.shap_values(row, nsamples=nsamples, silent=True)
        finally:
            np.random.set_state(state)
    elif method == "permutation":
        explainer = shap.explainers.Permutation(
            f, shap.maskers.Independent(background, max_samples=1), seed=seed
        )
        values = explainer(row, silent=True).values[0]
    else:
        raise ValueError(method)
    seconds = time.perf_counter() - start
    values = np.asarray(values, dtype=float).reshape(-1)[:n]
    return Estimate(values, values, values, game.evaluations, seconds, f.calls)


# pyDVL.
class AnchoredModel(ClassifierMixin, BaseEstimator):
    """The game's valuation model trained on the (scaled) anchor plus the rows pyDVL passes in."""

    def __init__(self, anchor_X=None, anchor_y=None, base=None):
        self.anchor_X = anchor_X
        self.anchor_y = anchor_y
        self.base = base

    def fit(self, X, y):
        self.model_ = clone(self.base).fit(np.vstack([self.anchor_X, X]), np.concatenate([self.anchor_y, y]))
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


class _Counter:
    def __init__(self):
        self.calls = 0
        self.distinct: set[int] = set()


class CountingUtility(ModelUtility):
    """ModelUtility that counts its trainings; with a `table` it replays coalition values instead of
    training (identical values: the game is deterministic), to run many seeds cheaply."""

    def __init__(self, *args, counter: _Counter, n_players: int, table: np.ndarray | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.counter = counter
        self.n_players = n_players
        self.table = table

    def sample_to_data(self, sample):
        # Rows in provider order, as the game stacks them (same floating-point sums).
        return self.training_data.data(np.sort(np.asarray(sample.subset)))

    def _utility(self, sample) -> float:
        members = np.zeros(self.n_players, dtype=bool)
        members[np.asarray(sample.subset, dtype=int)] = True
        self.counter.calls += 1
        self.counter.distinct.add(mask_index(members))
        if self.table is not None:
            return float(self.table[mask_index(members)])
        return super()._utility(sample)


class BudgetStop(StoppingCriterion):
    """Stop once the utility has been called `budget` times (checked after each pyDVL batch)."""

    def __init__(self, counter: _Counter, budget: int):
        super().__init__()
        self.counter = counter
        self.budget = budget

    def _check(self, result) -> Status:
        if self.counter.calls >= self.budget:
            self._converged = np.full(len(result), True)
            return Status.Converged
        self._converged = np.full(len(result), False)
        return Status.Pending

    def completion(self) -> float:
        return min(1.0, self.counter.calls / self.budget)


def _pydvl_inputs(game: ProviderGame, scenario: Scenario):
    """Scaled rows from the game itself, so pyDVL's model sees exactly what the game trains on."""
    blocks = [game.provider_rows(i) for i in range(game.n_players)]
    X = np.vstack([b[0] for b in blocks])
    y = np.concatenate([b[1] for b in blocks])
    groups = np.concatenate([np.full(len(b[1]), i) for i, b in enumerate(blocks)])
    train = GroupedDataset(X, y, data_groups=groups)
    mean, scale = _anchor_scaling(scenario.anchor[0])
    test = Dataset((scenario.validation[0] - mean) / scale, np.asarray(scenario.validation[1]))
    anchor = ((scenario.anchor[0] - mean) / scale, np.asarray(scenario.anchor[1]))
    return train, test, anchor


def _anchor_scaling(Xa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    std = Xa.std(axis=0)
    return Xa.mean(axis=0), np.where(std > 0, std, 1.0)


def pydvl_run(
    game: ProviderGame,
    scenario: Scenario,
    method: str,
    budget: int,
    seed: int = 0,
    table: np.ndarray | None = None,
) -> Estimate:
    """TMC-Shapley (pyDVL's default truncation) or MSR-Banzhaf, stopped at `budget` utility calls."""
    train, test, (Xa, ya) = _pydvl_inputs(game, scenario)
    classes = game.classes_
    base = default_valuation_model("classification", 0, len(classes))
    empty = game.empty_value  # v(∅): the anchor-only model; one training, counted below

    def scoring(model, X, y) -> float:
        return score("classification", y, model, X, classes)

    counter = _Counter()
    utility = CountingUtility(
        AnchoredModel(Xa, ya, base),
        SupervisedScorer(scoring, test, default=empty),
        catch_errors=False,
        show_warnings=False,
        counter=counter,
        n_players=game.n_players,
        table=table,
    )
    stop = BudgetStop(counter, budget)
    if method == "tmc":
        valuation = TMCShapleyValuation(utility, is_done=stop, seed=seed, progress=False)
    elif method == "msr":
        valuation = MSRBanzhafValuation(utility, is_done=stop, seed=seed, progress=False)
    else:
        raise ValueError(method)
    start = time.perf_counter()
    with parallel_config(n_jobs=1):  # counts live in this process; the engine runs single-process too
        valuation.fit(train)
    seconds = time.perf_counter() - start
    result = valuation.result
    order = np.argsort(result.indices)
    values = np.asarray(result.values, dtype=float)[order]
    half = 1.96 * np.nan_to_num(np.asarray(result.stderr, dtype=float)[order])
    return Estimate(values, values - half, values + half, counter.calls + 1, seconds, counter.calls + 1)


def pydvl_grand_value(game: ProviderGame, scenario: Scenario) -> float:
    """v(all providers) through pyDVL's own utility: checks it plays the same game as ours."""
    train, test, (Xa, ya) = _pydvl_inputs(game, scenario)
    classes = game.classes_
    counter = _Counter()
    utility = CountingUtility(
        AnchoredModel(Xa, ya, default_valuation_model("classification", 0, len(classes))),
        SupervisedScorer(lambda m, X, y: score("classification", y, m, X, classes), test, default=0.0),
        catch_errors=False,
        counter=counter,
        n_players=game.n_players,
    ).with_dataset(train)
    from pydvl.valuation.types import Sample

    return float(utility(Sample(None, np.arange(game.n_players))))

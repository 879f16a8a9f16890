"""Scenario builders for `python -m bench.valuation`: providers cut from scikit-learn's bundled data sets
(or `make_classification`), corrupted by label flips and feature noise, plus the two payout attacks
(split one provider into two identities; resubmit a copy under a second identity).

Also the games the benchmark needs beyond the engine's own: a replay game that answers coalitions from
a precomputed table (same values, no training: lets many seeds reuse one exact enumeration), and an
unanchored game (v(∅) = the prior, v(S) = model on S alone) to show why the engine anchors.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import sklearn
from joblib import parallel_config
from sklearn.datasets import load_breast_cancer, load_digits, make_classification

from valuation.games import ProviderGame
from valuation.scoring import prior_score, score

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / ".dao" / "bench-cache"
FLIP_RATE = 0.4
NOISE_SCALE = 3.0  # feature noise, in units of each feature's standard deviation


@dataclass(frozen=True)
class Scenario:
    name: str
    providers: list[tuple[np.ndarray, np.ndarray]]
    anchor: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]
    corrupted: tuple[int, ...] = ()
    owners: list[str] | None = None
    notes: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.providers)

    @property
    def clean(self) -> list[int]:
        return [i for i in range(self.n) if i not in self.corrupted]

    def fingerprint(self) -> str:
        """Content hash of every array (and the library versions that train on them): the cache key."""
        digest = hashlib.sha256(f"{sklearn.__version__}|{np.__version__}|{self.name}".encode())
        for X, y in [self.anchor, self.validation, *self.providers]:
            digest.update(np.ascontiguousarray(X, dtype=float).tobytes())
            digest.update(np.ascontiguousarray(y).astype(np.int64).tobytes())
        return digest.hexdigest()[:16]


def load(data: str) -> tuple[np.ndarray, np.ndarray]:
    if data == "breast_cancer":
        return load_breast_cancer(return_X_y=True)
    if data == "digits":
        return load_digits(return_X_y=True)
    raise ValueError(f"unknown data set {data!r}")


def flip_labels(y: np.ndarray, rate: float, rng: np.random.Generator, n_classes: int) -> np.ndarray:
    """Move `rate` of the labels to a different, uniformly drawn class."""
    flipped = y.copy()
    rows = rng.choice(len(y), int(round(rate * len(y))), replace=False)
    flipped[rows] = (flipped[rows] + rng.integers(1, n_classes, len(rows))) % n_classes
    return flipped


def add_feature_noise(
    X: np.ndarray, scale: float, rng: np.random.Generator, reference: np.ndarray
) -> np.ndarray:
    return X + rng.normal(0.0, scale, X.shape) * reference.std(axis=0)


def provider_scenario(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    n_providers: int,
    flipped: tuple[int, ...] = (),
    noisy: tuple[int, ...] = (),
    anchor_rows: int = 30,
    validation_rows: int = 170,
    seed: int = 0,
) -> Scenario:
    """Shuffle, cut anchor and validation sets off the top, split the rest evenly among providers."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    n_classes = len(np.unique(y))
    anchor = (X[:anchor_rows], y[:anchor_rows])
    stop = anchor_rows + validation_rows
    validation = (X[anchor_rows:stop], y[anchor_rows:stop])
    providers = []
    for index, rows in enumerate(np.array_split(np.arange(stop, len(y)), n_providers)):
        features, labels = X[rows], y[rows]
        if index in flipped:
            labels = flip_labels(labels, FLIP_RATE, rng, n_classes)
        if index in noisy:
            features = add_feature_noise(features, NOISE_SCALE, rng, X)
        providers.append((features, labels))
    notes = {"data": name, "flipped": list(flipped), "noisy": list(noisy), "seed": seed}
    return Scenario(name, providers, anchor, validation, tuple(sorted({*flipped, *noisy})), None, notes)


def breast_cancer(n_providers: int, flipped=(), noisy=(), seed: int = 0) -> Scenario:
    X, y = load("breast_cancer")
    name = f"breast_cancer_n{n_providers}"
    return provider_scenario(name, X, y, n_providers, tuple(flipped), tuple(noisy), seed=seed)


def digits(n_providers: int, flipped=(), seed: int = 0, anchor_rows: int = 60) -> Scenario:
    # Ten classes: the anchor needs a few rows of each to be a sensible baseline.
    X, y = load("digits")
    return provider_scenario(
        f"digits_n{n_providers}", X, y, n_providers, tuple(flipped), anchor_rows=anchor_rows, seed=seed
    )


def synthetic(n_providers: int, n_rows: int, flipped=(), seed: int = 0) -> Scenario:
    """`make_classification` rows: 2% anchor, 20% validation, the rest split among providers."""
    X, y = make_classification(
        n_samples=n_rows, n_features=20, n_informative=8, n_redundant=4, flip_y=0.02, random_state=seed
    )
    return provider_scenario(
        f"make_classification_{n_rows}_n{n_providers}",
        X,
        y,
        n_providers,
        tuple(flipped),
        anchor_rows=n_rows // 50,
        validation_rows=n_rows // 5,
        seed=seed,
    )


# Attacks. Owners say who owns which identity: the honest scenario has one identity per owner.
def owners_of(scenario: Scenario) -> list[str]:
    return scenario.owners or [f"owner {i}" for i in range(scenario.n)]


def split_attack(scenario: Scenario, attacker: int, declared: bool = True) -> Scenario:
    """The attacker's rows become two identities (halves). `declared`: both carry the attacker's owner."""
    X, y = scenario.providers[attacker]
    half = len(y) // 2
    providers = list(scenario.providers)
    providers[attacker] = (X[:half], y[:half])
    providers.append((X[half:], y[half:]))
    owner = owners_of(scenario)[attacker]
    owners = [*owners_of(scenario), owner if declared else "sybil"]
    return replace(scenario, name=f"{scenario.name}_split{attacker}", providers=providers, owners=owners)


def copy_attack(scenario: Scenario, attacker: int, declared: bool = True) -> Scenario:
    """The attacker resubmits an exact copy of its rows under a second identity."""
    providers = [*scenario.providers, scenario.providers[attacker]]
    owner = owners_of(scenario)[attacker]
    owners = [*owners_of(scenario), owner if declared else "sybil"]
    return replace(scenario, name=f"{scenario.name}_copy{attacker}", providers=providers, owners=owners)


def attacker_identities(scenario: Scenario, attacker: int, declared: bool) -> list[str]:
    """Accounts whose payout the attacker collects (its own, plus the sybil when undeclared)."""
    return [owners_of(scenario)[attacker]] + ([] if declared else ["sybil"])


# Games.
def make_game(scenario: Scenario, **kwargs) -> ProviderGame:
    return ProviderGame(
        providers=scenario.providers,
        anchor=scenario.anchor,
        validation=scenario.validation,
        owners=scenario.owners,
        task="classification",
        random_state=0,
        **kwargs,
    )


def mask_index(members: np.ndarray) -> int:
    """Bit i of the index is player i."""
    return int(np.dot(np.asarray(members, dtype=np.int64), 1 << np.arange(len(members), dtype=np.int64)))


class ReplayGame(ProviderGame):
    """The same game, answered from a table of all 2^n coalition values (index bit i = player i).
    Its cache still counts each distinct coalition as one training."""

    def __init__(self, scenario: Scenario, table: np.ndarray, **kwargs):
        self._table = table
        super().__init__(
            scenario.providers, scenario.anchor, scenario.validation, owners=scenario.owners, **kwargs
        )

    def _evaluate(self, members: np.ndarray) -> float:
        return float(self._table[mask_index(members)])

    def _evaluate_rows(self, members: np.ndarray) -> tuple[float, None]:
        return self._evaluate(members), None  # the table keeps values only: no per-row scores


class UnanchoredGame(ProviderGame):
    """Plain data Shapley: v(∅) = the training prior, v(S) = the valuation model on S's rows alone."""

    empty_is_prior = True

    def _evaluate_rows(self, members: np.ndarray) -> tuple[float, None]:
        return self._evaluate(members), None

    def _evaluate(self, members: np.ndarray) -> float:
        chosen = np.flatnonzero(members)
        Xv, yv = self.validation_data
        if len(chosen) == 0:
            return prior_score(self.task, self.coalition_data([]).y, yv, self.classes_)
        rows = [self.provider_rows(i) for i in chosen]
        X = np.vstack([X for X, _ in rows])
        y = np.concatenate([y for _, y in rows])
        model = self.new_model().fit(X, y)
        return score(self.task, yv, model, Xv, self.classes_)


def all_masks(n: int) -> np.ndarray:
    return ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)


def exact_table(scenario: Scenario, cache_dir: Path = CACHE_DIR) -> tuple[np.ndarray, dict]:
    """All 2^n coalition values of the scenario's game, trained once and cached on disk by content hash.
    Returns (table, info) where info says how long the enumeration took and whether it came from cache."""
    key = f"{scenario.name}-{scenario.fingerprint()}"
    path = cache_dir / f"{key}.npz"
    meta = cache_dir / f"{key}.json"
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        return np.load(path)["table"], {**info, "from_cache": True}
    n_jobs = 2 if scenario.n > 12 else 1  # process start-up outweighs small enumerations
    game = make_game(scenario)
    start = time.perf_counter()
    with parallel_config(n_jobs=n_jobs):
        table = game.values(all_masks(scenario.n))
    seconds = time.perf_counter() - start
    info = {
        "key": key,
        "coalitions": 2**scenario.n,
        "trainings": game.evaluations,
        "seconds": seconds,
        "n_jobs": n_jobs,
    }
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, table=table)
    meta.write_text(json.dumps(info))
    return table, {**info, "from_cache": False}


def semivalues_from_table(table: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact Shapley and Banzhaf values from the full table (an independent check of shap's Exact)."""
    from math import comb

    sizes = np.array([bin(i).count("1") for i in range(2**n)])
    shapley_w = np.array([1.0 / (n * comb(n - 1, s)) for s in range(n)])
    shapley, banzhaf = np.zeros(n), np.zeros(n)
    index = np.arange(2**n)
    for i in range(n):
        without = index[(index >> i) & 1 == 0]
        marginal = table[without | (1 << i)] - table[without]
        shapley[i] = float(np.sum(shapley_w[sizes[without]] * marginal))
        banzhaf[i] = float(marginal.mean())
    return shapley, banzhaf

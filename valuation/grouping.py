"""Strategic robustness: players that are one contribution in disguise are valued as one group.

A group plays as a single player in the Shapley game; its value is then split among its members
so that copies earn nothing: for data, by the rows each member contributed first (a duplicated row
is credited to its earliest registrant only); for models, the earliest member of each set of
near-identical models is credited and its clones get nothing. Groups form from declared owners,
from data sets that repeat another's rows, and from models whose out-of-fold predictions are
near-identical (or exactly negated).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DUPLICATE_SHARE = 0.5  # a provider whose rows are at least half another's is the same contribution
CLONE_CORRELATION = 0.999


@dataclass(frozen=True)
class Grouping:
    groups: tuple[tuple[int, ...], ...]  # member indices, each group in order of its first member
    weights: np.ndarray  # per player: its share of its group's value (each group sums to 1)
    reasons: tuple[str, ...]  # per group: why its members were joined ("" for a lone player)

    @property
    def membership(self) -> np.ndarray:
        """0/1 matrix (groups x players) that expands group coalitions to player coalitions."""
        matrix = np.zeros((len(self.groups), len(self.weights)))
        for g, members in enumerate(self.groups):
            matrix[g, list(members)] = 1.0
        return matrix

    @classmethod
    def singletons(cls, n_players: int) -> Grouping:
        return cls(tuple((i,) for i in range(n_players)), np.ones(n_players), ("",) * n_players)


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))
        self.reasons: dict[int, set[str]] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        root, other = min(ra, rb), max(ra, rb)
        reasons = self.reasons.pop(other, set()) | self.reasons.pop(root, set()) | {reason}
        self.parent[other] = root
        self.reasons[root] = reasons

    def grouping(self, weights_of) -> Grouping:
        members: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            members.setdefault(self.find(i), []).append(i)
        groups = tuple(tuple(m) for _, m in sorted(members.items()))
        weights = np.zeros(len(self.parent))
        for group in groups:
            raw = np.asarray(weights_of(group), dtype=float)
            weights[list(group)] = raw / raw.sum() if raw.sum() > 0 else 1.0 / len(group)
        reasons = tuple(", ".join(sorted(self.reasons.get(self.find(g[0]), ()))) for g in groups)
        return Grouping(groups, weights, reasons)


def _join_owners(uf: _UnionFind, owners) -> None:
    if owners is None:
        return
    first: dict = {}
    for index, owner in enumerate(owners):
        if owner in first:
            uf.union(first[owner], index, "same owner")
        else:
            first[owner] = index


def _row_hashes(X: np.ndarray, y: np.ndarray) -> list[bytes]:
    labels = np.asarray(y).astype(str)
    return [X[i].tobytes() + labels[i].encode() for i in range(len(X))]


def group_providers(game) -> Grouping:
    """Groups of a `ProviderGame`: same owner, or rows largely copied from another provider."""
    n = game.n_players
    uf = _UnionFind(n)
    _join_owners(uf, game.owners)
    hashes = [_row_hashes(*game.provider_rows(i)) for i in range(n)]
    sets = [set(h) for h in hashes]
    for i in range(n):
        for j in range(i):
            shared = len(sets[i] & sets[j])
            if shared and shared >= DUPLICATE_SHARE * min(len(sets[i]), len(sets[j])):
                uf.union(j, i, "duplicate rows")

    def novel_rows(group: tuple[int, ...]) -> list[int]:
        seen: set[bytes] = set()
        counts = []
        for member in group:  # in registration order: the first registrant keeps a shared row
            fresh = sets[member] - seen
            counts.append(len(fresh))
            seen |= fresh
        return counts

    return uf.grouping(novel_rows)


def _prediction_signature(predictions: np.ndarray) -> np.ndarray:
    # Binary probabilities carry one free column; a second column would make every model "negated".
    if predictions.shape[1] == 2:
        predictions = predictions[:, 1:]
    return predictions.ravel()


def _clones(a: np.ndarray, b: np.ndarray) -> bool:
    if np.allclose(a, b) or np.allclose(a, -b):
        return True
    if a.std() == 0 or b.std() == 0:
        return False
    return abs(float(np.corrcoef(a, b)[0, 1])) >= CLONE_CORRELATION


def group_models(game) -> Grouping:
    """Groups of a `ModelGame`: same owner, or near-identical (or negated) out-of-fold predictions."""
    n = game.n_players
    uf = _UnionFind(n)
    _join_owners(uf, game.owners)
    signatures = [_prediction_signature(game.model_predictions(i)) for i in range(n)]
    for i in range(n):
        for j in range(i):
            if _clones(signatures[i], signatures[j]):
                uf.union(j, i, "clone predictions")

    def originals(group: tuple[int, ...]) -> list[int]:
        credited = []
        for member in group:
            earlier = [m for m in group if m < member]
            credited.append(0 if any(_clones(signatures[member], signatures[m]) for m in earlier) else 1)
        return credited

    return uf.grouping(originals)


def group_players(game) -> Grouping:
    """The grouping that fits the game's kind."""
    if hasattr(game, "provider_rows"):
        return group_providers(game)
    if hasattr(game, "model_predictions"):
        return group_models(game)
    return Grouping.singletons(game.n_players)

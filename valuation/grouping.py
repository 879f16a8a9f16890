"""Strategic robustness: players that are one contribution in disguise are valued as one group.

A group plays as a single player in the Shapley game; its value is then split among its members
so that copies earn nothing: for data, by the rows each member contributed first (a duplicated row
is credited to its earliest registrant only); for models, the earliest member of each set of
near-identical models is credited and its clones get nothing. Groups form from declared owners,
from data sets that repeat another's rows, and from models whose out-of-fold predictions are
near-identical (or exactly negated).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import KDTree

from valuation.errors import InvalidInput
from valuation.scoring import score

DUPLICATE_SHARE = 0.5  # a provider whose rows are at least half another's is the same contribution
# Near-copies (see `NearCopyRule`): a row within 2% of a standard deviation (the anchor's) of an
# earlier row on at least 40% of the features, same label. Measured on breast_cancer (30 features,
# anchor of 30 rows): rows jittered by 0.1% of a standard deviation keep >= 29 features that close,
# rows rounded to 2 decimals >= 11-12 (rounding moves the small-spread features far); among the 16
# nearest independent rows of ~370, at most 9 (0 of 1,476 honest rows matched over 4 shuffles; at
# 30%, 2). On the demo's 10 features no honest row matches and every rounded copy does.
NEAR_TOLERANCE = 0.02
NEAR_FEATURE_SHARE = 0.4
NEAR_NEIGHBOURS = 16
# Where independent data would match more than this share of a contribution's rows (few distinct
# values), matching rows prove no copying and do not group.
MAX_CHANCE_SHARE = 0.1
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


@dataclass(frozen=True)
class NearCopyRule:
    """When rows count as copies of earlier rows, and when a contribution counts as a copy.

    Two rows with the same label match nearly when at least `feature_share` of their features lie
    within `tolerance` of each other, in units of each feature's standard deviation on the anchor
    set (a count of close features, not a norm: rounding to a coarse grid moves a few small-spread
    features far while leaving the rest in place). Candidates are the `neighbours` nearest earlier
    rows of that label (Manhattan distance, anchor-scaled: less swayed than
    Euclidean by a few far-moved features; a KD-tree per label). A later contribution is
    grouped with an earlier one when its matched share exceeds chance, as measured on the anchor's
    halves, by `duplicate_share`, unless chance alone would match more than `max_chance_share` of
    its rows (see `group_providers`).
    """

    tolerance: float = NEAR_TOLERANCE
    feature_share: float = NEAR_FEATURE_SHARE
    neighbours: int = NEAR_NEIGHBOURS
    duplicate_share: float = DUPLICATE_SHARE
    max_chance_share: float = MAX_CHANCE_SHARE

    def __post_init__(self) -> None:
        if not (self.tolerance >= 0 and np.isfinite(self.tolerance)):
            raise InvalidInput(f"near-copy tolerance must be a finite number >= 0, got {self.tolerance}")
        if not 0 < self.feature_share <= 1:
            raise InvalidInput(f"near-copy feature share must lie in (0, 1], got {self.feature_share}")
        if int(self.neighbours) != self.neighbours or self.neighbours < 1:
            raise InvalidInput(f"near-copy neighbours must be a positive integer, got {self.neighbours}")
        if not 0 < self.duplicate_share <= 1:
            raise InvalidInput(f"duplicate share must lie in (0, 1], got {self.duplicate_share}")
        if not 0 <= self.max_chance_share < 1:
            raise InvalidInput(f"max chance share must lie in [0, 1), got {self.max_chance_share}")

    def close_features(self, width: int) -> int:
        """How many of `width` features must lie within tolerance for two rows to match."""
        return max(1, int(np.ceil(self.feature_share * width - 1e-9)))


def _by_label(labels: np.ndarray):
    """(label, positions holding it) for each distinct label, in sorted label order: one sort, not
    one scan per label (a regression target has about as many labels as rows)."""
    present, inverse = np.unique(labels, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(present) + 1))
    return [(present[k], order[bounds[k] : bounds[k + 1]]) for k in range(len(present))]


class NearIndex:
    """Nearest-neighbour index over contributions' (scaled) rows, one KD-tree per label.

    `blocks[k]` is contribution k's (X, y); queries ask which contributions before a given one hold
    a row that nearly matches (see `NearCopyRule`). Cost: one tree build, then `neighbours`
    candidates checked per queried row."""

    def __init__(self, blocks, rule: NearCopyRule):
        self.rule = rule
        self._trees: dict[str, tuple[KDTree, np.ndarray, np.ndarray]] = {}
        if not blocks:
            return
        X = np.vstack([np.asarray(b[0], dtype=float) for b in blocks])
        labels = np.concatenate([np.asarray(b[1]).astype(str) for b in blocks])
        owner = np.concatenate([np.full(len(b[1]), k) for k, b in enumerate(blocks)])
        position = np.concatenate([np.arange(len(b[1])) for b in blocks])
        self._positions: dict[str, np.ndarray] = {}
        for label, rows in _by_label(labels):
            self._trees[label] = (KDTree(X[rows], metric="manhattan"), X[rows], owner[rows])
            self._positions[label] = position[rows]
        self.width = X.shape[1]

    def _candidates(self, X: np.ndarray, y: np.ndarray, before: int):
        """Per queried row, nearest first: (owners, positions, close) of its candidate rows; close
        only for rows of contributions before `before`."""
        X = np.asarray(X, dtype=float)
        labels = np.asarray(y).astype(str)
        owners = np.full((len(X), self.rule.neighbours), -1)
        positions = np.full((len(X), self.rule.neighbours), -1)
        close = np.zeros((len(X), self.rule.neighbours), dtype=bool)
        need = self.rule.close_features(X.shape[1])
        # Only the labels the query holds (a regression target has as many labels as rows: a loop
        # over every tree, each scanning the query, would cost trees x rows).
        for label, mine in _by_label(labels):
            if label not in self._trees:
                continue
            tree, rows, owner = self._trees[label]
            k = min(self.rule.neighbours, len(rows))
            _, found = tree.query(X[mine], k=k)
            near = (np.abs(X[mine][:, None, :] - rows[found]) <= self.rule.tolerance).sum(axis=2) >= need
            owners[mine[:, None], np.arange(k)] = owner[found]
            positions[mine[:, None], np.arange(k)] = self._positions[label][found]
            close[mine[:, None], np.arange(k)] = near & (owner[found] < before)
        return owners, positions, close

    def matches(self, X: np.ndarray, y: np.ndarray, before: int) -> list[frozenset[int]]:
        """Per row: the contributions before `before` holding a near match."""
        owners, _, close = self._candidates(X, y, before)
        return [frozenset(owners[r][close[r]].tolist()) for r in range(len(owners))]

    def earliest_matches(self, X: np.ndarray, y: np.ndarray, before: int) -> np.ndarray:
        """Per row: the earliest contribution before `before` with a near match, or -1."""
        return self.earliest_sources(X, y, before)[0]

    def earliest_sources(self, X: np.ndarray, y: np.ndarray, before: int) -> tuple[np.ndarray, np.ndarray]:
        """Per row: (contribution, row position in it) of its near match in the earliest contribution
        before `before` (the nearest such row), or (-1, -1)."""
        owners, positions, close = self._candidates(X, y, before)
        big = np.iinfo(owners.dtype).max
        ranked = np.where(close, owners, big)
        best = np.argmin(ranked, axis=1)  # the earliest owner; among its rows the nearest (sorted)
        rows = np.arange(len(owners))
        found = close[rows, best] if len(owners) else np.zeros(0, dtype=bool)
        return np.where(found, owners[rows, best], -1), np.where(found, positions[rows, best], -1)


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


def _chance_rates(game, rule: NearCopyRule) -> tuple[float, float]:
    anchor = game.coalition_data([])  # the anchor's rows, scaled as the providers' rows
    return chance_rates(anchor.X[: anchor.n_anchor], anchor.y[: anchor.n_anchor], rule)


def chance_rates(anchor_X: np.ndarray, anchor_y: np.ndarray, rule: NearCopyRule) -> tuple[float, float]:
    """Per pair of rows, the probability that two independent ones match exactly / nearly.

    Measured on the anchor's halves, each against the other: the share of one half's rows (distinct
    rows for the exact rule, as it counts them) with a match in the other half, turned into a
    per-pair probability p by share = 1 - (1 - p)^size_of_other_half, so that it scales to a
    contribution of any size. The halves are the anchor's even and odd rows (scaled as the rows
    compared): two independent samples of one distribution."""
    first, second = (anchor_X[0::2], anchor_y[0::2]), (anchor_X[1::2], anchor_y[1::2])
    exact, near = [], []
    for (Xa, ya), (Xb, yb) in ((first, second), (second, first)):
        if len(ya) == 0 or len(yb) == 0:
            continue
        mine, theirs = _row_hashes(Xa, ya), set(_row_hashes(Xb, yb))
        distinct = set(mine)
        exact.append(_per_pair(len(distinct & theirs) / len(distinct), len(theirs)))
        nearly = NearIndex([(Xb, yb)], rule).earliest_matches(Xa, ya, before=1) >= 0
        nearly |= np.array([h in theirs for h in mine])
        near.append(_per_pair(float(nearly.mean()), len(yb)))
    if not exact:
        return 0.0, 0.0
    return float(np.mean(exact)), float(np.mean(near))


def _per_pair(share: float, n_other: int) -> float:
    return 1.0 - (1.0 - share) ** (1.0 / n_other) if share < 1.0 else 1.0


def chance_share(pair_chance: float, n_pool: int) -> float:
    """The share of rows that would find a match among `n_pool` independent rows by chance."""
    return 1.0 - (1.0 - pair_chance) ** n_pool


def _excess_share(matched: int, n_small: int, pair_chance: float, n_pool: int, rule: NearCopyRule) -> float:
    """How much of the smaller contribution is matched beyond what chance explains (kappa-like):
    1 when everything matches and nothing would by chance, <= 0 when no more than chance. Where
    chance alone would match more than `rule.max_chance_share` of the rows, matches prove nothing
    (data with few distinct values): 0."""
    if n_small == 0:
        return 0.0
    expected = chance_share(pair_chance, n_pool)
    if expected > rule.max_chance_share:
        return 0.0
    return (matched / n_small - expected) / (1.0 - expected)


def _gains_in_order(game, parts: list[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    """Each part's gain when added after the earlier parts to the anchor (scaled rows; clipped at 0):
    v(anchor + parts[:k+1]) - v(anchor + parts[:k])."""
    anchor = game.coalition_data([])
    Xv, yv = game.validation_data
    X, y, before, gains = anchor.X, anchor.y, game.empty_value, []
    for Xp, yp in parts:
        if len(yp) == 0:
            gains.append(0.0)
            continue
        X, y = np.vstack([X, Xp]), np.concatenate([y, yp])
        after = score(game.task, yv, game.new_model().fit(X, y), Xv, game.classes_)
        gains.append(max(0.0, after - before))
        before = after
    return gains


def group_providers(game, rule: NearCopyRule | None = None) -> Grouping:
    """Groups of a `ProviderGame`: same owner, or rows largely copied from another provider.

    Copied means identical rows, or near-copies (see `NearCopyRule`): rows of a later contribution
    within the rule's tolerance of rows of an earlier one, with the same label. A pair is grouped
    when the rows of the smaller one are matched beyond chance (the rate two independent samples,
    the anchor's halves, match at) by at least `rule.duplicate_share`. A group's value is then
    split by the rows each member brought first, exactly or nearly (commit order = player order).
    """
    rule = rule or NearCopyRule()
    n = game.n_players
    uf = _UnionFind(n)
    _join_owners(uf, game.owners)
    rows = [game.provider_rows(i) for i in range(n)]
    scaled = [X for X, _ in rows]
    labels = [y for _, y in rows]
    hashes = [_row_hashes(X, y) for X, y in rows]
    sets = [set(h) for h in hashes]
    exact_chance, near_chance = _chance_rates(game, rule)
    near = NearIndex(rows, rule)
    # near_of[i][r]: the earlier contributions row r of provider i nearly matches.
    near_of = [near.matches(X, y, before=i) for i, (X, y) in enumerate(rows)]
    sizes = [len(X) for X, _ in rows]
    holders: dict[bytes, set[int]] = {}
    for k, keys in enumerate(sets):
        for h in keys:
            holders.setdefault(h, set()).add(k)
    for i in range(n):
        # Per earlier provider j: how many of i's rows j holds exactly or nearly.
        nearly: Counter[int] = Counter()
        for found, h in zip(near_of[i], hashes[i], strict=True):
            nearly.update(found | {j for j in holders[h] if j < i})
        for j in range(i):
            small = min(len(sets[i]), len(sets[j]))
            shared = len(sets[i] & sets[j])
            if (
                shared
                and _excess_share(shared, small, exact_chance, len(sets[j]), rule) >= rule.duplicate_share
            ):
                uf.union(j, i, "duplicate rows")
            elif nearly[j] and (
                _excess_share(nearly[j], min(sizes[i], sizes[j]), near_chance, sizes[j], rule)
                >= rule.duplicate_share
            ):
                uf.union(j, i, "near-copied rows")

    def credited_rows(group: tuple[int, ...]) -> list[np.ndarray]:
        """Per member (in commit order: the first registrant keeps a row), the positions of the
        distinct rows no earlier member brought, exactly or nearly."""
        seen: set[bytes] = set()
        credited = []
        for position, member in enumerate(group):
            earlier, fresh = set(group[:position]), {}
            for r, (h, found) in enumerate(zip(hashes[member], near_of[member], strict=True)):
                if h not in seen and h not in fresh and not found & earlier:
                    fresh[h] = r
            credited.append(np.fromiter(fresh.values(), dtype=np.int64, count=len(fresh)))
            seen |= sets[member]
        return credited

    def weights_of(group: tuple[int, ...]) -> list[float]:
        credited = credited_rows(group)
        counts = [float(len(rows)) for rows in credited]
        copies = uf.reasons.get(uf.find(group[0]), set()) & {"duplicate rows", "near-copied rows"}
        if len(group) == 1 or not copies:
            return counts
        # A copy group shares one value, split as the rows are credited: in commit order, each
        # member's part is what its credited rows add to the anchor and the earlier members' rows.
        # A copier mixing stolen rows into its own is paid what its own rows add after the
        # original's, not their number. Nothing positive: by rows, as before.
        parts = [(scaled[m][at], labels[m][at]) for m, at in zip(group, credited, strict=True)]
        worth = _gains_in_order(game, parts)
        return worth if sum(worth) > 0 else counts

    return uf.grouping(weights_of)


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


def group_players(game, rule: NearCopyRule | None = None) -> Grouping:
    """The grouping that fits the game's kind (`rule`: the near-copy rule for data games)."""
    if hasattr(game, "provider_rows"):
        return group_providers(game, rule)
    if hasattr(game, "model_predictions"):
        return group_models(game)
    return Grouping.singletons(game.n_players)

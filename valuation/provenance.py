"""Provenance: which rows of an epoch's contributions are really theirs (issue 18).

Shapley values over identities cannot tell a slightly changed copy from new data, so the rows
themselves are traced to whoever brought them first: the DAO for its anchor and its revealed
hold-out sets (no credit to anyone), the first committer for an earlier epoch's accepted data,
and, within the epoch, the earliest commitment (player order = commit order). A row matches an
earlier one exactly (same bytes and label: a hash index) or nearly (`NearCopyRule`: a KD-tree per
label over anchor-scaled rows), unless independent samples would match that often by chance
(measured on the anchor's halves; data with few distinct values), in which case that kind of
matching is off for the contribution and the trace says so.

`trace_rows` is pure: the same inputs give the same trace, so `dao verify` can recompute it. Cost:
one hash per row and one KD-tree build over the history plus the epoch, then a bounded number of
candidate checks per row, however long the history grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from valuation._checks import as_matrix
from valuation.errors import InvalidInput
from valuation.grouping import NearCopyRule, NearIndex, chance_rates, chance_share

DAO = None  # the owner of the anchor and of every revealed hold-out set


@dataclass(frozen=True)
class Source:
    """Rows the DAO has seen before this epoch: `owner` is None for its own (anchor, revealed
    hold-outs), else the account that first committed them (an earlier epoch's accepted data).
    `paid` False: rows revealed in an epoch that was voided, so never paid: their owner keeps them
    (they are valued again when it brings them), anybody else's copy is traced to it."""

    name: str
    X: np.ndarray
    y: np.ndarray
    owner: str | None = DAO
    paid: bool = True


@dataclass(frozen=True)
class RowCredit:
    """Where one row of a contribution comes from."""

    row: int
    source: str  # "anchor", a history source's name, or "provider k" of this epoch
    source_row: int
    kind: str  # "exact" or "near"
    owner: str | None  # who is credited for it (None: the DAO, nobody is paid)


@dataclass(frozen=True)
class Trace:
    """The epoch's contributions as they should be valued, and why.

    `providers[i]`: provider i's rows with every row that copies history (the anchor, a hold-out,
    an earlier epoch) removed, and every near-copy of an earlier contribution of this epoch replaced
    by that row's exact bytes, so the game counts it once and the duplicate rule credits it to the
    earlier committer. `credits[i]`: one `RowCredit` per row of provider i that is not its own.
    `notes[i]`: matching switched off for provider i and why ("" when none)."""

    providers: list[tuple[np.ndarray, np.ndarray]]
    credits: list[list[RowCredit]]
    notes: list[str]
    owners: list[str | None] | None = None  # this epoch's providers' accounts, as given

    def to_dict(self, ids: Sequence[int] | None = None) -> dict:
        """The report's record: per provider (with its contribution id from `ids` and its owner when
        given), its rows credited elsewhere grouped by source and kind, and its notes."""
        out = []
        for index, (credits, note) in enumerate(zip(self.credits, self.notes, strict=True)):
            summary: dict[tuple, list[int]] = {}
            for c in credits:
                summary.setdefault((c.source, c.kind, c.owner), []).append(c.row)
            out.append(
                {
                    "provider": index,
                    **({"contribution": int(ids[index])} if ids is not None else {}),
                    **({"owner": self.owners[index]} if self.owners is not None else {}),
                    "kept_rows": len(self.providers[index][1]),
                    "credited_elsewhere": [
                        {"source": s, "kind": k, "owner": o, "rows": rows}
                        for (s, k, o), rows in sorted(summary.items(), key=lambda item: item[0][:2])
                    ],
                    "note": note,
                }
            )
        return {"providers": out}


def _keys(X: np.ndarray, y: np.ndarray) -> list[bytes]:
    labels = np.asarray(y).astype(str)
    return [X[i].tobytes() + b"|" + labels[i].encode() for i in range(len(X))]


def trace_rows(
    providers: Sequence[tuple],
    anchor: tuple,
    history: Sequence[Source] = (),
    owners: Sequence[str] | None = None,
    rule: NearCopyRule | None = None,
    names: Sequence[str] | None = None,
) -> Trace:
    """Trace every row of this epoch's `providers` (in commit order) to its first appearance.

    `anchor`: the epoch's anchor (X, y), whose spread scales the distances and whose halves
    calibrate chance. `history`: everything seen before (revealed hold-outs, earlier epochs'
    accepted data). `owners`: this epoch's providers' accounts (for the credit record). `names`:
    how the record names this epoch's providers (default "provider k")."""
    rule = rule or NearCopyRule()
    Xa, columns = as_matrix(anchor[0], "anchor set")
    Xa = np.asarray(Xa, dtype=np.float64)
    mean = Xa.mean(axis=0)
    spread = np.where(Xa.std(axis=0) > 0, Xa.std(axis=0), 1.0)
    if owners is not None and len(owners) != len(providers):
        raise InvalidInput(f"owners has {len(owners)} entries for {len(providers)} providers")
    if names is not None and len(names) != len(providers):
        raise InvalidInput(f"names has {len(names)} entries for {len(providers)} providers")
    mine = list(names) if names is not None else [f"provider {i}" for i in range(len(providers))]
    names = ["anchor", *[s.name for s in history], *mine]
    if len(set(names)) != len(names):
        raise InvalidInput("history sources and providers need distinct names, other than 'anchor'")
    block_owner = [
        DAO,
        *[s.owner for s in history],
        *(owners or [f"provider {i}" for i in range(len(providers))]),
    ]
    blocks = [(Xa, np.asarray(anchor[1]))]
    for name, (X, y) in zip(names[1:], [(s.X, s.y) for s in history] + list(providers), strict=True):
        matrix, _ = as_matrix(X, name, columns)
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != Xa.shape[1] or len(matrix) != len(y):
            raise InvalidInput(f"{name}: {matrix.shape} rows do not fit the anchor's {Xa.shape[1]} columns")
        blocks.append((matrix, np.asarray(y)))
    scaled = [((X - mean) / spread, y) for X, y in blocks]
    exact_chance, near_chance = chance_rates(*scaled[0], rule)
    index = NearIndex(scaled, rule)
    first_seen: dict[bytes, tuple[int, int]] = {}
    n_history = 1 + len(history)
    paid = [True, *[s.paid for s in history]]
    paid_keys: set[bytes] = set()  # rows some paid history holds: never valued again, for anyone
    for b in range(n_history):
        for r, key in enumerate(_keys(*blocks[b])):
            first_seen.setdefault(key, (b, r))
            if paid[b]:
                paid_keys.add(key)

    canonical = [X.copy() for X, _ in blocks]
    out_providers, credits, notes = [], [], []
    for i in range(len(providers)):
        b = n_history + i
        X, y = blocks[b]
        pool = sum(len(blocks[k][1]) for k in range(b))
        exact_on = chance_share(exact_chance, pool) <= rule.max_chance_share
        near_on = chance_share(near_chance, pool) <= rule.max_chance_share
        keys = _keys(X, y)
        source = np.full(len(y), -1)
        source_row = np.full(len(y), -1)
        kind = np.array([""] * len(y), dtype=object)
        if near_on:
            source, source_row = index.earliest_sources(*scaled[b], before=b)
            kind[source >= 0] = "near"
        if exact_on:
            for r, key in enumerate(keys):
                seen = first_seen.get(key)
                if seen is not None and (source[r] < 0 or seen[0] <= source[r]):
                    source[r], source_row[r], kind[r] = seen[0], seen[1], "exact"
        for r, key in enumerate(keys):
            first_seen.setdefault(key, (b, r))
        row_credits, keep = [], np.ones(len(y), dtype=bool)
        own = str(owners[i]).lower() if owners is not None else None
        for r in np.flatnonzero(source >= 0):
            s = int(source[r])
            canonical[b][r] = canonical[s][source_row[r]]
            if 0 < s < n_history and not paid[s] and own is not None and keys[r] not in paid_keys:
                if str(block_owner[s]).lower() == own:
                    continue  # its own rows from a voided epoch, never paid: still its own
            row_credits.append(RowCredit(int(r), names[s], int(source_row[r]), str(kind[r]), block_owner[s]))
            if 0 < s < n_history:  # history, not the anchor: the DAO has it already; it is not valued
                keep[r] = False
        note = []
        if not exact_on:
            note.append("exact matching off: independent samples match this often by chance")
        if not near_on:
            note.append("near matching off: independent samples match this often by chance")
        out_providers.append((canonical[b][keep], y[keep]))
        credits.append(row_credits)
        notes.append("; ".join(note))
    return Trace(out_providers, credits, notes, list(owners) if owners is not None else None)

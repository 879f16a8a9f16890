"""`select_scoring_rows` refuses exact copies of rows that existed before the metamodel commitment
(stranger review 2), each naming its source; the other refusals keep their precedence."""

from __future__ import annotations

import numpy as np
import pytest

from valuation.errors import InvalidInput
from valuation.live import (
    LiveScoring,
    OutcomeRows,
    Resolution,
    known_rows,
    resolve_period,
    row_hash,
    select_scoring_rows,
)

C, E = 100, 200
REPORTER = "0x" + "ab" * 20
STRANGER = "0x" + "cd" * 20


def _rows(X, y, blocks, posters=None):
    X = np.asarray(X, dtype=np.float64)
    posters = tuple(posters) if posters is not None else (REPORTER,) * len(X)
    return OutcomeRows(X, np.asarray(y), np.asarray(blocks, dtype=np.int64), posters)


@pytest.fixture
def known():
    return known_rows(
        [
            ("the anchor set", np.array([[0.0, 1.0]]), np.array([1])),
            ("contribution #2", np.array([[2.0, 3.0], [0.0, 1.0]]), np.array([0, 1])),
        ]
    )


def test_known_rows_name_the_first_source_holding_each_row(known):
    assert len(known) == 2
    assert known[row_hash([0.0, 1.0], 1)] == "the anchor set"  # also in #2, later
    assert known[row_hash([-0.0, 1.0], 1)] == "the anchor set"  # -0.0 is 0.0
    assert known[row_hash([2.0, 3.0], 0)] == "contribution #2"
    assert row_hash([2.0, 3.0], 1) not in known  # another label is another outcome
    rng = np.random.default_rng(0)
    X, labels = (
        rng.normal(size=(50, 3)),
        [rng.integers(0, 3, 50), rng.normal(size=50), np.array(["u", "v"] * 25)],
    )
    for y in labels:  # the bulk hashing is row_hash, whatever the target's type
        assert set(known_rows([("s", X, y)])) == {row_hash(X[i], y[i]) for i in range(50)}
    assert known_rows([("empty", np.zeros((0, 3)), np.zeros(0))]) == {}
    with pytest.raises(InvalidInput, match="#3 has 2 feature rows and 1 targets"):
        known_rows([("#3", np.zeros((2, 2)), np.zeros(1))])


def test_exact_copies_of_known_rows_are_refused_naming_their_source(known):
    rows = _rows(
        [[2.0, 3.0], [5.0, 5.0], [0.0, 1.0], [2.0, 3.0], [2.0, 3.0000001]],
        [0, 1, 1, 0, 0],
        [C + 1] * 5,
    )
    selection = select_scoring_rows(rows, C, E, REPORTER, known)
    assert selection.accepted == (1, 4)  # fresh, and a row merely near a known one (not refused)
    assert selection.known_refused == (0, 2, 3)
    assert selection.refused[0] == (
        "known: an exact copy of a row of contribution #2, which existed before the metamodel "
        f"commitment at block {C}"
    )
    assert "of the anchor set" in selection.refused[2]
    assert selection.refused[3].startswith("known")  # every copy, not only the first
    assert selection.lookahead_refused == ()


def test_other_refusals_come_first_and_no_known_rows_changes_nothing(known):
    rows = _rows(
        [[2.0, 3.0], [2.0, 3.0], [2.0, 3.0], [np.nan, 1.0], [7.0, 7.0]],
        [0, 0, 0, 1, 1],
        [C, E + 1, C + 1, C + 2, C + 3],
        [REPORTER, REPORTER, STRANGER, REPORTER, REPORTER],
    )
    selection = select_scoring_rows(rows, C, E, REPORTER, known)
    assert selection.refused[0].startswith("look-ahead")
    assert selection.refused[1].startswith("late")
    assert selection.refused[2].startswith("not the reporter")
    assert selection.refused[3].startswith("invalid")
    assert selection.accepted == (4,)
    plain = select_scoring_rows(rows, C, E, REPORTER)
    empty = select_scoring_rows(rows, C, E, REPORTER, {})
    assert (empty.accepted, empty.refused) == (plain.accepted, plain.refused)
    assert plain.known_refused == () and 0 not in plain.accepted


def test_refused_copies_do_not_count_toward_the_minimum(known):
    # 2 fresh rows and 40 copies of a known row: short of the 3 needed, the period is extended.
    X = [[9.0, float(i)] for i in range(2)] + [[2.0, 3.0]] * 40
    rows = _rows(X, [1, 0] + [0] * 40, [C + 1] * 42)
    selection = select_scoring_rows(rows, C, E, REPORTER, known)
    assert len(selection.accepted) == 2
    outcome = resolve_period(len(selection.accepted), LiveScoring(100, 3).validate(), 0, E)
    assert outcome.action is Resolution.EXTEND and outcome.resolved_rows == 2

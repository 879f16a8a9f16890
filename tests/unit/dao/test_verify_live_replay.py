"""`replay_live_state`: the outcome board of a live epoch as it stood at a chain position (a report's
commit), rebuilt from the board's events (pure: no chain)."""

from __future__ import annotations

import pytest

from dao.epoch.verify import board_notes
from dao.outcomes.chain import BoardChange, LiveState, OutcomePost, replay_live_state

REPORTER = "0x" + "55" * 20
BOND = 25


def _post(post_id: int, block: int, n_rows: int = 30, excluded: bool = False) -> OutcomePost:
    return OutcomePost(post_id, f"Qm{post_id}", block, REPORTER, n_rows, excluded)


def _now(**changes) -> LiveState:
    """The board now: committed at block 10 (period 6 blocks, extended once to 22), three posts of
    which the first was excluded by an upheld challenge, bond lost and posted again."""
    state = LiveState(
        epoch=1,
        reporter=REPORTER,
        reporter_bond=BOND,
        bond_held=BOND,
        resolution_blocks=6,
        min_resolved_rows=40,
        max_extensions=1,
        extensions_used=1,
        report_blocks=50,
        metamodel_cid="QmModel",
        inputs_hash="0x" + "ab" * 32,
        metamodel_block=10,
        resolution_end=22,
        resolved_rows=60,
        posts=(_post(1, 11, excluded=True), _post(2, 12), _post(3, 19)),
    )
    return LiveState(**(state.__dict__ | changes))


CHANGES = [
    BoardChange((11, 0, 0), "posted", post_id=1, bond=BOND),
    BoardChange((12, 0, 0), "posted", post_id=2),
    BoardChange((17, 1, 0), "upheld", post_id=1),  # a later transaction of the commit's block
    BoardChange((18, 0, 0), "extended", new_end=22, extensions_used=1),
    BoardChange((19, 0, 0), "posted", post_id=3, bond=BOND),
]


def test_the_board_at_the_commit_ignores_what_came_after_it():
    at = (17, 0, 3)  # the commit's log: the verdict lands later in the same block
    then = replay_live_state(_now(), reversed(CHANGES), at)  # order comes from the positions
    assert [(p.post_id, p.excluded) for p in then.posts] == [(1, False), (2, False)]
    assert (then.resolution_end, then.extensions_used, then.resolved_rows, then.bond_held) == (
        16,
        0,
        60,
        BOND,
    )
    assert (then.metamodel_block, then.metamodel_cid, then.reporter) == (10, "QmModel", REPORTER)


def test_a_verdict_earlier_in_the_commit_block_counts():
    earlier = [c if c.kind != "upheld" else BoardChange((17, 0, 0), "upheld", post_id=1) for c in CHANGES]
    then = replay_live_state(_now(), earlier, (17, 1, 0))
    assert [(p.post_id, p.excluded) for p in then.posts] == [(1, True), (2, False)]
    assert (then.resolved_rows, then.bond_held) == (30, 0)


def test_replaying_every_change_gives_the_board_now():
    now = _now()
    assert replay_live_state(now, CHANGES, (10**9, 0, 0)) == now


def test_before_the_metamodel_commitment_the_board_holds_nothing():
    then = replay_live_state(_now(), CHANGES, (9, 0, 0))
    assert (then.metamodel_block, then.resolution_end, then.posts, then.resolved_rows) == (0, 0, (), 0)


def test_an_unknown_change_is_refused():
    with pytest.raises(ValueError, match="unknown board change 'moved'"):
        replay_live_state(_now(), [BoardChange((11, 0, 0), "moved")], (20, 0, 0))


def test_notes_name_what_changed_after_the_commit():
    now = _now()
    then = replay_live_state(now, CHANGES, (17, 0, 3))
    notes = board_notes(then, now)
    assert len(notes) == 3
    assert notes[0].startswith("post 1 (Qm1, block 11, 30 rows) counted when the report was committed")
    assert notes[1].startswith("post 3 (Qm3, block 19) came after the report's commit")
    assert "period end block 16 then, 22 now" in notes[2]
    assert board_notes(now, now) == [] and board_notes(None, now) == []

"""`dao verify` judges a live report against the outcome board as it stood when the report was
committed, not as it stands now (issue 20 follow-up).

The board keeps changing after a report is committed: a post challenge may still be judged (the
board allows a verdict until the epoch is settled), a period then short of rows may be extended
and the reporter may post again. None of that touches the committed report, so none of it may
make an honest report look forged; a post excluded BEFORE the commit still must not be valued.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dao.chain.cids import report_cid
from dao.chain.enums import EpochStatus
from dao.chain.epochs import epoch_status
from dao.cli import main as dao_cli
from dao.epoch.pipeline import finalize_epoch, run_epoch
from dao.epoch.verify import verify_epoch
from dao.outcomes import chain as outcomes
from dao.outcomes.chain import live_state
from tests.unit.dao import test_epoch_run_live as run_live
from tests.unit.dao.live_fixtures import WINDOW

pytestmark = pytest.mark.slow
live_run = run_live.live_run  # the fixture: epoch 1 live, six contributions, the window closed
_post = run_live._post
REASON = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"


def _uphold(dao, wired, challenger, post_id: int) -> None:
    """Challenge `post_id` and uphold the challenge (the deployer owns the board in `deploy_live`)."""
    bond = dao.settlement.challenge_bond()
    receipt = wired.board.challenge_post(post_id, REASON, value=bond, sender=challenger)
    challenge_id = int(receipt.decode_logs(wired.board.PostChallenged)[0].challenge_id)
    wired.board.resolve_post_challenge(challenge_id, True, sender=wired.owner)


def _committed_honestly(live_run, chain, posts: int = 2):
    """A live epoch whose honest report (on `posts` posts of 30 rows) is committed."""
    dao, storage, wired, validation = live_run()
    run_epoch(dao, storage, wired.operator, 1, validation)
    for seed in range(posts):
        _post(dao, storage, wired, 30, 50 + seed)
    chain.mine(live_state(dao, 1).resolution_end - chain.blocks.height)
    run = run_epoch(dao, storage, wired.operator, 1, validation)
    assert run.committed_now and len(run.report.inputs["live"]["posts"]) == posts
    verified = verify_epoch(dao, storage, 1)
    assert verified.match, verified.differences
    return dao, storage, wired, validation


def test_a_post_challenge_upheld_after_the_commit_does_not_fail_an_honest_report(live_run, accounts, chain):
    dao, storage, wired, _ = _committed_honestly(live_run, chain, posts=3)
    first = live_state(dao, 1).posts[0]
    _uphold(dao, wired, accounts[7], first.post_id)
    state = live_state(dao, 1)
    assert state.posts[0].excluded and state.resolved_rows == 60 and state.bond_held == 0

    verified = verify_epoch(dao, storage, 1)
    assert verified.match, verified.differences
    [note] = verified.board_notes  # not a difference, but what a challenge of the report cites
    assert note.startswith(f"post {first.post_id} ({first.cid}, block {first.block}, 30 rows) counted when")
    assert "excluded after it by an upheld challenge" in note
    shown = CliRunner().invoke(dao_cli, ["verify", "1", "--network", "ethereum:local:test"])
    assert shown.exit_code == 0, shown.output
    assert f"note: the outcome board changed after the report was committed: {note}" in shown.output
    as_json = CliRunner().invoke(dao_cli, ["verify", "1", "--json", "--network", "ethereum:local:test"])
    assert json.loads(as_json.output)["board_notes"] == [note]
    # The verdict leaves the report to its own challenge: it still finalizes.
    chain.pending_timestamp += WINDOW
    chain.mine()
    assert finalize_epoch(dao, wired.operator, 1)
    assert epoch_status(dao, 1) == EpochStatus.FINAL
    assert verify_epoch(dao, storage, 1).match


def test_an_extension_and_new_posts_after_the_commit_do_not_fail_an_honest_report(live_run, accounts, chain):
    dao, storage, wired, _ = _committed_honestly(live_run, chain, posts=2)
    before = live_state(dao, 1)
    # An upheld verdict leaves 30 of the 40 rows: the board lets anyone extend the period, and the
    # reporter post again (with a new bond), although the report is committed.
    _uphold(dao, wired, accounts[7], before.posts[1].post_id)
    extended = wired.board.extend_resolution(1, sender=accounts[8])
    _post(dao, storage, wired, 30, 60)
    after = live_state(dao, 1)
    # An extension gives the reporter resolution_blocks from its own block (here past the end).
    late_end = max(before.resolution_end, extended.block_number - 1) + 6
    assert after.extensions_used == 1 and after.resolution_end == late_end > before.resolution_end
    assert len(after.posts) == 3 and epoch_status(dao, 1) == EpochStatus.COMMITTED

    verified = verify_epoch(dao, storage, 1)
    assert verified.match, verified.differences
    excluded, late = before.posts[1], after.posts[2]
    assert [note.split(" ")[:2] for note in verified.board_notes] == [
        ["post", str(excluded.post_id)],
        ["post", str(late.post_id)],
        ["the", "resolution"],
    ]
    assert "came after the report's commit" in verified.board_notes[1]
    assert f"{before.resolution_end} then, {after.resolution_end} now" in verified.board_notes[2]


def test_a_post_excluded_before_the_commit_is_still_refused(live_run, accounts, chain, monkeypatch):
    dao, storage, wired, validation = live_run()
    run_epoch(dao, storage, wired.operator, 1, validation)
    for seed in (70, 71, 72):
        _post(dao, storage, wired, 30, seed)
    excluded = live_state(dao, 1).posts[2]
    _uphold(dao, wired, accounts[7], excluded.post_id)
    chain.mine(live_state(dao, 1).resolution_end - chain.blocks.height)
    every = [(p.cid, p.block, p.poster, p.n_rows) for p in outcomes.outcome_posts(dao, 1)]
    with monkeypatch.context() as forged:  # the operator values the excluded post too
        forged.setattr(outcomes, "scoring_posts", lambda dao, epoch: every)
        run = run_epoch(dao, storage, wired.operator, 1, validation)
    assert run.committed_now and len(run.report.inputs["live"]["posts"]) == 3

    verified = verify_epoch(dao, storage, 1)
    assert not verified.match
    named = json.dumps(
        {"block": excluded.block, "cid": excluded.cid, "n_rows": 30, "poster": excluded.poster.lower()},
        sort_keys=True,
    )
    assert verified.integrity == [("inputs.live.posts[2]", named, "<not on the board>")]
    assert verified.board_notes == []  # excluded before the commit: a difference, not a note


def test_a_report_recommitted_after_an_upheld_challenge_is_judged_at_its_own_commit(
    live_run, accounts, chain
):
    dao, storage, wired, _ = _committed_honestly(live_run, chain, posts=3)
    record = dao.settlement.epochs(1)
    [first] = wired.settlement.EpochCommitted.range(0, chain.blocks.height + 1, search_topics={"epoch": 1})
    # After the commit a post is excluded (60 rows still count) and the report's challenge is upheld.
    _uphold(dao, wired, accounts[7], live_state(dao, 1).posts[0].post_id)
    bond = dao.settlement.challenge_bond()
    receipt = wired.settlement.challenge(1, REASON, value=bond, sender=accounts[8])
    challenge_id = int(receipt.decode_logs(wired.settlement.EpochChallenged)[0].challenge_id)
    wired.settlement.resolve_challenge(challenge_id, True, sender=wired.owner)
    assert epoch_status(dao, 1) == EpochStatus.OPEN
    # The operator commits the very same report again, although it values the excluded post: it
    # matched the board at its first commit, not at this one.
    args = first.event_arguments
    wired.settlement.commit(
        1,
        args["report_codec"],
        args["report_digest"],
        args["inputs_hash"],
        args["mint_root"],
        args["total_mint"],
        args["slash_root"],
        value=dao.settlement.operator_bond(),
        sender=wired.operator,
    )
    assert report_cid(dao.settlement.epochs(1)) == report_cid(record)

    verified = verify_epoch(dao, storage, 1)
    assert not verified.match
    assert [path for path, _, _ in verified.integrity] == [
        "inputs.live.posts[0]",
        "inputs.live.posts[1]",
        "inputs.live.posts[2]",
    ]

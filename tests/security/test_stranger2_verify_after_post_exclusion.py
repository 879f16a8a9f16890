"""Stranger review 2, finding: an honest final live report stops verifying once a post it used is
excluded after the commit, and `dao verify` can no longer tell it from a forged one.

docs/live_scoring.md: "a challenge upheld after the report was committed slashes the reporter but
leaves the report to its own challenge", so the report may stand and become final. `dao verify`
(`board_differences`) compares the report's posts with the board's posts that count *now*; the post
excluded after the commit shows as "<not on the board>", the same difference an operator who valued an
already-excluded post at commit time would show. The board records no block for the exclusion, so
verify cannot compare it with the commit.

Fixed (dao.outcomes.chain.live_state_at): verify replays the board's events up to the report's
EpochCommitted log and compares with the board as it stood then.
"""

from __future__ import annotations

import pytest

from dao.chain.enums import EpochStatus
from dao.chain.epochs import epoch_status
from dao.epoch.pipeline import finalize_epoch, run_epoch
from dao.epoch.verify import verify_epoch
from dao.outcomes.chain import live_state
from tests.unit.dao.live_fixtures import WINDOW
from tests.unit.dao.test_epoch_run_live import _post, live_run  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow


def test_an_honest_final_report_still_verifies_after_a_later_post_exclusion(live_run, accounts, chain):  # noqa: F811
    dao, storage, wired, validation = live_run()
    run_epoch(dao, storage, wired.operator, 1, validation)  # the metamodel commitment
    for seed in (41, 42):
        _post(dao, storage, wired, 30, seed)
    post_id = int(wired.board.post_total())
    bond = int(wired.settlement.challenge_bond())
    wired.board.challenge_post(post_id, "QmEvidence", value=bond, sender=accounts[8])
    challenge_id = int(wired.board.challenge_total())
    chain.mine(live_state(dao, 1).resolution_end - chain.blocks.height)
    run = run_epoch(dao, storage, wired.operator, 1, validation)  # honest: both posts count now
    assert run.committed_now and len(run.report.inputs["live"]["posts"]) == 2
    assert verify_epoch(dao, storage, 1).match

    # The verdict on the post challenge lands after the commit; the report stands and becomes final.
    wired.board.resolve_post_challenge(challenge_id, True, sender=wired.owner)
    chain.pending_timestamp += WINDOW
    chain.mine()
    assert finalize_epoch(dao, wired.operator, 1) and epoch_status(dao, 1) == EpochStatus.FINAL

    verified = verify_epoch(dao, storage, 1)
    assert verified.match, verified.differences

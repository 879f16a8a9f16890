"""OutcomeBoard + EpochSettlement for live-scored epochs (issue 20): every rule of
docs/live_scoring.md's contract section and every failure path with its message (titanoboa, the real
contracts; the deployer keeps ownership so tests open live epochs without a vote)."""

from __future__ import annotations

import boa
import pytest

from tests.unit.contracts.outcome_fixtures import (
    ADMIN,
    CHALLENGE_BOND,
    CHALLENGER,
    CIDS,
    COMMIT_PERIOD,
    CONTRIBUTION_PERIOD,
    FINAL,
    GUARDIAN,
    MIN_ROWS,
    OPERATOR,
    OPERATOR_BOND,
    PARTS,
    REJECTED,
    REPORT_BLOCKS,
    REPORTER,
    REPORTER_BOND,
    RESOLUTION_BLOCKS,
    STRANGER,
    UPHELD,
    VOID,
    ZERO32,
    System,
)


@pytest.fixture(scope="module")
def deployed():
    return System.fresh()


@pytest.fixture
def system(deployed):
    with boa.env.anchor():  # every test starts from the fresh deployment
        yield deployed


@pytest.fixture
def committed(system):
    """A live epoch 1 whose metamodel is committed (resolution period running)."""
    system.open_live()
    system.close_contributions()
    system.commit_metamodel()
    boa.env.time_travel(blocks=1)
    return system


def _void(system, who=STRANGER, epoch=1):
    with boa.env.prank(who):
        system.settlement.void_epoch(epoch)


# --- opening -------------------------------------------------------------------------------------


def test_a_live_epoch_opens_atomically_with_its_terms(system):
    assert system.open_live() == 1
    live = system.live()
    assert system.board.is_live(1) and system.settlement.is_live(1)
    assert (live.reporter, live.reporter_bond, live.resolution_blocks) == (
        REPORTER,
        REPORTER_BOND,
        RESOLUTION_BLOCKS,
    )
    assert (live.min_resolved_rows, live.max_extensions, live.report_blocks) == (MIN_ROWS, 1, REPORT_BLOCKS)
    record = system.settlement.epochs(1)
    assert live.contributions_close == record.contributions_close
    assert live.metamodel_deadline == record.commit_deadline == record.contributions_close + COMMIT_PERIOD
    assert system.settlement.contributions_open()


def test_only_governance_opens_a_live_epoch_and_only_through_the_board(system):
    with boa.env.prank(STRANGER), boa.reverts("ownable: caller is not the owner"):
        system.board.open_live_epoch(CIDS[0], ZERO32, REPORTER, RESOLUTION_BLOCKS, MIN_ROWS, 1)
    with boa.env.prank(ADMIN), boa.reverts("settlement: caller is not the outcome board"):
        system.settlement.open_live(CIDS[0], ZERO32)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("0x" + "00" * 20, RESOLUTION_BLOCKS, MIN_ROWS, 1), "outcomes: zero reporter"),
        ((REPORTER, 0, MIN_ROWS, 1), "outcomes: resolution blocks not in [1, 2**32]"),
        ((REPORTER, 2**32 + 1, MIN_ROWS, 1), "outcomes: resolution blocks not in [1, 2**32]"),
        ((REPORTER, RESOLUTION_BLOCKS, 0, 1), "outcomes: zero minimum rows"),
        ((REPORTER, RESOLUTION_BLOCKS, MIN_ROWS, 17), "outcomes: more than 16 extensions"),
    ],
)
def test_bad_live_terms_are_refused(system, args, message):
    with boa.env.prank(ADMIN), boa.reverts(message):
        system.board.open_live_epoch(CIDS[0], ZERO32, *args)
    assert system.settlement.current_epoch() == 0  # nothing half-written


def test_a_static_epoch_is_not_live_and_keeps_its_deadlines(system):
    with boa.env.prank(ADMIN):
        system.settlement.open_epoch(CIDS[0], ZERO32)
    assert not system.board.is_live(1) and not system.settlement.is_live(1)
    assert not system.board.voidable(1)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: epoch not live"):
        system.board.commit_metamodel(1, *PARTS[1], ZERO32)
    system.close_contributions()
    system.commit_report()  # no resolution period, no rows: the static rules
    assert system.settlement.epochs(1).status == 2


# --- metamodel commitment ------------------------------------------------------------------------


def test_metamodel_commitment_rules(system):
    system.open_live()
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: contributions still open"):
        system.board.commit_metamodel(1, *PARTS[1], ZERO32)
    system.close_contributions()
    with boa.env.prank(STRANGER), boa.reverts("outcomes: caller is not the operator"):
        system.board.commit_metamodel(1, *PARTS[1], ZERO32)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: empty CID"):
        system.board.commit_metamodel(1, 0, ZERO32, ZERO32)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: invalid CID (unknown codec)"):
        system.board.commit_metamodel(1, 7, b"\x01" * 32, ZERO32)
    block = boa.env.evm.patch.block_number
    system.commit_metamodel()
    live = system.live()
    assert (live.metamodel_block, live.resolution_end) == (block, block + RESOLUTION_BLOCKS)
    assert (live.metamodel_codec, live.metamodel_digest) == PARTS[1]
    # Once: a re-commit would let the operator pick a model after seeing outcomes.
    boa.env.time_travel(blocks=1)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: metamodel already committed"):
        system.board.commit_metamodel(1, *PARTS[2], b"\x33" * 32)
    assert (system.live().metamodel_codec, system.live().metamodel_digest) == PARTS[1]


def test_metamodel_after_its_deadline_is_refused_and_the_epoch_is_voidable(system):
    system.open_live()
    boa.env.time_travel(seconds=CONTRIBUTION_PERIOD + COMMIT_PERIOD - 1)
    assert not system.board.voidable(1)
    with boa.env.prank(STRANGER), boa.reverts("settlement: epoch not expired"):
        system.settlement.void_epoch(1)
    boa.env.time_travel(seconds=1)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: metamodel deadline passed"):
        system.board.commit_metamodel(1, *PARTS[1], ZERO32)
    assert system.board.voidable(1)
    _void(system)
    assert system.settlement.epochs(1).status == VOID


# --- outcome posts -------------------------------------------------------------------------------


def test_posts_before_the_commitment_or_in_its_block_are_refused(system):
    system.open_live()
    system.close_contributions()
    with boa.env.prank(REPORTER), boa.reverts("outcomes: no metamodel commitment"):
        system.board.post_outcomes(1, *PARTS[2], 5, value=REPORTER_BOND)
    system.commit_metamodel()
    with boa.env.prank(REPORTER), boa.reverts("outcomes: rows must follow the metamodel commitment"):
        system.board.post_outcomes(1, *PARTS[2], 5, value=REPORTER_BOND)


def test_post_rules_in_the_window(committed):
    board = committed.board
    with boa.env.prank(STRANGER), boa.reverts("outcomes: caller is not the reporter"):
        board.post_outcomes(1, *PARTS[2], 5, value=REPORTER_BOND)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: caller is not the reporter"):
        board.post_outcomes(1, *PARTS[2], 5, value=REPORTER_BOND)
    with boa.env.prank(REPORTER), boa.reverts("outcomes: zero rows"):
        board.post_outcomes(1, *PARTS[2], 0, value=REPORTER_BOND)
    with boa.env.prank(REPORTER), boa.reverts("outcomes: empty CID"):
        board.post_outcomes(1, 0, ZERO32, 5, value=REPORTER_BOND)
    with boa.env.prank(REPORTER), boa.reverts("outcomes: wrong reporter bond"):
        board.post_outcomes(1, *PARTS[2], 5, value=0)
    first = committed.post(n_rows=5)
    assert board.live_epochs(1).bond_held == REPORTER_BOND
    with boa.env.prank(REPORTER), boa.reverts("outcomes: wrong reporter bond"):  # posted once
        board.post_outcomes(1, *PARTS[2], 5, value=REPORTER_BOND)
    second = committed.post(n_rows=7)
    live = board.live_epochs(1)
    assert (live.resolved_rows, live.post_count) == (12, 2)
    assert [board.post_of(1, i) for i in range(2)] == [first, second]
    post = board.posts(second)
    assert (post.epoch, post.rows_codec, post.rows_digest, post.n_rows, post.poster) == (
        1,
        *PARTS[2],
        7,
        REPORTER,
    )
    assert post.block == boa.env.evm.patch.block_number and not post.excluded
    assert boa.env.get_balance(board.address) == REPORTER_BOND


def test_posts_after_the_end_are_refused(committed):
    end = committed.live().resolution_end
    boa.env.time_travel(blocks=end - boa.env.evm.patch.block_number)
    committed.post(n_rows=1)  # the last block of the period is in it
    boa.env.time_travel(blocks=1)
    with boa.env.prank(REPORTER), boa.reverts("outcomes: resolution period over"):
        committed.board.post_outcomes(1, *PARTS[2], 5, value=0)


# --- deadlines: commit of the live report ----------------------------------------------------------


def _past_end(system, extra: int = 1):
    end = system.live().resolution_end
    boa.env.time_travel(blocks=end - boa.env.evm.patch.block_number + extra)


def test_live_report_only_after_the_end_with_enough_rows_by_the_report_deadline(committed):
    committed.post(n_rows=MIN_ROWS - 1)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: resolution period not over"):
        committed.settlement.commit(1, *PARTS[3], ZERO32, ZERO32, 0, ZERO32, value=OPERATOR_BOND)
    committed.post(n_rows=1)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: resolution period not over"):
        committed.settlement.commit(1, *PARTS[3], ZERO32, ZERO32, 0, ZERO32, value=OPERATOR_BOND)
    _past_end(committed)
    # The static commit deadline (contributions_close + commit_period) does not apply to a live epoch.
    boa.env.evm.patch.timestamp += 10 * COMMIT_PERIOD  # time only: the report window is in blocks
    committed.commit_report()
    assert committed.settlement.epochs(1).status == 2


def test_live_report_short_of_rows_is_refused(committed):
    committed.post(n_rows=MIN_ROWS - 1)
    _past_end(committed)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: too few resolved rows"):
        committed.settlement.commit(1, *PARTS[3], ZERO32, ZERO32, 0, ZERO32, value=OPERATOR_BOND)


def test_live_report_after_the_report_deadline_is_refused_and_the_epoch_voidable(committed):
    committed.post(n_rows=MIN_ROWS)
    _past_end(committed, REPORT_BLOCKS)
    assert not committed.board.voidable(1)
    committed.board.check_report(1)
    boa.env.time_travel(blocks=1)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: report deadline passed"):
        committed.settlement.commit(1, *PARTS[3], ZERO32, ZERO32, 0, ZERO32, value=OPERATOR_BOND)
    assert committed.board.voidable(1)
    _void(committed)


def test_live_report_without_metamodel_is_refused(system):
    system.open_live()
    system.close_contributions()
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: no metamodel commitment"):
        system.settlement.commit(1, *PARTS[3], ZERO32, ZERO32, 0, ZERO32, value=OPERATOR_BOND)


# --- extension and void --------------------------------------------------------------------------


def test_extend_rules(committed):
    board = committed.board
    with boa.env.prank(STRANGER), boa.reverts("outcomes: resolution period not over"):
        board.extend_resolution(1)
    with boa.env.prank(STRANGER), boa.reverts("settlement: epoch not expired"):  # void too early
        committed.settlement.void_epoch(1)
    committed.post(n_rows=MIN_ROWS - 1)
    _past_end(committed)
    assert not board.voidable(1)  # an extension is left
    with boa.env.prank(STRANGER), boa.reverts("settlement: epoch not expired"):
        committed.settlement.void_epoch(1)
    first_end = board.live_epochs(1).resolution_end
    with boa.env.prank(STRANGER):
        board.extend_resolution(1)
    live = board.live_epochs(1)
    assert live.extensions_used == 1
    assert live.resolution_end == first_end + RESOLUTION_BLOCKS
    with boa.env.prank(STRANGER), boa.reverts("outcomes: resolution period not over"):
        board.extend_resolution(1)
    _past_end(committed)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: no extension left"):
        board.extend_resolution(1)
    assert board.voidable(1)
    _void(committed)
    assert committed.settlement.is_settled(1)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: epoch settled"):
        board.extend_resolution(1)


@pytest.mark.parametrize("late", [1, 2, RESOLUTION_BLOCKS, RESOLUTION_BLOCKS + 1, REPORT_BLOCKS])
def test_an_extension_counts_from_its_own_block_as_the_python_mirror_says(committed, late):
    """Extended `late` blocks after the end, the reporter gets `resolution_blocks` blocks from the
    extension's block on (right after the end: no gap, `end + resolution_blocks`), and
    valuation.live.resolve_period, which the operator's tools use, computes the same end."""
    from valuation.errors import InvalidInput
    from valuation.live import LiveScoring, Resolution, resolve_period

    committed.post(n_rows=10)
    end = committed.board.live_epochs(1).resolution_end
    boa.env.time_travel(blocks=end + late - boa.env.evm.patch.block_number)
    with boa.env.prank(STRANGER):
        committed.board.extend_resolution(1)
    new_end = committed.board.live_epochs(1).resolution_end
    assert new_end == end + late - 1 + RESOLUTION_BLOCKS
    assert new_end - boa.env.evm.patch.block_number + 1 == RESOLUTION_BLOCKS
    terms = LiveScoring(resolution_blocks=RESOLUTION_BLOCKS, min_resolved_rows=MIN_ROWS, max_extensions=1)
    mirror = resolve_period(10, terms, 0, end, extend_block=end + late)
    assert mirror.action is Resolution.EXTEND and mirror.new_end_block == new_end
    if late == 1:
        assert resolve_period(10, terms, 0, end).new_end_block == new_end  # the default: right after
    with pytest.raises(InvalidInput, match="lands after the period.s end"):
        resolve_period(10, terms, 0, end, extend_block=end)
    # The reporter posts in the extension's last block, not after it.
    boa.env.time_travel(blocks=new_end - boa.env.evm.patch.block_number)
    committed.post(n_rows=MIN_ROWS - 10)
    boa.env.time_travel(blocks=1)
    with boa.env.prank(REPORTER), boa.reverts("outcomes: resolution period over"):
        committed.board.post_outcomes(1, *PARTS[2], 1, value=0)
    committed.commit_report()


def test_extend_is_refused_with_enough_rows_or_after_the_report_deadline(committed):
    committed.post(n_rows=MIN_ROWS)
    _past_end(committed)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: enough rows resolved"):
        committed.board.extend_resolution(1)
    _past_end(committed, REPORT_BLOCKS + 1)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: report deadline passed"):
        committed.board.extend_resolution(1)


def test_posts_in_the_extension_make_the_report_possible(committed):
    committed.post(n_rows=10)
    _past_end(committed)
    with boa.env.prank(STRANGER):
        committed.board.extend_resolution(1)
    boa.env.time_travel(blocks=1)
    committed.post(n_rows=MIN_ROWS - 10)
    _past_end(committed)
    assert not committed.board.voidable(1)
    committed.commit_report()


def test_void_of_a_short_live_epoch_returns_every_bond(committed):
    committed.post(n_rows=3)
    with boa.env.prank(CHALLENGER):
        challenge = committed.board.challenge_post(1, CIDS[3], value=CHALLENGE_BOND)
    with boa.env.prank(REPORTER), boa.reverts("outcomes: epoch not settled"):
        committed.board.release_reporter_bond(1)
    _past_end(committed)
    with boa.env.prank(STRANGER):
        committed.board.extend_resolution(1)
    _past_end(committed)
    _void(committed)
    board = committed.board
    # Settled, but the post challenge may still get its verdict until its resolve_by: the
    # reporter's bond waits for it, and the challenge is not refundable yet.
    with boa.env.prank(STRANGER), boa.reverts("outcomes: a post challenge awaits its verdict"):
        board.release_reporter_bond(1)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: challenge awaits its verdict"):
        board.refund_post_challenge(challenge)
    resolve_by = board.post_challenges(challenge).resolve_by
    assert board.verdicts_due(1) == resolve_by and board.pending_post_challenges(1) == 1
    boa.env.time_travel(seconds=resolve_by - boa.env.evm.patch.timestamp)  # no verdict came
    with boa.env.prank(ADMIN), boa.reverts("outcomes: verdict deadline passed"):
        board.resolve_post_challenge(challenge, True)
    with boa.env.prank(STRANGER):
        board.release_reporter_bond(1)
        board.refund_post_challenge(challenge)
    assert board.pending_post_challenges(1) == 0
    with boa.env.prank(STRANGER), boa.reverts("outcomes: no reporter bond held"):
        board.release_reporter_bond(1)
    before = boa.env.get_balance(REPORTER)
    with boa.env.prank(REPORTER):
        board.withdraw()
    assert boa.env.get_balance(REPORTER) - before == REPORTER_BOND
    with boa.env.prank(CHALLENGER):
        board.withdraw()
    assert boa.env.get_balance(board.address) == 0
    with boa.env.prank(CHALLENGER), boa.reverts("outcomes: nothing owed"):
        board.withdraw()


def test_a_verdict_after_settlement_decides_the_reporter_bond(committed):
    """A post challenge pending when the epoch settles: rejected after settlement, the challenger's
    bond goes to the holders and the reporter's bond is released; the report stands either way."""
    board = committed.board
    post = committed.post(n_rows=MIN_ROWS)
    with boa.env.prank(CHALLENGER):
        challenge = board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
    _past_end(committed)
    committed.commit_report()
    boa.env.time_travel(seconds=600)
    committed.settlement.finalize(1)
    with boa.env.prank(CHALLENGER), boa.reverts("outcomes: epoch settled"):  # no new challenge
        board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: a post challenge awaits its verdict"):
        board.release_reporter_bond(1)
    token_before = boa.env.get_balance(committed.shares.address)
    with boa.env.prank(ADMIN):
        board.resolve_post_challenge(challenge, False)
    assert board.post_challenges(challenge).status == REJECTED
    assert boa.env.get_balance(committed.shares.address) - token_before == CHALLENGE_BOND
    board.release_reporter_bond(1)
    assert board.bonds_owed(REPORTER) == REPORTER_BOND
    assert committed.settlement.epochs(1).status == FINAL


def test_refundable_challenges_of_an_excluded_post_hold_the_bond_until_refunded(committed):
    """After an uphold, the post's other challenges can get no verdict; they still count as pending
    until refunded (anyone may), so the re-posted reporter bond waits for that refund."""
    board = committed.board
    first_post = committed.post(n_rows=MIN_ROWS)
    with boa.env.prank(CHALLENGER):
        upheld = board.challenge_post(first_post, CIDS[3], value=CHALLENGE_BOND)
        other = board.challenge_post(first_post, CIDS[3], value=CHALLENGE_BOND)
    with boa.env.prank(ADMIN):
        board.resolve_post_challenge(upheld, True)
    committed.post(n_rows=MIN_ROWS, value=REPORTER_BOND)  # re-bonds
    _past_end(committed)
    committed.commit_report()
    boa.env.time_travel(seconds=600)
    committed.settlement.finalize(1)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: a post challenge awaits its verdict"):
        board.release_reporter_bond(1)
    board.refund_post_challenge(other)
    board.release_reporter_bond(1)
    assert board.bonds_owed(REPORTER) == REPORTER_BOND


def test_final_live_epoch_returns_the_reporter_bond(committed):
    committed.post(n_rows=MIN_ROWS)
    _past_end(committed)
    committed.commit_report()
    boa.env.time_travel(seconds=600)
    committed.settlement.finalize(1)
    assert committed.settlement.epochs(1).status == FINAL
    committed.board.release_reporter_bond(1)
    assert committed.board.bonds_owed(REPORTER) == REPORTER_BOND


# --- post challenges -----------------------------------------------------------------------------


def test_an_upheld_post_challenge_excludes_the_rows_and_pays_the_reporter_bond(committed):
    board = committed.board
    post = committed.post(n_rows=MIN_ROWS)
    with boa.env.prank(CHALLENGER), boa.reverts("outcomes: wrong challenge bond"):
        board.challenge_post(post, CIDS[3], value=1)
    with boa.env.prank(CHALLENGER), boa.reverts("outcomes: no such post"):
        board.challenge_post(99, CIDS[3], value=CHALLENGE_BOND)
    with boa.env.prank(CHALLENGER):
        first = board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
        second = board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: caller is not governance or the guardian"):
        board.resolve_post_challenge(first, True)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: challenge awaits its verdict"):
        board.refund_post_challenge(second)
    with boa.env.prank(ADMIN):  # governance's verdict pays the challenger the reporter's bond
        board.resolve_post_challenge(first, True)
    assert board.post_challenges(first).status == UPHELD
    assert board.posts(post).excluded
    live = board.live_epochs(1)
    assert (live.resolved_rows, live.bond_held) == (0, 0)
    assert board.bonds_owed(CHALLENGER) == CHALLENGE_BOND + REPORTER_BOND
    with boa.env.prank(ADMIN), boa.reverts("outcomes: post already excluded"):
        board.resolve_post_challenge(second, False)
    with boa.env.prank(CHALLENGER), boa.reverts("outcomes: post already excluded"):
        board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
    board.refund_post_challenge(second)
    with boa.env.prank(ADMIN), boa.reverts("outcomes: challenge not pending"):
        board.resolve_post_challenge(second, True)
    # The reporter must bond again to post again; the excluded rows do not count for the report.
    with boa.env.prank(REPORTER), boa.reverts("outcomes: wrong reporter bond"):
        board.post_outcomes(1, *PARTS[2], 5, value=0)
    committed.post(n_rows=5, value=REPORTER_BOND)
    _past_end(committed)
    with boa.env.prank(OPERATOR), boa.reverts("outcomes: too few resolved rows"):
        committed.settlement.commit(1, *PARTS[3], ZERO32, ZERO32, 0, ZERO32, value=OPERATOR_BOND)


def test_a_guardian_uphold_returns_the_challenge_bond_and_pays_the_reporter_bond_to_holders(committed):
    board = committed.board
    post = committed.post(n_rows=MIN_ROWS)
    with boa.env.prank(CHALLENGER):
        challenge = board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
    token_before = boa.env.get_balance(committed.shares.address)
    with boa.env.prank(GUARDIAN):
        board.resolve_post_challenge(challenge, True)
    # The event still names the bond the reporter lost (read before any other call replaces the logs).
    resolved = [e for e in board.get_logs() if "reporter_bond_lost" in repr(e)]
    assert len(resolved) == 1 and resolved[0].reporter_bond_lost == REPORTER_BOND, board.get_logs()
    assert board.post_challenges(challenge).status == UPHELD
    assert board.posts(post).excluded and board.live_epochs(1).bond_held == 0
    assert board.bonds_owed(CHALLENGER) == CHALLENGE_BOND
    assert boa.env.get_balance(committed.shares.address) - token_before == REPORTER_BOND
    # A second post re-bonds; a guardian uphold of it with the bond already lost moves nothing else.
    second = committed.post(n_rows=5, value=REPORTER_BOND)
    with boa.env.prank(CHALLENGER):
        again = board.challenge_post(second, CIDS[3], value=CHALLENGE_BOND)
    with boa.env.prank(GUARDIAN):
        board.resolve_post_challenge(again, True)
    assert board.bonds_owed(CHALLENGER) == 2 * CHALLENGE_BOND
    assert boa.env.get_balance(committed.shares.address) - token_before == 2 * REPORTER_BOND
    assert boa.env.get_balance(board.address) == 2 * CHALLENGE_BOND


def test_a_guardian_past_its_term_cannot_judge_a_post_challenge(committed):
    post = committed.post(n_rows=MIN_ROWS)
    with boa.env.prank(CHALLENGER):
        challenge = committed.board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
    with boa.env.prank(GUARDIAN):
        committed.settlement.remove_guardian()
    with boa.env.prank(GUARDIAN), boa.reverts("outcomes: caller is not governance or the guardian"):
        committed.board.resolve_post_challenge(challenge, True)


def test_a_rejected_post_challenge_pays_the_share_holders_and_the_post_counts(committed):
    board = committed.board
    post = committed.post(n_rows=MIN_ROWS)
    with boa.env.prank(CHALLENGER):
        challenge = board.challenge_post(post, CIDS[3], value=CHALLENGE_BOND)
    token_before = boa.env.get_balance(committed.shares.address)
    with boa.env.prank(ADMIN):
        board.resolve_post_challenge(challenge, False)
    assert board.post_challenges(challenge).status == REJECTED
    assert boa.env.get_balance(committed.shares.address) - token_before == CHALLENGE_BOND
    assert board.live_epochs(1).resolved_rows == MIN_ROWS
    _past_end(committed)
    committed.commit_report()


# --- reopen --------------------------------------------------------------------------------------


def test_a_void_live_epoch_reopens_live_through_the_board(system):
    system.open_live(max_extensions=0)
    boa.env.time_travel(seconds=CONTRIBUTION_PERIOD + COMMIT_PERIOD)
    _void(system)
    with boa.env.prank(STRANGER), boa.reverts("settlement: a live epoch reopens through the outcome board"):
        system.settlement.reopen()
    with boa.env.prank(STRANGER):
        assert system.board.reopen_live() == 2
    assert system.settlement.is_live(2)
    live = system.live(2)
    assert (live.reporter, live.min_resolved_rows, live.max_extensions, live.metamodel_block) == (
        REPORTER,
        MIN_ROWS,
        0,
        0,
    )


def test_reopen_live_refuses_a_static_epoch(system):
    with boa.env.prank(ADMIN):
        system.settlement.open_epoch(CIDS[0], ZERO32)
    boa.env.time_travel(seconds=CONTRIBUTION_PERIOD + COMMIT_PERIOD)
    _void(system)
    with boa.env.prank(STRANGER), boa.reverts("outcomes: current epoch not live"):
        system.board.reopen_live()
    with boa.env.prank(STRANGER):
        assert system.settlement.reopen() == 2
    assert not system.settlement.is_live(2)


def test_terms_are_governance_only(system):
    with boa.env.prank(STRANGER), boa.reverts("ownable: caller is not the owner"):
        system.board.set_terms(1, 1)
    with boa.env.prank(ADMIN), boa.reverts("outcomes: report blocks not in [1, 2**32]"):
        system.board.set_terms(1, 0)
    with boa.env.prank(ADMIN):
        system.board.set_terms(7, 9)
    assert (system.board.reporter_bond(), system.board.report_blocks()) == (7, 9)
    with boa.env.prank(STRANGER), boa.reverts("ownable: caller is not the owner"):
        system.settlement.set_outcome_board(STRANGER)

"""OutcomeBoard + EpochSettlement over random sequences of a live epoch (hypothesis on titanoboa).

Rules: commit the metamodel (operator or a stranger, early, in time, late, twice), post outcome rows
(reporter or a stranger, with a right or wrong bond, zero rows), let blocks or seconds pass, extend
the period, challenge a post, resolve a challenge (governance, guardian or a stranger; uphold or
reject; before its verdict deadline, settled or not), refund a challenge, commit the live report,
finalize, void (a stranger), release the reporter's bond, withdraw bonds, swap the settlement's
outcome board (governance). Every rule predicts from a Python model whether the call succeeds and,
if not, the exact revert message.

After every step:
1. every post on chain was made by the reporter, in `(metamodel_block, resolution_end]` as it stood
   at the post, and the board's counters (rows, extensions, end, bond held) match the model;
2. the metamodel commitment (CID, inputs hash, block) never changes once made;
3. bonds are conserved: reporter bonds in = returned + paid out (to the challenger on a governance
   uphold, to the share holders on a guardian uphold) + held; the board holds exactly the bonds owed,
   the reporter's held bond and the pending challenge bonds; the share token holds exactly what the
   board sent the holders (rejected challenge bonds, reporter bonds lost on a guardian uphold);
4. liveness: an open live epoch past its bound (`metamodel_deadline` without a metamodel, else
   block `metamodel_block + (1 + max_extensions) * (resolution_blocks + report_blocks)`: each
   extension may come up to `report_blocks` after the end it extends) is voidable by anyone (the
   chain is asked: a stranger's void succeeds), never stuck;
5. an extension always leaves the reporter `resolution_blocks` blocks to post, counted from the
   extension's own block, however late in the report window it came;
6. a disputed reporter bond waits for the verdict: the board's pending post challenges and latest
   verdict deadline match the model, and a settled epoch's reporter bond is releasable exactly when
   none is pending or the latest deadline passed.
"""

from __future__ import annotations

import os

import boa
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.unit.contracts.outcome_fixtures import (
    ADMIN,
    CHALLENGE_BOND,
    CHALLENGE_WINDOW,
    CHALLENGER,
    CIDS,
    COMMIT_PERIOD,
    CONTRIBUTION_PERIOD,
    GUARDIAN,
    OPERATOR,
    OPERATOR_BOND,
    PARTS,
    REPORT_BLOCKS,
    REPORTER,
    REPORTER_BOND,
    RESOLUTION_BLOCKS,
    RESOLUTION_PERIOD,
    STRANGER,
    ZERO32,
    System,
)

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", 20))
OPEN, COMMITTED, FINAL, VOID = 1, 2, 4, 5
PENDING, UPHELD, REJECTED, REFUNDED = 1, 2, 3, 4
SYSTEM = System.fresh()
BOARD, SETTLEMENT, SHARES = SYSTEM.board, SYSTEM.settlement, SYSTEM.shares
WHO = {"reporter": REPORTER, "operator": OPERATOR, "stranger": STRANGER}


def _now() -> int:
    return boa.env.evm.patch.timestamp


def _block() -> int:
    return boa.env.evm.patch.block_number


class LiveEpochMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()

    def teardown(self):
        self._anchor.__exit__(None, None, None)

    @initialize(
        min_rows=st.integers(1, 6),
        max_extensions=st.integers(0, 2),
        start=st.sampled_from(["posted", "posted", "committed", "closed", "open"]),
    )
    def open(self, min_rows, max_extensions, start):
        SYSTEM.open_live(min_rows=min_rows, max_extensions=max_extensions)
        self.min_rows, self.max_ext = min_rows, max_extensions
        self.close = _now() + CONTRIBUTION_PERIOD
        self.deadline = self.close + COMMIT_PERIOD
        self.status = OPEN
        self.committed_at = 0
        self.mb = self.end = self.ext = self.rows = self.held = 0
        self.metamodel = None  # (codec, digest, inputs hash, block) once committed
        self.posts: dict[int, dict] = {}
        self.challenges: dict[int, dict] = {}
        self.owed: dict[str, int] = {}
        self.reporter_in = self.reporter_returned = self.reporter_paid = 0
        self.to_holders = 0
        # Most examples start further on, so that posts, challenges and deadlines are reached often.
        if start != "open":
            boa.env.time_travel(seconds=CONTRIBUTION_PERIOD)
        if start in ("committed", "posted"):
            self.commit_metamodel("operator", 1)
            boa.env.time_travel(blocks=1)
        if start == "posted":
            self.post("reporter", min_rows, True)

    # --- helpers ----------------------------------------------------------------------------------

    def _call(self, error, who, fn, *args, **kwargs):
        event(f"{fn.func_t.name}: {error or 'ok'}")
        with boa.env.prank(who):
            if error is None:
                return fn(*args, **kwargs)
            with boa.reverts(error):
                fn(*args, **kwargs)
        return None

    def _settled(self) -> bool:
        return self.status in (FINAL, VOID)

    def _voidable(self) -> bool:
        if self.mb == 0:
            return _now() >= self.deadline
        if _block() <= self.end:
            return False
        if _block() > self.end + REPORT_BLOCKS:
            return True
        return self.rows < self.min_rows and self.ext >= self.max_ext

    def _pending(self) -> list[dict]:
        return [c for c in self.challenges.values() if c["status"] == PENDING]

    def _credit(self, who, amount):
        self.owed[who] = self.owed.get(who, 0) + amount

    # --- rules --------------------------------------------------------------------------------------

    @rule(
        blocks=st.sampled_from(
            [1, 1, 1, 3, 7, RESOLUTION_BLOCKS, REPORT_BLOCKS, RESOLUTION_BLOCKS + REPORT_BLOCKS]
        )
    )
    def pass_blocks(self, blocks):
        boa.env.time_travel(blocks=blocks)

    @rule(seconds=st.sampled_from([60, CONTRIBUTION_PERIOD, COMMIT_PERIOD, RESOLUTION_PERIOD]))
    def pass_seconds(self, seconds):
        boa.env.time_travel(seconds=seconds)

    @rule(who=st.sampled_from(["operator", "stranger"]), model=st.sampled_from([1, 2]))
    def commit_metamodel(self, who, model):
        error = None
        if who != "operator":
            error = "outcomes: caller is not the operator"
        elif self.mb:
            error = "outcomes: metamodel already committed"
        elif self._settled():
            error = "outcomes: epoch settled"
        elif _now() < self.close:
            error = "outcomes: contributions still open"
        elif _now() >= self.deadline:
            error = "outcomes: metamodel deadline passed"
        inputs = bytes([model]) * 32
        self._call(error, WHO[who], BOARD.commit_metamodel, 1, *PARTS[model], inputs)
        if error is None:
            self.mb, self.end = _block(), _block() + RESOLUTION_BLOCKS
            self.metamodel = (*PARTS[model], inputs, self.mb)

    @rule(
        who=st.sampled_from(["reporter"] * 4 + ["stranger"]),
        n_rows=st.sampled_from([1, 2, 3, 4, 0]),
        bond_ok=st.sampled_from([True] * 4 + [False]),
    )
    def post(self, who, n_rows, bond_ok):
        due = REPORTER_BOND if self.held == 0 else 0
        value = due if bond_ok else (0 if due else REPORTER_BOND)
        error = None
        if who != "reporter":
            error = "outcomes: caller is not the reporter"
        elif self.mb == 0:
            error = "outcomes: no metamodel commitment"
        elif _block() <= self.mb:
            error = "outcomes: rows must follow the metamodel commitment"
        elif _block() > self.end:
            error = "outcomes: resolution period over"
        elif self._settled():
            error = "outcomes: epoch settled"
        elif n_rows == 0:
            error = "outcomes: zero rows"
        elif not bond_ok:
            error = "outcomes: wrong reporter bond"
        post_id = self._call(error, WHO[who], BOARD.post_outcomes, 1, *PARTS[2], n_rows, value=value)
        if error is None:
            self.posts[post_id] = {"n": n_rows, "window": (self.mb, self.end), "excluded": False}
            self.rows += n_rows
            if due:
                self.held = due
                self.reporter_in += due

    @rule()
    def extend(self):
        error = None
        if self.mb == 0:
            error = "outcomes: no metamodel commitment"
        elif self._settled():
            error = "outcomes: epoch settled"
        elif _block() <= self.end:
            error = "outcomes: resolution period not over"
        elif _block() > self.end + REPORT_BLOCKS:
            error = "outcomes: report deadline passed"
        elif self.rows >= self.min_rows:
            error = "outcomes: enough rows resolved"
        elif self.ext >= self.max_ext:
            error = "outcomes: no extension left"
        self._call(error, STRANGER, BOARD.extend_resolution, 1)
        if error is None:
            # Counted from the extension's block: the reporter always gets RESOLUTION_BLOCKS blocks.
            self.end, self.ext = max(self.end, _block() - 1) + RESOLUTION_BLOCKS, self.ext + 1
            assert BOARD.live_epochs(1).resolution_end - _block() + 1 == RESOLUTION_BLOCKS

    @precondition(lambda self: self.posts)
    @rule(data=st.data())
    def challenge(self, data):
        post_id = data.draw(st.sampled_from(sorted(self.posts)))
        error = None
        if self.posts[post_id]["excluded"]:
            error = "outcomes: post already excluded"
        elif self._settled():
            error = "outcomes: epoch settled"
        challenge_id = self._call(
            error, CHALLENGER, BOARD.challenge_post, post_id, CIDS[3], value=CHALLENGE_BOND
        )
        if error is None:
            self.challenges[challenge_id] = {
                "post": post_id,
                "status": PENDING,
                "resolve_by": _now() + RESOLUTION_PERIOD,
            }

    @precondition(lambda self: self.challenges)
    @rule(data=st.data(), uphold=st.booleans(), who=st.sampled_from([ADMIN, GUARDIAN, STRANGER]))
    def resolve(self, data, uphold, who):
        self._resolve(data.draw(st.sampled_from(sorted(self.challenges))), uphold, who)

    def _resolve(self, challenge_id, uphold, who):
        c = self.challenges[challenge_id]
        post = self.posts[c["post"]]
        error = None
        if who == STRANGER:
            error = "outcomes: caller is not governance or the guardian"
        elif c["status"] != PENDING:
            error = "outcomes: challenge not pending"
        elif post["excluded"]:
            error = "outcomes: post already excluded"
        elif _now() >= c["resolve_by"]:  # settled or not: the verdict has its own deadline
            error = "outcomes: verdict deadline passed"
        self._call(error, who, BOARD.resolve_post_challenge, challenge_id, uphold)
        if error is not None:
            return
        event(f"verdict: {'upheld' if uphold else 'rejected'}")
        if uphold:
            c["status"] = UPHELD
            post["excluded"] = True
            self.rows -= post["n"]
            if who == ADMIN:  # governance's verdict earns the challenger the reporter's bond
                self._credit(CHALLENGER, CHALLENGE_BOND + self.held)
            else:  # the guardian's sends it to the share holders (it may have challenged itself)
                self._credit(CHALLENGER, CHALLENGE_BOND)
                self.to_holders += self.held
            self.reporter_paid += self.held
            self.held = 0
        else:
            c["status"] = REJECTED
            self.to_holders += CHALLENGE_BOND

    @precondition(lambda self: self.challenges)
    @rule(data=st.data())
    def refund(self, data):
        challenge_id = data.draw(st.sampled_from(sorted(self.challenges)))
        c = self.challenges[challenge_id]
        error = None
        if c["status"] != PENDING:
            error = "outcomes: challenge not pending"
        elif not (self.posts[c["post"]]["excluded"] or _now() >= c["resolve_by"]):
            error = "outcomes: challenge awaits its verdict"
        self._call(error, STRANGER, BOARD.refund_post_challenge, challenge_id)
        if error is None:
            c["status"] = REFUNDED
            self._credit(CHALLENGER, CHALLENGE_BOND)

    @rule()
    def commit_report(self):
        error = None
        if self.status != OPEN:
            error = "settlement: epoch not awaiting a report"
        elif _now() < self.close:
            error = "settlement: contributions still open"
        elif self.mb == 0:
            error = "outcomes: no metamodel commitment"
        elif _block() <= self.end:
            error = "outcomes: resolution period not over"
        elif self.rows < self.min_rows:
            error = "outcomes: too few resolved rows"
        elif _block() > self.end + REPORT_BLOCKS:
            error = "outcomes: report deadline passed"
        args = (1, *PARTS[3], b"\x22" * 32, ZERO32, 0, ZERO32)
        self._call(error, OPERATOR, SETTLEMENT.commit, *args, value=OPERATOR_BOND)
        if error is None:
            self.status, self.committed_at = COMMITTED, _now()

    @rule()
    def finalize(self):
        error = None
        if self.status != COMMITTED:
            error = "settlement: epoch not committed or challenged"
        elif _now() < self.committed_at + CHALLENGE_WINDOW:
            error = "settlement: challenge window open"
        self._call(error, STRANGER, SETTLEMENT.finalize, 1)
        if error is None:
            self.status = FINAL

    @rule()
    def void(self):
        error = None
        if self._settled():
            error = "settlement: epoch already settled"
        elif self.status == COMMITTED or not self._voidable():
            error = "settlement: epoch not expired"
        self._call(error, STRANGER, SETTLEMENT.void_epoch, 1)
        if error is None:
            self.status = VOID

    @precondition(lambda self: self.challenges)  # rare: it ends the example
    @rule()
    def guardian_void(self):
        error = "settlement: epoch already settled" if self._settled() else None
        self._call(error, GUARDIAN, SETTLEMENT.void_epoch, 1)
        if error is None:
            self.status = VOID

    @rule()
    def release_reporter_bond(self):
        error = None
        if not self._settled():
            error = "outcomes: epoch not settled"
        elif self.held == 0:
            error = "outcomes: no reporter bond held"
        elif self._pending() and _now() < max(c["resolve_by"] for c in self.challenges.values()):
            error = "outcomes: a post challenge awaits its verdict"
        self._call(error, STRANGER, BOARD.release_reporter_bond, 1)
        if error is None:
            self._credit(REPORTER, self.held)
            self.reporter_returned += self.held
            self.held = 0

    @rule()
    def swap_board(self):
        """Governance names another board: refused while the live epoch is unsettled (it would
        strand it); once settled it goes through (and the test names this board again)."""
        error = None if self._settled() else "settlement: a live epoch is open (void or settle it first)"
        self._call(error, ADMIN, SETTLEMENT.set_outcome_board, STRANGER)
        if error is None:
            assert SETTLEMENT.outcome_board() == STRANGER
            with boa.env.prank(ADMIN):
                SETTLEMENT.set_outcome_board(BOARD.address)
        assert SETTLEMENT.outcome_board() == BOARD.address

    @rule(who=st.sampled_from([REPORTER, CHALLENGER]))
    def withdraw(self, who):
        owed = self.owed.get(who, 0)
        before = boa.env.get_balance(who)
        self._call(None if owed else "outcomes: nothing owed", who, BOARD.withdraw)
        if owed:
            assert boa.env.get_balance(who) - before == owed
            self.owed[who] = 0

    @precondition(lambda self: self.posts)
    @rule(data=st.data(), uphold=st.booleans(), guardian=st.booleans())
    def challenge_then_verdict(self, data, uphold, guardian):
        """A challenge and its verdict in one step (reached often, whatever the order of rules)."""
        self.challenge(data)
        if self.challenges and self.challenges[max(self.challenges)]["status"] == PENDING:
            self._resolve(max(self.challenges), uphold, GUARDIAN if guardian else ADMIN)

    @precondition(lambda self: self.posts)
    @rule(data=st.data())
    def challenge_then_guardian_void(self, data):
        """A post challenge left pending while the epoch is settled (the stranger-2 finding's path)."""
        self.challenge(data)
        self.guardian_void()

    post_again = post
    post_third = post
    challenge_then_verdict_again = challenge_then_verdict

    # --- invariants -----------------------------------------------------------------------------

    @invariant()
    def posts_in_the_window_by_the_reporter(self):
        live = BOARD.live_epochs(1)
        assert live.post_count == len(self.posts)
        for index in range(live.post_count):
            post_id = BOARD.post_of(1, index)
            record = BOARD.posts(post_id)
            low, high = self.posts[post_id]["window"]
            assert record.poster == REPORTER
            assert low < record.block <= high
            assert record.excluded == self.posts[post_id]["excluded"]
        counters = (live.resolved_rows, live.extensions_used, live.resolution_end, live.bond_held)
        assert counters == (self.rows, self.ext, self.end, self.held)

    @invariant()
    def metamodel_never_changes(self):
        live = BOARD.live_epochs(1)
        if self.metamodel is None:
            assert live.metamodel_block == 0 and live.metamodel_digest == ZERO32
        else:
            assert (
                live.metamodel_codec,
                live.metamodel_digest,
                live.inputs_hash,
                live.metamodel_block,
            ) == self.metamodel

    @invariant()
    def bonds_conserved(self):
        assert self.reporter_in == self.reporter_returned + self.reporter_paid + self.held
        pending = sum(CHALLENGE_BOND for c in self.challenges.values() if c["status"] == PENDING)
        assert boa.env.get_balance(BOARD.address) == sum(self.owed.values()) + self.held + pending
        for who, amount in self.owed.items():
            assert BOARD.bonds_owed(who) == amount
        # What the board sent the share holders: rejected challenge bonds, bonds lost on a guardian uphold.
        assert boa.env.get_balance(SHARES.address) == self.to_holders

    @invariant()
    def disputes_hold_the_reporter_bond(self):
        """The board's pending count and latest verdict deadline match the model; once settled, the
        reporter's bond waits while a pending post challenge exists and the latest verdict deadline
        is ahead, and is releasable otherwise (pending challenges that can get no verdict are
        refundable by anyone, so it never waits past the latest deadline)."""
        assert BOARD.pending_post_challenges(1) == len(self._pending())
        due = max((c["resolve_by"] for c in self.challenges.values()), default=0)
        assert BOARD.verdicts_due(1) == due
        if self._settled() and self.held:
            judgeable = bool(self._pending()) and _now() < due
            event(f"settled reporter bond: {'waits for a verdict' if judgeable else 'releasable'}")
            with boa.env.anchor(), boa.env.prank(STRANGER):
                if judgeable:
                    with boa.reverts("outcomes: a post challenge awaits its verdict"):
                        BOARD.release_reporter_bond(1)
                else:
                    BOARD.release_reporter_bond(1)

    @invariant()
    def never_stuck(self):
        if self.status != OPEN:
            return
        if self.mb == 0:
            past = _now() >= self.deadline
        else:
            past = _block() > self.mb + (1 + self.max_ext) * (RESOLUTION_BLOCKS + REPORT_BLOCKS)
        if past:
            assert BOARD.voidable(1)
            with boa.env.anchor(), boa.env.prank(STRANGER):
                SETTLEMENT.void_epoch(1)
                assert SETTLEMENT.is_settled(1)


LiveEpochMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=35, deadline=None, database=None
)
TestLiveEpochs = LiveEpochMachine.TestCase

"""Registry + settlement + market + share token invariants over random sequences (hypothesis on
titanoboa; CONTRACTS.md invariants for stakes, leaves, bonds and revenue).

Rules: register by commit–reveal (valid and invalid kinds, stakes, CIDs, duplicates per
contributor, reveals in the commitment's block, closed windows, commitments made while closed,
a commitment left unrevealed and revealed later: only in the epoch it was made in), warp time
(up to past every deadline), commit a random report (mint leaves over holders, slash leaves over the epoch's
contributions, some above the cap, several per contribution), challenge (any number, by two
challengers), resolve one challenge (uphold/reject, by governance or the guardian), refund the
challenges of a voided or replaced report, void (permissionless after a deadline, or by the
guardian), reopen, finalize, claim a mint leaf, execute a slash leaf (repeats included), request
and complete stake withdrawals, open the next epoch, request / fulfil / refund predictions, deposit
revenue, claim dividends, withdraw bonds. Every rule predicts from a Python model whether the call
succeeds and, if not, the exact revert message.

After every step:
1. no mint or slash leaf is used twice, and each epoch's minted total equals its claimed leaves
   and never exceeds its committed `total_mint`;
2. every contribution's remaining stake = stake - slashed >= 0, and the registry holds exactly the
   remaining stakes of the contributions not yet withdrawn;
3. the settlement holds exactly the operator bonds of committed reports, the challenge bonds of
   open challenges and the bonds owed;
4. the market holds exactly the fees of open requests;
5. share supply = sum of the holders' balances plus the pool of final, unclaimed allocations; the
   share token's ETH = revenue in - dividends claimed and covers every holder's withdrawable
   dividends (dust stays in the contract);
6. every payout (stake withdrawal, bond withdrawal, refund, dividend claim) moves exactly what the
   model says is owed, checked at the call;
7. liveness: once `contributions_close + commit_period + challenge_window + resolution_period` has
   passed, the current epoch is settled, or anyone (no governance, no guardian) can finalize or
   void it; the slashes of each contribution never exceed the cap in total.
"""

from __future__ import annotations

import os
from pathlib import Path

import boa
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dao.chain.cids import cid_parts
from valuation.merkle import mint_tree, slash_tree

ROOT = Path(__file__).resolve().parents[3]
ETHER = 10**18
# 20 keeps `make test` inside its time budget; `python -m bench.fuzz` makes the deep runs.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", 20))
MIN_STAKE = ETHER // 10
UNBONDING, CONTRIBUTION_PERIOD, CHALLENGE_WINDOW, FULFIL_DEADLINE = 3_600, 600, 600, 600
COMMIT_PERIOD, RESOLUTION_PERIOD = 900, 1_200
BOUND = CONTRIBUTION_PERIOD + COMMIT_PERIOD + CHALLENGE_WINDOW + RESOLUTION_PERIOD
OPERATOR_BOND, CHALLENGE_BOND, PRICE = ETHER, ETHER // 2, 10**16
SLASH_CAP_BPS = 2_000
GUARDIAN_TERM = 200 * 86_400  # the guardian's hard end (seconds after deployment)
OPEN, COMMITTED, CHALLENGED, FINAL, VOID = 1, 2, 3, 4, 5
PENDING, UPHELD, REJECTED, REFUNDED, FORFEITED = 1, 2, 3, 4, 5
CIDS = [
    "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
    "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
    "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie",
    "QmbgxEKzU1AvXcG9NxvU4L5aBiPRE7v7seLcNqKKs2epZ6",
]
# The contracts take a CID as (codec, sha2-256 digest); the strings above as parts, and bad pairs.
PARTS = [cid_parts(text) for text in CIDS]
BAD_CIDS = [(0, b"\x00" * 32), (1, b"\x07" * 32), (0x71, b"\x07" * 32)]  # empty digest, unknown codecs

ADMIN = boa.env.generate_address("economy-admin")
OPERATOR = boa.env.generate_address("economy-operator")
CHALLENGER = boa.env.generate_address("economy-challenger")
CHALLENGERS = [CHALLENGER, boa.env.generate_address("economy-challenger2")]
GUARDIAN = boa.env.generate_address("economy-guardian")
CLIENT = boa.env.generate_address("economy-client")
PEOPLE = [boa.env.generate_address(f"economy-person{i}") for i in range(3)]  # contribute and hold
for who in (ADMIN, OPERATOR, *CHALLENGERS, CLIENT, *PEOPLE):
    boa.env.set_balance(who, 10**24)
with boa.env.prank(ADMIN):
    REVENUE = boa.load(str(ROOT / "tests/unit/contracts/doubles/PlainERC20.vy"))
    SHARES = boa.load(str(ROOT / "contracts/ShareToken.vy"), "S", "S", REVENUE.address, "S", "1")
    REGISTRY = boa.load(str(ROOT / "contracts/ContributionRegistry.vy"), SHARES.address, MIN_STAKE, UNBONDING)
    SETTLEMENT = boa.load(
        str(ROOT / "contracts/EpochSettlement.vy"),
        SHARES.address,
        REGISTRY.address,
        OPERATOR,
        CONTRIBUTION_PERIOD,
        CHALLENGE_WINDOW,
        OPERATOR_BOND,
        CHALLENGE_BOND,
        GUARDIAN,
        GUARDIAN_TERM,
    )
    SETTLEMENT.set_deadlines(COMMIT_PERIOD, RESOLUTION_PERIOD)
    MARKET = boa.load(
        str(ROOT / "contracts/PredictionMarket.vy"), SHARES.address, OPERATOR, PRICE, FULFIL_DEADLINE
    )
    REGISTRY.set_settlement(SETTLEMENT.address)
    SHARES.set_minter(SETTLEMENT.address)
    SHARES.set_epoch_mint_limits(10_000, 10**30)
    SETTLEMENT.open_epoch(CIDS[0], b"\x00" * 32)
GUARDIAN_UNTIL = SETTLEMENT.guardian_until()
assert GUARDIAN_UNTIL == boa.env.evm.patch.timestamp + GUARDIAN_TERM
boa.env.time_travel(blocks=1)


class EconomyMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.epoch = 1
        self.epochs = {1: self._new_epoch()}
        self.contributions: dict[int, dict] = {}
        self.requests: dict[int, dict] = {}
        self.bonds_owed: dict[str, int] = {}
        self.revenue_in = 0  # ETH that reached the share token as dividends
        self.mint_limits = (10_000, 10**30)
        self.dividends_claimed = 0
        self.challenges: dict[int, dict] = {}
        self.finals = 0  # final epochs
        self.first_final = 0  # the first final epoch: the guardian's term counts settled epochs from it
        self.salt = 0
        self.unrevealed: list[tuple] = []  # (who, kind, cid, salt, epoch it binds) of made commitments

    def _new_epoch(self) -> dict:
        close = boa.env.evm.patch.timestamp + CONTRIBUTION_PERIOD
        return {
            "status": OPEN,
            "close": close,
            "commit_deadline": close + COMMIT_PERIOD,
            "round": 0,
            "resolve_by": 0,
            "cids": set(),
            "mints": [],
            "slashes": [],
            "total": 0,
            "minted": 0,
            "used": set(),
            "committed_at": 0,
            "operator_bond": 0,
        }

    def _now(self) -> int:
        return boa.env.evm.patch.timestamp

    def _call(self, expected_error: str | None, sender: str, fn, *args, value: int = 0):
        with boa.env.prank(sender):
            if expected_error is None:
                return fn(*args, value=value) if value else fn(*args)
            with boa.reverts(expected_error):
                fn(*args, value=value) if value else fn(*args)
        return None

    # -- contributions ---------------------------------------------------------------------------
    @rule(
        who=st.integers(0, 2),
        kind=st.sampled_from([0, 1, 1, 0, 2]),
        cid=st.one_of(st.sampled_from(PARTS), st.sampled_from(BAD_CIDS)),
        stake=st.sampled_from([MIN_STAKE, MIN_STAKE, 3 * MIN_STAKE, MIN_STAKE - 1]),
        same_block=st.sampled_from([False, False, False, True]),
    )
    def register(self, who, kind, cid, stake, same_block):
        self._register(who, kind, cid, stake, same_block)

    def _register(self, who, kind, cid, stake, same_block=False):
        record = self.epochs[self.epoch]
        window_open = record["status"] == OPEN and self._now() < record["close"]
        self.salt += 1
        salt = self.salt.to_bytes(32, "big")
        committable = kind <= 1 and cid in PARTS
        if committable:  # the commitment (only while an epoch takes contributions: it binds that
            # epoch) then, in a later block, the reveal
            commitment = REGISTRY.commitment_hash(PEOPLE[who], kind, *cid, salt)
            closed = None if window_open else "registry: contributions are closed"
            self._call(closed, PEOPLE[who], REGISTRY.commit_contribution, commitment)
            if window_open:
                assert REGISTRY.commitments(commitment).epoch == self.epoch
            if not same_block:
                boa.env.time_travel(blocks=1)
        error = (
            "registry: unknown kind"
            if kind > 1
            else "registry: stake below minimum"
            if stake < MIN_STAKE
            else "registry: contributions are closed"
            if not window_open
            else "registry: invalid CID (empty digest)"
            if cid == BAD_CIDS[0]
            else "registry: invalid CID (unknown codec)"
            if cid not in PARTS
            else "registry: reveal in a later block than the commitment"
            if same_block
            else "registry: CID already registered by you this epoch"
            if (who, cid) in record["cids"]
            else None
        )
        new_id = self._call(error, PEOPLE[who], REGISTRY.register, kind, *cid, salt, value=stake)
        if error is not None and committable and window_open:  # the commitment stays, unrevealed
            self.unrevealed.append((who, kind, cid, salt, self.epoch))
        if error is None:
            event("registered")
            record["cids"].add((who, cid))
            self.contributions[new_id] = {
                "who": PEOPLE[who],
                "epoch": self.epoch,
                "stake": stake,
                "slashed": 0,
                "requested_at": 0,
                "withdrawn": False,
            }
            assert new_id == len(self.contributions)

    @precondition(lambda self: self.unrevealed)
    @rule(pick=st.integers(0, 9))
    def reveal_later(self, pick):
        """Reveals a commitment left unrevealed, maybe in a later epoch: refused there."""
        who, kind, cid, salt, bound = self.unrevealed[pick % len(self.unrevealed)]
        record = self.epochs[self.epoch]
        window_open = record["status"] == OPEN and self._now() < record["close"]
        error = (
            "registry: contributions are closed"
            if not window_open
            else f"registry: commitment is from epoch {bound}"
            if bound != self.epoch
            else "registry: CID already registered by you this epoch"
            if (who, cid) in record["cids"]
            else None
        )
        new_id = self._call(error, PEOPLE[who], REGISTRY.register, kind, *cid, salt, value=MIN_STAKE)
        if error is not None:
            event("stale commitment refused" if bound != self.epoch and window_open else "reveal refused")
            return
        event("registered later")
        self.unrevealed.remove((who, kind, cid, salt, bound))
        record["cids"].add((who, cid))
        self.contributions[new_id] = {
            "who": PEOPLE[who],
            "epoch": self.epoch,
            "stake": MIN_STAKE,
            "slashed": 0,
            "requested_at": 0,
            "withdrawn": False,
        }
        assert new_id == len(self.contributions)

    @rule(seconds=st.sampled_from([1, 60, CONTRIBUTION_PERIOD, CHALLENGE_WINDOW // 2, UNBONDING + 1, BOUND]))
    def warp(self, seconds):
        boa.env.time_travel(seconds=seconds)

    # -- reports ---------------------------------------------------------------------------------
    @rule(
        amounts=st.lists(st.integers(1, 50 * ETHER), min_size=1, max_size=4),
        slash_fractions=st.lists(st.sampled_from([0, 1_000, 2_000, 2_001, 10_000]), max_size=4),
        recipients=st.lists(st.integers(0, 2), min_size=4, max_size=4),
    )
    def commit(self, amounts, slash_fractions, recipients):
        self._commit(amounts, slash_fractions, recipients)

    def _commit(self, amounts, slash_fractions, recipients):
        record = self.epochs[self.epoch]
        mints = [(PEOPLE[recipients[i]], amount) for i, amount in enumerate(amounts)]
        mine = [cid for cid, c in self.contributions.items() if c["epoch"] == self.epoch]
        # Several leaves may name one contribution (finding 7: the cap is a running total).
        slashes = [
            (mine[i % len(mine)], self.contributions[mine[i % len(mine)]]["stake"] * bps // 10_000 - i)
            for i, bps in enumerate(slash_fractions)
            if mine and self.contributions[mine[i % len(mine)]]["stake"] * bps // 10_000 > i
        ]
        total = sum(amount for _, amount in mints)
        error = (
            "settlement: epoch not awaiting a report"
            if record["status"] != OPEN
            else "settlement: contributions still open"
            if self._now() < record["close"]
            else "settlement: commit deadline passed"
            if self._now() >= record["commit_deadline"]
            else "settlement: total mint above the cap"
            if total > max(self.mint_limits[1], SHARES.totalSupply() * self.mint_limits[0] // 10_000)
            else None
        )
        mint_root = mint_tree(mints).root
        slash_root = slash_tree(slashes).root if slashes else b"\x00" * 32
        self._call(
            error,
            OPERATOR,
            SETTLEMENT.commit,
            self.epoch,
            *PARTS[1],
            b"\x01" * 32,
            mint_root,
            total,
            slash_root,
            value=OPERATOR_BOND,
        )
        if error is None:
            event("committed")
            record.update(
                status=COMMITTED,
                mints=mints,
                slashes=slashes,
                total=total,
                committed_at=self._now(),
                operator_bond=OPERATOR_BOND,
                round=record["round"] + 1,
                resolve_by=0,
            )

    def _set_mint_limits(self, bps: int, floor: int) -> None:
        with boa.env.prank(ADMIN):
            SHARES.set_epoch_mint_limits(bps, floor)
        self.mint_limits = (bps, floor)

    @precondition(
        lambda self: (
            self.epochs[self.epoch]["status"] in (COMMITTED, CHALLENGED, FINAL)
            and len(self.epochs[self.epoch]["used"]) < len(self.epochs[self.epoch]["mints"])
        )
    )
    @rule(bps=st.sampled_from([0, 1, 5_000]))
    def shut_mint_limits(self, bps):
        """Governance lowers the token's limits between a commit and its claims: the reservation
        keeps every claim valid, and a report re-committed after an upheld challenge meets the new
        cap. The retraining that opens the next epoch restores them."""
        self._set_mint_limits(bps, 0)
        event("limits lowered while a report awaits its claims")

    def _pending(self, epoch: int) -> list[int]:
        record = self.epochs[epoch]
        return [
            i
            for i, c in self.challenges.items()
            if c["epoch"] == epoch and c["status"] == PENDING and c["round"] == record["round"]
            and record["status"] in (COMMITTED, CHALLENGED)
        ]  # fmt: skip

    @rule(who=st.integers(0, 1))
    def challenge(self, who):
        record = self.epochs[self.epoch]
        in_window = self._now() < record["committed_at"] + CHALLENGE_WINDOW
        kept_open = record["status"] == CHALLENGED and self._now() < record["resolve_by"]
        error = (
            "settlement: nothing to challenge"
            if record["status"] not in (COMMITTED, CHALLENGED)
            else "settlement: challenge window closed"
            if not (in_window or kept_open)
            else None
        )
        new_id = self._call(
            error, CHALLENGERS[who], SETTLEMENT.challenge, self.epoch, CIDS[2], value=CHALLENGE_BOND
        )
        if error is None:
            event("challenged" if record["status"] == COMMITTED else "challenged again")
            if not record["resolve_by"]:
                record["resolve_by"] = record["committed_at"] + CHALLENGE_WINDOW + RESOLUTION_PERIOD
            record["status"] = CHALLENGED
            if not in_window:
                event("late challenge")
            self.challenges[new_id] = {
                "epoch": self.epoch, "round": record["round"], "who": CHALLENGERS[who], "status": PENDING,
                "late": not in_window,
            }  # fmt: skip
            assert new_id == len(self.challenges)

    @rule(who=st.integers(0, 1))
    def challenge_late(self, who):
        """A challenge just after the window, kept open by a pending one (counted apart: unjudged
        at resolve_by it does not void the report, and its bond is forfeited)."""
        record = self.epochs[self.epoch]
        window_end = record["committed_at"] + CHALLENGE_WINDOW
        if record["status"] == CHALLENGED and self._now() < window_end < record["resolve_by"]:
            boa.env.time_travel(seconds=window_end - self._now())
        self.challenge(who)

    def _guardian_active(self) -> bool:
        """Until `guardian_until`, and until GUARDIAN_EPOCHS epochs after the first final one are
        settled (voids count: voiding cannot extend the term)."""
        if not self.guardian or self._now() >= GUARDIAN_UNTIL:
            return False
        if not self.first_final:
            return True
        settled = self.epoch - self.first_final + (self.epochs[self.epoch]["status"] in (FINAL, VOID))
        return settled <= SETTLEMENT.GUARDIAN_EPOCHS()

    def _in_window_pending(self, epoch: int) -> int:
        """Challenges filed in the window still without a verdict on the standing report. A forfeited
        one counts too: collecting its bond is no verdict, so the report it challenged still voids."""
        record = self.epochs[epoch]
        return sum(
            1
            for c in self.challenges.values()
            if c["epoch"] == epoch and c["round"] == record["round"] and not c["late"]
            and c["status"] in (PENDING, FORFEITED) and record["status"] in (COMMITTED, CHALLENGED)
        )  # fmt: skip

    def _unjudged(self, c) -> bool:
        """A pending challenge that reached its report's resolution deadline without a verdict."""
        record = self.epochs[c["epoch"]]
        if record["round"] != c["round"]:
            return False
        if record["status"] in (CHALLENGED, VOID):
            return bool(record["resolve_by"]) and self._now() >= record["resolve_by"]
        return record["status"] == FINAL

    guardian = True

    @rule(uphold=st.booleans(), pick=st.integers(0, 9), by=st.sampled_from(["admin", "guardian", "client"]))
    def resolve(self, uphold, pick, by):
        if not self.challenges:
            return
        cid = pick % len(self.challenges) + 1
        c = self.challenges[cid]
        record = self.epochs[c["epoch"]]
        sender = {"admin": ADMIN, "guardian": GUARDIAN, "client": CLIENT}[by]
        allowed = by == "admin" or (by == "guardian" and self._guardian_active())
        error = (
            "settlement: caller is not governance or the guardian"
            if not allowed
            else "settlement: challenge not pending"
            if c["status"] != PENDING
            else "settlement: challenged report no longer stands"
            if record["status"] != CHALLENGED or record["round"] != c["round"]
            else "settlement: resolution deadline passed"
            if self._now() >= record["resolve_by"]
            else None
        )
        self._call(error, sender, SETTLEMENT.resolve_challenge, cid, uphold)
        if error is not None:
            return
        event(f"challenge {'upheld' if uphold else 'rejected'} by {by}")
        if uphold:
            c["status"] = UPHELD
            # The guardian's verdict never pays it (or anyone) the operator bond: holders get it.
            owed = CHALLENGE_BOND + (record["operator_bond"] if by == "admin" else 0)
            if by == "guardian":
                self.revenue_in += record["operator_bond"]
            self.bonds_owed[c["who"]] = self.bonds_owed.get(c["who"], 0) + owed
            record.update(status=OPEN, mints=[], slashes=[], total=0, operator_bond=0, resolve_by=0)
        else:
            c["status"] = REJECTED
            self.revenue_in += CHALLENGE_BOND
            if not self._pending(c["epoch"]):
                record["status"] = COMMITTED

    @rule(pick=st.integers(0, 9))
    def refund_challenge(self, pick):
        if not self.challenges:
            return
        cid = pick % len(self.challenges) + 1
        c = self.challenges[cid]
        record = self.epochs[c["epoch"]]
        stands = record["status"] in (COMMITTED, CHALLENGED) and record["round"] == c["round"]
        error = (
            "settlement: challenge not pending"
            if c["status"] != PENDING
            else "settlement: challenge unjudged at its resolution deadline (forfeit it)"
            if self._unjudged(c)
            else "settlement: challenge awaits its verdict"
            if stands
            else None
        )
        self._call(error, CLIENT, SETTLEMENT.refund_challenge, cid)
        if error is None:
            event("challenge refunded")
            c["status"] = REFUNDED
            self.bonds_owed[c["who"]] = self.bonds_owed.get(c["who"], 0) + CHALLENGE_BOND

    @rule(pick=st.integers(0, 9))
    def forfeit_challenge(self, pick):
        if not self.challenges:
            return
        cid = pick % len(self.challenges) + 1
        c = self.challenges[cid]
        error = (
            "settlement: challenge not pending"
            if c["status"] != PENDING
            else "settlement: challenge not unjudged at its resolution deadline"
            if not self._unjudged(c)
            else None
        )
        self._call(error, CLIENT, SETTLEMENT.forfeit_challenge, cid)
        if error is None:
            event("late challenge forfeited" if c["late"] else "challenge forfeited")
            c["status"] = FORFEITED
            self.revenue_in += CHALLENGE_BOND

    def _past_resolution(self, record) -> bool:
        return record["status"] == CHALLENGED and self._now() >= record["resolve_by"]

    def _expired(self, record) -> bool:
        """Anyone may void: no report by the commit deadline, or an in-window challenge unjudged."""
        return (record["status"] == OPEN and self._now() >= record["commit_deadline"]) or (
            self._past_resolution(record) and self._in_window_pending(self.epoch) > 0
        )

    def _finalizable(self, record) -> bool:
        """Anyone may finalize: unchallenged past the window, or only late challenges unjudged."""
        return (
            record["status"] == COMMITTED and self._now() >= record["committed_at"] + CHALLENGE_WINDOW
        ) or (self._past_resolution(record) and self._in_window_pending(self.epoch) == 0)

    @rule(by=st.sampled_from(["client", "client", "guardian"]))
    def void_epoch(self, by):
        self._void(by)

    def _void(self, by):
        record = self.epochs[self.epoch]
        sender = GUARDIAN if by == "guardian" else CLIENT
        privileged = by == "guardian" and self._guardian_active()
        error = (
            "settlement: epoch already settled"
            if record["status"] in (FINAL, VOID)
            else "settlement: only late challenges unjudged, the report stands"
            if not privileged and self._past_resolution(record) and not self._expired(record)
            else "settlement: epoch not expired"
            if not privileged and not self._expired(record)
            else None
        )
        self._call(error, sender, SETTLEMENT.void_epoch, self.epoch)
        if error is None:
            event(f"voided by {by}")
            if record["status"] in (COMMITTED, CHALLENGED):
                self.bonds_owed[OPERATOR] = self.bonds_owed.get(OPERATOR, 0) + record["operator_bond"]
            # Past the deadline the void keeps resolve_by: its unjudged challenges are forfeited.
            resolve_by = record["resolve_by"] if self._past_resolution(record) else 0
            record.update(status=VOID, mints=[], slashes=[], total=0, operator_bond=0, resolve_by=resolve_by)

    @precondition(lambda self: self.epochs[self.epoch]["status"] == VOID)
    @rule()
    def reopen(self):
        error = None if self.finals == 0 else "settlement: governance opens epochs"
        recipe = SETTLEMENT.epochs(self.epoch).recipe_cid
        self._call(error, CLIENT, SETTLEMENT.reopen)
        if error is None:
            event("reopened")
            self.epoch += 1
            self.epochs[self.epoch] = self._new_epoch()
            assert SETTLEMENT.epochs(self.epoch).recipe_cid == recipe

    @rule()
    def guardian_term_ends(self):
        """Time reaches the guardian's hard end (rarely chosen: one of many rules)."""
        if self._now() < GUARDIAN_UNTIL:
            boa.env.time_travel(seconds=GUARDIAN_UNTIL - self._now())
            event("guardian term over by time")

    @rule()
    def remove_guardian(self):
        if self.guardian:
            self._call(None, ADMIN, SETTLEMENT.remove_guardian)
            self.guardian = False
            event("guardian removed")

    @rule()
    def finalize(self):
        self._finalize()

    def _finalize(self):
        record = self.epochs[self.epoch]
        error = (
            "settlement: a challenge awaits its verdict"
            if record["status"] == CHALLENGED and not self._past_resolution(record)
            else "settlement: a challenge went unjudged, void the epoch"
            if record["status"] == CHALLENGED and not self._finalizable(record)
            else "settlement: epoch not committed or challenged"
            if record["status"] not in (COMMITTED, CHALLENGED)
            else "settlement: challenge window open"
            if self._now() < record["committed_at"] + CHALLENGE_WINDOW
            else None
        )
        self._call(error, CLIENT, SETTLEMENT.finalize, self.epoch)
        if error is None:
            event("finalized" if record["status"] == COMMITTED else "finalized over late challenges")
            record["status"] = FINAL
            self.finals += 1
            self.first_final = self.first_final or self.epoch
            self.bonds_owed[OPERATOR] = self.bonds_owed.get(OPERATOR, 0) + record["operator_bond"]
            record["operator_bond"] = 0

    @rule(epoch_back=st.integers(0, 2), index=st.integers(0, 3))
    def claim_shares(self, epoch_back, index):
        epoch = max(1, self.epoch - epoch_back)
        record = self.epochs[epoch]
        if not record["mints"]:
            return
        index %= len(record["mints"])
        account, amount = record["mints"][index]
        tree = mint_tree(record["mints"])
        key = ("mint", account, amount)
        error = (
            "settlement: epoch not final"
            if record["status"] != FINAL
            else "settlement: shares already claimed"
            if key in record["used"]
            else "share: release above the allocation"
            if record["minted"] + amount > record["total"]
            else None
        )
        self._call(error, CLIENT, SETTLEMENT.claim_shares, epoch, account, amount, tree.proof(index))
        if error is None:
            event("shares claimed")
            if self.mint_limits[1] == 0:
                event("shares claimed under lowered limits")
            record["used"].add(key)
            record["minted"] += amount

    @rule(epoch_back=st.integers(0, 2), index=st.integers(0, 3))
    def execute_slash(self, epoch_back, index):
        epoch = max(1, self.epoch - epoch_back)
        record = self.epochs[epoch]
        if not record["slashes"]:
            return
        index %= len(record["slashes"])
        cid, amount = record["slashes"][index]
        contribution = self.contributions[cid]
        key = ("slash", cid, amount)
        error = (
            "settlement: epoch not final"
            if record["status"] != FINAL
            else "settlement: slash already executed"
            if key in record["used"]
            else "settlement: slash above the cap"
            if contribution.setdefault("slash_total", 0) + amount
            > contribution["stake"] * SLASH_CAP_BPS // 10_000
            else "registry: stake already withdrawn"
            if contribution["withdrawn"]
            else None
        )
        self._call(
            error,
            CLIENT,
            SETTLEMENT.execute_slash,
            epoch,
            cid,
            amount,
            slash_tree(record["slashes"]).proof(index),
        )
        if error is None:
            event("slash executed")
            record["used"].add(key)
            contribution["slash_total"] += amount
            slashed = min(amount, contribution["stake"] - contribution["slashed"])
            contribution["slashed"] += slashed
            self.revenue_in += slashed

    @rule(pick=st.integers(0, 50), by_owner=st.booleans(), targeted=st.booleans())
    def request_withdrawal(self, pick, by_owner, targeted):
        if not self.contributions:
            return
        ready = [
            cid
            for cid, c in self.contributions.items()
            if not c["requested_at"] and self.epochs[c["epoch"]]["status"] in (FINAL, VOID)
        ]
        cid = ready[pick % len(ready)] if targeted and ready else pick % len(self.contributions) + 1
        c = self.contributions[cid]
        sender = c["who"] if by_owner else CLIENT
        error = (
            "registry: not the contributor"
            if sender != c["who"]
            else "registry: withdrawal already requested"
            if c["requested_at"]
            else "registry: epoch not settled"
            if self.epochs[c["epoch"]]["status"] not in (FINAL, VOID)
            else None
        )
        self._call(error, sender, REGISTRY.request_withdrawal, cid)
        if error is None:
            event("withdrawal requested")
            c["requested_at"] = self._now()

    @rule(pick=st.integers(0, 50), targeted=st.booleans())
    def withdraw_stake(self, pick, targeted):
        if not self.contributions:
            return
        pending = [cid for cid, c in self.contributions.items() if c["requested_at"] and not c["withdrawn"]]
        cid = pending[pick % len(pending)] if targeted and pending else pick % len(self.contributions) + 1
        c = self.contributions[cid]
        error = (
            "registry: withdrawal not requested"
            if not c["requested_at"]
            else "registry: already withdrawn"
            if c["withdrawn"]
            else "registry: still unbonding"
            if self._now() < c["requested_at"] + UNBONDING
            else None
        )
        before = boa.env.get_balance(c["who"])
        self._call(error, c["who"], REGISTRY.withdraw, cid)
        if error is None:
            event("stake withdrawn")
            c["withdrawn"] = True
            remaining = c["stake"] - c["slashed"]
            assert boa.env.get_balance(c["who"]) - before == remaining

    @rule(
        amounts=st.lists(st.integers(1, 50 * ETHER), min_size=1, max_size=4),
        slash_fractions=st.lists(st.sampled_from([1_000, 2_000, 2_001, 0]), min_size=1, max_size=4),
        recipients=st.lists(st.integers(0, 2), min_size=4, max_size=4),
    )
    def advance_lifecycle(self, amounts, slash_fractions, recipients):
        """Move the current epoch one phase on (wait out its window, then commit or finalize), so
        that sequences reach claims, slashes and withdrawals often."""
        record = self.epochs[self.epoch]
        if record["status"] == OPEN:
            if self._now() < record["close"]:  # contribute first, so that there is something to slash
                for who in (0, 1):
                    if (who, PARTS[who]) not in record["cids"]:
                        self._register(who, who, PARTS[who], (1 + who) * MIN_STAKE)
                boa.env.time_travel(seconds=max(1, record["close"] - self._now()))
            if self._now() >= record["commit_deadline"]:
                self._void("client")
            else:
                self._commit(amounts, slash_fractions, recipients)
        elif record["status"] == CHALLENGED:  # nobody resolves: the default applies at the deadline
            boa.env.time_travel(seconds=max(1, record["resolve_by"] - self._now()))
            if self._in_window_pending(self.epoch):
                self._void("client")
            else:  # only late challenges: they count as rejected
                self._finalize()
        elif record["status"] == VOID:
            if self.finals == 0:
                self.reopen()
            else:
                self._open_next_epoch()
        elif record["status"] == COMMITTED:
            boa.env.time_travel(seconds=max(1, record["committed_at"] + CHALLENGE_WINDOW - self._now()))
            self._finalize()
        elif record["status"] == FINAL:
            self._open_next_epoch()
        pending = [cid for cid, c in self.contributions.items() if c["requested_at"] and not c["withdrawn"]]
        if pending:  # and let the oldest requested withdrawal finish unbonding
            oldest = min(self.contributions[cid]["requested_at"] for cid in pending)
            boa.env.time_travel(seconds=max(1, oldest + UNBONDING - self._now()))

    # Hypothesis picks rules uniformly: two more entries make the lifecycle move three times as often.
    advance_lifecycle_again = advance_lifecycle
    advance_lifecycle_once_more = advance_lifecycle

    @precondition(lambda self: self.epochs[self.epoch]["status"] in (FINAL, VOID))
    @rule()
    def open_next_epoch(self):
        self._open_next_epoch()

    def _open_next_epoch(self):
        self._set_mint_limits(10_000, 10**30)
        with boa.env.prank(ADMIN):
            assert SETTLEMENT.open_epoch(CIDS[3], b"\x00" * 32) == self.epoch + 1
        self.epoch += 1
        self.epochs[self.epoch] = self._new_epoch()

    @precondition(lambda self: self.epochs[self.epoch]["status"] not in (FINAL, VOID))
    @rule()
    def open_epoch_too_early(self):
        self._call(
            "settlement: previous epoch not final or void",
            ADMIN,
            SETTLEMENT.open_epoch,
            CIDS[3],
            b"\x00" * 32,
        )

    # -- bonds, revenue and dividends --------------------------------------------------------------
    @rule(who=st.sampled_from([OPERATOR, *CHALLENGERS, CLIENT]))
    def withdraw_bond(self, who):
        owed = self.bonds_owed.get(who, 0)
        before = boa.env.get_balance(who)
        self._call(None if owed else "settlement: nothing owed", who, SETTLEMENT.withdraw)
        if owed:
            assert boa.env.get_balance(who) - before == owed
            self.bonds_owed[who] = 0

    @rule()
    def request_prediction(self):
        new_id = self._call(None, CLIENT, MARKET.request, CIDS[0], value=PRICE)
        self.requests[new_id] = {"deadline": self._now() + FULFIL_DEADLINE, "done": False}

    def _request(self, pick: int, late_error: str, is_late) -> tuple[int | None, str | None]:
        """A request id and the revert its completion must give (None: it succeeds)."""
        if not self.requests:
            return None, None
        rid = pick % len(self.requests) + 1
        done = self.requests[rid]["done"]
        if done:
            return rid, f"market: already {done}"
        return rid, late_error if is_late(self._now(), self.requests[rid]["deadline"]) else None

    @rule(pick=st.integers(0, 20))
    def fulfil(self, pick):
        rid, error = self._request(pick, "market: deadline passed", lambda now, deadline: now > deadline)
        if rid is None:
            return
        self._call(error, OPERATOR, MARKET.fulfill, rid, CIDS[1])
        if error is None:
            self.requests[rid]["done"] = "fulfilled"
            self.revenue_in += PRICE

    @rule(pick=st.integers(0, 20))
    def refund(self, pick):
        rid, error = self._request(pick, "market: deadline not passed", lambda now, deadline: now <= deadline)
        if rid is None:
            return
        before = boa.env.get_balance(CLIENT)
        self._call(error, CLIENT, MARKET.refund, rid)
        if error is None:
            event("refunded")
            self.requests[rid]["done"] = "refunded"
            assert boa.env.get_balance(CLIENT) - before == PRICE

    @rule(amount=st.sampled_from([1, 3, 10**15, ETHER]))
    def deposit_revenue(self, amount):
        self._call(None, CLIENT, MARKET.deposit_revenue, value=amount)
        self.revenue_in += amount

    @rule(who=st.integers(0, 2))
    def claim_dividends(self, who):
        holder = PEOPLE[who]
        owed, owed_token = SHARES.withdrawable_dividends(holder)
        before = boa.env.get_balance(holder)
        error = None if owed or owed_token else "dividends: nothing to claim"
        self._call(error, holder, SHARES.claim)
        assert boa.env.get_balance(holder) - before == owed
        assert SHARES.withdrawable_dividends(holder)[0] == 0
        self.dividends_claimed += owed

    # -- invariants --------------------------------------------------------------------------------
    @invariant()
    def leaves_and_mints(self):
        for epoch, record in self.epochs.items():
            assert record["minted"] <= record["total"]
            if record["status"] == FINAL:
                on_chain = SETTLEMENT.epochs(epoch)
                assert (
                    on_chain.minted
                    == record["minted"]
                    == sum(amount for kind, _, amount in record["used"] if kind == "mint")
                )
        # A final epoch's whole mint is allocated to the token's pool at finality; claims release it.
        pool = SHARES.balanceOf(SHARES.address)
        assert SHARES.totalSupply() == sum(SHARES.balanceOf(p) for p in PEOPLE) + pool
        final = [r for r in self.epochs.values() if r["status"] == FINAL]
        assert pool == sum(r["total"] - r["minted"] for r in final)
        assert SHARES.totalSupply() == sum(r["total"] for r in final)

    @invariant()
    def stakes(self):
        held = 0
        for cid, c in self.contributions.items():
            assert 0 <= c["slashed"] <= c["stake"]
            on_chain = REGISTRY.contributions(cid)
            assert (on_chain.stake, on_chain.slashed, on_chain.withdrawn) == (
                c["stake"],
                c["slashed"],
                c["withdrawn"],
            )
            if not c["withdrawn"]:
                held += c["stake"] - c["slashed"]
        assert boa.env.get_balance(REGISTRY.address) == held

    @invariant()
    def bonds_and_fees(self):
        pending = sum(CHALLENGE_BOND for c in self.challenges.values() if c["status"] == PENDING)
        bonds = sum(r["operator_bond"] for r in self.epochs.values()) + pending
        assert boa.env.get_balance(SETTLEMENT.address) == bonds + sum(self.bonds_owed.values())
        for who, owed in self.bonds_owed.items():
            assert SETTLEMENT.bonds_owed(who) == owed
        fees = sum(PRICE for r in self.requests.values() if not r["done"])
        assert boa.env.get_balance(MARKET.address) == fees == MARKET.open_fees()

    @invariant()
    def dividends(self):
        balance = boa.env.get_balance(SHARES.address)
        assert balance == self.revenue_in - self.dividends_claimed
        withdrawable = sum(SHARES.withdrawable_dividends(p)[0] for p in PEOPLE)
        assert withdrawable <= balance

    @invariant()
    def liveness(self):
        """Past the bound, the current epoch is settled or anyone can settle it (finalize or void),
        whatever governance and the guardian do; every settled epoch's stakes can be requested."""
        record = self.epochs[self.epoch]
        assert SETTLEMENT.epochs(self.epoch).status == record["status"]
        assert SETTLEMENT.guardian_active() == bool(self._guardian_active())
        if record["status"] in (FINAL, VOID) or self._now() < record["close"] - CONTRIBUTION_PERIOD + BOUND:
            return
        finalizable = self._finalizable(record)
        assert finalizable or self._expired(record), (
            f"epoch {self.epoch} stuck past its bound: {record['status']}"
        )
        with boa.env.anchor(), boa.env.prank(CLIENT):  # and the chain agrees: the call succeeds
            (SETTLEMENT.finalize if finalizable else SETTLEMENT.void_epoch)(self.epoch)
        event("liveness bound reached")

    def teardown(self):
        self._anchor.__exit__(None, None, None)


EconomyMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=50, deadline=None, database=None
)
TestEconomyInvariants = EconomyMachine.TestCase

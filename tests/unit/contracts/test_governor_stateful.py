"""Governor + Timelock invariants over random sequences (hypothesis on titanoboa, CONTRACTS.md invariant 8).

Rules: propose (one or two counter bumps, a quorum change, removing the guardian from the Governor,
from both it and the source, bundled with a bump, or a bump with an inert removal selector, or a proposal
whose second action reverts; descriptions from a small pool so duplicates occur), vote (any support
0-3, by holders and by an account without shares), delegate, transfer, mint, queue, execute, cancel
(by anyone), cancel by the bootstrap guardian (a double says whether its period is active; the
guardian holds no shares), start/end the guardian's period, a parameter setter or
`remove_guardian` called by a non-timelock account, mine blocks, warp time.

Every rule predicts from a Python model whether the call succeeds and, if not, with which revert
message, and checks the contract agrees. After every step, for every proposal:
- its state equals the model's (Pending/Active by block, Canceled, Defeated/Succeeded from the
  model's tallies and the quorum fraction in force before its creation times the modelled supply
  at its snapshot, Queued/Expired by time, Executed);
- states only move forward along the Governor's graph (the guardian may cancel any proposal that
  is not closed, except one whose every call is a real removal of the guardian: to the Governor
  or the guardian source; a removal bundled with another action, or the selector sent to an
  account, shields nothing);
- executed => for > against and for + abstain >= quorum (in the model);
- its tally equals the sum of the modelled snapshot votes of the accounts that voted on it, each
  voter counted once (`hasVoted`), and each accepted vote's weight equals the modelled weight;
- its timelock operations are done iff it executed (each operation executes once), and the
  target's per-tag call counts equal what the executed proposals called;
- an execution happened only from Queued, at or after the eta, with for > against and
  for + abstain >= quorum in the model; Defeated, Canceled and Expired never execute;
- parameters (quorum fraction) change only through executed proposals.

The votes token is the real `contracts/ShareToken.vy` when it compiles, else the
`VotesTokenDouble`. Each example runs inside `boa.env.anchor()` on one deployment.
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path

import boa
from eth_abi import encode
from eth_utils import keccak
from hypothesis import Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

ROOT = Path(__file__).resolve().parents[3]
DOUBLES = ROOT / "tests" / "unit" / "contracts" / "doubles"
ETHER = 10**18
# 20 keeps `make test` inside its time budget; `python -m bench.fuzz` makes the deep runs.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", 20))
N_HOLDERS = 4
DELAY = 60
GRACE = 14 * 86_400
VOTING_DELAY, VOTING_PERIOD = 2, 6
THRESHOLD = 5 * ETHER
QUORUM_BPS = 2_000

PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
FORWARD = {
    PENDING: {PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED},
    ACTIVE: {ACTIVE, DEFEATED, SUCCEEDED, CANCELED},
    SUCCEEDED: {SUCCEEDED, QUEUED, CANCELED},
    QUEUED: {QUEUED, EXECUTED, EXPIRED, CANCELED},
    DEFEATED: {DEFEATED},
    CANCELED: {CANCELED},
    EXPIRED: {EXPIRED},
    EXECUTED: {EXECUTED},
}

ADMIN = boa.env.generate_address("gov-admin")
HOLDERS = [boa.env.generate_address(f"gov-holder{i}") for i in range(N_HOLDERS)]
OUTSIDER = boa.env.generate_address("gov-outsider")  # never holds shares
GUARDIAN = boa.env.generate_address("gov-guardian")  # never holds shares
ACCOUNTS = HOLDERS + [OUTSIDER]
INITIAL = [40 * ETHER, 30 * ETHER, 20 * ETHER, 10 * ETHER]


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def _deploy():
    with boa.env.prank(ADMIN):
        kind = "VotesTokenDouble"
        token = None
        if os.environ.get("GOVERNOR_TEST_TOKEN", "share") != "double":
            try:
                revenue = boa.load(str(DOUBLES / "PlainERC20.vy"))
                token = boa.load(str(ROOT / "contracts/ShareToken.vy"), "S", "S", revenue.address, "S", "1")
                token.set_minter(ADMIN)
                token.set_epoch_mint_limits(10_000, 10**12 * ETHER)
                kind = "ShareToken"
            except Exception:  # noqa: BLE001 - not written yet or does not compile: use the double
                token = None
        if token is None:
            token = boa.load(str(DOUBLES / "VotesTokenDouble.vy"))
        timelock = boa.load(str(ROOT / "contracts/Timelock.vy"), DELAY, [], [], ADMIN)
        guardian_source = boa.load(str(DOUBLES / "GuardianSourceDouble.vy"), GUARDIAN)
        governor = boa.load(
            str(ROOT / "contracts/Governor.vy"),
            token.address,
            timelock.address,
            VOTING_DELAY,
            VOTING_PERIOD,
            THRESHOLD,
            QUORUM_BPS,
            "Metamodel Governor",
            guardian_source.address,
        )
        for role in ("PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE"):
            timelock.grantRole(keccak(text=role), governor.address)
        timelock.renounceRole(b"\x00" * 32, ADMIN)
        target = boa.load(str(DOUBLES / "GovTarget.vy"), timelock.address)
        reverting = boa.load(str(DOUBLES / "RevertingTarget.vy"))
    boa.env.time_travel(blocks=1)
    return kind, token, timelock, governor, target, reverting, guardian_source


TOKEN_KIND, TOKEN, TIMELOCK, GOVERNOR, TARGET, REVERTING, GUARDIAN_SOURCE = _deploy()


def _mint(to: str, amount: int) -> None:
    with boa.env.prank(ADMIN):
        if TOKEN_KIND == "ShareToken":
            TOKEN.mint(to, amount, 1)
        else:
            TOKEN.mint(to, amount)


class Proposal:
    def __init__(self, kind: str, param: int, description: str):
        self.kind, self.param, self.description = kind, param, description
        bump = _selector("bump(uint256)")
        if kind == "bump":
            self.actions = [(TARGET.address, bump + encode(["uint256"], [param]))]
        elif kind == "bump2":
            self.actions = [
                (TARGET.address, bump + encode(["uint256"], [param])),
                (TARGET.address, bump + encode(["uint256"], [param + 100])),
            ]
        elif kind == "unguard":
            self.actions = [(GOVERNOR.address, _selector("remove_guardian()"))]
        elif kind == "unguard_both":  # the settlement's (here: the source double's) and the Governor's
            self.actions = [
                (GUARDIAN_SOURCE.address, _selector("remove_guardian()")),
                (GOVERNOR.address, _selector("remove_guardian()")),
            ]
        elif kind == "unguard_bundled":  # a real removal beside another action: no shield
            self.actions = [
                (TARGET.address, bump + encode(["uint256"], [param])),
                (GOVERNOR.address, _selector("remove_guardian()")),
            ]
        elif kind == "unguard_inert":  # the selector sent to an account: it removes nothing
            self.actions = [
                (TARGET.address, bump + encode(["uint256"], [param])),
                (OUTSIDER, _selector("remove_guardian()")),
            ]
        elif kind == "quorum":
            self.actions = [
                (GOVERNOR.address, _selector("set_quorum_bps(uint256)") + encode(["uint256"], [param]))
            ]
        else:  # "revert": the first action runs, the second reverts the whole execution
            self.actions = [
                (TARGET.address, bump + encode(["uint256"], [param])),
                (REVERTING.address, _selector("fail(uint256)") + encode(["uint256"], [param])),
            ]
        self.targets = [a for a, _ in self.actions]
        self.values = [0] * len(self.actions)
        self.calldatas = [c for _, c in self.actions]
        self.description_hash = keccak(text=description)
        self.id = int.from_bytes(
            keccak(
                encode(
                    ["address[]", "uint256[]", "bytes[]", "bytes32"],
                    [self.targets, self.values, self.calldatas, self.description_hash],
                )
            ),
            "big",
        )
        salt, pred, self.ops = self.id.to_bytes(32, "big"), b"\x00" * 32, []
        for target, data in self.actions:
            pred = keccak(
                encode(["address", "uint256", "bytes", "bytes32", "bytes32"], [target, 0, data, pred, salt])
            )
            self.ops.append(pred)
        # set on creation
        self.proposer = self.created = self.snapshot = self.deadline = self.quorum_bps = None
        self.votes = {}  # voter -> (support, weight)
        self.tally = [0, 0, 0]
        self.eta = 0
        self.canceled = self.executed = False
        self.seen = PENDING

    def args(self):
        return self.targets, self.values, self.calldatas, self.description_hash

    @property
    def removes_guardian(self) -> bool:
        """Executing it ends the guardian (in the settlement, the Governor or both)."""
        return self.kind in ("unguard", "unguard_both", "unguard_bundled")

    @property
    def shielded(self) -> bool:
        """Every call is a real removal: the guardian cannot cancel it."""
        return self.kind in ("unguard", "unguard_both")

    def bumps(self) -> list[int]:
        if self.kind in ("bump", "unguard_bundled", "unguard_inert"):
            return [self.param]
        if self.kind == "bump2":
            return [self.param, self.param + 100]
        return []


class GovernorMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.balances = dict.fromkeys(ACCOUNTS, 0)
        self.delegates = dict.fromkeys(ACCOUNTS, None)
        for holder, amount in zip(HOLDERS, INITIAL, strict=True):
            _mint(holder, amount)
            self.balances[holder] = amount
            self.delegates[holder] = holder  # mint auto-delegates
        # vote history: [(block, votes per account, supply)], one entry per block with changes
        self.history_blocks: list[int] = [0]
        self.history: list[tuple[dict, int]] = [(dict.fromkeys(ACCOUNTS, 0), 0)]
        self._record()
        boa.env.time_travel(blocks=1)
        self.quorum_history = [(0, QUORUM_BPS)]
        self.proposals: dict[int, Proposal] = {}
        self.order: list[int] = []
        self.latest: dict[str, int] = {}
        self.calls_expected: dict[int, int] = {}
        self.guardian_active = True
        self.guardian_removed = False

    def teardown(self):
        for p in self.proposals.values():
            self._check_records(p)
            event(f"final state: {p.seen}")
        self._anchor.__exit__(None, None, None)

    # -- model ----------------------------------------------------------------------------------
    @property
    def block(self) -> int:
        return boa.env.evm.patch.block_number

    @property
    def now(self) -> int:
        return boa.env.evm.patch.timestamp

    def _votes_now(self) -> dict:
        votes = dict.fromkeys(ACCOUNTS, 0)
        for account, to in self.delegates.items():
            if to is not None:
                votes[to] += self.balances[account]
        return votes

    def _record(self) -> None:
        entry = (self._votes_now(), sum(self.balances.values()))
        if self.history_blocks and self.history_blocks[-1] == self.block:
            self.history[-1] = entry
        else:
            self.history_blocks.append(self.block)
            self.history.append(entry)

    def _at(self, block: int) -> tuple[dict, int]:
        i = bisect.bisect_right(self.history_blocks, block) - 1
        return self.history[i]

    def _quorum_bps_at(self, block: int) -> int:
        return [bps for key, bps in self.quorum_history if key <= block][-1]

    def _quorum(self, p: Proposal) -> int:
        return self._at(p.snapshot)[1] * p.quorum_bps // 10_000

    def _passed(self, p: Proposal) -> bool:
        against, for_, abstain = p.tally
        return for_ > against and for_ + abstain >= self._quorum(p)

    def _state(self, p: Proposal) -> int:
        if p.executed:
            return EXECUTED
        if p.canceled:
            return CANCELED
        if self.block <= p.snapshot:
            return PENDING
        if self.block <= p.deadline:
            return ACTIVE
        if p.eta:
            return EXPIRED if self.now > p.eta + GRACE else QUEUED
        return SUCCEEDED if self._passed(p) else DEFEATED

    def _pick(self, index: int, wanted: int | None = None) -> Proposal | None:
        """A proposal in state `wanted` if there is one (else any), chosen by `index`."""
        pool = self.order
        if wanted is not None:
            pool = [pid for pid in self.order if self._state(self.proposals[pid]) == wanted] or pool
        if not pool:
            return None
        return self.proposals[pool[index % len(pool)]]

    # -- token rules ----------------------------------------------------------------------------
    @rule(src=st.integers(0, N_HOLDERS - 1), dst=st.integers(0, N_HOLDERS), per_mille=st.integers(0, 1_000))
    def transfer(self, src, dst, per_mille):
        a, b = HOLDERS[src], ACCOUNTS[dst]
        amount = self.balances[a] * per_mille // 1_000
        TOKEN.transfer(b, amount, sender=a)
        self.balances[a] -= amount
        self.balances[b] += amount
        self._record()

    @rule(who=st.integers(0, N_HOLDERS), to=st.integers(0, N_HOLDERS))
    def delegate(self, who, to):
        TOKEN.delegate(ACCOUNTS[to], sender=ACCOUNTS[who])
        self.delegates[ACCOUNTS[who]] = ACCOUNTS[to]
        self._record()

    @rule(to=st.integers(0, N_HOLDERS - 1), amount=st.integers(1, 50 * ETHER))
    def mint(self, to, amount):
        _mint(HOLDERS[to], amount)
        self.balances[HOLDERS[to]] += amount
        if self.delegates[HOLDERS[to]] is None:
            self.delegates[HOLDERS[to]] = HOLDERS[to]
        self._record()

    @rule(blocks=st.sampled_from([1, 2, 3, 7]))
    def mine(self, blocks):
        boa.env.time_travel(blocks=blocks)  # 12 s per block

    @rule(seconds=st.sampled_from([30, DELAY, GRACE // 2, GRACE + 1]))
    def warp(self, seconds):
        boa.env.evm.patch.timestamp += seconds

    @rule(
        index=st.integers(0, 50), milestone=st.sampled_from(["start", "end", "eta"]), targeted=st.booleans()
    )
    def advance(self, index, milestone, targeted):
        """Jump to a proposal's next window: voting open, voting closed, or its eta."""
        wanted = {"start": PENDING, "end": ACTIVE, "eta": QUEUED}[milestone] if targeted else None
        p = self._pick(index, wanted)
        if p is None:
            return
        if milestone == "start" and self.block <= p.snapshot:
            boa.env.time_travel(blocks=p.snapshot + 1 - self.block)
        elif milestone == "end" and self.block <= p.deadline:
            boa.env.time_travel(blocks=p.deadline + 1 - self.block)
        elif milestone == "eta" and p.eta > self.now:
            boa.env.evm.patch.timestamp = p.eta

    # -- governor rules -------------------------------------------------------------------------
    @initialize(proposer=st.integers(0, N_HOLDERS - 1), param=st.integers(1, 4))
    def first_proposal(self, proposer, param):
        self.propose(proposer, "bump", param, 0)

    @rule(
        proposer=st.integers(0, N_HOLDERS),
        kind=st.sampled_from(
            [
                "bump",
                "bump",
                "bump2",
                "quorum",
                "revert",
                "unguard",
                "unguard_both",
                "unguard_bundled",
                "unguard_inert",
            ]
        ),
        param=st.integers(1, 4),
        text=st.integers(0, 2),
    )
    def propose(self, proposer, kind, param, text):
        sender = ACCOUNTS[proposer]
        if kind == "quorum":
            param = [500, 1_000, 3_000, 6_000][param - 1]
        p = Proposal(kind, param, f"proposal {text}")
        expected = None
        if self._at(self.block - 1)[0][sender] < THRESHOLD:
            expected = "governor: proposer votes below threshold"
        elif sender in self.latest and self._state(self.proposals[self.latest[sender]]) in (PENDING, ACTIVE):
            expected = "governor: proposer has a live proposal"
        elif p.id in self.proposals:
            expected = "governor: proposal already exists"
        event(f"propose: {expected or 'created'}")
        if expected:
            with boa.reverts(expected):
                GOVERNOR.propose(p.targets, p.values, p.calldatas, p.description, sender=sender)
            return
        pid = GOVERNOR.propose(p.targets, p.values, p.calldatas, p.description, sender=sender)
        assert pid == p.id
        p.proposer, p.created = sender, self.block
        p.snapshot = self.block + VOTING_DELAY
        p.deadline = p.snapshot + VOTING_PERIOD
        p.quorum_bps = self._quorum_bps_at(self.block - 1)
        self.proposals[pid] = p
        self.order.append(pid)
        self.latest[sender] = pid

    @rule(
        voter=st.integers(0, N_HOLDERS),
        index=st.integers(0, 50),
        support=st.sampled_from([0, 1, 2, 1, 3]),
        targeted=st.booleans(),
    )
    def vote(self, voter, index, support, targeted):
        p = self._pick(index, ACTIVE if targeted else None)
        if p is None:
            return
        sender = ACCOUNTS[voter]
        weight = self._at(p.snapshot)[0][sender] if p.snapshot < self.block else 0
        expected = None
        if self._state(p) != ACTIVE:
            expected = "governor: vote not currently active"
        elif support > 2:
            expected = "governor: invalid vote type"
        elif sender in p.votes:
            expected = "governor: vote already cast"
        elif weight == 0:
            expected = "governor: no voting power at the snapshot"
        event(f"vote: {expected or 'counted'}")
        if expected:
            with boa.reverts(expected):
                GOVERNOR.castVote(p.id, support, sender=sender)
            return
        counted = GOVERNOR.castVoteWithReason(p.id, support, "fuzz", sender=sender)
        assert counted == weight
        p.votes[sender] = (support, weight)
        p.tally[support] += weight
        self._check_records(p)

    @rule(
        voter=st.integers(0, N_HOLDERS - 1), index=st.integers(0, 50), support=st.sampled_from([0, 1, 1, 2])
    )
    def vote_on_an_active_proposal(self, voter, index, support):
        self.vote(voter, index, support, True)

    @rule(
        index=st.integers(0, 50), who=st.integers(0, N_HOLDERS), targeted=st.sampled_from([True, True, False])
    )
    def queue(self, index, who, targeted):
        p = self._pick(index, SUCCEEDED if targeted else None)
        if p is None:
            return
        event(f"queue: {'queued' if self._state(p) == SUCCEEDED else 'refused'}")
        if self._state(p) != SUCCEEDED:
            with boa.reverts("governor: proposal not successful"):
                GOVERNOR.queue(*p.args(), sender=ACCOUNTS[who])
            return
        GOVERNOR.queue(*p.args(), sender=ACCOUNTS[who])
        p.eta = self.now + DELAY
        assert GOVERNOR.proposalEta(p.id) == p.eta
        self._check_records(p)

    @rule(
        index=st.integers(0, 50), who=st.integers(0, N_HOLDERS), targeted=st.sampled_from([True, True, False])
    )
    def execute(self, index, who, targeted):
        p = self._pick(index, QUEUED if targeted else None)
        if p is None:
            return
        state = self._state(p)
        expected = None
        if state == EXPIRED:
            expected = "governor: proposal expired"
        elif state != QUEUED:
            expected = "governor: proposal not queued"
        elif self.now < p.eta:
            expected = "governor: timelock not ready"
        elif p.kind == "revert":
            expected = "target: always reverts"
        event(f"execute: {expected or 'executed'}")
        if expected:
            with boa.reverts(expected):
                GOVERNOR.execute(*p.args(), sender=ACCOUNTS[who])
            return
        GOVERNOR.execute(*p.args(), sender=ACCOUNTS[who])
        # Executed only from Queued, after the eta, having passed: Succeeded + queued + delay.
        assert state == QUEUED and p.eta <= self.now and self._passed(p)
        p.executed = True
        for tag in p.bumps():
            self.calls_expected[tag] = self.calls_expected.get(tag, 0) + 1
        self._check_records(p)
        if p.removes_guardian:
            self.guardian_removed = True
        if p.kind == "quorum":
            if self.quorum_history[-1][0] == self.block:
                self.quorum_history[-1] = (self.block, p.param)
            else:
                self.quorum_history.append((self.block, p.param))

    @rule(index=st.integers(0, 50), who=st.integers(0, N_HOLDERS), targeted=st.booleans())
    def cancel(self, index, who, targeted):
        p = self._pick(index, PENDING if targeted else None)
        if p is None:
            return
        sender = ACCOUNTS[who]
        expected = None
        if sender != p.proposer:
            expected = "governor: only the proposer or the guardian may cancel"
        elif self._state(p) != PENDING:
            expected = "governor: too late to cancel"
        event(f"cancel: {expected or 'canceled'}")
        if expected:
            with boa.reverts(expected):
                GOVERNOR.cancel(*p.args(), sender=sender)
            return
        GOVERNOR.cancel(*p.args(), sender=sender)
        p.canceled = True

    @rule(index=st.integers(0, 50), wanted=st.sampled_from([None, PENDING, ACTIVE, SUCCEEDED, QUEUED]))
    def guardian_cancels(self, index, wanted):
        p = self._pick(index, wanted)
        if p is None:
            return
        state = self._state(p)
        expected = None
        if not self.guardian_active or self.guardian_removed:
            expected = "governor: only the proposer or the guardian may cancel"
        elif p.shielded:  # whatever its state: the guardian never vetoes a proposal of removals only
            expected = "governor: the guardian cannot cancel its own removal"
        elif state not in (PENDING, ACTIVE, SUCCEEDED, QUEUED):
            expected = "governor: proposal already closed"
        event(f"guardian cancel: {expected or 'canceled'}")
        if expected:
            with boa.reverts(expected):
                GOVERNOR.cancel(*p.args(), sender=GUARDIAN)
            return
        GOVERNOR.cancel(*p.args(), sender=GUARDIAN)
        p.canceled = True
        self._check_records(p)

    @rule(active=st.booleans())
    def guardian_period(self, active):
        GUARDIAN_SOURCE.set_active(active)
        self.guardian_active = active
        expected = GUARDIAN if active and not self.guardian_removed else "0x" + "00" * 20
        assert GOVERNOR.guardian().lower() == expected.lower()

    @rule(who=st.integers(0, N_HOLDERS))
    def outsider_removes_the_guardian(self, who):
        with boa.reverts("governor: caller is not the timelock"):
            GOVERNOR.remove_guardian(sender=ACCOUNTS[who])

    @rule(
        who=st.integers(0, N_HOLDERS),
        setter=st.sampled_from(
            ["set_voting_delay", "set_voting_period", "set_proposal_threshold", "set_quorum_bps"]
        ),
    )
    def outsider_sets_a_parameter(self, who, setter):
        with boa.reverts("governor: caller is not the timelock"):
            getattr(GOVERNOR, setter)(1, sender=ACCOUNTS[who])

    # -- invariants -----------------------------------------------------------------------------
    @invariant()
    def proposals_agree_with_the_model(self):
        for pid in self.order:
            p = self.proposals[pid]
            state = GOVERNOR.state(pid)
            assert state == self._state(p), (p.kind, state, self._state(p))
            assert state in FORWARD[p.seen], (p.seen, state)
            p.seen = state
            assert list(GOVERNOR.proposalVotes(pid)) == p.tally
            if state == EXECUTED:
                assert self._passed(p) and p.eta and not p.canceled

    def _check_records(self, p: Proposal) -> None:
        """Voters and timelock operations of one proposal (every proposal at the end of an example)."""
        # tally = sum of the snapshot votes of its voters, each counted once
        sums = [0, 0, 0]
        for voter, (support, weight) in p.votes.items():
            assert weight == self._at(p.snapshot)[0][voter]
            sums[support] += weight
        assert sums == p.tally == list(GOVERNOR.proposalVotes(p.id))
        for voter in ACCOUNTS:
            assert GOVERNOR.hasVoted(p.id, voter) == (voter in p.votes)
        # each timelock operation is scheduled iff queued (and not canceled since), done iff the
        # proposal executed
        for op in p.ops:
            assert TIMELOCK.is_operation(op) == (p.eta != 0 and not p.canceled)
            assert TIMELOCK.is_operation_done(op) == p.executed

    @invariant()
    def effects_match_executions(self):
        for tag in {1, 2, 3, 4, 101, 102, 103, 104}:
            assert TARGET.calls(tag) == self.calls_expected.get(tag, 0)
        assert GOVERNOR.quorum_bps() == self.quorum_history[-1][1]
        source = "0x" + "00" * 20 if self.guardian_removed else str(GUARDIAN_SOURCE.address)
        assert str(GOVERNOR.guardian_source()).lower() == source.lower()
        assert (GOVERNOR.votingDelay(), GOVERNOR.votingPeriod(), GOVERNOR.proposalThreshold()) == (
            VOTING_DELAY,
            VOTING_PERIOD,
            THRESHOLD,
        )


TestGovernorMachine = GovernorMachine.TestCase
TestGovernorMachine.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=50,
    deadline=None,
    print_blob=True,
    # HYPOTHESIS_NO_SHRINK=1 reports the first failure as found (shrinking a long sequence is slow).
    phases=[p for p in Phase if not (os.environ.get("HYPOTHESIS_NO_SHRINK") and p == Phase.shrink)],
)


def test_votes_token_in_use():
    """Reports (with -s) which votes token the state machine ran against."""
    print(f"\nGovernor state machine runs against: {TOKEN_KIND}")
    assert TOKEN_KIND in ("ShareToken", "VotesTokenDouble")

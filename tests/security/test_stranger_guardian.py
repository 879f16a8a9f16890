"""A stranger's review (helper S): the bootstrap guardian's term is not bounded.

docs/security.md says the guardian "may only resolve challenges, cancel proposals and void an
epoch", that "governance can remove it" and that "it ends by itself once epoch 1 and
GUARDIAN_EPOCHS further epochs are final"; a malicious guardian can misjudge "until its term ends
or governance removes it". Both exits are in the guardian's own hands:

* its term counts *final* epochs, and it may void any unsettled epoch, so by voiding every epoch
  governance opens it never reaches its fourth final epoch;
* it may cancel any proposal until execution (`Governor.cancel`), including the holders' proposal
  to remove it (`EpochSettlement.remove_guardian`, `Governor.remove_guardian`).

Each test is the sequence an attacker (the guardian multisig, or whoever holds its keys) runs on
the deployed contracts; each is expected to FAIL on main (strict xfail) until the mechanism changes.
"""

from __future__ import annotations

import pytest
from eth_utils import keccak

from tests.security.conftest import CIDS, ETHER, commit, register

PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)


def _final_epoch_one(dao, roles, params, advance, chain):
    """Epoch 1 final with alice holding all its 1,000 shares (self-delegated by the claim)."""
    alice = roles["alice"]
    register(dao, alice, CIDS[0])
    advance(params.contribution_period)
    mtree, _ = commit(dao, roles["operator"], [(alice.address, 1_000 * ETHER)])
    advance(params.challenge_window)
    dao.settlement.finalize(1, sender=roles["keeper"])
    dao.settlement.claim_shares(1, alice, 1_000 * ETHER, mtree.proof(0), sender=alice)
    chain.mine(1)


def _propose_and_pass(dao, proposer, chain, actions, text):
    """Propose `actions` [(contract, calldata)] with the proposer suffix and vote it to Succeeded;
    returns the (targets, values, calldatas, description hash) to queue, execute or cancel it."""
    description = f"{text}\n\n#proposer={proposer.address}"
    targets = [c.address for c, _ in actions]
    calldatas = [bytes(data) for _, data in actions]
    values = [0] * len(actions)
    dao.governor.propose(targets, values, calldatas, description, sender=proposer)
    key = (targets, values, calldatas, keccak(text=description))
    pid = dao.governor.hashProposal(*key)
    chain.mine(int(dao.governor.proposalSnapshot(pid)) - chain.blocks.head.number)
    dao.governor.castVote(pid, 1, sender=proposer)
    chain.mine(int(dao.governor.proposalDeadline(pid)) - chain.blocks.head.number + 1)
    assert dao.governor.state(pid) == SUCCEEDED
    return key, pid


def _execute(dao, key, params, advance, keeper):
    """Queue a succeeded proposal and execute it once the Timelock delay has passed (anyone)."""
    dao.governor.queue(*key, sender=keeper)
    advance(params.timelock_delay)
    dao.governor.execute(*key, sender=keeper)


@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="finding: the guardian cancels the proposal to remove it"
)
def test_stranger_guardian_cannot_veto_its_own_removal(dao, roles, params, advance, chain):
    guardian, alice = roles["guardian"], roles["alice"]
    _final_epoch_one(dao, roles, params, advance, chain)
    assert dao.settlement.guardian_active()

    # The holders (alice owns every share) vote to end the bootstrap guardian now.
    removal = [
        (dao.settlement, dao.settlement.remove_guardian.encode_input()),
        (dao.governor, dao.governor.remove_guardian.encode_input()),
    ]
    key, pid = _propose_and_pass(dao, alice, chain, removal, "End the bootstrap guardian.")

    # The guardian cancels it: Governor.cancel lets the active guardian cancel any proposal that
    # is pending, active, succeeded or queued, whatever it does.
    try:
        dao.governor.cancel(*key, sender=guardian)
    except Exception:  # noqa: BLE001 - a refused cancel is the behaviour we want
        pass
    assert dao.governor.state(pid) == SUCCEEDED, "the guardian vetoed the vote that removes it"
    _execute(dao, key, params, advance, roles["keeper"])
    assert not dao.settlement.guardian_active() and dao.governor.guardian() == "0x" + "00" * 20


@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="finding: voids by the guardian never advance its term"
)
def test_stranger_guardian_term_ends_even_if_it_voids_every_epoch(dao, roles, params, advance, chain):
    guardian, alice = roles["guardian"], roles["alice"]
    _final_epoch_one(dao, roles, params, advance, chain)

    # Governance opens GUARDIAN_EPOCHS + 1 further epochs; the guardian voids each one at once
    # (it may void any unsettled epoch, no reason needed), so none of them becomes final.
    opened = int(dao.settlement.GUARDIAN_EPOCHS()) + 1
    for n in range(opened):
        call = dao.settlement.open_epoch.encode_input(f"QmRecipe{n}", b"\x02" * 32)
        key, _ = _propose_and_pass(dao, alice, chain, [(dao.settlement, call)], f"Retrain {n}.")
        _execute(dao, key, params, advance, roles["keeper"])
        epoch = int(dao.settlement.current_epoch())
        assert epoch == 2 + n
        dao.settlement.void_epoch(epoch, sender=guardian)
        assert dao.settlement.is_settled(epoch)

    # Epoch 1 and four more epochs were opened and settled after it: the term docs/security.md
    # states ("epoch 1 final plus GUARDIAN_EPOCHS further epochs") has run, in epochs opened.
    # The guardian is still active, and would be forever.
    assert not dao.settlement.guardian_active(), "the guardian extended its term by voiding epochs"


@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="finding: the guardian upholds its own challenge"
)
def test_stranger_guardian_cannot_pay_itself_the_operator_bond(dao, roles, params, advance):
    """docs/security.md's actor table: the guardian cannot "move any stake or bond to itself". It
    challenges each report itself and upholds its own challenge: every round's operator bond is
    paid to it, and the operator may re-commit (and re-bond) until the commit deadline."""
    guardian, operator = roles["guardian"], roles["operator"]
    register(dao, roles["alice"], CIDS[0])
    advance(params.contribution_period)
    rounds = 3
    for _ in range(rounds):
        commit(dao, operator, [(roles["alice"].address, ETHER)])  # an honest report, re-bonded
        challenge_id = int(dao.settlement.challenge_count()) + 1
        dao.settlement.challenge(1, "QmNothing", value=params.challenge_bond, sender=guardian)
        dao.settlement.resolve_challenge(challenge_id, True, sender=guardian)
    taken = int(dao.settlement.bonds_owed(guardian)) - rounds * params.challenge_bond
    assert taken == 0, f"the guardian's own verdicts paid it {rounds} operator bonds ({taken} wei)"

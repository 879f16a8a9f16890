"""A stranger's review (helper S): a late second challenge voids any report, whatever governance does.

docs/security.md, *Residual risks*: "if neither governance nor the guardian rules before
`resolve_by`, any challenge voids the report by default [...]. A live resolver rejects it (the
bond goes to holders)", and *Time bounds*: "The resolution period is longer than governance's path
(voting delay + voting period + timelock delay), so holders can resolve in time".

That holds for a challenge filed in the challenge window, not for one filed later: `challenge`
accepts a new challenge until `resolve_by` as long as any challenge of the report is pending, and
`resolve_by` is fixed at the first challenge. So an attacker files a baseless challenge in the
window and, while governance's rejection of it is still on its way (its timelock eta is public),
files a second one less than one governance path before `resolve_by`. Governance rejects the first
(the attacker loses that bond) but cannot reach a verdict on the second in time; at `resolve_by`
anyone voids the epoch and the second bond is refunded. Once the guardian's term is over, every
epoch can be voided this way for one challenge bond (0.1 ETH by default): no epoch ever becomes
final again, with holders and governance doing everything right.
"""

from __future__ import annotations

import pytest

from dao.chain.deploy import DeployParams
from tests.security.conftest import CIDS, ETHER, commit, register
from tests.security.test_stranger_guardian import _execute, _final_epoch_one, _propose_and_pass

VOID = 5


@pytest.fixture
def params():
    # The deployed ratios: resolution period (14 days) > governance path (1 + 7 + 2 days) >
    # challenge window (2 days); here 1,800 s > ~1,200 s + a few blocks > 600 s.
    return DeployParams.for_tests(timelock_delay=1_200)


@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="finding: a late challenge voids what governance cannot judge"
)
def test_stranger_a_late_challenge_cannot_void_what_governance_rejects(dao, roles, params, advance, chain):
    alice, bob, mallory, keeper = roles["alice"], roles["bob"], roles["mallory"], roles["keeper"]
    guardian, operator = roles["guardian"], roles["operator"]
    _final_epoch_one(dao, roles, params, advance, chain)
    dao.settlement.remove_guardian(sender=guardian)  # as once its term is over: governance judges
    opening = dao.settlement.open_epoch.encode_input("QmRecipe2", b"\x02" * 32)
    key, _ = _propose_and_pass(dao, alice, chain, [(dao.settlement, opening)], "Retrain.")
    _execute(dao, key, params, advance, keeper)
    assert int(dao.settlement.current_epoch()) == 2

    register(dao, bob, CIDS[1])
    advance(params.contribution_period)
    commit(dao, operator, [(bob.address, 10 * ETHER)], epoch=2)  # an honest report
    bond = params.challenge_bond
    first = int(dao.settlement.challenge_count()) + 1
    dao.settlement.challenge(2, "QmBaseless", value=bond, sender=mallory)  # in the window
    resolve_by = int(dao.settlement.epochs(2).resolve_by)

    # Governance rejects it at once: proposal, vote, queue; the eta is public.
    reject = dao.settlement.resolve_challenge.encode_input(first, False)
    reject_first, _ = _propose_and_pass(dao, alice, chain, [(dao.settlement, reject)], "Reject 1.")
    dao.governor.queue(*reject_first, sender=keeper)

    # Before the eta (front-running the execution is not even needed) mallory files a second
    # baseless challenge: the window is over, but challenge 1 is pending, so it is accepted.
    advance(params.timelock_delay - 60)
    assert chain.pending_timestamp < resolve_by - params.timelock_delay  # too late to judge
    second = int(dao.settlement.challenge_count()) + 1
    dao.settlement.challenge(2, "QmBaselessToo", value=bond, sender=mallory)
    advance(60)
    dao.governor.execute(*reject_first, sender=keeper)  # challenge 1 rejected: its bond to holders
    assert dao.settlement.challenges(first).status == 3

    # Governance tries just as fast for challenge 2; its eta lands after resolve_by.
    reject = dao.settlement.resolve_challenge.encode_input(second, False)
    reject_second, _ = _propose_and_pass(dao, alice, chain, [(dao.settlement, reject)], "Reject 2.")
    dao.governor.queue(*reject_second, sender=keeper)
    advance(params.timelock_delay)
    try:
        dao.governor.execute(*reject_second, sender=keeper)
    except Exception:  # noqa: BLE001 - "settlement: resolution deadline passed", inside the Timelock
        pass
    assert dao.settlement.challenges(second).status == 1  # still pending: governance was too slow
    try:
        dao.settlement.void_epoch(2, sender=mallory)
    except Exception:  # noqa: BLE001 - a refused void is the behaviour we want
        pass
    assert int(dao.settlement.epochs(2).status) != VOID, (
        "a baseless challenge filed after the window voided an honest report that governance "
        f"rejected challenges of as fast as it can (challenge {second} refundable: "
        f"{int(dao.settlement.challenges(second).status) == 1})"
    )

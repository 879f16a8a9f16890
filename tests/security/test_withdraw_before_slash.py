"""The escape "withdraw before anyone executes the slash" is closed: a stake can be requested for
withdrawal only once its epoch is settled, and completes only an unbonding period later, so every
slash of a final report is executable (by anyone: holders, who receive it, or the operator's
pipeline) for at least `unbonding_period` before any withdrawal of that epoch's stakes completes;
a pending withdrawal stays slashable."""

from __future__ import annotations

import ape

from tests.security.conftest import CIDS, ETHER, commit, register


def test_a_slash_lands_before_the_stake_can_leave(dao, roles, params, advance):
    alice, keeper = roles["alice"], roles["keeper"]
    cid = register(dao, alice, CIDS[0], stake=ETHER)
    advance(params.contribution_period)
    slash = ETHER // 10
    _, stree = commit(dao, roles["operator"], [(alice.address, ETHER)], [(cid, slash)])
    with ape.reverts("registry: epoch not settled"):  # no withdrawal request before settlement
        dao.registry.request_withdrawal(cid, sender=alice)
    advance(params.challenge_window)
    dao.settlement.finalize(1, sender=keeper)
    dao.registry.request_withdrawal(cid, sender=alice)  # at once, in the block after finality
    with ape.reverts("registry: still unbonding"):
        dao.registry.withdraw(cid, sender=alice)
    advance(params.unbonding_period - 10)
    with ape.reverts("registry: still unbonding"):
        dao.registry.withdraw(cid, sender=alice)
    dao.settlement.execute_slash(1, cid, slash, stree.proof(0), sender=keeper)  # still in time
    advance(10)
    before = alice.balance
    receipt = dao.registry.withdraw(cid, sender=alice)
    assert alice.balance == before + ETHER - slash - receipt.total_fees_paid

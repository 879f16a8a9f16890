"""Finding 7 (low): the slash cap applied per leaf, so five leaves (id, cap - k) slashed almost the
whole stake. Now the cap bounds the running total slashed from a contribution in its epoch."""

from __future__ import annotations

import ape

from tests.security.conftest import CIDS, ETHER, commit, register


def test_several_leaves_cannot_slash_more_than_the_cap(dao, roles, params, advance):
    alice, keeper = roles["alice"], roles["keeper"]
    stake = 10 * ETHER
    victim = register(dao, alice, CIDS[0], stake=stake)
    advance(params.contribution_period)
    cap = stake * dao.settlement.slash_cap_bps() // 10_000
    leaves = [(victim, cap - k) for k in range(5)]
    _, stree = commit(dao, roles["operator"], [(alice.address, ETHER)], leaves)
    advance(params.challenge_window)
    dao.settlement.finalize(1, sender=keeper)
    proofs = {leaf: stree.proof(i) for i, leaf in enumerate(leaves)}
    dao.settlement.execute_slash(1, victim, cap - 1, proofs[(victim, cap - 1)], sender=keeper)
    for k in (0, 2, 3, 4):
        with ape.reverts("settlement: slash above the cap"):
            dao.settlement.execute_slash(1, victim, cap - k, proofs[(victim, cap - k)], sender=keeper)
    assert dao.registry.contributions(victim).slashed == cap - 1 <= cap
    assert dao.settlement.slashed_total(victim) == cap - 1

"""A stranger's review (helper S): without a guardian, anyone keeps epoch 1 from becoming final, for free.

`dao deploy` deploys no guardian unless `--guardian` is given (`DeployParams.guardian = None`, the
CLI's "default: none"). Before the first final epoch nobody holds a share, so governance cannot
propose, let alone resolve a challenge; with no guardian there is no resolver at all. The stated
default for an unjudged challenge is a void with every bond refunded (docs/security.md, "nobody
judged, so nobody is punished"), so a griefer challenges every report of epoch 1, waits for
`resolve_by`, voids, takes its bond back, and does the same to every reopened epoch: the DAO never
gets its first shares, and the griefer pays only gas.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from dao.data.recipe import single_model_recipe
from tests.security.conftest import ANCHOR, CIDS, ETHER, RECIPE, commit, register


@pytest.fixture
def dao(create_dao, roles, params):
    """The DAO as `dao deploy` makes it by default: no guardian."""
    genesis = single_model_recipe(ANCHOR, 1000 * ETHER).to_json()
    settings = {**asdict(params), "guardian": None}
    return create_dao(roles["deployer"], roles["operator"], recipe=genesis, recipe_cid=RECIPE, **settings)


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="finding: free griefing of the bootstrap")
def test_stranger_an_unjudgeable_challenge_costs_the_griefer_its_bond(dao, roles, params, advance):
    alice, mallory, operator = roles["alice"], roles["mallory"], roles["operator"]
    assert not dao.settlement.guardian_active()
    spent = 0
    for epoch in (1, 2, 3):
        register(dao, alice, CIDS[epoch % 2])
        advance(params.contribution_period)
        commit(dao, operator, [(alice.address, 100 * ETHER)], epoch=epoch)  # an honest report
        challenge_id = int(dao.settlement.challenge_count()) + 1
        dao.settlement.challenge(epoch, "QmNoReason", value=params.challenge_bond, sender=mallory)
        spent += params.challenge_bond
        advance(params.challenge_window + params.resolution_period)  # nobody can judge it
        dao.settlement.void_epoch(epoch, sender=mallory)
        dao.settlement.refund_challenge(challenge_id, sender=mallory)
        dao.settlement.reopen(sender=mallory)
    returned = int(dao.settlement.bonds_owed(mallory))
    assert not any(dao.settlement.is_final(e) for e in (1, 2, 3))
    assert returned < spent, (
        f"three epochs voided; the griefer got back {returned} of its {spent} wei of bonds"
    )

"""The governed loop on the in-process chain: deploy, epoch 1 settles, holders retrain by proposal."""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

from dao.chain.cids import cid_parts
from dao.chain.deploy import DeployParams
from dao.chain.units import ETHER
from dao.data.recipe import single_model_recipe
from dao.holders.contribute import register_contribution
from governance.builders import retrain
from valuation.merkle import mint_tree

DATA_CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
RECIPE_CID = "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d"
REPORT_CID = "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie"


def _recipe_bytes(emission: int = 1000 * ETHER) -> bytes:
    return single_model_recipe(DATA_CID, emission).to_json()


def _advance(chain, seconds=0, blocks=1):
    chain.pending_timestamp += seconds
    chain.mine(blocks)


def _settle_epoch_one(dao, accounts, chain, mints) -> None:
    """Register, commit `mints` as the report, finalize and claim every leaf."""
    params = DeployParams.for_tests()
    register_contribution(dao.registry, 0, DATA_CID, ETHER, accounts[2])
    _advance(chain, params.contribution_period)
    tree = mint_tree(mints)
    total = sum(amount for _, amount in mints)
    dao.settlement.commit(
        1,
        *cid_parts(REPORT_CID),
        b"\x01" * 32,
        tree.root,
        total,
        b"\x00" * 32,
        value=params.operator_bond,
        sender=accounts[1],
    )
    _advance(chain, params.challenge_window)
    dao.settlement.finalize(1, sender=accounts[2])
    for index, (account, amount) in enumerate(mints):
        dao.settlement.claim_shares(1, account, amount, tree.proof(index), sender=accounts[2])
    _advance(chain)


@pytest.fixture
def dao(create_dao):
    return create_dao(recipe=_recipe_bytes(), recipe_cid=RECIPE_CID)


def test_governance_owns_everything_after_deployment(dao, accounts):
    timelock = dao.timelock.address
    for contract in (dao.shares, dao.registry, dao.settlement, dao.market):
        assert contract.owner() == timelock
    assert not dao.timelock.hasRole(dao.timelock.DEFAULT_ADMIN_ROLE(), accounts[0])
    assert dao.timelock.hasRole(dao.timelock.PROPOSER_ROLE(), dao.governor)
    with ape.reverts("ownable: caller is not the owner"):
        dao.settlement.open_epoch(RECIPE_CID, b"\x00" * 32, sender=accounts[0])
    assert dao.settlement.current_epoch() == 1


def test_epoch_one_settles_then_holders_retrain_through_the_timelock(dao, accounts, chain):
    alice, bob, carol = accounts[2], accounts[3], accounts[4]
    params = DeployParams.for_tests()
    mints = [(alice.address, 600 * ETHER), (bob.address, 300 * ETHER), (carol.address, 100 * ETHER)]
    _settle_epoch_one(dao, accounts, chain, mints)

    recipe = _recipe_bytes(emission=500 * ETHER)
    draft = retrain(dao, RECIPE_CID, recipe, note="Halve the emission.")
    dao.governor.propose(draft.targets, draft.values, draft.calldatas, draft.description, sender=bob)
    proposal_id = dao.governor.hashProposal(
        draft.targets, draft.values, draft.calldatas, draft.description_hash
    )
    assert dao.governor.state(proposal_id) == 0  # Pending
    with ape.reverts("governor: vote not currently active"):
        dao.governor.castVote(proposal_id, 1, sender=alice)
    _advance(chain, blocks=params.voting_delay + 1)

    # A flash-loan-style move after the snapshot: carol's borrowed shares carry no weight.
    dao.shares.transfer(carol, 500 * ETHER, sender=alice)
    dao.delegate(carol)
    weight = dao.governor.castVote(proposal_id, 0, sender=carol)
    assert dao.governor.proposalVotes(proposal_id)[0] == 100 * ETHER
    dao.shares.transfer(alice, 500 * ETHER, sender=carol)
    dao.governor.castVoteWithReason(proposal_id, 1, "more data next time", sender=alice)
    dao.governor.castVote(proposal_id, 1, sender=bob)
    with ape.reverts("governor: vote already cast"):
        dao.governor.castVote(proposal_id, 1, sender=bob)
    assert weight is not None
    assert dao.governor.proposalVotes(proposal_id) == (100 * ETHER, 900 * ETHER, 0)

    with ape.reverts("governor: proposal not successful"):
        dao.governor.queue(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=bob)
    _advance(chain, blocks=params.voting_period)
    assert dao.governor.state(proposal_id) == 4  # Succeeded
    dao.governor.queue(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=bob)
    with ape.reverts("governor: timelock not ready"):
        dao.governor.execute(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=bob)
    _advance(chain, params.timelock_delay)
    dao.governor.execute(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=bob)
    assert dao.governor.state(proposal_id) == 7  # Executed
    assert dao.settlement.current_epoch() == 2
    assert dao.settlement.epochs(2).params_hash == keccak(recipe)


def test_a_defeated_proposal_cannot_be_queued_and_small_holders_cannot_propose(dao, accounts, chain):
    params = DeployParams.for_tests()
    alice, bob = accounts[2], accounts[3]
    _settle_epoch_one(dao, accounts, chain, [(alice.address, 900 * ETHER), (bob.address, ETHER // 2)])
    draft = retrain(dao, RECIPE_CID, _recipe_bytes())
    with ape.reverts("governor: proposer votes below threshold"):
        dao.governor.propose(draft.targets, draft.values, draft.calldatas, draft.description, sender=bob)
    dao.governor.propose(draft.targets, draft.values, draft.calldatas, draft.description, sender=alice)
    with ape.reverts("governor: proposer has a live proposal"):
        dao.governor.propose(
            draft.targets, draft.values, draft.calldatas, draft.description + " v2", sender=alice
        )
    proposal_id = dao.governor.hashProposal(
        draft.targets, draft.values, draft.calldatas, draft.description_hash
    )
    _advance(chain, blocks=params.voting_delay + 1)
    dao.governor.castVote(proposal_id, 0, sender=alice)
    _advance(chain, blocks=params.voting_period)
    assert dao.governor.state(proposal_id) == 3  # Defeated
    with ape.reverts("governor: proposal not successful"):
        dao.governor.queue(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=alice)
    with ape.reverts("governor: proposal already exists"):
        dao.governor.propose(draft.targets, draft.values, draft.calldatas, draft.description, sender=alice)

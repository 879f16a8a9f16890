"""Finding 2 (issue 15): the first epoch-1 claimant captured governance.

On main f357bc8 quorum was 10% of the *claimed* supply: Alice (a 1% leaf) claimed, proposed in the
next block and passed `set_minter(alice)` alone. The Governor's quorum is the fraction in force at
creation times the token's `getPastTotalSupply` at the snapshot; once final epochs' allocations count
in the total supply from finality (helper B's allocated pool), quorum counts committed shares and
claim order no longer matters. The proposal threshold is an absolute number of votes (a spam
filter, 1 share by default), independent of claim order. The deployed voting delay is ~1 day of
blocks (7,200) so holders can claim and delegate before a snapshot; `--fast` keeps 1 block.
"""

from __future__ import annotations

from eth_utils import keccak

from dao.chain.cids import cid_parts
from dao.chain.deploy import DeployParams
from tests.unit.contracts.governance_fixtures import (
    DEFEATED,
    ETHER,
    SUCCEEDED,
    ZERO,
    Proposal,
    delegate,
    deploy_governance,
    deploy_votes_token,
    mine_to,
)


def test_a_holder_below_quorum_of_committed_shares_cannot_pass_alone(project, accounts, chain):
    """Committed supply simulated at the token: 1% claimed by alice, 99% allocated but unclaimed
    (held by a pool that delegates to nobody), as after helper B's change."""
    deployer, minter, alice, pool, bob = accounts[0], accounts[9], accounts[1], accounts[2], accounts[3]
    token = deploy_votes_token(project, deployer, minter)
    gov = deploy_governance(project, deployer, token, threshold=ETHER, quorum_bps=1_000)
    token.mint(pool, 990_000 * ETHER)
    delegate(token.contract, pool, ZERO)  # the allocated pool carries no votes
    token.mint(alice, 10_000 * ETHER)  # alice claims her 1% leaf
    chain.mine(1)

    grab = Proposal.of([(gov.target, "set_value", (666,), 0)], "Alice takes the mint.")
    gov.governor.propose(*grab.propose_args(), sender=alice)
    mine_to(chain, gov.governor.proposalSnapshot(grab.id))
    gov.governor.castVote(grab.id, 1, sender=alice)
    mine_to(chain, gov.governor.proposalDeadline(grab.id))
    chain.mine(1)
    assert gov.governor.proposal_quorum(grab.id) == 100_000 * ETHER  # 10% of committed, not claimed
    assert gov.governor.state(grab.id) == DEFEATED

    # Holders who claim (and so delegate) before the snapshot can pass a proposal together.
    token.contract.transfer(bob, 95_000 * ETHER, sender=pool)
    delegate(token.contract, bob, bob)
    chain.mine(1)
    fair = Proposal.of([(gov.target, "set_value", (7,), 0)], "A proposal holders back.")
    gov.governor.propose(*fair.propose_args(), sender=bob)
    mine_to(chain, gov.governor.proposalSnapshot(fair.id))
    gov.governor.castVote(fair.id, 1, sender=alice)
    gov.governor.castVote(fair.id, 1, sender=bob)
    mine_to(chain, gov.governor.proposalDeadline(fair.id))
    chain.mine(1)
    assert gov.governor.state(fair.id) == SUCCEEDED


def test_deployed_voting_delay_is_a_day_and_fast_keeps_short_windows():
    assert DeployParams().voting_delay == 7_200  # ~1 day at 12 s
    assert DeployParams.for_tests().voting_delay == 1  # `dao deploy --fast`, the demo
    assert DeployParams().quorum_bps == 1_000


def test_first_claimant_of_epoch_one_cannot_pass_a_proposal_alone(project, accounts, chain, tmp_path):
    """The audit's attack on the wired DAO: alice claims her 1% leaf first and votes alone."""
    from dao.chain.bindings import DAO
    from dao.storage import EmbeddedStorage
    from tests.unit.governance.epoch_one import REPORT_CID, deploy_with_genesis
    from valuation.merkle import mint_tree

    deployment = deploy_with_genesis(
        project, accounts, "ethereum:local:test", EmbeddedStorage(tmp_path / "ipfs")
    )
    dao = DAO(deployment, project)
    alice, operator = accounts[2], accounts[1]
    others = [accounts[i].address for i in range(3, 8)]
    mints = [(alice.address, 10_000 * ETHER)] + [(a, 198_000 * ETHER) for a in others]
    tree = mint_tree(mints)
    chain.pending_timestamp += int(dao.settlement.contribution_period())
    chain.mine(1)
    dao.settlement.commit(
        1,
        *cid_parts(REPORT_CID),
        b"\x01" * 32,
        tree.root,
        sum(a for _, a in mints),
        b"\x00" * 32,
        value=int(dao.settlement.operator_bond()),
        sender=operator,
    )
    chain.pending_timestamp += int(dao.settlement.challenge_window())
    chain.mine(1)
    dao.settlement.finalize(1, sender=alice)
    dao.settlement.claim_shares(1, alice, 10_000 * ETHER, tree.proof(0), sender=alice)
    chain.mine(1)

    calldata = bytes(dao.shares.set_minter.encode_input(alice.address))
    description = f"Alice takes the mint.\n\n#proposer={alice.address}"
    args = ([dao.shares.address], [0], [calldata])
    dao.governor.propose(*args, description, sender=alice)
    pid = dao.governor.hashProposal(*args, keccak(text=description))
    mine_to(chain, dao.governor.proposalSnapshot(pid))
    dao.governor.castVote(pid, 1, sender=alice)
    mine_to(chain, dao.governor.proposalDeadline(pid))
    chain.mine(1)
    assert dao.governor.proposal_quorum(pid) == 100_000 * ETHER  # 10% of the committed 1,000,000
    assert dao.governor.state(pid) == DEFEATED

"""A live-scored epoch through the real governance path, on the in-process chain (issue 20).

The DAO is deployed as `dao deploy` deploys it (`deploy_dao`: every contract owned by the Timelock,
the deployer keeps nothing). Epoch 1 is a real static epoch (run, committed, finalized, claimed), so
its contributors hold shares and can vote. They pass a retrain proposal built by
`governance.builders.retrain` with a live recipe; its execution makes the Timelock call
`OutcomeBoard.open_live_epoch`. Then the operator's `run_epoch` steps: commit the metamodel, the
reporter posts outcome rows, the period ends, the epoch is valued and its report committed.
A post challenge is then upheld by a second governance vote (the Timelock calls
`resolve_post_challenge`): the report stands, `dao verify` recomputes it and finds it matches, it is
finalized and its shares claimed.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from eth_utils import keccak

from dao.chain.bindings import DAO
from dao.chain.deploy import DeployParams, deploy_dao
from dao.chain.enums import EpochStatus
from dao.chain.epochs import epoch_status
from dao.epoch.pipeline import finalize_epoch, run_epoch
from dao.epoch.verify import verify_epoch
from dao.holders.claims import claim_everything
from dao.holders.contribute import register_contribution
from dao.outcomes.chain import live_state, post_outcomes
from governance.builders import Action, ProposalDraft, retrain
from tests.unit.dao.test_epoch_meta_learner import _csv, _rows, epoch_files

pytestmark = pytest.mark.slow
PARAMS = DeployParams.for_tests()
RESOLUTION_BLOCKS, MIN_ROWS = 8, 40
CONTRIBUTORS = range(10, 16)  # TEST::10..15: three providers, three builders


def _advance(chain, seconds: int = 0, blocks: int = 1) -> None:
    chain.pending_timestamp += seconds
    chain.mine(blocks)


def _pass(dao, chain, draft, holders) -> None:
    """Propose `draft` (the largest holder), every holder votes for, queue, wait, execute."""
    proposer = holders[0]
    dao.governor.propose(draft.targets, draft.values, draft.calldatas, draft.description, sender=proposer)
    proposal = dao.governor.hashProposal(draft.targets, draft.values, draft.calldatas, draft.description_hash)
    _advance(chain, blocks=PARAMS.voting_delay + 1)
    for holder in holders:
        if int(dao.shares.balanceOf(holder)):
            dao.governor.castVote(proposal, 1, sender=holder)
    _advance(chain, blocks=PARAMS.voting_period)
    dao.governor.queue(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=proposer)
    _advance(chain, PARAMS.timelock_delay)
    dao.governor.execute(
        draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=proposer
    )
    assert dao.governor.state(proposal) == 7  # Executed


def _register(dao, accounts, storage, contents) -> None:
    """Register (kind, bytes, stake) contents, one contributor each, in order."""
    for index, (kind, content, stake) in zip(CONTRIBUTORS, contents, strict=True):
        register_contribution(dao.registry, kind, storage.add(content), stake, accounts[index])


def test_a_live_epoch_opened_by_a_governance_vote_runs_to_claimed_shares(
    project, accounts, chain, tmp_path, monkeypatch
):
    monkeypatch.setenv("DAO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DAO_IPFS_DIR", str(tmp_path / "ipfs"))
    monkeypatch.delenv("DAO_IPFS_API", raising=False)
    operator, reporter = accounts[1], accounts[7]

    # Epoch 1: a static genesis epoch, run for real, so that its contributors hold shares.
    storage, genesis_cid, genesis, contributions, validation = epoch_files(tmp_path)
    deployment = deploy_dao(
        project,
        accounts[0],
        operator,
        "ethereum:local:test",
        PARAMS,
        (genesis_cid, keccak(genesis.to_json())),
    )
    dao = DAO(deployment, project)
    assert dao.outcomes.owner() == dao.timelock.address == dao.settlement.owner()
    _register(dao, accounts, storage, [(c.kind, storage.get(c.cid), c.stake) for c in contributions])
    _advance(chain, PARAMS.contribution_period)
    assert run_epoch(dao, storage, operator, 1, validation).committed_now
    _advance(chain, PARAMS.challenge_window)
    finalize_epoch(dao, operator, 1)
    holders = [accounts[i] for i in CONTRIBUTORS]
    for holder in holders:
        claim_everything(dao, storage, holder)
    _advance(chain)  # votes are checkpointed: the claims' block must be in the past
    holders = sorted(holders, key=lambda h: -int(dao.shares.balanceOf(h)))
    assert int(dao.shares.balanceOf(holders[0])) > 0

    # A retrain proposal with a live recipe (its own hold-out), voted, queued and executed.
    validation_2 = _csv(_rows(300, 11))
    live = replace(
        genesis,
        validation_commitment="0x" + keccak(validation_2).hex(),
        scoring="live",
        resolution_blocks=RESOLUTION_BLOCKS,
        min_resolved_rows=MIN_ROWS,
        max_extensions=1,
        meta_learner="stake_weighted",
        outcome_reporter=reporter.address,
        notes="epoch 2: scored live on outcomes posted after the metamodel commitment",
    ).validate()
    recipe_bytes = live.to_json()
    draft = retrain(dao, storage.add(recipe_bytes), recipe_bytes, note="Score epoch 2 live.")
    assert [str(t) for t in draft.targets] == [dao.outcomes.address]
    _pass(dao, chain, draft, holders)
    assert int(dao.settlement.current_epoch()) == 2 and dao.settlement.is_live(2)
    terms = dao.outcomes.live_epochs(2)
    assert (terms.reporter, int(terms.resolution_blocks), int(terms.min_resolved_rows)) == (
        reporter.address,
        RESOLUTION_BLOCKS,
        MIN_ROWS,
    )
    assert int(terms.reporter_bond) == PARAMS.reporter_bond

    # Epoch 2: fresh data sets, the same model specs; the operator's live steps.
    contents = [(0, _csv(_rows(150, seed)), 10**17) for seed in (12, 13, 14)]
    contents += [(c.kind, storage.get(c.cid), c.stake) for c in contributions[3:]]
    _register(dao, accounts, storage, contents)
    _advance(chain, PARAMS.contribution_period)
    committed = run_epoch(dao, storage, operator, 2, validation_2)
    state = live_state(dao, 2)
    assert committed.report is None and state.metamodel_block > 0
    assert committed.note.startswith(f"epoch 2: metamodel committed at block {state.metamodel_block}")
    for seed in (21, 22):
        post_outcomes(dao, storage, reporter, 2, _csv(_rows(30, seed)))
    _advance(chain, blocks=live_state(dao, 2).resolution_end - chain.blocks.height)
    run = run_epoch(dao, storage, operator, 2, validation_2)
    assert run.committed_now and run.report.scoring["mode"] == "live"
    assert run.report.scoring["accepted_rows"] == 60
    assert [p["n_rows"] for p in run.report.inputs["live"]["posts"]] == [30, 30]
    assert json.loads(storage.get(run.report_cid))["scoring"]["meta_learner"] == "stake_weighted"

    # After the commit, a post is challenged and governance upholds the challenge: the post stops
    # counting and the reporter's bond goes to the challenger, but the committed report stands and
    # verifies (`dao verify` judges it against the board at its commit: docs/live_scoring.md).
    challenger = accounts[8]
    first = live_state(dao, 2).posts[0]
    bond = int(dao.settlement.challenge_bond())
    receipt = dao.outcomes.challenge_post(first.post_id, genesis.anchor_cid, value=bond, sender=challenger)
    challenge_id = int(receipt.decode_logs(dao.outcomes.PostChallenged)[0].challenge_id)
    call = bytes(dao.outcomes.resolve_post_challenge.encode_input(challenge_id, True))
    verdict = ProposalDraft(
        "post-challenge",
        f"Uphold post challenge {challenge_id}",
        (Action(dao.outcomes.address, 0, call, f"outcomes.resolve_post_challenge({challenge_id}, True)"),),
    )
    _pass(dao, chain, verdict, holders)
    after = live_state(dao, 2)
    assert after.posts[0].excluded and after.resolved_rows == 30 and after.bond_held == 0
    assert int(dao.outcomes.bonds_owed(challenger)) == bond + PARAMS.reporter_bond
    assert epoch_status(dao, 2) == EpochStatus.COMMITTED
    verified = verify_epoch(dao, storage, 2)
    assert verified.match, verified.differences
    assert [note.split(" (")[0] for note in verified.board_notes] == [f"post {first.post_id}"]

    _advance(chain, PARAMS.challenge_window)
    finalize_epoch(dao, operator, 2)
    assert epoch_status(dao, 2) == EpochStatus.FINAL
    minted = {account: int(amount) for account, amount in run.report.allocation.items()}
    assert sum(minted.values()) == int(dao.settlement.epochs(2).total_mint) > 0
    for holder in [accounts[i] for i in CONTRIBUTORS]:
        claimed = claim_everything(dao, storage, holder)
        assert claimed.shares.get(2, 0) == minted.get(holder.address, 0)

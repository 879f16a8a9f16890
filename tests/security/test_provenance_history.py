"""Provenance across epochs on the in-process chain (issue 18): after epoch 1 is final, a stranger
re-registers a provider's epoch-1 data and another sells back the hold-out set epoch 1 revealed;
the operator's pipeline gathers that history from the chain, both earn nothing, the first
committer is credited in the report, and `dao verify` gathers the same history and recomputes it."""

from __future__ import annotations

import pytest
from rich.console import Console

from dao.data.sealing import load_or_create_operator_key
from dao.epoch.history import committed_reports, gather_history, reports_from_events
from dao.epoch.verify import verify_epoch
from dao.holders.contribute import contribute
from dao.storage import EmbeddedStorage
from demo import story as demo

pytestmark = pytest.mark.slow
EPOCH_1 = ["provider 0", "provider 1", "provider 4", "provider 6", "builder 0", "builder 1", "builder 2"]
EPOCH_2 = ["provider 1", "provider 4", "provider 6", "builder 0", "builder 2"]


def open_epoch_2(dao, storage, params, outcome) -> None:
    """The demo's retrain proposal (same recipe, a new note), voted for by every holder."""
    from dao.data.recipe import Recipe
    from governance.builders import retrain

    old = Recipe.from_json(storage.get(dao.settlement.epochs(1).recipe_cid))
    new_bytes = Recipe(**{**old.__dict__, "notes": "epoch 2"}).validate().to_json()
    draft = retrain(dao, storage.add(new_bytes), new_bytes, note="Epoch 2.")
    holders = [a for a in outcome.cast.values() if int(dao.shares.balanceOf(a))]
    dao.governor.propose(draft.targets, draft.values, draft.calldatas, draft.description, sender=holders[0])
    proposal = dao.governor.hashProposal(draft.targets, draft.values, draft.calldatas, draft.description_hash)
    demo._advance(blocks=params.voting_delay + 1)
    for holder in holders:
        dao.governor.castVote(proposal, 1, sender=holder)
    demo._advance(blocks=params.voting_period)
    dao.governor.queue(
        draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=holders[0]
    )
    demo._advance(params.timelock_delay)
    dao.governor.execute(
        draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=holders[0]
    )
    assert int(dao.settlement.current_epoch()) == 2


@pytest.fixture(scope="module")
def two_epochs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("history")
    patch = pytest.MonkeyPatch()
    patch.setenv("DAO_STATE_DIR", str(tmp / "state"))
    patch.setenv("DAO_IPFS_DIR", str(tmp / "ipfs"))
    patch.delenv("DAO_IPFS_API", raising=False)
    try:
        storage = EmbeddedStorage(tmp / "ipfs")
        key = load_or_create_operator_key(tmp / "state" / "operator.key")
        console = Console(quiet=True)
        artifacts = demo.build_demo_artifacts()
        outcome = demo.Outcome(roles={**artifacts.roles, "client 0": "client", "client 1": "client"})
        outcome.cast = demo.cast_of(artifacts.roles)
        dao, params = demo.stage_deploy(console, storage, "ethereum:local:test", key)
        demo.stage_contribute(console, dao, storage, outcome, 1, EPOCH_1)
        demo.stage_run_epoch(console, dao, storage, params, outcome, 1, key)
        demo.stage_settle(console, dao, storage, params, outcome, 1)
        open_epoch_2(dao, storage, params, outcome)
        demo.stage_contribute(console, dao, storage, outcome, 2, EPOCH_2)
        # The same bytes (and CID) provider 0 registered in epoch 1, now under a stranger's name.
        _, epoch_1_data = demo._artifact(artifacts, "provider 0", 1)
        stranger, seller = outcome.cast["provider 2"], outcome.cast["provider 5"]
        copied = contribute(dao, storage, "data", epoch_1_data, demo.STAKE, stranger)
        holdout = storage.get(outcome.reports[1].inputs["validation_cid"])
        sold = contribute(dao, storage, "data", holdout, demo.STAKE, seller)
        shares_before = int(dao.shares.balanceOf(outcome.cast["provider 0"]))
        demo.stage_run_epoch(console, dao, storage, params, outcome, 2, key)
        yield dao, storage, bytes(key), outcome, copied.id, sold.id, shares_before
    finally:
        patch.undo()


def test_a_stranger_re_registering_earlier_data_and_a_hold_out_seller_earn_nothing(two_epochs):
    dao, _, _, outcome, copied, sold, _ = two_epochs
    report = outcome.reports[2]
    values = {p["name"]: p["value"] for p in report.data_values["players"]}
    assert values[f"#{copied}"] == 0.0 and values[f"#{sold}"] == 0.0
    for who in ("provider 2", "provider 5"):
        assert outcome.cast[who].address not in report.allocation
    assert str(copied) not in report.slashes and str(sold) not in report.slashes
    honest = [values[f"#{outcome.contribution_ids[(2, n)]}"] for n in EPOCH_2 if n.startswith("provider")]
    assert min(honest) > 0


def test_the_first_committer_is_credited_and_keeps_its_earlier_shares(two_epochs):
    dao, _, _, outcome, copied, sold, shares_before = two_epochs
    first = outcome.contribution_ids[(1, "provider 0")]
    records = {r["contribution"]: r for r in outcome.reports[2].data_values["provenance"]["providers"]}
    (credit,) = records[copied]["credited_elsewhere"]
    assert credit["source"] == f"epoch 1 #{first}" and credit["kind"] == "exact"
    assert credit["owner"] == outcome.cast["provider 0"].address
    assert records[copied]["kept_rows"] == 0
    assert {c["source"] for c in records[sold]["credited_elsewhere"]} == {"epoch 1 hold-out"}
    assert all(c["owner"] is None for c in records[sold]["credited_elsewhere"])
    assert int(dao.shares.balanceOf(outcome.cast["provider 0"])) == shares_before > 0


def test_the_history_is_gathered_from_the_chain_and_verify_recomputes_it(two_epochs):
    dao, storage, key, outcome, _, _, _ = two_epochs
    history = gather_history(dao, storage, 2)
    epoch_1 = outcome.reports[1]
    # Every data set the final report names, in commit order: accepted ones paid, rejected unpaid.
    named = [c for c in epoch_1.inputs["contributions"] if c["kind"] == 0]
    assert [h.name for h in history] == ["epoch 1 hold-out", *[f"epoch 1 #{c['id']}" for c in named]]
    assert [h.owner for h in history] == [None, *[c["contributor"] for c in named]]
    assert [h.paid for h in history[1:]] == [str(c["id"]) not in epoch_1.rejected for c in named]
    assert outcome.reports[2].inputs["history"] == [h.to_dict() for h in history]
    assert gather_history(dao, storage, 1) == []
    # Every earlier report still stands: read from the epochs' records, as the events say.
    assert committed_reports(dao, 2) == reports_from_events(dao, 2) == {1: [outcome.report_cids[1]]}
    result = verify_epoch(dao, storage, 2, key)
    assert result.match and result.byte_identical, result.differences

"""A stranger's review (helper S): a voided report's revealed hold-out set is sold back in the reopened epoch.

A committed report reveals the epoch's hold-out set (`inputs.validation_cid`). Issue 18 makes a
revealed hold-out history, so rows copied from it earn nothing later. But history is gathered from
the chain (`dao.epoch.pipeline.gather_history`), and voiding an epoch clears its report's CID
(`EpochSettlement._clear_report`), so a hold-out revealed by a report that was later upheld against
or voided is not in any later epoch's history. And `reopen()` (anyone, while no epoch was ever
final) restarts the *same* recipe, i.e. the same `validation_commitment`: the reopened epoch is
valued on the very hold-out set that everyone has read. A contributor who registers those rows as
its data set in the reopened epoch is valued on its own validation rows.

Sequence (bootstrap, no governance needed): epoch 1's report is committed (hold-out revealed), a
challenge is upheld and the operator does not re-commit before the commit deadline (or the
guardian voids, or a challenge stays unjudged), a keeper voids and reopens; the attacker registers
the hold-out rows in epoch 2.

Fixed: history is read from the `EpochCommitted` events (which persist) rather than the report
slot that voiding clears (`dao.epoch.history.gather_history`): every report ever committed reveals
its hold-out into every later epoch's history, and a voided epoch's registrations are history too.
"""

from __future__ import annotations

import pytest

from dao.chain.cids import cid_parts
from dao.data.examples import build_demo_artifacts
from dao.epoch.history import committed_reports, gather_history, reports_from_events
from dao.epoch.valuation import EpochError
from dao.storage import EmbeddedStorage
from tests.security.conftest import CIDS, register
from tests.security.test_provenance_epoch import HONEST, account, value
from valuation.merkle import mint_tree
from valuation.report import ValuationReport


@pytest.fixture(scope="module")
def artifacts():
    return build_demo_artifacts()


def publish_report(storage, epoch: int, validation_cid: str, contributions=()) -> str:
    """A report (as the operator publishes it) whose inputs reveal `validation_cid`; its CID."""
    inputs = {"validation_cid": validation_cid, "contributions": list(contributions)}
    report = ValuationReport(
        epoch=epoch, inputs=inputs, data_values={"players": []}, model_values={}, metamodel_score=0.0
    )
    return storage.add(report.to_json())


def commit(dao, operator, report_cid: str, mints, epoch: int = 1):
    mtree = mint_tree(list(mints))
    dao.settlement.commit(
        epoch,
        *cid_parts(report_cid),
        b"\x01" * 32,
        mtree.root,
        sum(a for _, a in mints),
        b"\x00" * 32,
        value=dao.settlement.operator_bond(),
        sender=operator,
    )


def test_stranger_a_voided_reports_hold_out_earns_nothing_in_the_reopened_epoch(
    dao, roles, params, advance, tmp_path, artifacts
):
    alice, keeper, guardian, operator = roles["alice"], roles["keeper"], roles["guardian"], roles["operator"]
    storage = EmbeddedStorage(tmp_path / "chain-ipfs")
    hold_out = storage.add(artifacts.validation_csv)
    register(dao, alice, CIDS[0])
    advance(params.contribution_period)
    # Its report reveals the hold-out set.
    commit(dao, operator, publish_report(storage, 1, hold_out), [(alice.address, 10**18)])
    dao.settlement.challenge(1, "QmWrong", value=params.challenge_bond, sender=keeper)
    dao.settlement.resolve_challenge(1, True, sender=guardian)  # upheld; no re-commit in time
    advance(params.commit_period)
    dao.settlement.void_epoch(1, sender=keeper)
    dao.settlement.reopen(sender=keeper)
    first, second = dao.settlement.epochs(1), dao.settlement.epochs(2)
    assert bytes(second.params_hash) == bytes(first.params_hash)  # the same recipe: the same hold-out

    # What the operator's run (and `dao verify`) of epoch 2 gathers as history: the voided report's
    # hold-out (nobody's), then alice's voided registration (hers, never paid).
    history = gather_history(dao, storage, 2)
    assert [(h.name, h.cid, h.owner, h.paid) for h in history] == [
        ("epoch 1 hold-out", hold_out, None, True),
        ("epoch 1 #1", CIDS[0], alice.address, False),
    ]

    # Epoch 2 valued as the pipeline values it: honest providers, and mallory's data set, which is
    # the revealed hold-out set row for row.
    mallory = account(9)
    data = [(account(k), artifacts.provider_csvs[k]) for k in HONEST] + [(mallory, artifacts.validation_csv)]
    valuation, values = value(tmp_path, artifacts, data, history)
    allocation = {a: int(v) for a, v in valuation.report.allocation.items()}
    share = allocation.get(mallory, 0) / sum(allocation.values())
    best_honest = max(v for name, v in values.items() if name != "#5")
    assert mallory not in allocation, (
        f"the revealed hold-out sold back earns {share:.0%} of the emission "
        f"(value {values['#5']:.4f} vs the best honest provider's {best_honest:.4f})"
    )


def test_every_committed_report_reveals_its_hold_out_and_an_unreadable_one_stops_the_run(
    dao, roles, params, advance, tmp_path, artifacts
):
    """Two rounds of epoch 1 (the first upheld against), then final: both hold-outs are history,
    and only the final report's accepted data. A committed report that cannot be read stops the
    gathering (its hold-out may hold the rows being valued)."""
    alice, bob, keeper, guardian, operator = (
        roles[k] for k in ("alice", "bob", "keeper", "guardian", "operator")
    )
    storage = EmbeddedStorage(tmp_path / "chain-ipfs")
    first_hold_out = storage.add(artifacts.validation_csv)
    second_hold_out = storage.add(artifacts.anchor_csv)  # any other set: the rounds differ
    alice_id, bob_id = register(dao, alice, CIDS[0]), register(dao, bob, CIDS[1])
    advance(params.contribution_period)
    commit(dao, operator, publish_report(storage, 1, first_hold_out), [(alice.address, 10**18)])
    dao.settlement.challenge(1, "QmWrong", value=params.challenge_bond, sender=keeper)
    dao.settlement.resolve_challenge(1, True, sender=guardian)
    contributions = [
        {"id": alice_id, "kind": 0, "cid": CIDS[0], "contributor": alice.address},
        {"id": bob_id, "kind": 0, "cid": CIDS[1], "contributor": bob.address},
    ]
    report_cid = publish_report(storage, 1, second_hold_out, contributions)
    commit(dao, operator, report_cid, [(alice.address, 10**18)])
    advance(params.challenge_window)
    dao.settlement.finalize(1, sender=keeper)
    history = gather_history(dao, storage, 2)
    # Two rounds: the first report stopped standing, so only the events name it.
    assert committed_reports(dao, 2) == reports_from_events(dao, 2) and len(committed_reports(dao, 2)[1]) == 2
    assert [(h.name, h.cid, h.owner, h.paid) for h in history] == [
        ("epoch 1 hold-out", first_hold_out, None, True),
        ("epoch 1 hold-out'", second_hold_out, None, True),
        (f"epoch 1 #{alice_id}", CIDS[0], alice.address, True),
        (f"epoch 1 #{bob_id}", CIDS[1], bob.address, True),
    ]
    with pytest.raises(EpochError, match="epoch 1's report .* cannot be found"):
        gather_history(dao, EmbeddedStorage(tmp_path / "empty"), 2)  # the final report is required
    # The upheld-against report alone missing: skipped (nobody can read what it revealed).
    partial = EmbeddedStorage(tmp_path / "partial")
    for cid in (report_cid, second_hold_out):
        partial.add(storage.get(cid))
    assert [h.name for h in gather_history(dao, partial, 2)] == [
        "epoch 1 hold-out",
        f"epoch 1 #{alice_id}",
        f"epoch 1 #{bob_id}",
    ]

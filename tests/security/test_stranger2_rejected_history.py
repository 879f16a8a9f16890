"""Stranger review 2, finding: data revealed in a *final* epoch but rejected there is nobody's history.

dao/epoch/history.py: "Everything ever revealed counts, not only what was paid ... every registration
revealed its data set's CID", and a voided epoch's data sets stay owned by their first revealer. For a
final epoch, though, `gather_history` keeps only the report's *accepted* data sets. A data set that
was registered (its CID public from then on) and rejected for a reason that is no fault of its rows
(its file briefly not retrievable, a class too rare across that epoch's pool, far from that recipe's
anchor) disappears from the history. In the next epoch a copier who commits the same rows first is
credited for them, and the honest revealer who brings them again is traced to the copier.
"""

from __future__ import annotations

from types import SimpleNamespace

import dao.epoch.history as history
from dao.chain.enums import ContributionKind, EpochStatus

ALICE = "0x" + "a1" * 20
REVEALED = "QmbgxEKzU1AvXcG9NxvU4L5aBiPRE7v7seLcNqKKs2epZ6"  # alice's data set, registered in epoch 1
ACCEPTED = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
REPORT = "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie"


def test_a_data_set_revealed_in_a_final_epoch_stays_its_revealers_history(monkeypatch):
    # Epoch 1 is final; its report lists two data sets and rejects alice's for a transient reason.
    final_report = SimpleNamespace(
        inputs={
            "validation_cid": "QmHoldout",
            "contributions": [
                {"id": 1, "kind": int(ContributionKind.DATA), "cid": REVEALED, "contributor": ALICE},
                {
                    "id": 2,
                    "kind": int(ContributionKind.DATA),
                    "cid": ACCEPTED,
                    "contributor": "0x" + "b2" * 20,
                },
            ],
        },
        rejected={"1": "artifact not retrievable: the provider's node was down"},
    )
    record = SimpleNamespace(status=int(EpochStatus.FINAL))
    dao = SimpleNamespace(settlement=SimpleNamespace(epochs=lambda epoch: record))
    monkeypatch.setattr(history, "committed_reports", lambda dao, before: {1: [REPORT]})
    monkeypatch.setattr(history, "report_cid_of", lambda record: REPORT)
    monkeypatch.setattr(history, "_read_report", lambda *args: final_report)

    refs = history.gather_history(dao, storage=None, epoch=2)
    cids = [r.cid for r in refs]
    assert REVEALED in cids, "alice revealed these rows in epoch 1; a copier in epoch 2 is not traced to her"
    assert next(r for r in refs if r.cid == REVEALED).owner == ALICE  # unpaid, as a voided epoch's data set

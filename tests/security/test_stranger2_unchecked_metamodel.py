"""Stranger review 2, finding: `dao verify` never checks the committed live metamodel.

A live epoch's operator commits a metamodel file (its CID) at block C; paid predictions during the
period are answered by that file, and docs/live_scoring.md says committing it and the inputs "commits
every coalition model too". But the payouts are computed on a metamodel *retrained* from the inputs,
and `dao verify` compares the board's CID only with the CID the report repeats: nothing checks that
the committed file is the model the inputs train. An operator commits any model it likes (here a
constant predictor), serves the period's paid predictions with it, and the epoch still verifies.

Fixed (dao.epoch.committed_model): verify trains the metamodel from the inputs as the commitment
did and compares the committed file with it (bytes, else probabilities on the hold-out, loading
only the classes the verifier's own file uses).
"""

from __future__ import annotations

import pytest
from sklearn.dummy import DummyClassifier

import dao.epoch.pipeline as pipeline
from dao.epoch.pipeline import run_epoch
from dao.epoch.verify import verify_epoch
from dao.outcomes.chain import live_state
from tests.unit.dao.test_epoch_run_live import _post, live_run  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow


def test_verify_refuses_a_committed_metamodel_the_inputs_do_not_train(live_run, chain, monkeypatch):  # noqa: F811
    dao, storage, wired, validation = live_run()
    honest_bytes = pipeline.metamodel_bytes
    other = DummyClassifier(strategy="constant", constant=1).fit([[0.0, 0.0], [1.0, 1.0]], [0, 1])
    with monkeypatch.context() as forged:  # the operator commits a model of its choice at C
        forged.setattr(pipeline, "metamodel_bytes", lambda metamodel: honest_bytes(other))
        run_epoch(dao, storage, wired.operator, 1, validation)
    for seed in (41, 42):
        _post(dao, storage, wired, 30, seed)
    chain.mine(live_state(dao, 1).resolution_end - chain.blocks.height)
    run = run_epoch(dao, storage, wired.operator, 1, validation)  # an honest valuation and report
    assert run.committed_now
    assert storage.get(live_state(dao, 1).metamodel_cid) == honest_bytes(other)

    verified = verify_epoch(dao, storage, 1)
    assert not verified.match, "the committed metamodel is not the one the inputs train, yet it verifies"
    [(field, committed, _)] = verified.integrity
    assert field == "inputs.live.commitment.model_cid" and "sklearn.dummy.DummyClassifier" in committed

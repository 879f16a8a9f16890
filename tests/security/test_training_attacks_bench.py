"""The bench's two training attacks (`python -m bench.adversarial`) run through the real intake and
the epoch's budget step, and are rejected within seconds, the honest contributions kept."""

from __future__ import annotations

import time

import pytest

from bench.adversarial import ATTACK_BOOSTING, ATTACK_FOREST, run_one
from dao.chain.enums import ContributionKind
from dao.storage import EmbeddedStorage


@pytest.mark.parametrize("attack", [ATTACK_FOREST, ATTACK_BOOSTING], ids=["forest", "boosting"])
def test_the_bench_rejects_each_training_attack_within_seconds(attack, tmp_path):
    cid = EmbeddedStorage(tmp_path / "ipfs").add(attack)
    started = time.perf_counter()
    result = run_one(tmp_path / "ipfs", "train", int(ContributionKind.MODEL), cid)
    assert time.perf_counter() - started < 10
    assert result["outcome"] == "rejected"
    assert result["reason"].startswith("the model is over the epoch's training budget")
    assert "200,000 rows and 20 features" in result["reason"]

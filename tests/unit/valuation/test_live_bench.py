"""`python -m bench.live_scoring` at a small size: the JSON the issue asks for, and the look-ahead check."""

from __future__ import annotations

import json

import pytest

from bench import live_scoring

NAMES = {"fresh", "stale", "flipped", "logistic", "forest", "naive_bayes", "poor_large_stake"}


@pytest.fixture(scope="module")
def small_run():
    return live_scoring.run(rows=120, seed=0)


def test_the_bench_prints_each_contributions_value_and_slash_under_both_scorings(small_run):
    for mode in ("static", "live"):
        assert set(small_run[mode]) == NAMES
        for entry in small_run[mode].values():
            assert set(entry) == {"value", "slashed"} and isinstance(entry["slashed"], bool)
    assert set(small_run["live_log_loss"]) == {"stacked", "stake_weighted", "stake_prior"}
    assert all(x > 0 for x in small_run["live_log_loss"].values())
    json.dumps(small_run)  # plain JSON


def test_the_bench_refuses_the_rows_posted_before_the_commitment(small_run):
    assert small_run["lookahead_refused"] is True and small_run["checks"]["lookahead_refused"]
    assert small_run["rows"]["refused"] == 10


def test_the_expected_pattern_is_checked_not_assumed(small_run):
    flipped = json.loads(json.dumps(small_run))
    flipped["live"]["stale"]["value"] = 0.5
    flipped["static"]["flipped"]["slashed"] = False
    checks = live_scoring.expected_pattern(flipped)
    assert not checks["stale_not_positive_live"] and not checks["flipped_slashed_both"]

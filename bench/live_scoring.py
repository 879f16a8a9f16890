"""Live-scoring benchmark (issue 20): static hold-out versus outcomes that arrive after the commitment.

Run: `python -m bench.live_scoring [--rows N] [--seed S] [--out FILE]` (prints JSON; exit status 1
when the expected pattern does not hold).

The world is generated (no downloads) and its concept drifts: a row at time t has features
x ~ N(0, I₄) and label y ~ Bernoulli(σ(k·(cos θ(t)·x₀ + sin θ(t)·x₁) + 1.5·x₂)), where the angle θ
is piecewise linear through `dao.data.drifting.KNOTS` (almost still for most of the training period
[0, 1], then turning, and still turning after it). Contributions close at t = 1; the metamodel is committed at
block `COMMIT_BLOCK`; live outcome rows (twice as many as a provider's: the live scores are the
noisier, as the concept keeps turning) are drawn from t ∈ (1, 1.5] and posted after it.

Providers: `fresh` (rows from the end of the training period), `stale` (from its first half:
accurate on the past), `flipped` (fresh-regime rows with every label flipped). The static hold-out
is drawn uniformly from the training period; the DAO's anchor set is kept current (drawn from the
end of it). With an anchor from the whole period, the anchored model is confidently wrong on live
rows and any data that dampens it (even flipped labels) looks useful on some coalitions: measured
over seeds 0-9 with exact values, the signs the issue expects for the providers held on 7 of 10
seeds that way and on 10 of 10 with the current anchor (smallest margin 0.039); all `checks`,
slashes included, pass on seeds 0-4 and 6-9 (seed 5: the flipped provider's live value, -0.046, has
an interval reaching zero, so it is not slashed live). Builders: honest models (`logistic`,
`forest`, `naive_bayes`) and `poor_large_stake`, a 1-nearest-neighbour model (hard 0/1
probabilities) staked 20 times as much as each honest one. The epoch's meta-learner is
"stake_weighted" (Numerai's stake-weighted mean), so the large stake gives the poor model most of
the say.

The same epoch is valued (a) on the static hold-out and (b) live, on the rows posted after the
commitment, with the engine's games and exact Shapley values (`valuation.live.value_contributions`).
`live_log_loss`: the metamodel's log-loss on the live rows under each meta-learner, with and
without the poor model (`live_log_loss_without_poor`). `lookahead_refused`: rows posted at or
before the commitment block, offered with the live rows, are all refused as look-ahead and no live
row is. `checks`: the issue's expected pattern, one boolean each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from dao.data.drifting import world
from valuation.live import (
    LiveScoring,
    OutcomeRows,
    Resolution,
    value_contributions,
    value_live_epoch,
)
from valuation.metamodel import StackedMetamodel
from valuation.payout import PayoutPolicy
from valuation.stake_weighting import META_LEARNERS, make_meta_learner

COMMIT_BLOCK = 1_000
RESOLUTION_BLOCKS = 500
EPOCH_META_LEARNER = "stake_weighted"
HONEST_STAKE = 100 * 10**18
LARGE_STAKE = 20 * HONEST_STAKE
DATA_STAKE = 100 * 10**18
BUILDERS = {
    "logistic": {"estimator": "logistic_regression", "params": {"C": 1.0}},
    "forest": {"estimator": "random_forest", "params": {"n_estimators": 30, "max_depth": 4}},
    "naive_bayes": {"estimator": "gaussian_nb"},
    "poor_large_stake": {"estimator": "k_neighbors", "params": {"n_neighbors": 1}},
}
POLICY = PayoutPolicy(emission=1_000_000 * 10**18, data_pool_bps=7_000, slash_cap_bps=2_000)


def fit_metamodel(providers: dict, builders: dict, meta_learner: str, seed: int) -> StackedMetamodel:
    X = np.vstack([X for X, _ in providers.values()])
    y = np.concatenate([y for _, y in providers.values()])
    stakes = [LARGE_STAKE if name == "poor_large_stake" else HONEST_STAKE for name in builders]
    return StackedMetamodel(
        list(builders.values()),
        meta_learner=make_meta_learner(meta_learner, "classification", seed),
        random_state=seed,
        stakes=stakes,
    ).fit(X, y)


def _summary(values) -> dict:
    return {
        name: {"value": round(entry["value"], 6), "slashed": entry["slashed"]}
        for name, entry in values.summary().items()
    }


def run(rows: int = 400, seed: int = 0) -> dict:
    start = time.perf_counter()
    w = world(rows, seed)
    providers, anchor = w["providers"], w["anchor"]
    names = list(providers)
    metamodel = fit_metamodel(providers, BUILDERS, EPOCH_META_LEARNER, seed)
    common = dict(
        data_stakes=[DATA_STAKE] * len(names),
        data_names=names,
        model_names=list(BUILDERS),
        random_state=seed,
    )
    static = value_contributions(list(providers.values()), anchor, metamodel, w["static"], POLICY, **common)

    # Live: the live rows are posted one per block after the commitment, the past rows at or
    # before it; all are offered together, as a careless or dishonest operator would.
    Xl, yl = w["live"]
    Xp, yp = w["past"]
    posted = np.concatenate(
        [COMMIT_BLOCK + 1 + np.arange(len(yl)) % RESOLUTION_BLOCKS, COMMIT_BLOCK - np.arange(len(yp))]
    )
    offered = OutcomeRows(np.vstack([Xl, Xp]), np.concatenate([yl, yp]), posted)
    terms = LiveScoring(RESOLUTION_BLOCKS, max(rows // 4, 2), meta_learner=EPOCH_META_LEARNER)
    live = value_live_epoch(
        list(providers.values()),
        anchor,
        metamodel,
        offered,
        COMMIT_BLOCK,
        COMMIT_BLOCK + RESOLUTION_BLOCKS,
        terms,
        POLICY,
        **common,
    )
    selection = live.selection
    past = set(range(len(yl), len(yl) + len(yp)))
    lookahead_refused = set(selection.lookahead_refused) == past and selection.accepted == tuple(
        range(len(yl))
    )
    assert live.outcome.action is Resolution.VALUE and live.values is not None

    live_rows = (selection.X, selection.y)
    without_poor = {k: v for k, v in BUILDERS.items() if k != "poor_large_stake"}
    log_loss, log_loss_without = {}, {}
    for learner in META_LEARNERS:
        full = (
            metamodel if learner == EPOCH_META_LEARNER else fit_metamodel(providers, BUILDERS, learner, seed)
        )
        reduced = fit_metamodel(providers, without_poor, learner, seed)
        log_loss[learner] = round(-full.neg_loss(*live_rows), 6)
        log_loss_without[learner] = round(-reduced.neg_loss(*live_rows), 6)

    out = {
        "static": _summary(static),
        "live": _summary(live.values),
        "lookahead_refused": bool(lookahead_refused),
        "live_log_loss": log_loss,
        "live_log_loss_without_poor": log_loss_without,
        "epoch_meta_learner": EPOCH_META_LEARNER,
        "rows": {
            "per_provider": rows,
            "live_scored": len(selection.accepted),
            "refused": len(selection.refused),
        },
        "seed": seed,
    }
    out["checks"] = expected_pattern(out)
    out["seconds"] = round(time.perf_counter() - start, 2)
    return out


def expected_pattern(out: dict) -> dict[str, bool]:
    """The issue's expected pattern, one named boolean each."""
    static, live = out["static"], out["live"]
    honest = [name for name in BUILDERS if name != "poor_large_stake"]
    return {
        "stale_positive_static": static["stale"]["value"] > 0,
        "stale_not_positive_live": live["stale"]["value"] <= 0,
        "fresh_positive_both": static["fresh"]["value"] > 0 and live["fresh"]["value"] > 0,
        "flipped_slashed_both": static["flipped"]["slashed"] and live["flipped"]["slashed"],
        "poor_lowers_stake_weighted_metamodel": out["live_log_loss"]["stake_weighted"]
        > out["live_log_loss_without_poor"]["stake_weighted"],
        "poor_below_honest_both": all(
            scores["poor_large_stake"]["value"] < min(scores[name]["value"] for name in honest)
            for scores in (static, live)
        ),
        "lookahead_refused": out["lookahead_refused"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400, help="rows per provider and hold-out (live: twice)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args(argv)
    out = run(args.rows, args.seed)
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text + "\n")
    return 0 if all(out["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())

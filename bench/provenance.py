"""Provenance benchmark (issue 18): near-copies of the most valuable provider, through the public API.

Run: `python -m bench.provenance [--quick] [--out FILE]` (prints JSON).

No owners are declared; the copier registers after its victim (player order = commit order). Attacks:
- `jitter`: every feature of the victim's rows moved by N(0, 0.1% of its standard deviation);
- `round2`: the victim's rows rounded to 2 decimals;
- `half_jitter`: the victim's rows, half of them jittered as above, half exact;
- `mixed`: another provider (the copier, committing after the victim) adds the victim's jittered rows
  to its own honest ones.

Per attack: `multiplier` = (copier + victim values under attack) / (their values without it: the
victim alone for a new identity, victim + copier's honest rows for `mixed`); `victim_kept` = the
victim's value under attack / its honest value. Values are exact Shapley values (`estimate_shapley`).
`traced`: the providers pass through `valuation.provenance.trace_rows` first (as the epoch does once
wired), then the engine groups. `grouping_only`: no trace, the near-copy grouping alone. `exact_rule_only`:
no trace, and grouping by identical rows only (the rule before issue 18): the baseline the issue measured.
`false_grouping`: honest providers sampled from one distribution, grouped pairs / all pairs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from bench.valuation_scenarios import Scenario, breast_cancer, digits, make_game, synthetic
from valuation import estimate_shapley
from valuation.grouping import NearCopyRule, group_providers
from valuation.provenance import trace_rows

JITTER = 0.001  # of each feature's standard deviation
EXACT_ONLY = NearCopyRule(tolerance=0.0, feature_share=1.0)


def jitter(X: np.ndarray, reference: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return X + rng.normal(0.0, JITTER, X.shape) * reference.std(axis=0)


def _all_rows(scenario: Scenario) -> np.ndarray:
    return np.vstack([scenario.anchor[0], scenario.validation[0], *[X for X, _ in scenario.providers]])


def attacked(scenario: Scenario, victim: int, copier: int, kind: str, seed: int = 1) -> Scenario:
    """The scenario with the attack applied: a new identity appended, or (`mixed`) `copier` extended."""
    rng = np.random.default_rng(seed)
    X, y = scenario.providers[victim]
    reference = _all_rows(scenario)
    if kind == "jitter":
        stolen = (jitter(X, reference, rng), y)
    elif kind == "round2":
        stolen = (np.round(X, 2), y)
    elif kind == "half_jitter":
        half = np.arange(len(y)) % 2 == 0
        stolen = (np.where(half[:, None], jitter(X, reference, rng), X), y)
    elif kind == "mixed":  # the copier commits after its victim: it moves to the end of the order
        Xc, yc = scenario.providers[copier]
        Xm, ym = np.vstack([Xc, jitter(X, reference, rng)]), np.concatenate([yc, y])
        order = rng.permutation(len(ym))
        providers = [p for k, p in enumerate(scenario.providers) if k != copier]
        return Scenario(
            f"{scenario.name}_mixed",
            [*providers, (Xm[order], ym[order])],
            scenario.anchor,
            scenario.validation,
        )
    else:
        raise ValueError(f"unknown attack {kind!r}")
    return Scenario(
        f"{scenario.name}_{kind}", [*scenario.providers, stolen], scenario.anchor, scenario.validation
    )


def traced(scenario: Scenario) -> Scenario:
    """The providers as the epoch values them once `trace_rows` is wired in (near-copies of earlier
    rows replaced by those rows, copies of the anchor credited to the DAO)."""
    trace = trace_rows(scenario.providers, scenario.anchor)
    return Scenario(scenario.name, trace.providers, scenario.anchor, scenario.validation)


def _values(scenario: Scenario, rule: NearCopyRule | None, trace: bool = True) -> tuple[np.ndarray, list]:
    game = make_game(traced(scenario) if trace else scenario)
    result = estimate_shapley(game, rule=rule)  # None: the default rule
    return result.values, [list(g) for g in result.groups if len(g) > 1]


def attack_rows(scenario: Scenario, kinds: list[str], baseline: bool) -> dict:
    honest, _ = _values(scenario, None)
    victim = int(np.argmax(honest))
    copier = int(np.argsort(honest)[len(honest) // 2])  # a middling provider turns copier in `mixed`
    rows = []
    for kind in kinds:
        attack = attacked(scenario, victim, copier, kind)
        # Player indices under attack: the copier is last; in `mixed` the others move up past it.
        thief = scenario.n - 1 if kind == "mixed" else scenario.n
        at = victim - int(kind == "mixed" and victim > copier)
        before = honest[victim] + (honest[copier] if kind == "mixed" else 0.0)
        row = {"attack": kind, "victim": victim, "copier": copier if kind == "mixed" else thief}
        rules = [("traced", None, True)]
        if baseline:
            rules += [("grouping_only", None, False), ("exact_rule_only", EXACT_ONLY, False)]
        for label, rule, trace in rules:
            start = time.perf_counter()
            values, groups = _values(attack, rule, trace)
            row[label] = {
                "multiplier": float((values[at] + values[thief]) / before),
                "victim_kept": float(values[at] / honest[victim]),
                "copier_value": float(values[thief]),
                "groups": groups,
                "seconds": time.perf_counter() - start,
            }
        rows.append(row)
    return {
        "scenario": scenario.name,
        "honest_values": honest.tolist(),
        "runs": rows,
        "max_multiplier": max(r["traced"]["multiplier"] for r in rows),
        "min_victim_kept": min(r["traced"]["victim_kept"] for r in rows),
    }


def false_grouping(scenarios: list[Scenario]) -> dict:
    runs, grouped_pairs, pairs = [], 0, 0
    for scenario in scenarios:
        trace = trace_rows(scenario.providers, scenario.anchor)
        grouping = group_providers(make_game(traced(scenario)))
        joined = sum(len(g) * (len(g) - 1) // 2 for g in grouping.groups)
        total = scenario.n * (scenario.n - 1) // 2
        runs.append(
            {
                "scenario": scenario.name,
                "grouped_pairs": joined,
                "pairs": total,
                "rows": int(sum(len(y) for _, y in scenario.providers)),
                "rows_credited_elsewhere": sum(len(c) for c in trace.credits),
                "notes": sorted({n for n in trace.notes if n}),
            }
        )
        grouped_pairs, pairs = grouped_pairs + joined, pairs + total
    return {"runs": runs, "grouped_pairs": grouped_pairs, "pairs": pairs, "rate": grouped_pairs / pairs}


def run(quick: bool) -> dict:
    start = time.perf_counter()
    kinds = ["jitter", "round2", "half_jitter", "mixed"]
    scenario = breast_cancer(6 if quick else 8)
    honest_sets = [breast_cancer(n, seed=s) for n in ((4, 8) if quick else (4, 8, 16)) for s in range(3)]
    honest_sets += [digits(8), synthetic(10, 2000)] if not quick else [digits(6)]
    out = {
        "attacks": attack_rows(scenario, kinds, baseline=not quick),
        "false_grouping": false_grouping(honest_sets),
        "rule": {
            "tolerance": NearCopyRule().tolerance,
            "feature_share": NearCopyRule().feature_share,
            "neighbours": NearCopyRule().neighbours,
            "duplicate_share": NearCopyRule().duplicate_share,
            "max_chance_share": NearCopyRule().max_chance_share,
        },
        "quick": quick,
    }
    out["seconds"] = time.perf_counter() - start
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="6 providers, fewer honest scenarios, no baseline"
    )
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args(argv)
    text = json.dumps(run(args.quick), indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How valuation and on-chain costs grow with the number of contributors: `python -m bench.scale`.

Prints one JSON object:
- `valuation`: for N = 10, 100, 1000 providers sharing 10,000 rows (`make_classification`, 10% of
  the providers with 40% of their labels flipped, logistic-regression valuation model): trainings,
  wall seconds serially and on a Dask `LocalCluster` with 2 single-threaded workers (the values
  must be identical), how each player was valued (N >= 200 is screened with KNN-Shapley first),
  and how many flipped providers land in the bottom decile.
- `chain`: the on-chain cost curve of `bench.scale_chain` (commit/finalize/claim by leaves, dividend
  claims by holders, registrations by position).
- `epoch_stages`: `bench.scale_epoch`'s end-to-end epoch time by stage for 16, 64 and 256
  contributors (fetch, validate, train, value, publish, commit).
Peak memory of `dao epoch run` at 100 x 10,000 rows is `bench.epoch_memory` (it needs the node).
`--quick` runs N = 10 and 100 on 2,000 rows (what `make test` could afford); the full run takes
several minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from sklearn.datasets import make_classification

from bench.valuation_scenarios import FLIP_RATE, Scenario, flip_labels, make_game
from valuation import estimate_shapley

FLIPPED_FRACTION = 0.10


def stratified_scenario(n: int, provider_rows: int, seed: int = 0) -> Scenario:
    """`provider_rows` rows dealt to `n` providers class by class (with 10 rows each, a plain split
    leaves some providers with one class, which the game refuses), plus a 2% anchor set and a
    validation set of a fifth of the provider rows; the last 10% of the providers get 40% of their
    labels flipped."""
    anchor_rows, validation_rows = provider_rows // 50, provider_rows // 5
    X, y = make_classification(
        n_samples=provider_rows + anchor_rows + validation_rows,
        n_features=20,
        n_informative=8,
        n_redundant=4,
        flip_y=0.02,
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    pool = np.arange(anchor_rows + validation_rows, len(y))
    shares = [np.array_split(rng.permutation(pool[y[pool] == c]), n) for c in (0, 1)]
    flipped = tuple(range(n - max(1, int(n * FLIPPED_FRACTION)), n))
    providers = []
    for i in range(n):
        rows = np.sort(np.concatenate([shares[0][i], shares[1][i]]))
        labels = flip_labels(y[rows], FLIP_RATE, rng, 2) if i in flipped else y[rows]
        providers.append((X[rows], labels))
    anchor = (X[:anchor_rows], y[:anchor_rows])
    validation = (
        X[anchor_rows : anchor_rows + validation_rows],
        y[anchor_rows : anchor_rows + validation_rows],
    )
    notes = {"data": f"make_classification_stratified_{provider_rows}_n{n}", "flipped": list(flipped)}
    return Scenario(notes["data"], providers, anchor, validation, flipped, None, notes)


def _budget(n: int) -> int | None:
    """Exact for few players; Kernel SHAP at 100 trainings per (grouped) player, capped at 8,000."""
    return None if n <= 10 else min(100 * n, 8_000)


def value_once(n: int, provider_rows: int, scheduler: str | None = None) -> tuple[dict, np.ndarray]:
    from dao.epoch.compute import compute_backend

    scenario = stratified_scenario(n, provider_rows)
    started = time.perf_counter()
    with compute_backend(scheduler=scheduler):
        result = estimate_shapley(make_game(scenario), budget=_budget(n), random_state=0)
    seconds = time.perf_counter() - started
    flipped = set(scenario.corrupted)
    decile = set(np.argsort(result.values, kind="stable")[: max(1, n // 10)].tolist())
    methods = {}
    for how in result.valued_by or (result.method,) * n:
        methods[how] = methods.get(how, 0) + 1
    return {
        "providers": n,
        "provider_rows": sum(len(y) for _, y in scenario.providers),
        "method": result.method,
        "players_in_the_shapley_game": len(result.groups),
        "valued_by": methods,
        "trainings": int(result.evaluations),
        "seconds": seconds,
        "flipped": len(flipped),
        "flipped_in_bottom_decile": len(flipped & decile),
        "flipped_in_bottom_decile_rate": len(flipped & decile) / len(flipped),
        "false_slashes": int(sum(result.ci_high[i] < 0 for i in range(n) if i not in flipped)),
    }, result.values


def valuation_curve(sizes: list[int], provider_rows: int, log) -> list[dict]:
    from distributed import LocalCluster

    rows = []
    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        for n in sizes:
            serial, serial_values = value_once(n, provider_rows)
            print(f"[bench.scale] N={n} serial: {serial['seconds']:.1f} s", file=log)
            dask, dask_values = value_once(n, provider_rows, cluster.scheduler_address)
            print(f"[bench.scale] N={n} dask: {dask['seconds']:.1f} s", file=log)
            row = {key: value for key, value in serial.items() if key != "seconds"}
            row["seconds_serial"] = serial["seconds"]
            row["seconds_dask_2_workers"] = dask["seconds"]
            row["dask_values_identical"] = bool(np.array_equal(serial_values, dask_values))
            rows.append(row)
    return rows


def reading(curve: list[dict]) -> list[str]:
    """How cost grows, computed from the measured rows."""
    lines = []
    for before, after in zip(curve, curve[1:], strict=False):
        growth = after["seconds_serial"] / max(before["seconds_serial"], 1e-9)
        lines.append(
            f"N {before['providers']} -> {after['providers']}: serial time x{growth:.1f}, trainings "
            f"{before['trainings']} -> {after['trainings']}, players in the Shapley game "
            f"{before['players_in_the_shapley_game']} -> {after['players_in_the_shapley_game']}"
        )
    return lines


def run(quick: bool = False, log=sys.stderr) -> dict:
    sizes, provider_rows = ([10, 100], 2_000) if quick else ([10, 100, 1000], 10_000)
    curve = valuation_curve(sizes, provider_rows, log)
    report: dict = {"quick": quick, "valuation": curve, "valuation_reading": reading(curve)}
    from bench import scale_chain, scale_epoch

    report["chain"] = scale_chain.run(quick=quick)
    report["epoch_stages"] = scale_epoch.run(quick=quick, log=log)["epochs"]
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 10 and 100 on 2,000 rows")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), indent=2))


if __name__ == "__main__":
    main()

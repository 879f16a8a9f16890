"""Peak memory of `dao epoch run` with 100 providers x 10,000 rows: `python -m bench.epoch_memory`.

The operator's command runs as its own process against the project's Hardhat node, under
`/usr/bin/time -v`, exactly as an operator would run it; its "Maximum resident set size" is the
figure (the node and this driver are other processes and do not count). Before that, the driver
generates the data (`make_classification`, 20 features; 40% of the labels of a tenth of the
providers flipped), deploys with an hour-long contribution window, and registers every data set and
4 model specs from its own account (funded with `hardhat_setBalance`) through
`dao.holders.contribute` in one helper process.

The recipe's valuation budget is the smallest Kernel SHAP accepts for 100 players (5 repeats of
2*100+2 samples): memory does not grow with the budget (a cached value is one float), time does.
Prints one JSON object; `--providers/--rows` shrink it for a quick look.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.scale_epoch import MODELS  # the same four model builders

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TIME = "/usr/bin/time"
LIMIT_MB = 2_048
WINDOW_SECONDS = 3_600
N_FEATURES = 20


def _csv(X: np.ndarray, y: np.ndarray) -> bytes:
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["label"] = y.astype(int)
    return frame.to_csv(index=False, float_format="%.6f").encode()


def write_epoch_files(directory: Path, providers: int, rows: int, budget: int, seed: int = 0) -> int:
    """Provider CSVs, model specs, the hold-out set and a recipe whose anchor is in the local store;
    returns the providers' CSV bytes."""
    from eth_utils import keccak
    from sklearn.datasets import make_classification

    from dao.data.recipe import DataSchema, Recipe
    from dao.storage import get_storage

    anchor_rows, validation_rows = 2_000, 20_000
    X, y = make_classification(
        n_samples=providers * rows + anchor_rows + validation_rows,
        n_features=N_FEATURES,
        n_informative=8,
        n_redundant=4,
        flip_y=0.02,
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    flipped = set(range(providers - max(1, providers // 10), providers))
    csv_bytes = 0
    start = anchor_rows + validation_rows
    for i in range(providers):
        Xi, yi = (
            X[start + i * rows : start + (i + 1) * rows],
            y[start + i * rows : start + (i + 1) * rows].copy(),
        )
        if i in flipped:
            flip = rng.random(rows) < 0.4
            yi[flip] = 1 - yi[flip]
        content = _csv(Xi, yi)
        csv_bytes += len(content)
        (directory / f"provider-{i:03d}.csv").write_bytes(content)
    for j, (name, params) in enumerate(MODELS):
        spec = {"spec_version": 1, "estimator": name, "task": "classification", "params": params}
        (directory / f"model-{j}.json").write_text(json.dumps(spec, sort_keys=True))
    validation_csv = _csv(X[anchor_rows:start], y[anchor_rows:start])
    (directory / "validation.csv").write_bytes(validation_csv)
    recipe = Recipe(
        schema=DataSchema(features=tuple((f"x{i}", "float64") for i in range(N_FEATURES)), target="label"),
        model_allow_list=tuple(name for name, _ in MODELS),
        emission=1_000 * 10**18,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=get_storage().add(_csv(X[:anchor_rows], y[:anchor_rows])),
        validation_commitment="0x" + keccak(validation_csv).hex(),
        valuation_budget=budget,
    ).validate()
    (directory / "recipe.json").write_bytes(recipe.to_json())
    return csv_bytes


def deploy_and_register(directory: Path) -> None:
    """(The helper process.) Deploy with epoch 1 open under the recipe, then contribute every file in
    `directory` from its own account. The window is an hour: registering 104 contributions on the
    node takes minutes, more than `dao deploy --fast`'s 10-minute window leaves for sure."""
    from ape import accounts
    from eth_utils import keccak

    from dao.chain.accounts import OPERATOR, resolve_account
    from dao.chain.bindings import DAO, connected, load_project
    from dao.chain.deploy import DeployParams, deploy_dao
    from dao.chain.node import node_status, rpc
    from dao.data.holdout import save_holdout
    from dao.holders.contribute import contribute
    from dao.storage import get_storage

    url = node_status(root=ROOT).url
    recipe = (directory / "recipe.json").read_bytes()
    save_holdout((directory / "validation.csv").read_bytes())
    storage = get_storage()
    with connected("node") as choice:
        deploy_dao(
            load_project(),
            resolve_account("TEST::0"),
            resolve_account(OPERATOR),
            choice,
            DeployParams.for_tests(contribution_period=WINDOW_SECONDS),
            genesis_recipe=(storage.add(recipe), keccak(recipe)),
        )
        dao = DAO.load()
        stake = int(dao.registry.min_stake())
        files = sorted(directory.glob("provider-*.csv")) + sorted(directory.glob("model-*.json"))
        for path in files:
            contributor = accounts.test_accounts.generate_test_account()
            # Funded by the node itself: a transfer per account would double the registration time.
            rpc(url, "hardhat_setBalance", [contributor.address, hex(stake + 10**18)])
            kind = "data" if path.suffix == ".csv" else "model"
            contribute(dao, storage, kind, path.read_bytes(), stake, contributor)


def _run(env: dict, *argv: str) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


def _time_v(stderr: str, label: str) -> str:
    match = re.search(rf"^\s*{re.escape(label)}: (.+)$", stderr, re.MULTILINE)
    if match is None:
        raise SystemExit(f"/usr/bin/time printed no {label!r}:\n{stderr[-2000:]}")
    return match.group(1).strip()


def _stages(stdout: str) -> dict[str, float]:
    line = next((line for line in stdout.splitlines() if line.startswith("stages: ")), "stages: ")
    return {
        stage: float(seconds)
        for stage, seconds in re.findall(r"(\w+) ([0-9.]+) s", line.removeprefix("stages: "))
    }


def measure(providers: int, rows: int, budget: int, log=sys.stderr) -> dict:
    from dao.chain.node import node_status, rpc, start_node, stop_node

    if not os.access(TIME, os.X_OK):
        raise SystemExit(f"{TIME} is missing: install Debian's `time` package to measure peak memory")
    already = node_status(root=ROOT).running
    node = start_node(root=ROOT)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            # This process writes the anchor into the same store the child processes read.
            os.environ.update(
                DAO_STATE_DIR=str(Path(scratch) / "state"), DAO_IPFS_DIR=str(Path(scratch) / "ipfs")
            )
            os.environ.pop("DAO_IPFS_API", None)
            env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
            files = Path(scratch) / "epoch"
            started = time.perf_counter()
            csv_bytes = write_epoch_files(files, providers, rows, budget)
            print(f"[bench.epoch_memory] data written in {time.perf_counter() - started:.0f} s", file=log)
            started = time.perf_counter()
            _run(env, sys.executable, "-m", "bench.epoch_memory", "--register", str(files))
            register_seconds = time.perf_counter() - started
            print(f"[bench.epoch_memory] registered in {register_seconds:.0f} s", file=log)
            rpc(node.url, "evm_increaseTime", [WINDOW_SECONDS + 1])
            rpc(node.url, "evm_mine", [])
            started = time.perf_counter()
            run = _run(env, TIME, "-v", str(BIN / "dao"), "epoch", "run", "--network", "node")
            wall = time.perf_counter() - started
    finally:
        if not already:
            stop_node(root=ROOT)
    peak_mb = int(_time_v(run.stderr, "Maximum resident set size (kbytes)")) / 1024
    committed = re.search(r"epoch 1 committed: report (\w+)", run.stdout)
    return {
        "command": "dao epoch run --network node",
        "providers": providers,
        "rows_per_provider": rows,
        "features": N_FEATURES,
        "models": len(MODELS),
        "csv_megabytes": round(csv_bytes / 2**20, 1),
        "valuation_budget": budget,
        "register_seconds": round(register_seconds, 1),
        "epoch_run_seconds": round(wall, 1),
        "stages_seconds": _stages(run.stdout),
        "peak_rss_megabytes": round(peak_mb, 1),
        "limit_megabytes": LIMIT_MB,
        "within_limit": peak_mb < LIMIT_MB,
        "report_cid": committed.group(1) if committed else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=100)
    parser.add_argument("--rows", type=int, default=10_000, help="Rows per provider.")
    parser.add_argument(
        "--budget", type=int, default=None, help="Valuation budget (default: Kernel SHAP's least)."
    )
    parser.add_argument("--register", type=Path, help=argparse.SUPPRESS)  # the helper process
    args = parser.parse_args(argv)
    if args.register is not None:
        deploy_and_register(args.register)
        return
    budget = args.budget or 5 * (2 * args.providers + 2)
    print(json.dumps(measure(args.providers, args.rows, budget), indent=2))


if __name__ == "__main__":
    main()

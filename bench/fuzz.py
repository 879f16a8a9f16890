"""Deep runs of the contracts' state machines, which `make test` runs with 20 examples each:
`python -m bench.fuzz [--examples 500] [--only NAME]`.

Each machine runs in its own `ape test` process with HYPOTHESIS_EXAMPLES set (every machine reads
it) and no example database, so a run explores fresh sequences. Prints one JSON object:
{"examples": n, "machines": {NAME: {"passed": bool, "seconds": s, "tail": "..."}}} and exits 1
when a machine fails (the tail shows hypothesis's falsifying sequence).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MACHINES = {
    "governor": "tests/unit/contracts/test_governor_stateful.py",
    "share_token": "tests/unit/contracts/test_share_token_stateful.py",
    "registry_settlement": "tests/unit/contracts/test_registry_settlement_stateful.py",
    "market": "tests/unit/contracts/test_market_stateful.py",
    "liveness": "tests/security/test_liveness.py",
}


def run_machine(path: str, examples: int) -> dict:
    env = {**os.environ, "HYPOTHESIS_EXAMPLES": str(examples)}
    ape = Path(sys.executable).parent / "ape"
    started = time.monotonic()
    result = subprocess.run(
        [str(ape), "test", path, "-p", "no:cacheprovider", "-q", "-x"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    return {
        "passed": result.returncode == 0,
        "seconds": round(time.monotonic() - started, 1),
        "tail": "" if result.returncode == 0 else result.stdout[-4000:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="examples per machine (default 500)")
    parser.add_argument("--only", choices=sorted(MACHINES), action="append", help="run only these machines")
    args = parser.parse_args(argv)
    names = args.only or list(MACHINES)
    machines = {name: run_machine(MACHINES[name], args.examples) for name in names}
    print(json.dumps({"examples": args.examples, "machines": machines}, indent=2))
    return 0 if all(m["passed"] for m in machines.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

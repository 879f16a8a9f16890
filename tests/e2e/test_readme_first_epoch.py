"""The README's first-epoch block works exactly as written (issue 19), each line a fresh process on
the local node; only `source` is left out (the test runs the venv's executables directly)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.node]
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def readme_block() -> list[str]:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- first-epoch:start -->\n```sh\n(.*?)```\n<!-- first-epoch:end -->", text, re.S)
    assert match, "README.md lost its first-epoch block"
    return [line.split("  #")[0].strip() for line in match[1].splitlines() if line.strip()]


def test_the_block_is_what_a_newcomer_types():
    lines = readme_block()
    assert lines[0] == "source .venv/bin/activate" and lines[1] == "dao node start"
    assert any(line.startswith("dao epoch run") for line in lines)


def test_the_readme_first_epoch_runs_as_written(local_node, tmp_path):
    # As a newcomer would: from the project directory (ape run needs it), `example/` written there.
    example = ROOT / "example"
    if example.exists():
        pytest.skip(f"{example} exists already: the README block writes it, so run this test without it")
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "DAO_STATE_DIR": str(tmp_path / "state"),
        "DAO_IPFS_DIR": str(tmp_path / "ipfs"),
        "DAO_PROJECT_ROOT": str(ROOT),
    }
    env.pop("DAO_IPFS_API", None)
    outputs = {}
    try:
        _run_block(env, outputs)
    finally:
        shutil.rmtree(example, ignore_errors=True)
    joined = "\n".join(outputs.values())
    assert "epoch 1 committed: report Qm" in joined
    assert "epoch 1 is final" in joined
    assert "shares of epoch 1" in joined
    assert "matches the recomputation byte for byte" in joined


def _run_block(env: dict, outputs: dict) -> None:
    for line in readme_block():
        if line.startswith("source "):
            continue
        argv = shlex.split(line)
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{line}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        outputs[line] = result.stdout

"""Where the project's files live: the project root and its `.dao/` state directory."""

from __future__ import annotations

import os
from pathlib import Path

from dao.errors import ConfigurationError


def project_root(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` (default: cwd) holding `ape-config.yaml`.

    `DAO_PROJECT_ROOT` overrides the search, for running the CLI from elsewhere.
    """
    override = os.environ.get("DAO_PROJECT_ROOT")
    if override:
        root = Path(override).resolve()
        if not (root / "ape-config.yaml").is_file():
            raise ConfigurationError(f"DAO_PROJECT_ROOT={override} has no ape-config.yaml")
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "ape-config.yaml").is_file():
            return candidate
    raise ConfigurationError(
        f"no ape-config.yaml in {here} or any parent: run dao from the project directory "
        "or set DAO_PROJECT_ROOT"
    )


def state_dir(root: Path | None = None) -> Path:
    """The project's local state directory (`.dao/`, or `DAO_STATE_DIR`), created on first use."""
    override = os.environ.get("DAO_STATE_DIR")
    path = Path(override) if override and root is None else (root or project_root()) / ".dao"
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Metamodel DAO orchestration: storage, chain bindings, the epoch pipeline and the `dao` CLI."""

import os
import sys
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("metamodel-dao")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

# ape-vyper compiles with the pip-installed vyper only when a `vyper` executable is on PATH (else it
# asks vvm for a downloaded binary, which cannot exist offline): make the interpreter's own bin
# directory visible to compiles started from `dao` or library code run outside an activated venv.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

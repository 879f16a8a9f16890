"""Suite-wide setup."""

import os
import sys

# ape-vyper compiles with the pip-installed vyper only when a `vyper` executable is on PATH; make
# `ape test` / `pytest` from a non-activated shell behave like `make test`.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

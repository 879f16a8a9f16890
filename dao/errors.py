"""Exception types of the `dao` package, and the one policy that turns them into an exit.

Every command line of the project (`dao ...` and the `ape run` scripts) prints a `DaoError` as one
`Error: ...` line on stderr, never a traceback, and exits with the error's `exit_code`: 2 for a
refusal or bad input (nothing was changed), unless a subclass says otherwise. Exit 1 is kept for a
command's own "checked, and the answer is no" (`dao verify` on a mismatch).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

EXIT_REFUSED = 2


class DaoError(Exception):
    """Base class: the CLI prints these as one sentence, without a traceback."""

    exit_code = EXIT_REFUSED


class ConfigurationError(DaoError):
    """A setting (environment variable, config file, flag) is missing or malformed."""


@contextmanager
def errors_as_exit() -> Iterator[None]:
    """Our errors inside the block as one `Error: ...` line on stderr and the error's exit status."""
    try:
        yield
    except DaoError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)

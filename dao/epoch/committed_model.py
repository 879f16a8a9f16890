"""Is the metamodel a live epoch committed the one its inputs train? (`dao verify`)

The committed file answered the resolution period's paid predictions; the payouts come from a
metamodel trained again from the inputs. The verifier trains it as the operator did at the
commitment, before any valuing (scikit-learn's neighbour trees count their queries into the file),
and compares: identical bytes settle it. Otherwise (another machine's floating point gives other
bytes) the committed file is loaded, but only with the classes and functions the verifier's own
file needs: a pickle may call anything it names, and an operator's file must not run code on a
verifier's machine. The two models' probabilities on the revealed hold-out must then agree within
the verification tolerance.
"""

from __future__ import annotations

import io

import numpy as np
from joblib import numpy_pickle

Difference = tuple[str, object, object]
FIELD = "inputs.live.commitment.model_cid"


class _Unpickler(numpy_pickle.NumpyUnpickler):
    """joblib's unpickler, recording the globals it resolves, or refusing any outside `allowed`."""

    def __init__(self, data: bytes, allowed: frozenset | None = None):
        super().__init__("", io.BytesIO(data), ensure_native_byte_order=True)
        self.allowed, self.used = allowed, set()

    def find_class(self, module: str, name: str):
        if self.allowed is not None and (module, name) not in self.allowed:
            raise RefusedGlobal(f"{module}.{name}")
        self.used.add((module, name))
        return super().find_class(module, name)


class RefusedGlobal(Exception):
    """A pickle names a class or function the verifier's own metamodel file does not use."""


def globals_of(trusted: bytes) -> frozenset:
    """The (module, name) pairs a file the verifier wrote itself resolves when loaded."""
    unpickler = _Unpickler(trusted)
    unpickler.load()
    return frozenset(unpickler.used)


def load_restricted(data: bytes, allowed: frozenset):
    """Load a joblib file resolving only the globals in `allowed` (RefusedGlobal otherwise)."""
    return _Unpickler(data, allowed).load()


def committed_model_differences(
    committed: bytes, ours: bytes, X: np.ndarray, tolerance: float
) -> list[Difference]:
    """The committed metamodel file against the one the verifier trained from the same inputs
    (`ours`, written the same way): [] when the bytes are equal or the probabilities on `X` agree
    within `tolerance`, else one difference naming why."""
    if committed == ours:
        return []
    try:
        theirs = load_restricted(committed, globals_of(ours))
    except RefusedGlobal as exc:
        return [(FIELD, f"a file that uses {exc}", "the metamodel the inputs train")]
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a difference, not a crash
        return [
            (FIELD, f"an unreadable metamodel file ({type(exc).__name__})", "the metamodel the inputs train")
        ]
    mine = numpy_pickle.load(io.BytesIO(ours))
    try:
        gap = float(np.max(np.abs(np.asarray(theirs.predict_proba(X)) - np.asarray(mine.predict_proba(X)))))
    except Exception as exc:  # noqa: BLE001
        return [
            (
                FIELD,
                f"a metamodel that cannot predict the hold-out ({type(exc).__name__})",
                "the metamodel the inputs train",
            )
        ]
    if not np.isfinite(gap) or gap > tolerance:
        return [(FIELD, f"a metamodel whose probabilities differ by {gap:.3g}", f"within {tolerance:g}")]
    return []

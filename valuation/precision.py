"""What a report commits to, so that honest machines agree on it.

Values, intervals and scores are *published* at `PUBLISHED_DECIMALS` decimals; the allocation,
the slashes and the Merkle roots are computed from the published numbers only (exact integer and
rational arithmetic on them), so anyone reproduces them bit for bit from the report itself. The
numbers themselves come out of floating-point fits whose last digits follow the BLAS kernel
(measured: up to 2.8e-5 on a model builder's value between OpenBLAS kernels of one machine), so a
verifier's recomputation must agree with the published numbers within `DEFAULT_TOLERANCE`
(absolute, recorded in the report): anything beyond it is a difference worth a challenge.
"""

from __future__ import annotations

PUBLISHED_DECIMALS = 9
DEFAULT_TOLERANCE = 1e-4


def published(x: float) -> float:
    """`x` as a report publishes it; +0.0 for zero, so the sign of a rounded tiny value cannot matter."""
    return round(float(x), PUBLISHED_DECIMALS) + 0.0

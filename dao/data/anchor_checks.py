"""Checks of a data set against the DAO's anchor set, which defines the labels and the scale.

The epoch rejects a data set that fails them (it keeps its stake); `dao contribute` runs them
first, so that a contributor learns before staking.
"""

from __future__ import annotations

import numpy as np

from dao.data.datasets import Dataset
from dao.data.encoding import encode_features, encoded_columns
from dao.data.recipe import DataSchema

# A data set's values must lie within this many anchor standard deviations of the anchor's mean.
MAX_ANCHOR_SPREADS = 1e6


def unknown_labels(labels, anchor_classes: set) -> str | None:
    """Why labels the anchor set lacks are refused, or None when there are none."""
    unknown = sorted(set(np.asarray(labels).tolist()) - anchor_classes)
    if not unknown:
        return None
    return f"labels {unknown[:5]} are not among the anchor set's classes {sorted(anchor_classes)}"


class FarFromAnchor:
    """Finds values (features, or a regression target) further from the anchor set's mean than
    `MAX_ANCHOR_SPREADS` of its standard deviations (1 where the anchor's column is constant).

    No recipe's feature lives there, and such magnitudes overflow estimators' squared sums into
    NaN, which would stop the whole epoch.
    """

    def __init__(self, anchor_X: np.ndarray, anchor_y: np.ndarray, schema: DataSchema):
        self.features = _bounds(anchor_X, encoded_columns(schema))
        self.target = (
            _bounds(np.asarray(anchor_y, dtype=float)[:, None], [schema.target])
            if schema.task == "regression"
            else None
        )

    def problem(self, X: np.ndarray, y: np.ndarray) -> str | None:
        """Why the data set is refused, or None."""
        names = _beyond(self.features, X)
        if self.target is not None:
            names += _beyond(self.target, np.asarray(y, dtype=float)[:, None])
        if not names:
            return None
        return (
            f"columns {names} have values more than {MAX_ANCHOR_SPREADS:.0e} of the anchor set's standard "
            "deviations from its mean"
        )


def _bounds(anchor: np.ndarray, columns: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    spread = anchor.std(axis=0)
    return anchor.mean(axis=0), MAX_ANCHOR_SPREADS * np.where(spread > 0, spread, 1.0), columns


def _beyond(bounds: tuple, values: np.ndarray) -> list[str]:
    centre, limit, columns = bounds
    return [columns[i] for i in np.flatnonzero((np.abs(values - centre) > limit).any(axis=0))]


def anchor_problem(dataset: Dataset, anchor: Dataset, schema: DataSchema) -> str | None:
    """Why the epoch would reject `dataset` against `anchor`, as far as one data set alone tells
    (a class too rare across all data sets only shows in the epoch)."""
    if schema.task == "classification":
        problem = unknown_labels(np.unique(dataset.target), set(np.unique(anchor.target).tolist()))
        if problem:
            return problem
    far = FarFromAnchor(encode_features(anchor.features, schema), anchor.target, schema)
    return far.problem(encode_features(dataset.features, schema), dataset.target)

"""The float matrix the models see, from a data set's typed feature columns.

Numbers pass as they are, bools as 0/1, and each category column becomes one 0/1 column per level
the recipe declares, in the declared order. The encoding depends on the recipe alone, never on
which values a data set happens to contain, so every provider's rows, the anchor, the validation
set and a paid prediction's input line up column for column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dao.data.recipe import DataSchema


def encode_features(features: pd.DataFrame, schema: DataSchema) -> np.ndarray:
    """Checked features (`Dataset.features`, `validate_features`) as a float matrix, one-hot per level.

    Column-major, as pandas' `to_numpy` gives it: reductions and BLAS calls sum in an order that
    depends on the layout, so a row-major matrix would move the last bits of every value and
    reports made before category support would no longer verify.
    """
    widths = [len(schema.levels(c)) if dtype == "category" else 1 for c, dtype in schema.features]
    matrix = np.empty((len(features), sum(widths)), order="F")
    start = 0
    for (column, dtype), width in zip(schema.features, widths, strict=True):
        values = features[column]
        if dtype == "category":
            levels = np.asarray(schema.levels(column), dtype=object)
            matrix[:, start : start + width] = values.astype(str).to_numpy(dtype=object)[:, None] == levels
        else:
            matrix[:, start] = values.to_numpy(dtype=float)
        start += width
    return matrix


def encoded_columns(schema: DataSchema) -> list[str]:
    """The names of `encode_features`' columns: a feature's own, or `feature=level` per level."""
    return [
        f"{column}={level}" if dtype == "category" else column
        for column, dtype in schema.features
        for level in (schema.levels(column) if dtype == "category" else (None,))
    ]

"""`leverage:fixed[:w_d:w_v]`: the transparent index that the fitted `leverage` replaced.

score = w_d * data_availability + w_v * verifiability, with w_d + w_v = 1 (the weights are
normalised; default 0.5 / 0.5). Both features come from `exposure.features` and lie in
[0, 1]: data availability (how much digital data the task's activities leave) and
verifiability (how cheaply an output can be checked, which is what makes evaluation data,
and so model training, cheap). No fitting: kept to compare the fitted model with. A task
with either feature null gets no score. Its scores are those of the former `leverage`
exactly.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import polars as pl

from exposure.errors import ConfigError
from exposure.scorers.base import Scorer

FEATURES = ("data_availability", "verifiability")


class FixedLeverageScorer(Scorer):
    """Weighted mean of data availability and verifiability (equal weights by default)."""

    spec_params: ClassVar[tuple[str, ...]] = ("data_weight", "verifiability_weight")

    def __init__(self, data_weight: float = 0.5, verifiability_weight: float = 0.5) -> None:
        self.data_weight = data_weight
        self.verifiability_weight = verifiability_weight

    @property
    def name(self) -> str:
        if (self.data_weight, self.verifiability_weight) == (0.5, 0.5):
            return "leverage:fixed"
        return f"leverage:fixed:{self.data_weight:g}:{self.verifiability_weight:g}"

    def check_params(self) -> None:
        weights = (self.data_weight, self.verifiability_weight)
        if min(weights) < 0 or sum(weights) <= 0:
            raise ConfigError(f"leverage weights {weights} are not valid",
                              "give two non-negative weights that are not both zero")

    def fit(self, X: pl.DataFrame, y: Any = None) -> FixedLeverageScorer:
        self.check_params()
        self._features(X)
        return self

    def _features(self, X: pl.DataFrame) -> np.ndarray:
        missing = [c for c in FEATURES if c not in X.columns]
        if missing:
            raise ConfigError(
                f"the leverage scorer needs the task features {', '.join(missing)}",
                "build the inputs with task_inputs(tables, build_task_features(tables))")
        return X.select(pl.col(c).cast(pl.Float64) for c in FEATURES).to_numpy()

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        weights = np.array([self.data_weight, self.verifiability_weight], dtype=np.float64)
        scores = self._features(X) @ (weights / weights.sum())
        return np.clip(scores, 0.0, 1.0)

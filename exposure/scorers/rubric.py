"""`rubric`: the published GPTs-are-GPTs labels, read by task ID (Eloundou et al. 2023).

Scores are the paper's rubric applied to one rater's label: alpha = E1, beta = E1 + E2/2,
gamma = E1 + E2 (E0 scores 0). The labels were made on O*NET 27.2 tasks; a 29.2 task whose
ID has no label is left null, never guessed, and `coverage_` says what share of the scored
tasks carry a label.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import polars as pl

from exposure.errors import ConfigError
from exposure.scorers.base import LABELS, Scorer, check_measure

log = logging.getLogger(__name__)
RATERS = ("human", "gpt4")


class RubricScorer(Scorer):
    """Published task labels (human or GPT-4) under the alpha/beta/gamma rubric.

    Parameters: `rater` ('human' | 'gpt4'), `measure` ('alpha' | 'beta' | 'gamma') and
    `labels`, the published task-label table (columns `task_id` and `<rater>_label`);
    `with_tables` fills it from the `task_label` table.
    """

    spec_params: ClassVar[tuple[str, ...]] = ("rater", "measure")

    def __init__(self, rater: str = "human", measure: str = "beta",
                 labels: pl.DataFrame | None = None) -> None:
        self.rater = rater
        self.measure = measure
        self.labels = labels

    @property
    def trained_on(self) -> str | None:
        """The labels a reference may be built from (`exposure compare` warns): the human
        rubric's scores are those labels."""
        return "the human GPTs-are-GPTs task labels (it gives them)" \
            if self.rater == "human" else None

    def check_params(self) -> None:
        if self.rater not in RATERS:
            raise ConfigError(f"unknown rater '{self.rater}' for the rubric scorer",
                              f"use one of {', '.join(RATERS)} (e.g. rubric:gpt4:beta)")
        check_measure(self.measure)

    def with_tables(self, tables: Mapping[str, pl.DataFrame]) -> RubricScorer:
        if self.labels is None:
            self.set_params(labels=tables["task_label"])
        return self

    def fit(self, X: pl.DataFrame, y: Any = None) -> RubricScorer:
        self.check_params()
        column = f"{self.rater}_label"
        if self.labels is None:
            raise ConfigError("the rubric scorer has no labels",
                              "pass labels=tables['task_label'] or load it with "
                              "load_scorer(spec, tables)")
        if not {"task_id", column} <= set(self.labels.columns):
            raise ConfigError(f"the rubric's labels lack the columns task_id and {column}",
                              "pass the task_label table of an ingest")
        weights = check_measure(self.measure)
        self.lookup_ = (
            self.labels.select("task_id", pl.col(column).alias("label"))
            .drop_nulls().unique("task_id", keep="first")
            .with_columns(pl.col("label").replace_strict(
                dict(zip(LABELS, weights.tolist(), strict=True)), default=None,
                return_dtype=pl.Float64).alias("score"))
        )
        found = X.select("task_id").join(self.lookup_, on="task_id", how="semi").height
        self.n_tasks_, self.n_labelled_ = X.height, found
        self.coverage_ = found / X.height if X.height else float("nan")
        log.info("%s covers %d of %d tasks (%.1f%%); the rest are left null", self.name,
                 found, X.height, 100 * self.coverage_)
        return self

    def _matched(self, X: pl.DataFrame) -> pl.DataFrame:
        return X.select("task_id").join(self.lookup_, on="task_id", how="left",
                                        maintain_order="left")

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return self._matched(X).get_column("score").to_numpy().astype(np.float64)

    def predict_labels(self, X: pl.DataFrame) -> np.ndarray:
        return self._matched(X).get_column("label").to_numpy().astype(object)

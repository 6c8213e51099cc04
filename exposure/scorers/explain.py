"""Why `leverage` scores a task high: its shape functions, with their spread across folds.

`scorer_explanation` reads one fitted `LeverageScorer` and tabulates, per term and label
(the log-odds of E1, of E2, against E0):

- `shape` rows: a main effect's contribution at `value`, on a grid of the feature's
  quantiles over the tasks;
- `importance` rows: the term's mean absolute contribution over the tasks (`value` null),
  for interactions too.

`contribution` is the fitted model's. `fold_mean`, `fold_sd`, `fold_min` and `fold_max`
are over its bag models: the model is the mean of `outer_bags` (5) models, each boosted on
the occupations outside one of 5 folds grouped by occupation and stopped early on that
fold (`leverage.occupation_bags`). They are the models of a grouped cross-validation, so
their spread costs no fit beyond the one that scores the tasks; a refit per fold of
`exposure scorers evaluate` would cost five more (about a minute on two cores). The spread
is that of models trained on 80% of the occupations, an indication of how stable a shape
is, not a confidence interval. Every bag has every term (pairs are chosen once per fit),
so `n_folds` is the number of bags.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandera.polars as pa
import polars as pl

from exposure.errors import ConfigError
from exposure.scorers.base import LABELS, run_scorer, scorer_name
from exposure.scorers.leverage import REFERENCE_LABEL, LeverageScorer, feature_group

GRID = 21
EXPLANATION_SCHEMA = {
    "scorer": pl.String, "term": pl.String, "term_group": pl.String, "label": pl.String,
    "kind": pl.String, "value": pl.Float64, "contribution": pl.Float64,
    "fold_mean": pl.Float64, "fold_sd": pl.Float64, "fold_min": pl.Float64,
    "fold_max": pl.Float64, "n_folds": pl.Int64,
}
CONTRASTS = tuple(label for label in LABELS if label != REFERENCE_LABEL)
KINDS = ("shape", "importance")
TERM_GROUPS = ("data_availability", "verifiability", "other", "interaction")


class ScorerExplanationModel(pa.DataFrameModel):
    """`scorer_explanation`: one scorer's rows of one run."""

    scorer: str
    term: str
    term_group: str = pa.Field(isin=list(TERM_GROUPS))
    label: str = pa.Field(isin=list(CONTRASTS))
    kind: str = pa.Field(isin=list(KINDS))
    value: pl.Float64 = pa.Field(nullable=True)
    contribution: pl.Float64
    fold_mean: pl.Float64 = pa.Field(nullable=True)
    fold_sd: pl.Float64 = pa.Field(nullable=True, ge=0)
    fold_min: pl.Float64 = pa.Field(nullable=True)
    fold_max: pl.Float64 = pa.Field(nullable=True)
    n_folds: pl.Int64 = pa.Field(ge=0)


def empty_explanation() -> pl.DataFrame:
    """The table with no rows (no configured scorer explains itself)."""
    return pl.DataFrame(schema=EXPLANATION_SCHEMA)


def explanation_rows(scorer: Any, X: pl.DataFrame) -> pl.DataFrame:
    """The `scorer_explanation` rows of a fitted scorer that explains itself (it has
    `explanation(X)`, as `leverage` has), else none."""
    explain = getattr(scorer, "explanation", None)
    if not callable(explain):
        return empty_explanation()
    name = scorer_name(scorer)
    frame = run_scorer(name, "explanation", lambda: explain(X))
    if not isinstance(frame, pl.DataFrame) or dict(frame.schema) != EXPLANATION_SCHEMA:
        raise ConfigError(f"scorer {name}'s explanation is not a frame of the "
                          "scorer_explanation columns",
                          "return exposure.scorers.explain.EXPLANATION_SCHEMA's columns")
    return frame


def _grid(X: pl.DataFrame, feature: str, points: int) -> np.ndarray:
    values = X.get_column(feature).cast(pl.Float64).drop_nulls().drop_nans().to_numpy()
    if values.size == 0:
        return values
    return np.unique(np.quantile(values, np.linspace(0.0, 1.0, points)))


def _term_table(model: LeverageScorer, X: pl.DataFrame, grids: dict[str, np.ndarray]
                ) -> dict[tuple[str, str, float | None], float]:
    """(term, label, value) -> contribution: shapes on the grid, importances (value None)."""
    out: dict[tuple[str, str, float | None], float] = {}
    per_task = np.abs(model.term_log_odds(X)).mean(axis=0)  # (1 + terms, labels)
    for j, term in enumerate(model.terms_, start=1):
        for i, label in enumerate(CONTRASTS):
            out[(term, label, None)] = float(per_task[j, i])
    for feature, grid in grids.items():
        # Other columns null: only this feature's own term is read from the result.
        probe = pl.DataFrame({c: np.full(len(grid), np.nan) for c in model.features_}
                             ).with_columns(pl.Series(feature, grid))
        values = model.term_log_odds(probe)[:, 1 + model.terms_.index(feature), :]
        for k, v in enumerate(grid):
            for i, label in enumerate(CONTRASTS):
                out[(feature, label, float(v))] = float(values[k, i])
    return out


def scorer_explanation(model: LeverageScorer, X: pl.DataFrame, points: int = GRID
                       ) -> pl.DataFrame:
    """Shape functions and importances of the fitted `model` over the tasks of `X`, with
    their spread over its bag models (columns: EXPLANATION_SCHEMA)."""
    grids = {feature: _grid(X, feature, points) for feature in model.features_}
    full = _term_table(model, X, grids)
    per_bag = [_term_table(bag, X, grids) for bag in model.bag_scorers()]
    rows = []
    for (term, label, value), contribution in full.items():
        seen = np.array([bag[(term, label, value)] for bag in per_bag
                         if (term, label, value) in bag])
        rows.append({
            "scorer": scorer_name(model), "term": term, "term_group": feature_group(term),
            "label": label, "kind": "importance" if value is None else "shape",
            "value": value, "contribution": contribution,
            "fold_mean": float(seen.mean()) if len(seen) else None,
            "fold_sd": float(seen.std(ddof=1)) if len(seen) > 1 else None,
            "fold_min": float(seen.min()) if len(seen) else None,
            "fold_max": float(seen.max()) if len(seen) else None,
            "n_folds": len(seen),
        })
    return pl.DataFrame(rows, schema=EXPLANATION_SCHEMA).sort(
        "kind", "term_group", "term", "label", "value", nulls_last=True)

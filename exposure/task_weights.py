"""Each task's weight within its O*NET occupation: the one rule of roll-ups, features and
forecasts.

A task rated in O*NET Task Ratings weighs by its ratings, on one of two bases:

- `IMPORTANCE` (roll-ups and task features; DESIGN.md, "Raw data"): importance IM (1-5, the
  mean of the task's IM rows). It says how much a task matters to the occupation.
- `IMPORTANCE_FREQUENCY` (the forecasts' time shares ω_i|o, MODEL_SPEC §6 "IM×FT"):
  importance times the mean FT category (1 = yearly or less ... 7 = hourly or more, weighted
  by the share of incumbents in each), a proxy for the share of working time the task takes,
  which is what automating it saves. A task needs both IM and FT to count as rated.

Relevance (RT) is never a weight. Ratings and task types are on different scales, so they are
never mixed inside one occupation: in an occupation with a rated task, an unrated task weighs
the mean of the occupation's rated tasks; an occupation with none weighs by task type, Core 2,
Supplemental 1 and untyped 1, which is how the published GPTs-are-GPTs occupation table
weighs its tasks. Without Task Ratings (the mirror) every occupation weighs by task type.
"""

from __future__ import annotations

import polars as pl

from exposure.codes import CORE, SUPPLEMENTAL
from exposure.errors import ConfigError
from exposure.frames import require_columns

IMPORTANCE = "importance"
IMPORTANCE_FREQUENCY = "importance_frequency"
# The Task Ratings columns each basis reads besides the keys, in the order rows are sorted.
RATING_COLUMNS = {IMPORTANCE: ("scale_id", "data_value"),
                  IMPORTANCE_FREQUENCY: ("scale_id", "category", "data_value")}
# `weight_source` of an unrated task: its occupation's mean rated weight, or its type weight.
IMPUTED = "imputed"
BY_TASK_TYPE = "task_type"

TYPE_WEIGHTS = {CORE: 2.0, SUPPLEMENTAL: 1.0}
UNTYPED_WEIGHT = 1.0
KEYS = ("onet_soc_code", "task_id")


def type_weight() -> pl.Expr:
    """The weight of a task by its `task_type` alone: Core 2, Supplemental 1, untyped 1."""
    return pl.col("task_type").replace_strict(TYPE_WEIGHTS, default=UNTYPED_WEIGHT,
                                              return_dtype=pl.Float64)


def _rated(task_rating: pl.DataFrame, basis: str) -> pl.DataFrame:
    """onet_soc_code, task_id, rated: the weight of every task rated on `basis`."""
    # Sorted first so that every mean and sum adds the same values in the same order,
    # whatever the order of the input rows.
    rating = task_rating.sort(*KEYS, *RATING_COLUMNS[basis], nulls_last=True)
    importance = rating.filter(pl.col("scale_id") == "IM").group_by(KEYS).agg(
        pl.col("data_value").mean().alias("rated"))
    if basis == IMPORTANCE:
        return importance
    frequency = rating.filter(pl.col("scale_id") == "FT").group_by(KEYS).agg(
        ((pl.col("category") * pl.col("data_value")).sum() / pl.col("data_value").sum())
        .alias("frequency"))
    return importance.join(frequency, on=KEYS).select(
        *KEYS, (pl.col("rated") * pl.col("frequency")).alias("rated"))


def task_weights(task: pl.DataFrame, task_rating: pl.DataFrame | None = None,
                 basis: str = IMPORTANCE) -> pl.DataFrame:
    """`onet_soc_code`, `task_id`, `weight` and `weight_source` for each row of `task`, in
    its order (see the module docstring for the rule).

    `task` needs onet_soc_code, task_id and task_type (Core/Supplemental/null); `task_rating`
    (optional, may be empty) the O*NET Task Ratings columns onet_soc_code, task_id and those
    of `RATING_COLUMNS[basis]`. `basis` is `IMPORTANCE` or `IMPORTANCE_FREQUENCY`.
    `weight_source` is the basis (a rated task), `IMPUTED` (an unrated task in a rated
    occupation) or `BY_TASK_TYPE`. Weights are not normalised.
    """
    if basis not in RATING_COLUMNS:
        raise ConfigError(f"no task-weight basis '{basis}'",
                          f"choose one of {', '.join(RATING_COLUMNS)}")
    require_columns(task, "task", (*KEYS, "task_type"))
    out = task.select(*KEYS, "task_type")
    if task_rating is not None and task_rating.height:
        require_columns(task_rating, "task_rating", (*KEYS, *RATING_COLUMNS[basis]))
        out = out.join(_rated(task_rating, basis), on=KEYS, how="left", maintain_order="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Float64).alias("rated"))
    mean_rated = pl.col("rated").mean().over("onet_soc_code")
    return out.select(
        *KEYS,
        pl.coalesce("rated", mean_rated, type_weight()).cast(pl.Float64).alias("weight"),
        pl.when(pl.col("rated").is_not_null()).then(pl.lit(basis))
        .when(mean_rated.is_not_null()).then(pl.lit(IMPUTED))
        .otherwise(pl.lit(BY_TASK_TYPE)).alias("weight_source"),
    )

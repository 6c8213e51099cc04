"""Task scores -> O*NET occupations.

Task weights are `exposure.task_weights` on the importance basis: the Task Ratings importance
(`IM`, 1-5) when the O*NET download has it, else Core = 2, Supplemental = 1 and untyped = 1,
which is what the published GPTs-are-GPTs occupation table uses (never both inside one
occupation).

An occupation's `exposure` is the weighted mean score of its scored tasks (tasks the scorer
leaves null count in neither numerator nor denominator; `scored_weight_share` says how much
task weight was scored). `share_exposed` is the share of scored task weight with
score >= `threshold` (0.5 by default). Both are weighted means with positive weights, so
raising one task's score never lowers its occupation's exposure or share.

`exposure_sd` carries the scorers' per-task standard deviations (`score_sd`) to the
occupation as the weighted mean of its scored tasks' sd: the standard deviation of the
weighted mean if the tasks' errors are perfectly correlated, and an upper bound for any
correlation (the sd of a sum is at most the sum of the sds). The sds come from the same
few refitted models, which move all tasks of an occupation together, so independence
(which would shrink the sd by about the square root of the number of tasks) would
understate it. `exposure_p10` / `exposure_p90` are the 10th and 90th percentiles of a
normal distribution with that sd around `exposure`, clipped to [0, 1], the band the
forecasts use. All three are null when a scored task has no sd (a scorer without
`predict_sd`).
"""

from __future__ import annotations

import polars as pl

from exposure.errors import ConfigError
from exposure.frames import require_columns
from exposure.rollup.schemas import OccupationScoreModel, conform
from exposure.task_weights import BY_TASK_TYPE, IMPORTANCE, task_weights

EXPOSED_THRESHOLD = 0.5
# z of the 90th percentile of a normal distribution (exposure_p10 and exposure_p90)
Z_P90 = 1.2815515655446004
RATERS = ("gpt4", "human")
MEASURES = ("alpha", "beta", "gamma")


def _check_scores(scores: pl.DataFrame) -> None:
    """A score outside [0, 1] (or NaN) or a task scored twice is a scorer's bug: say which."""
    bad = scores.filter(pl.col("score").is_nan() | ~pl.col("score").is_between(0.0, 1.0))
    if bad.height:
        first = bad.row(0, named=True)
        raise ConfigError(
            f"task {first['task_id']} of {first['onet_soc_code']} has the score "
            f"{first['score']}, outside [0, 1] ({bad.height} such tasks)",
            "a scorer must return scores in [0, 1] or null")
    twice = scores.filter(pl.struct("onet_soc_code", "task_id").is_duplicated())
    if twice.height:
        first = twice.row(0, named=True)
        raise ConfigError(
            f"task {first['task_id']} of {first['onet_soc_code']} is scored more than once",
            "pass one scorer's task_exposure rows at a time")


def occupation_scores(task_exposure: pl.DataFrame, tasks: pl.DataFrame,
                      task_rating: pl.DataFrame | None = None,
                      threshold: float = EXPOSED_THRESHOLD) -> pl.DataFrame:
    """Roll a `task_exposure`-shaped frame (onet_soc_code, task_id, score) up to the O*NET
    occupations of the task list `tasks`.

    The task list fixes which tasks an occupation has and their types: the `task` table in
    a normal run, `task_label` itself to reproduce the published table. A task of the list
    missing from `task_exposure` is unscored (null). Returns OccupationScoreModel columns:
    onet_soc_code, exposure, share_exposed, n_tasks, n_scored, scored_weight_share,
    weight_source ('importance' when Task Ratings weighted any of its tasks), exposure_sd,
    exposure_p10, exposure_p90 (null without `score_sd`, which a frame may lack).
    """
    require_columns(task_exposure, "task_exposure", ("onet_soc_code", "task_id", "score"))
    weights = task_weights(tasks, task_rating)
    sd = pl.col("score_sd") if "score_sd" in task_exposure.columns else pl.lit(None)
    scores = task_exposure.select("onet_soc_code", "task_id",
                                  pl.col("score").cast(pl.Float64),
                                  sd.cast(pl.Float64).alias("score_sd"))
    _check_scores(scores)
    frame = weights.join(scores, on=["onet_soc_code", "task_id"], how="left")
    scored = pl.col("score").is_not_null()
    scored_weight = pl.col("weight").filter(scored).sum()
    out = frame.group_by("onet_soc_code").agg(
        ((pl.col("weight") * pl.col("score")).sum() / scored_weight).alias("exposure"),
        (pl.col("weight").filter(pl.col("score") >= threshold).sum() / scored_weight)
        .alias("share_exposed"),
        pl.len().alias("n_tasks"),
        scored.sum().cast(pl.UInt32).alias("n_scored"),
        (scored_weight / pl.col("weight").sum()).alias("scored_weight_share"),
        pl.when((pl.col("weight_source") != BY_TASK_TYPE).any()).then(pl.lit(IMPORTANCE))
        .otherwise(pl.lit(BY_TASK_TYPE)).alias("weight_source"),
        ((pl.col("weight") * pl.col("score_sd")).filter(scored).sum() / scored_weight)
        .alias("exposure_sd"),
        (scored & pl.col("score_sd").is_null()).any().alias("sd_missing"),
    ).with_columns(
        # an occupation without a scored task has no exposure (0/0 gives NaN)
        pl.when(pl.col("n_scored") > 0).then(pl.col(c)).alias(c)
        for c in ("exposure", "share_exposed")
    ).with_columns(
        # a weighted mean of values in [0, 1] can overshoot by an ulp
        pl.col("exposure").clip(0.0, 1.0),
        pl.when(pl.col("exposure").is_not_null() & ~pl.col("sd_missing"))
        .then(pl.col("exposure_sd")).alias("exposure_sd"),
    ).with_columns(
        (pl.col("exposure") - Z_P90 * pl.col("exposure_sd")).clip(0.0, 1.0)
        .alias("exposure_p10"),
        (pl.col("exposure") + Z_P90 * pl.col("exposure_sd")).clip(0.0, 1.0)
        .alias("exposure_p90"),
    ).sort("onet_soc_code")
    return conform(out, OccupationScoreModel)


def label_scores(task_label: pl.DataFrame, rater: str, measure: str) -> pl.DataFrame:
    """The published label of every task of `task_label` as a `task_exposure`-shaped frame
    (what the `rubric:<rater>:<measure>` scorer gives on the labelled O*NET 27.2 tasks)."""
    if rater not in RATERS or measure not in MEASURES:
        raise ConfigError(f"no published label '{rater}_{measure}'",
                          f"choose a rater from {RATERS} and a measure from {MEASURES}")
    return task_label.select("onet_soc_code", "task_id",
                             pl.col(f"{rater}_{measure}").alias("score"))


def reproduce_published(task_label: pl.DataFrame) -> pl.DataFrame:
    """The published occupation table (`occupation_label`, from occ_level.csv) rebuilt from
    the task labels over their own task list and types: onet_soc_code, title and the six
    columns gpt4_/human_ alpha/beta/gamma, in `occupation_label`'s order."""
    titles = task_label.group_by("onet_soc_code").agg(pl.col("title").first())
    out = titles
    for rater in RATERS:
        for measure in MEASURES:
            scores = occupation_scores(label_scores(task_label, rater, measure), task_label)
            out = out.join(scores.select("onet_soc_code",
                                         pl.col("exposure").alias(f"{rater}_{measure}")),
                           on="onet_soc_code", how="left")
    return out.sort("onet_soc_code")

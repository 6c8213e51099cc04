"""What a scorer sees: one row per O*NET 29.2 task with everything it may use.

`task_inputs(tables, task_feature)` is the `X` of every scorer. Text columns are plain
strings ('' where O*NET has nothing), so a scorer never has to join reference tables
itself. `task_targets` gives the human labels aligned with such a frame (the `y` of a
scorer that learns).
"""

from __future__ import annotations

import polars as pl

from exposure.codes import CORE

ID_COLUMNS = ("onet_soc_code", "task_id")
# Text columns, in the order a person reads them.
TEXT_COLUMNS = ("task", "occupation_title", "dwa_titles", "iwa_titles", "gwa_titles",
                "technology", "skills", "knowledge")
# Numeric columns the inputs always carry; feature columns (`task_feature`) are added to these.
BASE_NUMERIC = ("core", "occupation_job_zone", "n_dwa", "n_occupation_tasks", "n_technology",
                "n_hot_technology")
SEPARATOR = "; "
TOP_DESCRIPTORS = 10


def _joined(frame: pl.DataFrame, key: str, column: str, alias: str) -> pl.DataFrame:
    """Distinct values of `column` per `key`, sorted and joined with SEPARATOR."""
    return frame.group_by(key).agg(
        pl.col(column).drop_nulls().unique().sort().str.join(SEPARATOR).alias(alias)
    )


def _top_descriptors(descriptor: pl.DataFrame, domain: str, alias: str) -> pl.DataFrame:
    """An occupation's TOP_DESCRIPTORS most important skills (or knowledge areas) as text,
    most important first (O*NET importance scale IM)."""
    return (
        descriptor.filter((pl.col("domain") == domain) & (pl.col("scale_id") == "IM"))
        .sort(["onet_soc_code", "data_value", "element_name"], descending=[False, True, False])
        .group_by("onet_soc_code", maintain_order=True)
        .agg(pl.col("element_name").head(TOP_DESCRIPTORS).str.join(SEPARATOR).alias(alias))
    )


def feature_columns(frame: pl.DataFrame) -> list[str]:
    """The numeric columns of `frame` other than the ids: what a scorer may treat as
    features without knowing their names."""
    return [name for name, dtype in frame.schema.items()
            if dtype.is_numeric() and name not in ID_COLUMNS]


def task_inputs(tables: dict[str, pl.DataFrame],
                task_feature: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per task of the `task` table, sorted by (onet_soc_code, task_id).

    Columns: the ids; `task` and `task_type`; `occupation_title`; the titles of the task's
    detailed, intermediate and generalized work activities (`dwa_titles`, `iwa_titles`,
    `gwa_titles`); the occupation's technology examples with their commodity titles
    (`technology`) and its most important skills and knowledge areas (`skills`,
    `knowledge`); counts (`n_dwa`, `n_occupation_tasks`, `n_technology`,
    `n_hot_technology`), `core` (1.0 for a Core task) and `occupation_job_zone` (1-5, null
    where O*NET has none). With `task_feature`, its numeric columns are added by task id
    under their own names.
    """
    task = tables["task"].select("onet_soc_code", "task_id", "task", "task_type")
    activity = tables["task_dwa"].select("task_id", "dwa_id").join(
        tables["work_activity"], on="dwa_id", how="inner")
    per_task = _joined(activity, "task_id", "dwa_title", "dwa_titles").join(
        _joined(activity, "task_id", "iwa_title", "iwa_titles"), on="task_id").join(
        _joined(activity, "task_id", "gwa_title", "gwa_titles"), on="task_id").join(
        activity.group_by("task_id").agg(pl.col("dwa_id").n_unique().alias("n_dwa")),
        on="task_id")

    tech = tables["technology_skill"]
    tech_text = pl.concat([tech.select("onet_soc_code", pl.col("example").alias("term")),
                           tech.select("onet_soc_code", pl.col("commodity_title").alias("term"))])
    per_occupation = (
        tables["occupation"].select("onet_soc_code", pl.col("title").alias("occupation_title"),
                                    pl.col("job_zone").alias("occupation_job_zone"))
        .join(_joined(tech_text, "onet_soc_code", "term", "technology"), on="onet_soc_code",
              how="left")
        .join(tech.group_by("onet_soc_code").agg(
            pl.len().cast(pl.Float64).alias("n_technology"),
            pl.col("hot_technology").sum().cast(pl.Float64).alias("n_hot_technology")),
            on="onet_soc_code", how="left")
        .join(_top_descriptors(tables["occupation_descriptor"], "skills", "skills"),
              on="onet_soc_code", how="left")
        .join(_top_descriptors(tables["occupation_descriptor"], "knowledge", "knowledge"),
              on="onet_soc_code", how="left")
        .join(task.group_by("onet_soc_code").agg(
            pl.len().cast(pl.Float64).alias("n_occupation_tasks")), on="onet_soc_code",
            how="left")
    )
    out = (
        task.join(per_occupation, on="onet_soc_code", how="left")
        .join(per_task, on="task_id", how="left")
        .with_columns(
            pl.col(*TEXT_COLUMNS).fill_null(""),
            pl.col("n_dwa", "n_technology", "n_hot_technology").fill_null(0).cast(pl.Float64),
            pl.col("occupation_job_zone").cast(pl.Float64),
            (pl.col("task_type") == CORE).fill_null(False).cast(pl.Float64).alias("core"),
        )
        .select(*ID_COLUMNS, "task", "task_type", *TEXT_COLUMNS[1:], *BASE_NUMERIC)
        .sort(ID_COLUMNS)
    )
    if task_feature is not None:
        features = task_feature.select(
            "task_id", *[c for c in feature_columns(task_feature) if c not in out.columns])
        out = out.join(features, on="task_id", how="left")
    return out


def task_targets(tables: dict[str, pl.DataFrame], inputs: pl.DataFrame,
                 rater: str = "human") -> pl.Series:
    """The published `rater` label ('E0'|'E1'|'E2') of each row of `inputs`, matched by
    task id and occupation; null where the task has none (29.2 tasks new since 27.2)."""
    labels = tables["task_label"].select("task_id", "onet_soc_code",
                                         pl.col(f"{rater}_label").alias("label"))
    return (inputs.select(*ID_COLUMNS)
            .join(labels, on=["task_id", "onet_soc_code"], how="left", maintain_order="left")
            .get_column("label"))

"""The run report's section on why the fitted `leverage` scores a task high: its most
important terms per group of features (data availability, verifiability, other, pairs) and
the shapes of the strongest main effects, from the `scorer_explanation` table."""

from __future__ import annotations

import duckdb
import polars as pl

from exposure.reporting.charts import importance_chart, shape_chart
from exposure.reporting.document import Chart, Section, Table, Text
from exposure.scorers.explain import CONTRASTS

TOP_TERMS = 5  # per group, in the importance chart
TOP_SHAPES = 6  # main effects whose shape is drawn
GROUP_TITLES = {"data_availability": "data availability", "verifiability": "verifiability",
                "other": "other features", "interaction": "pairs of features"}


def load_explanation(con: duckdb.DuckDBPyConnection, present: set[str]) -> pl.DataFrame | None:
    """The run's `scorer_explanation` rows (None when the run has none)."""
    if "latest_scorer_explanation" not in present:
        return None
    return con.execute("SELECT * FROM latest_scorer_explanation").pl()


def ranked_terms(explanation: pl.DataFrame) -> pl.DataFrame:
    """One row per term and label of the `importance` rows, with the term's rank in its
    group (by its importance summed over E1 and E2: 1 is the most important), groups in
    the order of GROUP_TITLES."""
    importance = explanation.filter(pl.col("kind") == "importance")
    total = importance.group_by("term_group", "term").agg(
        pl.col("contribution").sum().alias("total"))
    ranks = total.with_columns(
        pl.col("total").rank("ordinal", descending=True).over("term_group").alias("rank"))
    order = {group: k for k, group in enumerate(GROUP_TITLES)}
    return importance.join(ranks, on=["term_group", "term"]).with_columns(
        pl.col("term_group").replace_strict(GROUP_TITLES, default=pl.col("term_group"))
        .alias("group"),
        pl.col("term_group").replace_strict(order, default=len(order)).alias("group_order"),
    ).sort("group_order", "rank", "label").drop("group_order")


def explanation_section(explanation: pl.DataFrame | None) -> list[Section]:
    """The section (none when the run has no explanation rows)."""
    if explanation is None or explanation.height == 0:
        return []
    scorer = explanation.get_column("scorer")[0]
    explanation = explanation.filter(pl.col("scorer") == scorer)
    ranked = ranked_terms(explanation)
    top = ranked.filter(pl.col("rank") <= TOP_TERMS)
    mains = (ranked.filter((pl.col("term_group") != "interaction") & (pl.col("label") == "E1"))
             .sort("total", descending=True).get_column("term").head(TOP_SHAPES).to_list())
    shapes = explanation.filter((pl.col("kind") == "shape") & pl.col("term").is_in(mains))
    folds = int(explanation.get_column("n_folds").max() or 0)
    leaders = (ranked.filter(pl.col("rank") == 1)
               .with_columns(pl.format("{} ({} to {})", *(
                   pl.col(c).map_elements(lambda v: f"{v:.2f}", return_dtype=pl.String)
                   for c in ("contribution", "fold_min", "fold_max"))).alias("cell"))
               .pivot("label", index=["group", "term"], values="cell")
               .select(pl.col("group").alias("feature group"),
                       pl.col("term").alias("most important term"),
                       *(pl.col(label).alias(f"{label} against E0 (folds)")
                         for label in CONTRASTS)))
    return [Section(f"Why {scorer} scores a task high", (
        Text(f"The fitted `{scorer}` adds one shape function per feature and a few pairs; "
             "a term's importance is its mean absolute contribution to a task's log-odds of "
             "E1 (and of E2) against E0 (`scorer_explanation` table). Whiskers, bands and "
             f"the ranges in the table span its {folds} fold models, each trained on the "
             "occupations outside one fold."),
        Chart.render(importance_chart(top, GROUP_TITLES.values()),
                     "explanation_importance.svg", "most important terms per group"),
        Table.formatted(leaders),
        Chart.render(shape_chart(shapes, mains), "explanation_shapes.svg",
                     "shapes of the strongest main effects"),
    ))]


__all__ = ["explanation_section", "load_explanation", "ranked_terms"]

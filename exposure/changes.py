"""What changed since the previous successful run: settings, inputs, occupations, exposures,
forecasts.

The summary compares the tables a run is about to publish with the warehouse currently
published (which holds the previous successful run), and the run's settings with those the
earlier runs recorded. It becomes the run's rows of `change_summary` and a Markdown report
`reports/changes/<run_id>.md`, settings changes first: a changed scorer or draw count
explains changed figures before any input does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from exposure.runs import latest_run_id, settings_changes
from exposure.warehouse import connect_read_only, table_names

SCHEMA = {"kind": pl.String, "key": pl.String, "detail": pl.String,
          "before": pl.Float64, "after": pl.Float64, "delta": pl.Float64}
TOP = 10
FORECAST_THRESHOLD = 1_000.0  # displaced workers (median) in one scenario, sector and year
COMPARED = ("occupation_exposure", "sector_exposure", "displacement_forecast")
SETTING = "setting"


def _previous(path: Path) -> dict[str, pl.DataFrame]:
    """The previous successful run's inputs and, per result table, the latest results (those
    its `latest_` view shows: a run that did not make a table leaves the older rows there)."""
    if not Path(path).is_file():
        return {}
    con = connect_read_only(path)
    try:
        present = table_names(con)
        run = latest_run_id(con)
        if run is None:
            return {}
        out = {"run_id": pl.DataFrame({"run_id": [run]}),
               "source_file": con.execute("SELECT path, sha256 FROM source_file "
                                          "WHERE run_id = ?", [run]).pl()}
        if "occupation" in present:  # a reference table: it holds the latest ingest only
            out["occupation"] = con.execute(
                "SELECT onet_soc_code, title FROM occupation WHERE has_tasks").pl()
        for name in COMPARED:
            latest = latest_run_id(con, name)
            if latest is not None:
                out[name] = con.execute(f'SELECT * FROM "{name}" WHERE run_id = ?',
                                        [latest]).pl()
        return out
    finally:
        con.close()


def _rows(kind: str, frame: pl.DataFrame, key: pl.Expr, detail: pl.Expr) -> pl.DataFrame:
    return frame.select(pl.lit(kind).alias("kind"), key.alias("key"), detail.alias("detail"),
                        pl.col("before").cast(pl.Float64), pl.col("after").cast(pl.Float64),
                        (pl.col("after") - pl.col("before")).alias("delta"))


def _inputs(before: pl.DataFrame, files: pl.DataFrame) -> pl.DataFrame:
    joined = before.unique("path").join(files.unique("path"), on="path", how="full",
                                        suffix="_new", coalesce=True)
    changed = joined.filter(pl.col("sha256").ne_missing(pl.col("sha256_new")))
    status = (pl.when(pl.col("sha256").is_null()).then(pl.lit("added"))
              .when(pl.col("sha256_new").is_null()).then(pl.lit("removed"))
              .otherwise(pl.lit("changed")))
    return changed.select(
        pl.lit("input").alias("kind"), pl.col("path").alias("key"),
        pl.concat_str(status, pl.lit(": sha256 "),
                      pl.col("sha256").str.slice(0, 12).fill_null("-"), pl.lit(" -> "),
                      pl.col("sha256_new").str.slice(0, 12).fill_null("-")).alias("detail"),
        *(pl.lit(None, pl.Float64).alias(c) for c in ("before", "after", "delta")))


def _largest(kind: str, before: pl.DataFrame, after: pl.DataFrame, keys: list[str],
             value: str, label: pl.Expr, top: int = TOP) -> pl.DataFrame:
    joined = before.select(*keys, pl.col(value).alias("before")).join(
        after.select(*keys, pl.col(value).alias("after"), label.alias("label")), on=keys)
    moved = joined.filter((pl.col("after") - pl.col("before")).abs() > 1e-12)
    moved = moved.sort((pl.col("after") - pl.col("before")).abs(), descending=True).head(top)
    return _rows(kind, moved, pl.concat_str([pl.col(k).cast(pl.String) for k in keys],
                                            separator=" "), pl.col("label"))


def _settings(warehouse_path: Path, settings: Mapping[str, object]) -> pl.DataFrame:
    """One `setting` row per recorded setting that differs from the run that last used it."""
    rows = [{"kind": SETTING, "key": change.name,
             "detail": f"{change.describe()} (as of run {change.previous_run_id})"}
            for change in settings_changes(warehouse_path, settings)]
    return pl.DataFrame(rows, schema=SCHEMA)


def summarize_changes(warehouse_path: Path, tables: dict[str, pl.DataFrame],
                      files: pl.DataFrame, settings: Mapping[str, object] | None = None
                      ) -> tuple[str | None, pl.DataFrame]:
    """(previous run id, change rows) for a run about to publish `tables` read from `files`
    with `settings` (its recorded settings, `exposure.runs.recorded_settings`).

    Settings changes come first, then input changes, then what they changed.
    """
    previous = _previous(warehouse_path)
    if not previous:
        return None, pl.DataFrame(schema=SCHEMA)
    parts = [_settings(warehouse_path, settings or {}),
             _inputs(previous["source_file"], files.select("path", "sha256"))]
    if "occupation" in previous and "occupation" in tables:
        now = tables["occupation"].filter(pl.col("has_tasks")).select("onet_soc_code", "title")
        for kind, a, b in (("occupation_added", now, previous["occupation"]),
                           ("occupation_removed", previous["occupation"], now)):
            only = a.join(b, on="onet_soc_code", how="anti")
            parts.append(only.select(pl.lit(kind).alias("kind"),
                                     pl.col("onet_soc_code").alias("key"),
                                     pl.col("title").alias("detail"),
                                     *(pl.lit(None, pl.Float64).alias(c)
                                       for c in ("before", "after", "delta"))))
    comparisons = (
        ("occupation_exposure", ["scorer", "onet_soc_code"], "exposure", pl.col("title")),
        ("sector_exposure", ["scorer", "year", "naics_sector"], "exposure",
         pl.col("sector_title")),
    )
    for name, keys, value, label in comparisons:
        if name in previous and name in tables:
            parts.append(_largest(name, previous[name], tables[name], keys, value, label))
    if "displacement_forecast" in previous and "displacement_forecast" in tables:
        keys = ["scenario", "year", "naics_sector"]
        totals = [f.group_by(keys).agg(pl.col("displaced_p50").sum())
                  for f in (previous["displacement_forecast"], tables["displacement_forecast"])]
        moved = _largest("displacement_forecast", *totals, keys, "displaced_p50",
                         pl.lit("displaced (median), all occupations"), top=10_000)
        parts.append(moved.filter(pl.col("delta").abs() >= FORECAST_THRESHOLD))
    return previous["run_id"]["run_id"][0], pl.concat(parts, how="vertical_relaxed")


def markdown(run_id: str, previous_run: str | None, changes: pl.DataFrame) -> str:
    """The change summary as a short Markdown report: settings changes first, then inputs,
    then results. "Nothing changed" only when neither settings, inputs nor results did."""
    if previous_run is None:
        return f"# Run {run_id}\n\nFirst successful run: nothing to compare with.\n"
    lines = [f"# Run {run_id}: what changed since {previous_run}", ""]
    if changes.height == 0:
        lines.append("Nothing changed: same settings, same inputs, same results.")
    order = {SETTING: 0, "input": 1}
    kinds = changes.with_row_index().with_columns(
        pl.col("kind").replace_strict(order, default=2, return_dtype=pl.Int32).alias("rank")
    ).sort("rank", "index")
    for (kind,), rows in kinds.group_by("kind", maintain_order=True):
        title = "settings" if kind == SETTING else kind.replace("_", " ")
        lines += ["", f"## {title} ({rows.height})", ""]
        for row in rows.iter_rows(named=True):
            numbers = ("" if row["before"] is None else
                       f": {row['before']:.4g} -> {row['after']:.4g} ({row['delta']:+.4g})")
            lines.append(f"- {row['key']} {row['detail'] or ''}{numbers}")
    return "\n".join(lines) + "\n"

"""The run report: a short Markdown page with SVG charts, written after each publish.

`reports/runs/<run_id>/report.md` names the data and assumptions behind every figure, shows
the national headline, the sectors and, when the forecast tables are present, the forecast
sections of `exposure.reporting.forecast` (scenarios, policy by sector, sensitivity, labour
market, published anchors), and links the change summary. Charts are Altair specs rendered
to SVG with vl-convert (no browser, no network).
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import polars as pl

from exposure import ONET_ATTRIBUTION
from exposure.queries import MEANING
from exposure.reporting.charts import save_svg
from exposure.reporting.forecast import ForecastTables, forecast_sections
from exposure.reporting.markdown import markdown_table
from exposure.warehouse import connect_read_only, table_names


def _sector_chart(sectors: pl.DataFrame) -> alt.Chart:
    return alt.Chart(alt.Data(values=sectors.to_dicts())).mark_bar().encode(
        x=alt.X("exposure:Q", title="employment-weighted exposure", scale=alt.Scale(
            domain=[0, 1])),
        y=alt.Y("sector_title:N", sort="-x", title=None),
    ).properties(width=420, title="Exposure by sector")


def write_report(warehouse_path: Path, reports_dir: Path, run_id: str, scorer: str) -> Path:
    """Write the report of run `run_id` (figures of `scorer`) and return its path."""
    folder = Path(reports_dir) / "runs" / run_id
    folder.mkdir(parents=True, exist_ok=True)
    con = connect_read_only(warehouse_path)
    try:
        present = table_names(con)
        releases = con.execute(
            "SELECT DISTINCT release FROM source_file WHERE run_id = ? ORDER BY 1",
            [run_id]).fetchall()

        def latest(table: str, sql: str, params: list[object]) -> pl.DataFrame | None:
            return con.execute(sql, params).pl() if table in present else None

        headline = latest("headline", "SELECT threshold, inclusive, share_of_workers, workers "
                          "FROM latest_headline WHERE scorer = ? ORDER BY 1, 2", [scorer])
        sectors = latest("sector_exposure",
                         "SELECT naics_sector, sector_title, employment, exposure, "
                         "covered_employment_share FROM latest_sector_exposure WHERE scorer = ? "
                         "AND year = (SELECT max(year) FROM latest_sector_exposure) "
                         "ORDER BY exposure DESC", [scorer])
        forecasts = ForecastTables.load(con, present)
    finally:
        con.close()
    lines = [f"# Run {run_id}", "",
             "Sources: " + "; ".join(r[0] for r in releases) + ".",
             f"Scorer shown: `{scorer}`. {MEANING}", ""]
    if headline is not None and headline.height:
        lines += ["## National headline", "",
                  "Share of workers whose occupation has at least the threshold share of its "
                  "task weight exposed (`inclusive`: whether exactly the threshold counts).", "",
                  *markdown_table(headline), ""]
    if sectors is not None and sectors.height:
        chart = save_svg(_sector_chart(sectors), folder / "sectors.svg")
        lines += ["## Sectors", "", f"![sectors]({chart})", "", *markdown_table(sectors), ""]
    lines += forecast_sections(forecasts, folder)
    lines += ["## What changed", "", f"See [the change summary](../../changes/{run_id}.md).", "",
              "---", "", ONET_ATTRIBUTION, ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path

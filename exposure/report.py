"""The run report: a short Markdown page with SVG charts, written after each publish.

`reports/runs/<run_id>/report.md` names the data and assumptions behind every figure, shows
the national headline, the sectors and, when the forecast tables are present, the forecast
sections of `exposure.reporting.forecast` (scenarios, policy by sector, sensitivity, labour
market, published anchors) and of the agent-based simulation (`exposure.reporting.abm`),
and links the change summary. Charts are Altair specs rendered
to SVG with vl-convert (no browser, no network).
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import duckdb
import polars as pl

from exposure import ONET_ATTRIBUTION
from exposure.errors import ConfigError
from exposure.queries import MEANING
from exposure.reporting.abm import AbmTables, abm_section
from exposure.reporting.charts import save_svg
from exposure.reporting.forecast import ForecastTables, forecast_sections
from exposure.reporting.markdown import markdown_table
from exposure.runs import recorded_settings, setting_text
from exposure.warehouse import RUN_RESULTS, connect_read_only, table_names


def _sector_chart(sectors: pl.DataFrame) -> alt.Chart:
    return alt.Chart(alt.Data(values=sectors.to_dicts())).mark_bar().encode(
        x=alt.X("exposure:Q", title="employment-weighted exposure", scale=alt.Scale(
            domain=[0, 1])),
        y=alt.Y("sector_title:N", sort="-x", title=None),
    ).properties(width=420, title="Exposure by sector")


def _select_run(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[dict[str, object],
                                                                     set[str]]:
    """The `run` row of `run_id`, and the names under which its rows of every result table
    can be read.

    The report's sections (here and in `exposure.reporting.forecast`) read
    `latest_<table>`, like the boards. For the report of one run those names become
    temporary views of that run's own rows (a temporary view hides the published one of the
    same name, on this connection only), so an older run's report shows its own figures,
    never the newest run's. A table without rows of the run is left out, so its section is
    too.
    """
    run = con.execute("SELECT * FROM run WHERE run_id = ? AND status = 'succeeded'",
                      [run_id]).pl()
    if run.height == 0:
        raise ConfigError(f"the warehouse has no successful run {run_id}",
                          "list the runs with `exposure runs`, or leave RUN_ID out for the "
                          "latest one")
    database = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    literal = run_id.replace("'", "''")
    present = set()
    for table in sorted(set(RUN_RESULTS) & table_names(con)):
        if con.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE run_id = ?)',
                       [run_id]).fetchone()[0]:
            con.execute(f'CREATE TEMP VIEW "latest_{table}" AS SELECT * FROM '
                        f'"{database}".main."{table}" WHERE run_id = \'{literal}\'')
            present.add(f"latest_{table}")
    return run.row(0, named=True), present


def _settings_line(run: dict[str, object]) -> str:
    """The run's recorded settings in one line ("" when it recorded none)."""
    settings = recorded_settings(run.get("parameters"))
    if not settings:
        return ""
    return "Settings: " + "; ".join(f"{name} {setting_text(value)}"
                                    for name, value in settings.items()) + "."


def write_report(warehouse_path: Path, reports_dir: Path, run_id: str,
                 scorer: str | None = None) -> Path:
    """Write the report of run `run_id` (figures of `scorer`, default the run's first
    scorer) from that run's own rows and sources, and return its path."""
    folder = Path(reports_dir) / "runs" / run_id
    con = connect_read_only(warehouse_path)
    try:
        run, present = _select_run(con, run_id)
        scorer = scorer or (str(run.get("scorer") or "").split(",")[0] or None)
        releases = con.execute(
            "SELECT DISTINCT release FROM source_file WHERE run_id = ? ORDER BY 1",
            [run_id]).fetchall()

        def read(table: str, sql: str, params: list[object]) -> pl.DataFrame | None:
            return con.execute(sql, params).pl() if f"latest_{table}" in present else None

        headline = read("headline", "SELECT threshold, inclusive, share_of_workers, workers "
                        "FROM latest_headline WHERE scorer = ? ORDER BY 1, 2", [scorer])
        sectors = read("sector_exposure",
                       "SELECT naics_sector, sector_title, employment, exposure, "
                       "covered_employment_share FROM latest_sector_exposure WHERE scorer = ? "
                       "AND year = (SELECT max(year) FROM latest_sector_exposure) "
                       "ORDER BY exposure DESC", [scorer])
        forecasts = ForecastTables.load(con, present)
        simulation = AbmTables.load(con, present)
    finally:
        con.close()
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# Run {run_id}", "",
             "Sources: " + "; ".join(r[0] for r in releases if r[0]) + ".",
             *filter(None, [_settings_line(run)]),
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
    lines += abm_section(simulation, folder)
    lines += ["## What changed", "", f"See [the change summary](../../changes/{run_id}.md).", "",
              "---", "", ONET_ATTRIBUTION, ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path

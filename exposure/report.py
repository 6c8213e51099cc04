"""The run report, written after each publish as a Markdown page with SVG charts and as a
self-contained web page.

`reports/runs/<run_id>/report.md` and `index.html` name the data and assumptions behind
every figure, show the national headline, the sectors, why the fitted `leverage` scores
tasks as it does (`exposure.reporting.explanation`, when the run has `scorer_explanation`
rows), the backtest of exposure against employment since May 2021
(`exposure.reporting.backtest`) and, when the forecast tables are present, the forecast
sections of `exposure.reporting.forecast` (scenarios, policy by sector, sensitivity, labour market,
published anchors) and of the agent-based simulation (`exposure.reporting.abm`), and link
the change summary. The sections are built once as
data (`exposure.reporting.document`) and rendered twice (`markdown`, `html`), so the two
files always agree. Charts are Altair specs rendered to SVG with vl-convert (no browser, no
network). `reports/latest/` holds the same files of the newest run.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import altair as alt
import duckdb
import polars as pl

from exposure import ONET_ATTRIBUTION
from exposure.errors import ConfigError
from exposure.queries import FORECAST_MEANING, MEANING
from exposure.reporting.abm import AbmTables, abm_section
from exposure.reporting.backtest import backtest_section, load_backtest
from exposure.reporting.document import Chart, Link, Report, Section, Table, Text
from exposure.reporting.explanation import explanation_section, load_explanation
from exposure.reporting.forecast import ForecastTables, forecast_sections
from exposure.reporting.html import render_html
from exposure.reporting.markdown import render_markdown
from exposure.runs import latest_run_id, recorded_settings, setting_text
from exposure.warehouse import RUN_RESULTS, connect_read_only, table_names

# The newest run's report, beside the per-run folders (a path relative to the reports folder).
LATEST = PurePosixPath("latest")


def _sector_chart(sectors: pl.DataFrame) -> alt.Chart:
    return alt.Chart(alt.Data(values=sectors.to_dicts())).mark_bar().encode(
        x=alt.X("exposure:Q", title="employment-weighted exposure", scale=alt.Scale(
            domain=[0, 1])),
        y=alt.Y("sector_title:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
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
    return "; ".join(f"{name} {setting_text(value)}" for name, value in settings.items())


def build_report(warehouse_path: Path, run_id: str, scorer: str | None = None) -> Report:
    """The report of run `run_id` (figures of `scorer`, default the run's first scorer),
    from that run's own rows and sources."""
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
        explanation = load_explanation(con, present)
        backtest = load_backtest(con, present)
        forecasts = ForecastTables.load(con, present)
        simulation = AbmTables.load(con, present)
    finally:
        con.close()
    sections: list[Section] = []
    if headline is not None and headline.height:
        sections.append(Section("National headline", (
            Text("Share of workers whose occupation has at least the threshold share of its "
                 "task weight exposed (Inclusive: whether exactly the threshold counts)."),
            Table.readable(headline))))
    if sectors is not None and sectors.height:
        sections.append(Section("Sectors", (
            Chart.render(_sector_chart(sectors), "sectors.svg", "sectors"),
            Table.readable(sectors))))
    sections += explanation_section(explanation)
    sections += backtest_section(backtest)
    sections += forecast_sections(forecasts)
    sections += abm_section(simulation)
    sections.append(Section("What changed", (
        Link("See ", "the change summary", PurePosixPath("changes", f"{run_id}.md"), "."),)))
    has_forecasts = forecasts.totals is not None and forecasts.totals.height > 0
    return Report(run_id=run_id, scorer=scorer,
                  sources=tuple(r[0] for r in releases if r[0]),
                  settings=_settings_line(run), meaning=MEANING,
                  forecast_meaning=FORECAST_MEANING if has_forecasts else "",
                  sections=tuple(sections), attribution=ONET_ATTRIBUTION)


def _write_text(path: Path, text: str) -> None:
    """Replace `path` at once: a reader (a browser, a web server) sees the old file or the
    new one, never half of one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _write_files(report: Report, reports_dir: Path, folder: PurePosixPath) -> Path:
    """report.md, index.html and the charts' SVG files in `reports_dir / folder`; files of
    an earlier writing that the report no longer has (a chart) are removed."""
    target = reports_dir.joinpath(*folder.parts)
    target.mkdir(parents=True, exist_ok=True)
    files = {chart.name: chart.svg for chart in report.charts()}
    # the page last: it is what a browser opens, and it holds everything in itself
    files["report.md"] = render_markdown(report, folder)
    files["index.html"] = render_html(report, folder)
    for name, text in files.items():
        _write_text(target / name, text)
    for old in target.glob("*.svg"):
        if old.name not in files:
            old.unlink()
    return target / "report.md"


def write_report(warehouse_path: Path, reports_dir: Path, run_id: str,
                 scorer: str | None = None) -> Path:
    """Write the report of run `run_id` (figures of `scorer`, default the run's first
    scorer) from that run's own rows and sources: `runs/<run_id>/report.md` with its SVG
    charts and `index.html` beside it; when `run_id` is the warehouse's newest successful
    run, `latest/` too. Return the path of report.md."""
    report = build_report(warehouse_path, run_id, scorer)
    reports_dir = Path(reports_dir)
    path = _write_files(report, reports_dir, PurePosixPath("runs", run_id))
    if latest_run_id(warehouse_path) == run_id:
        _write_files(report, reports_dir, LATEST)
    return path

"""The `exposure` command: a thin layer over library functions.

Every failure ends as one sentence on stderr and a non-zero exit: an `ExposureError` as it
is, anything else through `exposure.failures.unexpected_error`; `--verbose` adds the
traceback. Text that comes from data (cells, error messages quoting values, paths) is never
read as Rich markup: the stderr console has markup off and tables get `Text` cells.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from exposure.errors import ExposureError
from exposure.failures import unexpected_error
from exposure.output import Format, emit
from exposure.settings import Settings, get_settings

app = typer.Typer(
    help="Task-level AI exposure, roll-ups and displacement forecasts from O*NET and BLS data. "
    "Exposure is not a probability of job loss.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, markup=False)
state = {"verbose": False}

RawDir = Annotated[
    Path | None, typer.Option("--raw-dir", help="Raw data folder [EXPOSURE_RAW_DIR].")
]
WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", help="DuckDB warehouse file [EXPOSURE_WAREHOUSE].")
]
ReportsDir = Annotated[
    Path | None, typer.Option("--reports-dir", help="Reports folder [EXPOSURE_REPORTS_DIR].")
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")] = False
         ) -> None:
    state["verbose"] = verbose


ScorerOpt = Annotated[list[str] | None, typer.Option(
    "--scorer", help="Scorer spec (repeatable): a registered name with parameters such as "
    "rubric:human:beta, or pkg.module:Class [EXPOSURE_SCORERS].")]
QueryScorer = Annotated[str | None, typer.Option(
    "--scorer", help="Which scorer's figures (default: the first of EXPOSURE_SCORERS).")]
TopOpt = Annotated[int | None, typer.Option("--top", help="Only the N most exposed rows.")]
MinEmployment = Annotated[float | None, typer.Option(
    "--min-employment", help="Only rows with at least this employment.")]


def _settings(raw_dir: Path | None = None, warehouse: Path | None = None,
              reports_dir: Path | None = None, scorers: list[str] | None = None) -> Settings:
    return get_settings(raw_dir=raw_dir, warehouse=warehouse, reports_dir=reports_dir,
                        scorers=",".join(scorers) if scorers else None)


def _notice(text: str) -> None:
    err.print(text, highlight=False, soft_wrap=True)


def _run_through(last: str, settings: Settings, no_cache: bool, no_wait: bool) -> None:
    from exposure.refresh import run_refresh, stages_through

    with err.status(f"running stages through {last}") as status:
        run = run_refresh(settings, stages_through(last), use_cache=not no_cache,
                          progress=lambda stage: status.update(f"stage {stage}"),
                          wait=not no_wait, notice=_notice)
    _print_run(run, settings.warehouse)


def _print_run(run, warehouse: Path) -> None:  # RunRecord, imported lazily
    from exposure.refresh import all_cached

    states = run.parameters.get("stage_states", {})
    computed = [name for name, state in states.items() if state == "computed"]
    err.print(f"run {run.run_id} {run.status}", style="green")
    if all_cached(run):
        err.print(f"nothing changed: all {len(states)} stages reused their cached results")
    else:
        err.print(f"recomputed {len(computed)} of {len(states)} stages: {', '.join(computed)}")
    for check, value in run.parameters.get("data_checks", {}).items():
        err.print(f"  {check}: {value:.4f}")
    err.print(f"published {warehouse}")


NoCache = Annotated[bool, typer.Option("--no-cache", help="Recompute every stage.")]
NoWait = Annotated[bool, typer.Option(
    "--no-wait", help="When another run holds the warehouse's lock, exit at once (code 3) "
    "instead of waiting for it.")]


@app.command()
def ingest(raw_dir: RawDir = None, warehouse: WarehouseOpt = None,
           reports_dir: ReportsDir = None, no_cache: NoCache = False,
           no_wait: NoWait = False) -> None:
    """Read every public source and publish a new warehouse (atomic swap)."""
    _run_through("data_check", _settings(raw_dir, warehouse, reports_dir), no_cache, no_wait)


@app.command()
def score(raw_dir: RawDir = None, warehouse: WarehouseOpt = None,
          reports_dir: ReportsDir = None, scorer: ScorerOpt = None,
          no_cache: NoCache = False, no_wait: NoWait = False) -> None:
    """Ingest, build task features and score every task with each scorer."""
    _run_through("score", _settings(raw_dir, warehouse, reports_dir, scorer), no_cache, no_wait)


@app.command()
def rollup(raw_dir: RawDir = None, warehouse: WarehouseOpt = None,
           reports_dir: ReportsDir = None, scorer: ScorerOpt = None,
           no_cache: NoCache = False, no_wait: NoWait = False) -> None:
    """Everything through the roll-ups to occupations, sectors, SOC groups and states."""
    _run_through("rollup", _settings(raw_dir, warehouse, reports_dir, scorer), no_cache,
                 no_wait)


@app.command("forecast")
def forecast_command(
    raw_dir: RawDir = None, warehouse: WarehouseOpt = None, reports_dir: ReportsDir = None,
    scenario: Annotated[list[str] | None, typer.Option(
        "--scenario",
        help="Scenario id (P0-P11, P0-high) or TOML path, repeatable [EXPOSURE_SCENARIOS].",
    )] = None,
    draws: Annotated[int | None, typer.Option(help="Monte-Carlo draws per scenario.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the draws.")] = None,
    runner: Annotated[str | None, typer.Option(
        help="local, dask (local cluster) or dask://HOST:PORT [EXPOSURE_RUNNER].")] = None,
    calibration_file: Annotated[Path | None, typer.Option(
        help="CSV replacing rows of the sector calibration.")] = None,
    scorer: ScorerOpt = None, no_cache: NoCache = False, no_wait: NoWait = False,
) -> None:
    """Everything through the displacement forecasts of each scenario."""
    settings = _settings(raw_dir, warehouse, reports_dir, scorer).model_copy(update={
        k: v for k, v in {"scenarios": ",".join(scenario) if scenario else None,
                          "draws": draws, "seed": seed, "runner": runner,
                          "calibration_file": calibration_file}.items() if v is not None})
    _run_through("forecast", settings, no_cache, no_wait)


@app.command("forecast-table")
def forecast_table(
    warehouse: WarehouseOpt = None,
    scenario: Annotated[str | None, typer.Option(help="Scenario id, e.g. P1.")] = None,
    sector: Annotated[str | None, typer.Option(help="NAICS sector, e.g. 52.")] = None,
    occupation: Annotated[str | None, typer.Option(
        help="SOC code or prefix, e.g. 15-1252 or 43- (displaced-cells only).")] = None,
    year: Annotated[int | None, typer.Option(help="Year, 2025-2035.")] = None,
    measure: Annotated[str, typer.Option(
        help="displaced-cells (occupation x sector displacement) or a labour-market measure: "
        "displaced, unemployed, reemployed, labour_income_loss, demand_change, tfp_gain_pct, "
        "hours_automated_share, entry_level_wc_displaced_share, ai_unemployment_rate.")
    ] = "displaced-cells",
    sensitivity: Annotated[bool, typer.Option(
        "--sensitivity", help="Print the sensitivity table (2035 P0 median displacement with "
        "each parameter at its p10 / p90) instead.")] = False,
    top: TopOpt = None, fmt: FormatOpt = Format.table, output: OutputOpt = None,
) -> None:
    """Displaced employment (median and 80% interval) by occupation, sector and year; or a
    labour-market measure (--measure), or the sensitivity table (--sensitivity)."""
    from exposure.forecast_table import forecast_table_result

    result, title = forecast_table_result(
        _settings(warehouse=warehouse).warehouse, measure=measure, sensitivity=sensitivity,
        scenario=scenario, sector=sector, occupation=occupation, year=year, top=top)
    if fmt is Format.table:
        result = (result[0].drop("run_id"), result[1])
    _emit_board(result, fmt, output, title)


@app.command()
def refresh(raw_dir: RawDir = None, warehouse: WarehouseOpt = None,
            reports_dir: ReportsDir = None, scorer: ScorerOpt = None,
            no_cache: NoCache = False, no_wait: NoWait = False) -> None:
    """Run the whole refresh as a Prefect flow and publish the warehouse."""
    from exposure.prefect_setup import guard_children
    from exposure.refresh import holding_lock
    from exposure.runs import new_run_id

    settings = _settings(raw_dir, warehouse, reports_dir, scorer)
    run_id = new_run_id()
    # The lock is taken before Prefect starts (seconds), so --no-wait answers at once.
    with holding_lock(settings, run_id, wait=not no_wait, notice=_notice):
        guard_children()
        from exposure.prefect_setup import quiet_tracebacks
        from flows.refresh import refresh as refresh_flow

        if not state["verbose"]:
            quiet_tracebacks()
        run = refresh_flow(str(settings.raw_dir), str(settings.warehouse),
                           str(settings.reports_dir), str(settings.cache_dir),
                           scorers=settings.scorers, use_cache=not no_cache, run_id=run_id)
    _print_run(run, settings.warehouse)


def _emit_board(result, fmt: Format, output: Path | None, title: str) -> None:
    frame, provenance = result
    if fmt is Format.table:
        emit(frame, fmt, output, title=title, caption=provenance.caption())
    else:
        emit(provenance.stamp(frame), fmt, output)


@app.command()
def sectors(warehouse: WarehouseOpt = None, scorer: QueryScorer = None,
            year: Annotated[int | None, typer.Option(help="OEWS May year (2022-2024).")] = None,
            sector: Annotated[str | None, typer.Option(help="NAICS sector, e.g. 52 or 31-33.")
                              ] = None,
            top: TopOpt = None, min_employment: MinEmployment = None,
            fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """Exposure of each NAICS sector (latest run), with its covered share of employment."""
    from exposure import queries

    settings = _settings(warehouse=warehouse)
    result = queries.sectors(settings.warehouse, scorer or settings.scorer_list[0], year,
                             sector, top, min_employment)
    if fmt is Format.table:
        result = (result[0].select(
            "year", "naics_sector", "sector_title", "employment", "exposure",
            "exposure_wage_weighted", "exposed_employment", "covered_employment_share"),
            result[1])
    _emit_board(result, fmt, output, f"sector exposure ({scorer or settings.scorer_list[0]})")


@app.command()
def occupations(warehouse: WarehouseOpt = None, scorer: QueryScorer = None,
                search: Annotated[str | None, typer.Option(
                    help="Title words or a SOC / O*NET-SOC code prefix.")] = None,
                top: TopOpt = None, min_employment: MinEmployment = None,
                fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """Exposure of each O*NET occupation with its BLS code and employment (latest run)."""
    from exposure import queries

    settings = _settings(warehouse=warehouse)
    result = queries.occupations(settings.warehouse, scorer or settings.scorer_list[0],
                                 top, min_employment, search)
    if fmt is Format.table:
        result = (result[0].select("onet_soc_code", "title", "soc_code", "employment",
                                   "exposure", "share_exposed"), result[1])
    _emit_board(result, fmt, output,
                f"occupation exposure ({scorer or settings.scorer_list[0]})")


@app.command()
def areas(warehouse: WarehouseOpt = None, scorer: QueryScorer = None,
          area: Annotated[str | None, typer.Option(
              help="A state's FIPS code or name; the nation is shown beside it.")] = None,
          major: Annotated[str | None, typer.Option(
              help="A major SOC group, e.g. 15-0000 (default: all occupations).")] = None,
          top: TopOpt = None, fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """Exposure of each state (May 2025 estimates) next to the nation's."""
    from exposure import queries

    settings = _settings(warehouse=warehouse)
    result = queries.areas(settings.warehouse, scorer or settings.scorer_list[0], area, major,
                           top)
    if fmt is Format.table:
        result = (result[0].select("area_code", "area_name", "soc_major_title", "employment",
                                   "exposure", "national_exposure", "exposed_employment",
                                   "covered_employment_share"), result[1])
    _emit_board(result, fmt, output, f"state exposure ({scorer or settings.scorer_list[0]})")


@app.command()
def runs(warehouse: WarehouseOpt = None, reports_dir: ReportsDir = None,
         limit: Annotated[int, typer.Option(help="Show at most this many runs.")] = 20,
         fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """List past runs, newest first, failed ones included."""
    from exposure.runs import list_runs

    settings = _settings(warehouse=warehouse, reports_dir=reports_dir)
    emit(list_runs(settings.warehouse, settings.reports_dir).head(limit), fmt, output,
         title="runs")


@app.command()
def schedule(
    cron: Annotated[str, typer.Option(help="Cron expression (UTC).")] = "0 6 1 * *",
    name: Annotated[str, typer.Option(help="Deployment name.")] = "monthly-refresh",
    register_only: Annotated[bool, typer.Option(
        "--register-only", help="Register the deployment and exit instead of serving it.")] = False,
) -> None:
    """Register the monthly refresh as a Prefect deployment and serve its schedule."""
    from exposure.prefect_setup import configure_prefect, guard_children

    configure_prefect()
    guard_children()
    from exposure import schedule as scheduling

    if register_only:
        err.print(f"registered deployment {name} ({cron}): {scheduling.register(cron, name)}")
        return
    err.print(f"serving deployment {name} on schedule {cron}; Ctrl-C stops")
    scheduling.serve(cron, name)


@app.command()
def report(run_id: Annotated[str | None, typer.Argument(
               help="Run id (default: the latest successful run).")] = None,
           warehouse: WarehouseOpt = None, reports_dir: ReportsDir = None,
           scorer: QueryScorer = None) -> None:
    """Write the run report (Markdown with SVG charts) under reports/runs/<run_id>/."""
    from exposure.report import write_report
    from exposure.warehouse import read_frame

    settings = _settings(warehouse=warehouse, reports_dir=reports_dir)
    run_id = run_id or read_frame(settings.warehouse, "SELECT max(run_id) AS r FROM run "
                                  "WHERE status = 'succeeded'")["r"][0]
    path = write_report(settings.warehouse, settings.reports_dir, run_id,
                        scorer or settings.scorer_list[0])
    err.print(f"wrote {path}")


@app.command()
def query(sql: Annotated[str, typer.Argument(help="A read-only SQL query.")],
          warehouse: WarehouseOpt = None, fmt: FormatOpt = Format.table,
          output: OutputOpt = None) -> None:
    """Run SQL against the warehouse (opened read-only)."""
    from exposure.warehouse import read_frame

    emit(read_frame(_settings(warehouse=warehouse).warehouse, sql), fmt, output)


@app.command()
def tables(warehouse: WarehouseOpt = None) -> None:
    """List the warehouse's tables with their row counts."""
    from exposure.warehouse import read_frame

    path = _settings(warehouse=warehouse).warehouse
    frame = read_frame(
        path,
        "SELECT table_name, estimated_size AS rows, column_count FROM duckdb_tables() "
        "ORDER BY table_name",
    )
    emit(frame, Format.table, title=str(path))


def _register_plugins() -> None:
    from exposure.cli_fetch import fetch_command
    from exposure.cli_scorers import compare_command, scorers_app

    app.command("fetch")(fetch_command)
    app.add_typer(scorers_app, name="scorers", help="List and evaluate task scorers.")
    app.command("compare")(compare_command)


_register_plugins()


def _terminate(signum: int, frame: object) -> None:
    # Python's default for SIGTERM is to die on the spot: no finally blocks, no atexit hooks
    # (Prefect stops its temporary server in one), no record of the failed run.
    raise SystemExit(128 + signum)


def _fail(error: ExposureError) -> None:
    """One sentence on stderr (with the traceback under --verbose) and the error's exit code;
    call it from the `except` block so the traceback is the one being handled."""
    if state["verbose"]:
        err.print_exception()
    err.print(Text.assemble(("error:", "red"), " ", str(error)), highlight=False,
              soft_wrap=True)
    sys.exit(error.exit_code)


def run() -> None:
    """Entry point: Typer handles usage errors; every other failure becomes one sentence and
    an exit code (2 input, settings or scorer; 3 warehouse or disk; 1 a bug)."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except ExposureError as exc:
        _fail(exc)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the user gets one sentence
        _fail(unexpected_error(exc))

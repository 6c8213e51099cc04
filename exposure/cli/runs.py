"""The commands that run the pipeline (ingest, score, rollup, forecast, simulate, refresh) and the
ones about past runs (`runs`, `runs prune`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from exposure.cli.common import app, err, notice, settings_for, state
from exposure.cli.options import (
    FormatOpt,
    NoCache,
    NoWait,
    OutputOpt,
    RawDir,
    ReportsDir,
    ScorerOpt,
    WarehouseOpt,
)
from exposure.errors import ConfigError
from exposure.history import DEFAULT_KEEP, prune_history
from exposure.output import Format, emit
from exposure.settings import Settings

PANEL = "Runs"


def _run_through(last: str | None, settings: Settings, no_cache: bool, no_wait: bool) -> None:
    """Run stage `last` and its ancestors (None: every ingest stage) and publish."""
    from exposure.ingest import INGEST_STAGES
    from exposure.refresh import run_refresh, stages_through

    # `stages_through` gives a stage's ancestors only, and no stage needs every source:
    # the ingest names its stages, so that it reads and validates every source.
    stages = INGEST_STAGES if last is None else stages_through(last)
    with stage_progress(len(stages)) as on_stage:
        run = run_refresh(settings, stages, use_cache=not no_cache, progress=on_stage,
                          wait=not no_wait, notice=notice)
    print_run(run, settings.warehouse)


@contextlib.contextmanager
def stage_progress(total: int) -> Iterator[Callable[[str], None]]:
    """A rich progress bar of the stages on stderr, with a second bar of the simulated
    months while the agent-based simulation runs; yields the per-stage callback."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from exposure.abm.engine import MONTH_PROGRESS

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        stages = bar.add_task("stages", total=total)
        months: dict[str, object] = {}
        started = [0]

        def on_stage(name: str) -> None:
            bar.update(stages, description=f"stage {name}", completed=started[0])
            started[0] += 1

        def on_month(done: int, of: int) -> None:
            if "task" not in months:
                months["task"] = bar.add_task("simulated months", total=of)
            bar.update(months["task"], completed=done)

        token = MONTH_PROGRESS.set(on_month)
        try:
            yield on_stage
        finally:
            MONTH_PROGRESS.reset(token)


def print_run(run, warehouse: Path) -> None:  # RunRecord, imported lazily
    """What a finished run did: which stages it recomputed, what settings changed, its data
    checks, and where the warehouse and the report are."""
    from exposure.refresh import all_cached
    from exposure.runs import recorded_settings, settings_changes

    states = run.parameters.get("stage_states", {})
    computed = [name for name, state in states.items() if state == "computed"]
    changed = settings_changes(warehouse, recorded_settings(run.parameters),
                               before_run=run.run_id)
    err.print(f"run {run.run_id} {run.status}", style="green")
    if changed:
        err.print("settings changed: " + "; ".join(c.describe() for c in changed))
    if all_cached(run):
        reused = f"all {len(states)} stages reused their cached results"
        # "nothing changed" only when nothing did: a setting that no stage's key holds (the
        # runner) can change while every stage is reused.
        err.print(reused if changed else f"nothing changed: {reused}")
    else:
        err.print(f"recomputed {len(computed)} of {len(states)} stages: {', '.join(computed)}")
    for check, value in run.parameters.get("data_checks", {}).items():
        err.print(f"  {check}: {value:.4f}")
    err.print(f"published {warehouse}")
    if run.parameters.get("report"):
        err.print(f"wrote {run.parameters['report']}")


@app.command(rich_help_panel=PANEL)
def ingest(raw_dir: RawDir = None, warehouse: WarehouseOpt = None,
           reports_dir: ReportsDir = None, no_cache: NoCache = False,
           no_wait: NoWait = False) -> None:
    """Read every public source and publish a new warehouse (atomic swap)."""
    _run_through(None, settings_for(raw_dir, warehouse, reports_dir), no_cache, no_wait)


@app.command(rich_help_panel=PANEL)
def score(raw_dir: RawDir = None, warehouse: WarehouseOpt = None,
          reports_dir: ReportsDir = None, scorer: ScorerOpt = None,
          no_cache: NoCache = False, no_wait: NoWait = False) -> None:
    """Ingest, build task features and score every task with each scorer."""
    _run_through("score", settings_for(raw_dir, warehouse, reports_dir, scorer), no_cache,
                 no_wait)


@app.command(rich_help_panel=PANEL)
def rollup(raw_dir: RawDir = None, warehouse: WarehouseOpt = None,
           reports_dir: ReportsDir = None, scorer: ScorerOpt = None,
           no_cache: NoCache = False, no_wait: NoWait = False) -> None:
    """Everything through the roll-ups to occupations, sectors, SOC groups and states."""
    _run_through("rollup", settings_for(raw_dir, warehouse, reports_dir, scorer), no_cache,
                 no_wait)


@app.command("forecast", rich_help_panel=PANEL)
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
    settings = settings_for(raw_dir, warehouse, reports_dir, scorer).model_copy(update={
        k: v for k, v in {"scenarios": ",".join(scenario) if scenario else None,
                          "draws": draws, "seed": seed, "runner": runner,
                          "calibration_file": calibration_file}.items() if v is not None})
    _run_through("forecast", settings, no_cache, no_wait)


@app.command(rich_help_panel=PANEL)
def simulate(
    raw_dir: RawDir = None, warehouse: WarehouseOpt = None, reports_dir: ReportsDir = None,
    scenario: Annotated[str | None, typer.Option(
        help="Scenario id (P0-P11, P0-high) or TOML path [first of EXPOSURE_SCENARIOS].",
    )] = None,
    share: Annotated[float | None, typer.Option(
        help="Share of the workforce sampled as agents [EXPOSURE_ABM_SHARE].")] = None,
    mode: Annotated[str | None, typer.Option(
        help="coupled (follow the forecast's path) or emergent [EXPOSURE_ABM_MODE].")] = None,
    device: Annotated[str | None, typer.Option(
        help="cpu or gpu (CuPy or PyTorch) [EXPOSURE_ABM_DEVICE].")] = None,
    alternatives: Annotated[str | None, typer.Option(
        help="Human alternatives to the incumbent besides AI, comma-separated: domestic, "
        "offshoring; '' for none [EXPOSURE_ABM_ALTERNATIVES].")] = None,
    draws: Annotated[int | None, typer.Option(
        help="Monte-Carlo draws of the forecast it follows.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the agents and draws.")] = None,
    scorer: ScorerOpt = None, no_cache: NoCache = False, no_wait: NoWait = False,
) -> None:
    """The agent-based worker simulation (MODEL_SPEC §4) of one scenario, with the forecast
    it follows: who is displaced, for how long, and what they earn after."""
    base = settings_for(raw_dir, warehouse, reports_dir, scorer)
    try:
        settings = base.model_copy(update={k: v for k, v in {
            "scenarios": scenario, "abm_share": share, "abm_mode": mode, "abm_device": device,
            "abm_alternatives": alternatives, "draws": draws, "seed": seed}.items()
            if v is not None})
        type(base).model_validate(settings.model_dump())
    except ValidationError as exc:
        raise ConfigError(f"a simulate option is not valid ({exc.errors()[0]['msg']})",
                          "see `exposure simulate --help`") from exc
    _run_through("abm", settings, no_cache, no_wait)


@app.command(rich_help_panel=PANEL)
def refresh(raw_dir: RawDir = None, warehouse: WarehouseOpt = None,
            reports_dir: ReportsDir = None, scorer: ScorerOpt = None,
            no_cache: NoCache = False, no_wait: NoWait = False) -> None:
    """Run the whole refresh as a Prefect flow and publish the warehouse."""
    from exposure.prefect_setup import guard_children
    from exposure.refresh import holding_lock, unchanged_run
    from exposure.runs import new_run_id

    settings = settings_for(raw_dir, warehouse, reports_dir, scorer)
    run_id = new_run_id()
    # The lock is taken before Prefect starts (seconds), so --no-wait answers at once.
    with holding_lock(settings, run_id, wait=not no_wait, notice=notice):
        # Nothing changed: the published warehouse is what the flow would publish again, so
        # neither Prefect's server nor a copy of every table is worth its seconds.
        same = None if no_cache else unchanged_run(settings)
        if same is not None:
            err.print(f"nothing changed since run {same} (code, settings and every input "
                      f"file are the same): {settings.warehouse} stands as it is; "
                      "--no-cache recomputes and publishes a new run")
            return
        guard_children()
        from exposure.prefect_setup import quiet_tracebacks
        from flows.refresh import refresh as refresh_flow

        if not state["verbose"]:
            quiet_tracebacks()
        run = refresh_flow(str(settings.raw_dir), str(settings.warehouse),
                           str(settings.reports_dir), str(settings.cache_dir),
                           scorers=settings.scorers, use_cache=not no_cache, run_id=run_id)
    print_run(run, settings.warehouse)


runs_app = typer.Typer(no_args_is_help=False)
app.add_typer(runs_app, name="runs", rich_help_panel=PANEL,
              help="List past runs, newest first, failed ones included; `runs prune` "
                   "deletes old runs' rows.")


@runs_app.callback(invoke_without_command=True)
def runs(ctx: typer.Context, warehouse: WarehouseOpt = None, reports_dir: ReportsDir = None,
         limit: Annotated[int, typer.Option(help="Show at most this many runs.")] = 20,
         fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """List past runs, newest first, failed ones included."""
    if ctx.invoked_subcommand is not None:
        return
    from exposure.runs import list_runs

    settings = settings_for(warehouse=warehouse, reports_dir=reports_dir)
    emit(list_runs(settings.warehouse, settings.reports_dir).head(limit), fmt, output,
         title="runs")


@runs_app.command("prune")
def prune(
    keep: Annotated[int, typer.Option(
        "--keep", help="Keep the rows of the newest N successful runs (and of the runs the "
        "latest_ views show); 12 keeps a year of monthly refreshes.")] = DEFAULT_KEEP,
    warehouse: WarehouseOpt = None, no_wait: NoWait = False,
) -> None:
    """Delete the rows of all but the newest N successful runs from the history tables.

    The runs the latest_ views show are kept too, so the boards answer as before. The
    smaller warehouse is published by atomic swap, under the warehouse's lock.
    """
    settings = settings_for(warehouse=warehouse)
    result = prune_history(settings.warehouse, keep, wait=not no_wait, notice=notice)
    err.print(result.describe(), highlight=False)

"""One refresh run: the stages with their cache, the run record, and the atomic publish.

`run_refresh` holds the logic; the Prefect flow (flows/refresh.py) passes an `execute`
hook that runs each stage as a Prefect task and adds nothing else.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from exposure import warehouse
from exposure.errors import ExposureError, InputError, ScorerError
from exposure.failures import unexpected_error
from exposure.ingest import INGEST_STAGES
from exposure.lock import Notice, to_stderr, warehouse_lock
from exposure.pipeline import (
    CACHED,
    COMPUTED,
    Stage,
    StageCache,
    StageResult,
    dependency_order,
    run_stages,
    stage_keys,
    upstream_of,
)
from exposure.runs import RunRecord, new_run_id, recorded_settings
from exposure.settings import Settings
from exposure.sources.base import IngestContext

Execute = Callable[[Callable[[], StageResult], Stage], StageResult]


def refresh_stages() -> tuple[Stage, ...]:
    """Every stage of a full refresh, in dependency order."""
    from exposure.stages import ANALYSIS_STAGES

    return dependency_order(INGEST_STAGES + ANALYSIS_STAGES)


def stages_through(last: str) -> tuple[Stage, ...]:
    """Stage `last` of a full refresh and the stages whose tables it needs, nothing else."""
    return upstream_of(refresh_stages(), last)


def unchanged_run(settings: Settings) -> str | None:
    """The warehouse's latest run when a full refresh now would reuse every stage and
    publish the same tables (it ran every stage with the key each would have now); None
    when anything changed: code, settings, a raw or a project file."""
    from exposure.runs import latest_run_id

    if not Path(settings.warehouse).is_file():
        return None
    keys = stage_keys(refresh_stages(), IngestContext(Path(settings.raw_dir)),
                      run_options(settings))
    con = warehouse.connect_read_only(settings.warehouse)
    try:
        with warehouse.pandas_unimported():
            run_id = latest_run_id(con)
            if run_id is None or "stage_run" not in warehouse.table_names(con):
                return None
            ran = dict(con.execute("SELECT stage, key FROM stage_run WHERE run_id = ?",
                                   [run_id]).fetchall())
    finally:
        con.close()
    return run_id if {name: ran.get(name) for name in keys} == keys else None


def run_options(settings: Settings) -> dict[str, object]:
    """The options the stages may ask for (each stage's key includes the ones it uses)."""
    calibration_file = settings.calibration_file
    return {
        "employment_year": settings.oews_year, "scorers": settings.scorer_list,
        "scenarios": settings.scenario_list, "draws": settings.draws, "seed": settings.seed,
        "forecast_ceiling": settings.ceiling_scorer, "runner": settings.runner,
        "calibration_file": str(calibration_file) if calibration_file else None,
        "benchmarks_file": str(settings.benchmarks_file),
        "abm_share": settings.abm_share, "abm_mode": settings.abm_mode,
        "abm_device": settings.abm_device, "abm_alternatives": settings.abm_alternative_list,
    }


def _write_failure_cases(ctx: IngestContext, reports_dir: Path, run_id: str) -> Path | None:
    if not ctx.failure_cases:
        return None
    out = reports_dir / "validation" / f"{run_id}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    pl.concat(ctx.failure_cases, how="diagonal_relaxed").write_parquet(out)
    return out


# The report reads the published warehouse and writes files; it is not cached.
REPORT_STAGE = Stage("report", (), ("exposure.report",))


def _report(settings: Settings, run: RunRecord) -> StageResult:
    from exposure.report import write_report

    started = time.perf_counter()
    path = write_report(settings.warehouse, Path(settings.reports_dir), run.run_id,
                        settings.scorer_list[0])
    run.parameters["report"] = str(path)
    return StageResult("report", "", COMPUTED, time.perf_counter() - started, {})


def _files(ctx: IngestContext) -> pl.DataFrame:
    return pl.DataFrame(
        [vars(f) for f in ctx.files],
        schema={"table_name": pl.String, "path": pl.String, "sha256": pl.String,
                "release": pl.String, "rows": pl.Int64},
    )


def _history(run: RunRecord, results: dict[str, StageResult], ctx: IngestContext,
             tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Rows this run adds to the tables that keep every run."""
    stages = {id(r): r for r in results.values()}.values()
    stage_run = pl.DataFrame(
        [{"stage": r.stage, "key": r.key, "state": r.state, "seconds": r.seconds}
         for r in stages],
        schema={"stage": pl.String, "key": pl.String, "state": pl.String, "seconds": pl.Float64},
    )
    files = _files(ctx)
    run_id = pl.lit(run.run_id).alias("run_id")
    history = {"run": run.frame(), "stage_run": stage_run.select(run_id, pl.all()),
               "source_file": files.select(run_id, pl.all())}
    for name in warehouse.HISTORY_TABLES:
        if name in tables:
            history[name] = tables.pop(name).select(run_id, pl.all())
    return history


def run_refresh(settings: Settings, stages: tuple[Stage, ...] | None = None,
                use_cache: bool = True, progress: Callable[[str], None] | None = None,
                execute: Execute | None = None, *, run_id: str | None = None,
                wait: bool = True, notice: Notice | None = None) -> RunRecord:
    """Run `stages` (default: all), reusing cached results, and publish a new warehouse.

    The run holds the warehouse's lock (`exposure.lock`) from start to end: while another
    run holds it, this one waits (saying so once through `notice`) or, with `wait=False`,
    fails at once. Holding it, it first deletes temporary files of killed publishes.

    On any failure nothing is published: the failed run, its stage and a one-sentence error
    go to `runs.jsonl` (pandera's failure cases to `validation/<run_id>.parquet`), and an
    `ExposureError` is raised; an unexpected exception becomes one (`exposure.failures`),
    with the original as its cause. An interruption (Ctrl-C, SIGTERM) is recorded too.
    """
    stages = stages or refresh_stages()
    run = RunRecord(run_id or new_run_id(), raw_dir=str(settings.raw_dir),
                    stages=[s.name for s in stages])
    ctx = IngestContext(Path(settings.raw_dir))
    reports = Path(settings.reports_dir)
    current: dict[str, str | None] = {"stage": "lock"}
    say = notice or to_stderr

    def tracked(call: Callable[[], StageResult], stage: Stage) -> StageResult:
        current["stage"] = stage.name
        if progress:
            progress(stage.name)
        return execute(call, stage) if execute else call()

    try:
        with warehouse_lock(settings.warehouse, run.run_id, wait=wait, notice=say):
            removed = warehouse.remove_leftovers(settings.warehouse)
            if removed:
                run.parameters["removed_leftovers"] = [path.name for path in removed]
                say(f"removed {len(removed)} temporary file(s) of an interrupted publish: "
                    f"{', '.join(path.name for path in removed)}")
            current["stage"] = None
            _run(settings, stages, run, ctx, use_cache, tracked, current)
            run.log(reports)
    except ExposureError as exc:
        error = _in_stage(exc, current["stage"])
        _record_failure(run, ctx, reports, current["stage"], error)
        if error is exc:
            raise
        raise error from exc
    except Exception as exc:
        error = unexpected_error(exc, current["stage"], Path(settings.raw_dir))
        _record_failure(run, ctx, reports, current["stage"], error)
        raise error from exc
    except BaseException as exc:  # Ctrl-C or SIGTERM (SystemExit): record it, then stop
        _record_failure(run, ctx, reports, current["stage"],
                        ExposureError(f"interrupted ({type(exc).__name__})"))
        raise
    return run


@contextlib.contextmanager
def holding_lock(settings: Settings, run_id: str, wait: bool = True,
                 notice: Notice | None = None, around: str = "prefect") -> Iterator[None]:
    """Hold the warehouse's lock around more than a `run_refresh` call: the `refresh`
    command holds it while Prefect starts, and the run inside takes it again at once.

    Whatever fails outside that run is recorded too, as run `run_id` failed at stage
    `lock` (the lock could not be had) or `around` (e.g. Prefect's server did not start).
    """
    run = RunRecord(run_id, raw_dir=str(settings.raw_dir))
    ctx, reports = IngestContext(Path(settings.raw_dir)), Path(settings.reports_dir)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(warehouse_lock(settings.warehouse, run_id, wait=wait,
                                               notice=notice or to_stderr))
        except ExposureError as exc:
            _record_failure(run, ctx, reports, "lock", exc)
            raise
        try:
            yield
        except ExposureError as exc:
            if run_id not in _recorded:
                _record_failure(run, ctx, reports, around, exc)
            raise
        except Exception as exc:
            error = unexpected_error(exc, around)
            if run_id not in _recorded:
                _record_failure(run, ctx, reports, around, error)
            raise error from exc
        except BaseException as exc:
            if run_id not in _recorded:
                _record_failure(run, ctx, reports, around,
                                ExposureError(f"interrupted ({type(exc).__name__})"))
            raise


# Run ids recorded as failed by this process, so that a failure is logged once even when
# it passes through both `run_refresh` and `holding_lock`.
_recorded: set[str] = set()


def _run(settings: Settings, stages: tuple[Stage, ...], run: RunRecord, ctx: IngestContext,
         use_cache: bool, tracked: Execute, current: dict[str, str | None]) -> None:
    """The run proper, under the lock: stages, change summary, publish, report."""
    from exposure.changes import markdown, summarize_changes

    reports = Path(settings.reports_dir)
    options = run_options(settings)
    run.scorer = ",".join(settings.scorer_list) if "scorers" in _params(stages) else None
    if "scenarios" in _params(stages):
        run.scenarios = ",".join(settings.scenario_list)
    run.parameters["options"] = {k: v for k, v in options.items() if k in _params(stages)}
    results = run_stages(stages, ctx, StageCache(settings.cache_dir, reuse=use_cache),
                         options, execute=tracked)
    tables = {name: r.tables[name] for name, r in results.items() if not name.startswith("_")}
    current["stage"] = "change_summary"
    previous_run, changes = summarize_changes(settings.warehouse, tables, _files(ctx),
                                              recorded_settings(run.parameters))
    tables["change_summary"] = changes.select(
        pl.lit(previous_run, pl.String).alias("previous_run_id"), pl.all())
    history = _history(run, results, ctx, tables)
    run.parameters["stage_states"] = dict(history["stage_run"].select("stage", "state").rows())
    if "data_check" in history:
        checks = history["data_check"].select("check", "value").rows()
        run.parameters["data_checks"] = dict(checks)
    run.finish("succeeded")
    history["run"] = run.frame()
    current["stage"] = "publish"
    warehouse.publish(settings.warehouse, tables, history,
                      complete=[stage.name for stage in refresh_stages()])
    current["stage"] = "change_report"
    changes_md = reports / "changes" / f"{run.run_id}.md"
    changes_md.parent.mkdir(parents=True, exist_ok=True)
    changes_md.write_text(markdown(run.run_id, previous_run, changes), encoding="utf-8")
    if "rollup" in run.stages:
        tracked(lambda: _report(settings, run), REPORT_STAGE)
    current["stage"] = "run_log"


def _in_stage(error: ExposureError, stage: str | None) -> ExposureError:
    """A scorer's error says which stage ran it; other errors already say where they are."""
    if isinstance(error, ScorerError) and stage and not error.message.startswith("in stage"):
        return ScorerError(f"in stage {stage}, {error.message}", error.hint)
    return error


def _record_failure(run: RunRecord, ctx: IngestContext, reports: Path, stage: str | None,
                    error: ExposureError) -> None:
    """Append the failed run to `runs.jsonl`; a reports folder that cannot be written must
    not hide the error that is being reported."""
    with contextlib.suppress(OSError):
        report = _write_failure_cases(ctx, reports, run.run_id)
        if report is not None and isinstance(error, InputError):
            run.parameters["failure_cases"] = str(report)
    run.finish("failed", failed_stage=stage, error=str(error))
    _recorded.add(run.run_id)
    with contextlib.suppress(OSError):
        run.log(reports)


def _params(stages: tuple[Stage, ...]) -> set[str]:
    return {name for stage in stages for name in stage.params}


def all_cached(run: RunRecord) -> bool:
    states = run.parameters.get("stage_states", {})
    return bool(states) and all(state == CACHED for state in states.values())

"""Run records: an id per run, the code version, and the `run` row that provenance needs.

Successful runs are rows of the warehouse's `run` table. A failed run cannot be written
there (the failed build is never published), so every run, failed or not, is also appended
to `runs.jsonl` in the reports folder.

Also the one answer to "which run is the latest" (`latest_run_id`) and to "which settings
did a run use, and what changed since" (`recorded_settings`, `settings_changes`).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from exposure import __version__
from exposure.settings import PROJECT_ROOT

RUN_SCHEMA = {
    "run_id": pl.String,
    "started_at": pl.Datetime("us", "UTC"),
    "finished_at": pl.Datetime("us", "UTC"),
    "status": pl.String,
    "stages": pl.String,
    "failed_stage": pl.String,
    "error": pl.String,
    "scorer": pl.String,
    "scenarios": pl.String,
    "parameters": pl.String,
    "code_version": pl.String,
    "raw_dir": pl.String,
}


def now() -> datetime:
    return datetime.now(UTC)


def new_run_id(at: datetime | None = None) -> str:
    """Sortable and unique: UTC time to the second plus 6 random hex digits."""
    return f"{(at or now()).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def code_version() -> str:
    """Package version plus the git commit when the code runs from a checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{sha}" if sha else __version__


@dataclass
class RunRecord:
    run_id: str
    raw_dir: str
    started_at: datetime = field(default_factory=now)
    finished_at: datetime | None = None
    status: str = "running"
    stages: list[str] = field(default_factory=list)
    failed_stage: str | None = None
    error: str | None = None
    scorer: str | None = None
    scenarios: str | None = None
    parameters: dict[str, object] = field(default_factory=dict)
    code_version: str = field(default_factory=code_version)

    def finish(self, status: str, failed_stage: str | None = None,
               error: str | None = None) -> None:
        self.finished_at, self.status = now(), status
        self.failed_stage, self.error = failed_stage, error

    def row(self) -> dict[str, object]:
        data = asdict(self)
        data["stages"] = ",".join(self.stages)
        data["parameters"] = json.dumps(self.parameters, sort_keys=True, default=str)
        return data

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame([self.row()], schema=RUN_SCHEMA)

    def log(self, reports_dir: Path) -> None:
        """Append this run to `runs.jsonl`, the record that also keeps failed runs."""
        reports_dir.mkdir(parents=True, exist_ok=True)
        with (reports_dir / "runs.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(self.row(), default=str) + "\n")


def list_runs(warehouse_path: Path, reports_dir: Path) -> pl.DataFrame:
    """Every run, newest first: successful ones from the warehouse, failed ones from the log.

    A run appears once: the warehouse row wins where both have it.
    """
    from exposure.warehouse import read_frame  # the warehouse imports nothing from here

    columns = ["run_id", "started_at", "finished_at", "status", "failed_stage", "error",
               "stages", "code_version"]
    frames = []
    if Path(warehouse_path).is_file():
        published = read_frame(warehouse_path, f"SELECT {', '.join(columns)} FROM run")
        frames.append(published.with_columns(
            pl.col("started_at", "finished_at").dt.convert_time_zone("UTC")))
    log = Path(reports_dir) / "runs.jsonl"
    if log.is_file():
        logged = pl.read_ndjson(log, schema={c: RUN_SCHEMA[c] for c in columns if c not in (
            "started_at", "finished_at")} | {"started_at": pl.String, "finished_at": pl.String})
        frames.append(logged.with_columns(
            pl.col("started_at", "finished_at").str.to_datetime(time_zone="UTC")
        ).select(columns))
    if not frames:
        return pl.DataFrame(schema={c: RUN_SCHEMA[c] for c in columns})
    every = pl.concat(frames, how="vertical_relaxed")
    return every.unique("run_id", keep="first", maintain_order=True).sort(
        "started_at", descending=True)


# --- the latest run and what runs recorded ----------------------------------------------

Source = Path | str | duckdb.DuckDBPyConnection


@contextlib.contextmanager
def _connection(source: Source) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to `source` (a warehouse path), or `source` itself when it is
    already a connection (left open for its owner)."""
    from exposure.warehouse import connect_read_only

    if isinstance(source, duckdb.DuckDBPyConnection):
        yield source
        return
    con = connect_read_only(Path(source))
    try:
        yield con
    finally:
        con.close()


def latest_run_id(warehouse: Source, table: str | None = None) -> str | None:
    """The newest successful run of the warehouse; with `table`, the run whose rows its
    `latest_<table>` view shows, which the board commands read (the last complete run with
    rows there, see `warehouse.create_latest_views`). None when there is none.

    Every "which run is the latest" question (boards, report, change summary, prune) asks
    here, so that a caption, a report and a comparison always name the run whose rows they
    show.
    """
    from exposure.warehouse import table_names

    with _connection(warehouse) as con:
        present = table_names(con)
        if "run" not in present:
            return None
        sql = "SELECT max(run_id) FROM run WHERE status = 'succeeded'"
        if table is not None:
            if table not in present:
                return None
            # Read through the view when there is one: what counts as a table's latest
            # rows is the view's definition (warehouse.create_latest_views), not ours.
            rows = f"latest_{table}" if f"latest_{table}" in present else table
            sql += f' AND run_id IN (SELECT run_id FROM "{rows}")'
        return con.execute(sql).fetchone()[0]


def successful_run_ids(warehouse: Source) -> list[str]:
    """Every successful run of the warehouse, newest first."""
    from exposure.warehouse import table_names

    with _connection(warehouse) as con:
        if "run" not in table_names(con):
            return []
        rows = con.execute("SELECT run_id FROM run WHERE status = 'succeeded' "
                           "ORDER BY run_id DESC").fetchall()
    return [r[0] for r in rows]


# The settings a run records (in `parameters.options`, for the stages it ran) that a user
# chooses: a change of one of them explains changed figures as much as a changed input.
RECORDED_SETTINGS = ("scorers", "scenarios", "draws", "seed", "forecast_ceiling", "runner",
                     "calibration_file", "benchmarks_file", "employment_year", "abm_share",
                     "abm_mode", "abm_device", "abm_alternatives")


def recorded_settings(parameters: object) -> dict[str, object]:
    """The `RECORDED_SETTINGS` a run's `parameters` (JSON or dict) hold, in that order.

    A run records only the settings its stages use: an ingest records no scorers.
    """
    if isinstance(parameters, str):
        parameters = json.loads(parameters or "{}")
    if not isinstance(parameters, Mapping):
        return {}
    options = parameters.get("options") or {}
    return {name: options[name] for name in RECORDED_SETTINGS if name in options}


@dataclass(frozen=True)
class SettingChange:
    name: str
    before: object
    after: object
    previous_run_id: str  # the run the old value comes from

    def describe(self) -> str:
        return f"{self.name}: {setting_text(self.before)} -> {setting_text(self.after)}"


def setting_text(value: object) -> str:
    """A recorded setting as a person reads it (None: the setting's default)."""
    if value is None:
        return "default"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _comparable(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def settings_changes(warehouse: Source, settings: Mapping[str, object],
                     before_run: str | None = None) -> list[SettingChange]:
    """How `settings` (a run's recorded settings) differ from what earlier successful runs
    recorded: each setting is compared with the newest run before `before_run` (default:
    every run in the warehouse) that recorded it, since a run records only what its stages
    use and the figures it changes were last made by that run."""
    from exposure.warehouse import table_names

    if not isinstance(warehouse, duckdb.DuckDBPyConnection) and not Path(warehouse).is_file():
        return []  # no warehouse yet: nothing to compare with
    with _connection(warehouse) as con:
        if "run" not in table_names(con):
            return []
        sql = "SELECT run_id, parameters FROM run WHERE status = 'succeeded'"
        params: list[object] = []
        if before_run is not None:
            sql += " AND run_id < ?"
            params.append(before_run)
        history = con.execute(sql + " ORDER BY run_id DESC", params).fetchall()
    earlier = [(run_id, recorded_settings(parameters)) for run_id, parameters in history]
    changes = []
    for name, value in settings.items():
        if name not in RECORDED_SETTINGS:
            continue
        found = next(((run_id, s[name]) for run_id, s in earlier if name in s), None)
        if found is not None and _comparable(found[1]) != _comparable(value):
            changes.append(SettingChange(name, found[1], value, found[0]))
    return changes

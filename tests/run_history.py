"""Warehouses holding several runs, published through the warehouse's own write path.

Each run's result rows are those of `tests.forecast_warehouse` (the engine's table
contract) under its own run id, with exposures and displacement multiplied by the run's
`factor`, so two runs' figures differ in a way a test can state. The O*NET release of each
run is its own too, so a caption or a report that names the wrong run's sources shows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from exposure import warehouse
from exposure.runs import RunRecord
from tests import forecast_warehouse as fw

SCORER = "rubric:human:beta"
ROLLUP = ("sector_exposure", "task_exposure")
FORECAST = ("displacement_total", "displacement_forecast", "forecast_scenario",
            "labour_market_forecast", "forecast_sensitivity", "sector_equilibrium",
            "macro_check")
COMPLETE = ("read_onet", "rollup", "forecast")  # the stages of a complete run here
SCALED = ("exposure", "displaced_p10", "displaced_p50", "displaced_p90", "displaced_mean",
          "p10", "p50", "p90")


def run_id(month: int) -> str:
    return f"2026{month:02d}01T000000Z-00000{month % 10}"


def _task_exposure(run: str, rows: int) -> pl.DataFrame:
    """Many rows, so that keeping or deleting a run's rows shows in the file's size."""
    rng = np.random.default_rng(len(run) + rows)
    return pl.DataFrame({"run_id": run, "scorer": SCORER,
                         "task_id": np.arange(rows, dtype=np.int64),
                         "score": rng.random(rows)})


def publish_run(path: Path, run: str, *, factor: float = 1.0, release: str = "O*NET 29.2",
                results: tuple[str, ...] = ROLLUP + FORECAST, task_rows: int = 1000,
                options: dict[str, object] | None = None,
                stages: tuple[str, ...] | None = None) -> None:
    """Publish run `run`: its `run` and `source_file` rows and its rows of `results`.

    `stages` (default: read_onet, then rollup and forecast where it has their results)
    say whether it is a complete run (`COMPLETE`), which the `latest_` views follow.
    """
    if stages is None:
        stages = ("read_onet", *(["rollup"] if set(ROLLUP) & set(results) else []),
                  *(["forecast"] if set(FORECAST) & set(results) else []))
    record = RunRecord(run, raw_dir="raw", stages=list(stages),
                       scorer=SCORER if results else None,
                       parameters={"options": options or {"scorers": [SCORER]}})
    record.finish("succeeded")
    sources = pl.DataFrame(
        [{"table_name": "task", "path": "onet/Task Statements.xlsx", "sha256": "0" * 64,
          "release": release, "rows": 10},
         {"table_name": "employment", "path": "bls/national.xlsx", "sha256": "1" * 64,
          "release": "OEWS May 2024", "rows": 10},
         {"table_name": "projection", "path": "bls_ep/occupation.xlsx", "sha256": "2" * 64,
          "release": "Employment Projections 2024-34", "rows": 10}])
    history = {"run": record.frame(),
               "source_file": sources.select(pl.lit(run).alias("run_id"), pl.all())}
    every = fw.tables() | {"task_exposure": _task_exposure(run, task_rows)}
    for name in results:
        frame = every[name].filter(pl.col("run_id") != fw.OLD_RUN)
        history[name] = frame.with_columns(
            pl.lit(run).alias("run_id"),
            *(pl.col(c) * factor for c in SCALED if c in frame.columns))
    warehouse.publish(path, {}, history, complete=COMPLETE)


def run_ids(path: Path, table: str) -> set[str]:
    return set(warehouse.read_frame(path, f'SELECT DISTINCT run_id FROM "{table}"')["run_id"])

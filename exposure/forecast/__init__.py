"""Displacement forecasts (MODEL_SPEC §2-§7): capability, diffusion, the layoff-trap game,
policies, the Monte-Carlo, the labour market and the macro check.

    from exposure.forecast import forecast
    out = forecast(task_feature, task_scores, tables, ["P0", "P1"], draws=1000, seed=7)

Layout, one package per concern (each package's docstring lists its modules):

* `engine` — the entry point: `prepare` (one picklable `Prepared` per group of scenarios, with
  μ calibrated), `combine` (chunk results into the tables), `sensitivity` and `forecast`;
* `model/` — the spec's maths, pure formulas that read no data: capability, diffusion, the
  game and its thresholds, AI cost, concentration, labour market, macro check;
* `simulation/` — the Monte-Carlo: per-task arrays, seeded draws and scenario set-ups, one
  chunk of draws (`simulate.run_chunk`) and its vectorised kernels;
* `io/` — what goes in and out: baseline employment, the sector and demand calibration, the
  scenario files, the result tables and the published anchors;
* `runners/` — where the chunks run: on local threads or on a Dask cluster (`get_runner`).

The names below are the public API (what the CLI, the refresh stages, the reports and the
benchmarks use); they are imported on first use, so importing one of them does not load the
rest.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exposure.forecast.engine import (
        TABLES,
        YEARS,
        calibrate,
        combine,
        forecast,
        prepare,
        resolve_scenario,
        sensitivity,
    )
    from exposure.forecast.io.anchors import (
        ANCHORS,
        ENTRY_LEVEL_DEFINITION,
        EQUIVALENTS,
        model_equivalents,
    )
    from exposure.forecast.io.baseline import baseline_employment
    from exposure.forecast.io.calibration import load_calibration_override, sector_calibration
    from exposure.forecast.io.demand import demand_calibration
    from exposure.forecast.io.scenarios import (
        SCENARIO_DIR,
        Scenario,
        list_scenarios,
        load_scenario,
        scenario_path,
    )
    from exposure.forecast.runners import (
        CHUNK_SIZE,
        Runner,
        chunk_ranges,
        get_runner,
        run_local,
    )
    from exposure.forecast.simulation.simulate import ChunkResult, Prepared, run_chunk

_HOME = {
    "engine": ("TABLES", "YEARS", "calibrate", "combine", "forecast", "prepare",
               "resolve_scenario", "sensitivity"),
    "io.anchors": ("ANCHORS", "ENTRY_LEVEL_DEFINITION", "EQUIVALENTS", "model_equivalents"),
    "io.baseline": ("baseline_employment",),
    "io.calibration": ("load_calibration_override", "sector_calibration"),
    "io.demand": ("demand_calibration",),
    "io.scenarios": ("SCENARIO_DIR", "Scenario", "list_scenarios", "load_scenario",
                     "scenario_path"),
    "runners": ("CHUNK_SIZE", "Runner", "chunk_ranges", "get_runner", "run_local"),
    "simulation.simulate": ("ChunkResult", "Prepared", "run_chunk"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = [
    "ANCHORS",
    "CHUNK_SIZE",
    "ENTRY_LEVEL_DEFINITION",
    "EQUIVALENTS",
    "SCENARIO_DIR",
    "TABLES",
    "YEARS",
    "ChunkResult",
    "Prepared",
    "Runner",
    "Scenario",
    "baseline_employment",
    "calibrate",
    "chunk_ranges",
    "combine",
    "demand_calibration",
    "forecast",
    "get_runner",
    "list_scenarios",
    "load_calibration_override",
    "load_scenario",
    "model_equivalents",
    "prepare",
    "resolve_scenario",
    "run_chunk",
    "run_local",
    "scenario_path",
    "sector_calibration",
    "sensitivity",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

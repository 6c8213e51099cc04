"""What `exposure forecast-table` shows: the option checks and which query answers them.

Kept apart from the CLI so the rules (which filters apply to which table) are plain,
testable code. A filter that does not apply to the chosen table is an error rather than
silently ignored, since ignoring it would print rows the user filtered out.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl

from exposure import queries
from exposure.errors import ConfigError
from exposure.forecast import ENTRY_LEVEL_DEFINITION

SENSITIVITY_TITLE = ("sensitivity of the 2035 median displacement: each parameter at its p10 "
                     "and p90, the others at their centre (common random numbers)")


def _reject(option: str, value: object, table: str) -> None:
    if value is not None:
        raise ConfigError(f"--{option} does not apply to {table}",
                          f"drop --{option}, or use --measure {queries.DISPLACED_CELLS}")


def forecast_table(path: Path, *, measure: str = queries.DISPLACED_CELLS,
                   sensitivity: bool = False, scenario: str | None = None,
                   sector: str | None = None, occupation: str | None = None,
                   year: int | None = None, top: int | None = None
                   ) -> tuple[pl.DataFrame, queries.Provenance]:
    """(frame, provenance) for the options of `exposure forecast-table`."""
    if sensitivity:
        if measure != queries.DISPLACED_CELLS:
            raise ConfigError("--sensitivity and --measure cannot be combined",
                              "use one of them")
        _reject("sector", sector, "the sensitivity table")
        _reject("occupation", occupation, "the sensitivity table")
        frame, prov = queries.sensitivity(path, scenario, top)
        if year is not None:
            frame = frame.filter(pl.col("year") == year)
            if frame.height == 0:
                raise ConfigError(f"no forecast_sensitivity rows match --year {year}",
                                  "the sensitivity table is for 2035; drop --year")
        return frame, prov
    if measure == queries.DISPLACED_CELLS:
        return queries.forecasts(path, scenario, sector, occupation, year, top)
    _reject("occupation", occupation, f"--measure {measure}")
    frame, prov = queries.labour_market(path, measure, scenario, sector, year, top)
    if measure == "entry_level_wc_displaced_share":
        # the figure is only meaningful with its definition beside it (MODEL_SPEC §7.9)
        prov = dataclasses.replace(prov, meaning=f"{prov.meaning} Here {ENTRY_LEVEL_DEFINITION}.")
        frame = frame.with_columns(pl.lit(ENTRY_LEVEL_DEFINITION).alias("definition"))
    return frame, prov


# What a terminal shows of each table (csv/json/parquet/xlsx keep every column): codes
# with their titles, the median before its interval; the mean and the automated share of
# the cells and the measure's name (in the title) are left to the files.
CELL_COLUMNS = ("scenario", "scenario_title", "year", "soc_code", "soc_title", "naics_sector",
                "sector_title", "baseline_employment", "displaced_p50", "displaced_p10",
                "displaced_p90")
MEASURE_COLUMNS = ("scenario", "scenario_title", "year", "scope", "unit", "p50", "p10", "p90",
                   "definition")
SENSITIVITY_COLUMNS = ("scenario", "scenario_title", "parameter", "description", "low_value",
                       "centre_value", "high_value", "displaced_low", "displaced_high",
                       "swing")


def terminal_columns(measure: str = queries.DISPLACED_CELLS, sensitivity: bool = False
                     ) -> tuple[str, ...]:
    """The columns a terminal shows of the table `forecast_table` returns for these
    options (those of them the rows have)."""
    if sensitivity:
        return SENSITIVITY_COLUMNS
    return CELL_COLUMNS if measure == queries.DISPLACED_CELLS else MEASURE_COLUMNS


def forecast_table_title(measure: str = queries.DISPLACED_CELLS, sensitivity: bool = False,
                         sector: str | None = None) -> str:
    """The title of the table `forecast_table` returns for these options."""
    if sensitivity:
        return SENSITIVITY_TITLE
    if measure == queries.DISPLACED_CELLS:
        return "displacement forecast (relative to the BLS baseline)"
    label = queries.LABOUR_MEASURES.get(measure, (measure, ""))[0]
    scope = f"sector {sector}" if sector else "national"
    return f"{label} ({scope}; labour-market forecast, MODEL_SPEC §7.5)"

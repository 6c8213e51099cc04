"""Board queries: the latest roll-ups and forecasts, filtered, with the data that made them.

Each function returns a frame and a `Provenance` that names the run, the O*NET release and
the OEWS year behind it; the CLI prints it as the table's caption and adds it as columns to
csv/json/parquet output, so a figure never travels without its sources. The SQL of the
command line lives here (the CLI holds none of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from exposure import ONET_ATTRIBUTION
from exposure.errors import ConfigError, WarehouseError
from exposure.runs import latest_run_id
from exposure.warehouse import connect_read_only, read_frame, table_names

MEANING = "Exposure is the share of task time current AI could do or speed up, not a " \
          "probability of job loss."
FORECAST_MEANING = ("Displaced employment is a model projection relative to the BLS baseline "
                    "under the scenario's stated assumptions (data/scenarios), with an 80% "
                    "interval over uncertain parameters; it is not an official forecast.")


@dataclass(frozen=True)
class Provenance:
    run_id: str
    onet_release: str
    employment_source: str
    meaning: str = MEANING

    def caption(self) -> str:
        return (f"run {self.run_id}; {self.onet_release}; {self.employment_source}. "
                f"{self.meaning} {ONET_ATTRIBUTION}")

    def stamp(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.lit(self.run_id).alias("run_id"),
                                  pl.lit(self.onet_release).alias("onet_release"),
                                  pl.lit(self.employment_source).alias("employment_source"))


def _latest(path: Path, table: str, where: list[str], params: list[object],
            order: str, limit: int | None, forecast: bool = False
            ) -> tuple[pl.DataFrame, Provenance]:
    con = connect_read_only(path)
    try:
        if table not in table_names(con):
            raise WarehouseError(f"the warehouse has no table {table} yet",
                                 "run `exposure refresh` (or `exposure rollup`) first")
        sql = f'SELECT * FROM "latest_{table}"'
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else "")
        frame = con.execute(sql, params).pl()
        run_id = latest_run_id(con, table)
        releases = dict(con.execute(
            "SELECT table_name, string_agg(DISTINCT release, ', ' ORDER BY release) "
            "FROM source_file WHERE run_id = ? GROUP BY table_name", [run_id]).fetchall())
    finally:
        con.close()
    if forecast:
        employment = (f"baseline: {releases.get('projection', 'BLS projections')} split by "
                      "OEWS May 2024 sector shares")
    else:
        employment = _employment_source(frame, releases.get("employment", ""))
    return frame, Provenance(run_id, releases.get("task", "O*NET release unknown"), employment,
                             FORECAST_MEANING if forecast else MEANING)


def _employment_source(frame: pl.DataFrame, releases: str) -> str:
    """The OEWS releases of the years the rows actually use (not every year ingested)."""
    column = next((c for c in ("year", "employment_year") if c in frame.columns), None)
    years = sorted(frame.get_column(column).unique().to_list()) if column else []
    used = [r for r in releases.split(", ") if any(str(y) in r for y in years)]
    return ", ".join(used) or releases or "OEWS release unknown"


def _conditions(*pairs: tuple[str, object]) -> tuple[list[str], list[object]]:
    """SQL conditions and parameters for the (condition with one `?`, value) pairs whose
    value is set."""
    kept = [(condition, value) for condition, value in pairs if value is not None]
    return [c for c, _ in kept], [v for _, v in kept]


def sectors(path: Path, scorer: str, year: int | None = None, sector: str | None = None,
            top: int | None = None, min_employment: float | None = None
            ) -> tuple[pl.DataFrame, Provenance]:
    """Sector exposure of the latest run, most exposed first."""
    where, params = _conditions(("scorer = ?", scorer), ("year = ?", year),
                                ("naics_sector = ?", sector),
                                ("employment >= ?", min_employment))
    frame, prov = _latest(path, "sector_exposure", where, params,
                          "year DESC, exposure DESC", top)
    return _nonempty(frame, "sector", scorer), prov


def occupations(path: Path, scorer: str, top: int | None = None,
                min_employment: float | None = None, search: str | None = None
                ) -> tuple[pl.DataFrame, Provenance]:
    """National occupation exposure of the latest run, most exposed first."""
    where, params = _conditions(("scorer = ?", scorer), ("employment >= ?", min_employment))
    if search:
        where.append("(title ILIKE ? OR onet_soc_code LIKE ? OR soc_code LIKE ?)")
        params.extend([f"%{search}%", f"{search}%", f"{search}%"])
    frame, prov = _latest(path, "occupation_exposure", where, params,
                          "exposure DESC NULLS LAST, employment DESC", top)
    return _nonempty(frame, "occupation", scorer), prov


def areas(path: Path, scorer: str, area: str | None = None, major: str | None = None,
          top: int | None = None) -> tuple[pl.DataFrame, Provenance]:
    """States (and DC, territories, the nation) of the latest run; `area` is a code or name."""
    where, params = _conditions(("scorer = ?", scorer))
    if area:
        where.append("(area_code = ? OR lower(area_name) = lower(?) OR area_type = 'nation')")
        params.extend([area, area])
    where.append("soc_major = ?")
    params.append(major or "all")
    frame, prov = _latest(path, "area_exposure", where, params,
                          "area_type = 'nation', exposure DESC", top)
    return _nonempty(frame, "area", scorer), prov


def _nonempty(frame: pl.DataFrame, what: str, scorer: str | None) -> pl.DataFrame:
    if frame.height == 0:
        raise ConfigError(f"no {what} rows match these filters (scorer {scorer})",
                          "check the codes and the scorer name with `exposure scorers list`")
    return frame


def forecasts(path: Path, scenario: str | None = None, sector: str | None = None,
              occupation: str | None = None, year: int | None = None, top: int | None = None
              ) -> tuple[pl.DataFrame, Provenance]:
    """Displacement forecasts of the latest run (occupation x sector x year), largest first,
    with each scenario's title beside its id."""
    filters = {"scenario": scenario, "sector": sector, "year": year, "occupation": occupation}
    where, params = _conditions(("scenario = ?", scenario), ("naics_sector = ?", sector),
                                ("year = ?", year),
                                ("soc_code LIKE ?", f"{occupation}%" if occupation else None))
    frame, prov = _latest(path, "displacement_forecast", where, params,
                          "scenario, year, displaced_p50 DESC", top, forecast=True)
    _nothing_matches(path, frame, "displacement_forecast", filters)
    return _with_titles(path, frame), prov


# labour_market_forecast's measures (MODEL_SPEC §7.5): name -> (label, number kind). The
# kind picks the report's format: persons, usd, share (0-1) or percent.
LABOUR_MEASURES: dict[str, tuple[str, str]] = {
    "displaced": ("displaced, cumulative", "persons"),
    "unemployed": ("AI-displaced unemployed, year average", "persons"),
    "reemployed": ("re-employed", "persons"),
    "labour_income_loss": ("labour-income loss per year", "usd"),
    "demand_change": ("demand change per year (negative: less spending)", "usd"),
    "tfp_gain_pct": ("TFP gain since 2025", "percent"),
    "hours_automated_share": ("share of all hours automated", "share"),
    "entry_level_wc_displaced_share": ("share of entry-level white-collar jobs displaced",
                                       "share"),
    "ai_unemployment_rate": ("AI-displaced unemployment rate (of the labour force)", "share"),
}
DISPLACED_CELLS = "displaced-cells"


def labour_market(path: Path, measure: str, scenario: str | None = None,
                  sector: str | None = None, year: int | None = None, top: int | None = None
                  ) -> tuple[pl.DataFrame, Provenance]:
    """One labour-market measure (national, or one sector's where the engine publishes it)
    per scenario and year, with p10/p50/p90."""
    known = set(LABOUR_MEASURES) | _distinct(path, "labour_market_forecast", "measure")
    if measure not in known:
        raise ConfigError(f"unknown measure '{measure}'",
                          f"use {DISPLACED_CELLS} or one of {', '.join(sorted(known))}")
    where, params = _conditions(("measure = ?", measure), ("scenario = ?", scenario),
                                ("scope = ?", sector or "national"), ("year = ?", year))
    frame, prov = _latest(path, "labour_market_forecast", where, params,
                          "scenario, year", top, forecast=True)
    if frame.height == 0 and sector:
        scopes = _distinct_where(path, "labour_market_forecast", "scope", "measure = ?",
                                 measure)
        extra = f"; {measure} is published for scopes {', '.join(sorted(scopes)) or 'none'}"
    else:
        extra = ""
    _nothing_matches(path, frame, "labour_market_forecast",
                     {"measure": measure, "scenario": scenario, "sector": sector, "year": year},
                     extra)
    return _with_titles(path, frame), prov


def sensitivity(path: Path, scenario: str | None = None, top: int | None = None
                ) -> tuple[pl.DataFrame, Provenance]:
    """forecast_sensitivity: 2035 median displacement with one parameter at its p10 / p90
    and the others at their centre, the widest swing first."""
    where, params = _conditions(("scenario = ?", scenario))
    frame, prov = _latest(path, "forecast_sensitivity", where, params,
                          "abs(displaced_high - displaced_low) DESC", top, forecast=True)
    _nothing_matches(path, frame, "forecast_sensitivity", {"scenario": scenario})
    return _with_titles(path, frame.with_columns(
        (pl.col("displaced_high") - pl.col("displaced_low")).alias("swing"))), prov


def _distinct(path: Path, table: str, column: str) -> set[str]:
    return _distinct_where(path, table, column, "true")


def _distinct_where(path: Path, table: str, column: str, condition: str,
                    *params: object) -> set[str]:
    """The distinct values of `column` in the latest run's `table` (none if it is absent)."""
    con = connect_read_only(path)
    try:
        if f"latest_{table}" not in table_names(con):
            return set()
        rows = con.execute(f'SELECT DISTINCT "{column}" FROM "latest_{table}" '
                           f"WHERE {condition}", list(params)).fetchall()
    finally:
        con.close()
    return {str(r[0]) for r in rows if r[0] is not None}


def _nothing_matches(path: Path, frame: pl.DataFrame, table: str,
                     filters: dict[str, object], extra: str = "") -> None:
    """A filter that matches nothing is an error naming the filters and what exists, never
    an empty (or silently unfiltered) table."""
    if frame.height:
        return
    used = ", ".join(f"--{k} {v}" for k, v in filters.items() if v is not None)
    scenarios = ", ".join(sorted(_distinct(path, table, "scenario"))) or "none"
    years = ", ".join(sorted(_distinct(path, table, "year"))) or "none"
    raise ConfigError(f"no {table} rows match {used or 'these filters'}",
                      f"the latest run has scenarios {scenarios} and years {years}{extra}")


def scenario_titles(path: Path) -> dict[str, str]:
    """Scenario id -> one-line title of the latest run (empty before the engine writes
    forecast_scenario)."""
    con = connect_read_only(path)
    try:
        if "latest_forecast_scenario" not in table_names(con):
            return {}
        return dict(con.execute(
            "SELECT scenario, title FROM latest_forecast_scenario").fetchall())
    finally:
        con.close()


def _with_titles(path: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """`scenario_title` right after `scenario`, so a reader never needs to look ids up."""
    titles = scenario_titles(path)
    if not titles or "scenario" not in frame.columns:
        return frame
    at = frame.columns.index("scenario") + 1
    return frame.insert_column(at, frame["scenario"].replace_strict(
        titles, default=None, return_dtype=pl.String).alias("scenario_title"))


def table_counts(path: Path) -> pl.DataFrame:
    """The warehouse's tables with their (estimated) row and column counts, by name."""
    return read_frame(path, "SELECT table_name, estimated_size AS rows, column_count "
                            "FROM duckdb_tables() ORDER BY table_name")

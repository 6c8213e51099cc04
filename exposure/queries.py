"""Board queries: the latest roll-ups and forecasts, filtered, with the data that made them.

Each function returns a frame and a `Provenance` that names the run, the O*NET release and
the OEWS year behind it; the CLI prints it as the table's caption and adds it as columns to
csv/json/parquet output, so a figure never travels without its sources. The SQL of the
command line lives here (the CLI holds none of its own).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import polars as pl

from exposure import ONET_ATTRIBUTION, filters
from exposure.areas import area_code, resolve_area
from exposure.codes import TERRITORIES
from exposure.errors import ConfigError, WarehouseError
from exposure.output import XLSX_MAX_ROWS, Format, current_request
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
            order: str, limit: int | None, forecast: bool = False, *, capped: bool = False
            ) -> tuple[pl.DataFrame, Provenance]:
    """The latest run's rows of `table` matching `where` (bound `params`), in `order`, at
    most `limit`, with their provenance.

    `capped`: the caller drops no rows after this query (it may add columns), so the
    command's output request (`exposure.output.current_request`) may cut the fetch to the
    rows a terminal shows (cap + 1) and count the others in DuckDB into `request.total`:
    a 1.2-million-row table costs a LIMIT and a count. An xlsx request is checked against
    a worksheet's rows before anything is fetched."""
    request = current_request() if capped else None
    limit = limit or None  # --top 0: every row, as before
    con = connect_read_only(path)
    try:
        if table not in table_names(con):
            raise WarehouseError(f"the warehouse has no table {table} yet",
                                 "run `exposure refresh` (or `exposure rollup`) first")
        rows = f'FROM "latest_{table}"'
        if where:
            rows += " WHERE " + " AND ".join(where)
        fetch = limit if request is None else request.fetch_limit(limit)
        # Counted first when the fetch may be large: a few rows come the cheap way
        # (`_fetch`), and an xlsx too long for a worksheet is refused before any is read.
        matched = _count(con, rows, params) if fetch is None or fetch > SMALL_FETCH else None
        if request is not None and request.fmt is Format.xlsx:
            _fits_a_worksheet(matched if matched is not None else _count(con, rows, params),
                              limit)
        run_id = latest_run_id(con, table)
        columns = [d[0] for d in con.execute(f'SELECT * FROM "latest_{table}" LIMIT 0')
                   .description]
        # A latest_ view holds one run's rows: its id is added once, not fetched and
        # converted per row (for 1.2 million forecast rows that costs more than a figure).
        once = "run_id" in columns and run_id is not None
        sql = (f"SELECT {'* EXCLUDE (run_id)' if once else '*'} {rows} ORDER BY {order}"
               + (f" LIMIT {int(fetch)}" if fetch else ""))
        frame = _fetch(con, sql, params,
                       small=min(n for n in (fetch, matched) if n is not None) <= SMALL_FETCH)
        if once:
            frame = frame.select(pl.lit(run_id, pl.String).alias(c) if c == "run_id"
                                 else pl.col(c) for c in columns)
        if request is not None and fetch != limit and frame.height == fetch:
            matched = matched if matched is not None else _count(con, rows, params)
            request.total = matched if not limit else min(matched, limit)
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


SMALL_FETCH = 1_000  # rows: read through Arrow's C stream interface, not pyarrow


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[object], small: bool
           ) -> pl.DataFrame:
    """The rows of `sql` as a polars frame. At most `SMALL_FETCH` rows (a terminal's table,
    --top N, a board of states or sectors) come through Arrow's C stream interface, which
    needs neither pyarrow nor numpy: importing them costs a board command 0.2-0.3 s, more
    than these rows. More rows come through `.pl()` (pyarrow), many times faster per row
    (1.2 million forecast cells: 1 s against 20 s)."""
    if small:
        return pl.DataFrame(con.sql(sql, params=params))
    return con.execute(sql, params).pl()


def _count(con: duckdb.DuckDBPyConnection, rows: str, params: list[object]) -> int:
    """How many rows `rows` ("FROM ... WHERE ...") holds, counted in DuckDB."""
    (matched,) = con.execute(f"SELECT count(*) {rows}", params).fetchone()
    return matched


def _fits_a_worksheet(matched: int, limit: int | None) -> None:
    """An error, before any row is fetched, when the rows would not fit one worksheet."""
    if min(matched, limit or matched) > XLSX_MAX_ROWS:
        raise ConfigError(f"an xlsx worksheet holds at most {XLSX_MAX_ROWS:,} rows and "
                          f"these filters match {matched:,}",
                          "filter them (e.g. --scenario, --year) or write .csv or .parquet")


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
            top: int | None = None, min_employment: float | None = None,
            area: str | None = None) -> tuple[pl.DataFrame, Provenance]:
    """Sector exposure of the latest run, most exposed first (national: OEWS publishes no
    state estimates by sector, so a state's `area` is an error that says so)."""
    if area is not None:
        _national_only(path, area, "sector table", "drop --area for the nation's sectors")
    where, params = _conditions(("scorer = ?", scorer), ("year = ?", year),
                                ("naics_sector = ?", sector),
                                ("employment >= ?", min_employment))
    frame, prov = _latest(path, "sector_exposure", where, params,
                          "year DESC, exposure DESC", top, capped=True)
    return _nonempty(frame, "sector", scorer), prov


def _national_only(path: Path, area: str, what: str, instead: str) -> None:
    """OEWS state estimates are cross-industry only (SOURCES.md caveat C5): a state asked
    for by sector is an error naming what does exist for it."""
    place = resolve_area(path, area)
    if place.is_nation:
        return
    raise ConfigError(
        f"OEWS publishes state estimates across all industries only, so there is no {what} "
        f"for {place.name}",
        f"use `exposure occupations --area {place.code}` for its occupations, `exposure "
        f"areas --area {place.code}` for its major groups, or {instead}")


def occupations(path: Path, scorer: str, top: int | None = None,
                min_employment: float | None = None, search: str | None = None,
                detail: bool = False, area: str | None = None, sector: str | None = None,
                major: str | None = None) -> tuple[pl.DataFrame, Provenance]:
    """Occupation exposure of the latest run, most exposed first: BLS detailed codes with
    their published employment, nationally (`bls_occupation_exposure`), in one state
    (`area_occupation_exposure`) or one NAICS sector (`sector_occupation_exposure`); with
    `detail`, the national O*NET occupations with the split employment and its rule."""
    place = None if area is None else resolve_area(path, area)
    state = place if place is not None and not place.is_nation else None
    major = filters.major_group(major)
    if detail and (state or sector):
        raise ConfigError("--detail lists the national O*NET occupations; it cannot be "
                          "combined with --area or --sector",
                          "drop --detail to see the BLS occupations of a state or sector")
    if state and sector:
        _national_only(path, state.code, f"sector {sector} table",
                       f"drop --area for sector {sector}'s occupations nationally")
    where, params = _conditions(("scorer = ?", scorer), ("employment >= ?", min_employment))
    if detail:
        table, titles, codes = "occupation_exposure", ("title",), ("onet_soc_code", "soc_code")
        if major not in (None, "all"):
            where.append("soc_code LIKE ?")
            params.append(f"{major[:2]}-%")
    else:
        table = ("area_occupation_exposure" if state else
                 "sector_occupation_exposure" if sector else "bls_occupation_exposure")
        titles, codes = ("soc_title",), ("soc_code",)
        more, values = _conditions(("area_code = ?", state.code if state else None),
                                   ("naics_sector = ?", sector),
                                   ("soc_major = ?", None if major == "all" else major))
        where, params = where + more, params + values
    if search:
        condition, values = filters.search_condition(search, titles, codes)
        where.append(condition)
        params.extend(values)
    frame, prov = _latest(path, table, where, params,
                          "exposure DESC NULLS LAST, employment DESC NULLS LAST", top, capped=True)
    if frame.height == 0:
        used = {"search": search, "area": area, "sector": sector, "major": major,
                "min-employment": min_employment}
        shown = ", ".join(f"--{k} {v}" for k, v in used.items() if v is not None)
        raise ConfigError(
            f"no occupation rows match {shown or 'these filters'} (scorer {scorer})",
            "search matches whole title words (nurse finds Registered Nurses, not Nursery) "
            "or a code prefix such as 29-11; sectors are NAICS codes such as 52 or 31-33")
    return frame, prov


def areas(path: Path, scorer: str, area: str | None = None, major: str | None = None,
          top: int | None = None) -> tuple[pl.DataFrame, Provenance]:
    """States (and DC, territories, the nation) of the latest run; `area` is a FIPS code
    (with or without its leading zero), postal abbreviation or name, shown beside the
    nation."""
    where, params = _conditions(("scorer = ?", scorer),
                                ("(area_code = ? OR area_type = 'nation')",
                                 area_code(path, area)),
                                ("soc_major = ?", filters.major_group(major) or "all"))
    frame, prov = _latest(path, "area_exposure", where, params,
                          "area_type = 'nation', exposure DESC", top, capped=True)
    return _nonempty(frame, "area", scorer), prov


def _by_area(path: Path, table: str, scorer: str, area: str | None, order: str
             ) -> tuple[pl.DataFrame, Provenance]:
    """An area's rows of `table` with the nation's before them (every area's without
    `area`)."""
    where, params = _conditions(("scorer = ?", scorer),
                                ("(area_code = ? OR area_code = 'US')", area_code(path, area)))
    frame, prov = _latest(path, table, where, params,
                          f"area_code <> 'US', area_code, {order}", None, capped=True)
    return _nonempty(frame, "area", scorer), prov


def wage_bands(path: Path, scorer: str, area: str | None = None
               ) -> tuple[pl.DataFrame, Provenance]:
    """Employment and exposure per wage quintile (the nation's bands, in dollars, for every
    area) of the nation and one area, or of every area."""
    return _by_area(path, "wage_band_exposure", scorer, area, "wage_quintile")


def education(path: Path, scorer: str, area: str | None = None
              ) -> tuple[pl.DataFrame, Provenance]:
    """Employment and exposure per typical entry education (BLS projections) of the nation
    and one area, or of every area."""
    return _by_area(path, "education_exposure", scorer, area, "education_rank NULLS LAST")


AREA_FORECAST_SOURCE = ("state mix: {states}; rates: national forecast, baseline "
                        "{baseline}")


def area_forecasts(path: Path, area: str | None = None, scenario: str | None = None,
                   major: str | None = None, year: int | None = None, top: int | None = None
                   ) -> tuple[pl.DataFrame, Provenance]:
    """State forecasts of the latest run: each state's occupation mix times the national
    occupation displacement rates (see `exposure.rollup.area_forecast`), by scenario, year
    and major group ('all' first)."""
    place = None if area is None else resolve_area(path, area)
    if place is not None and (place.is_nation or place.code in TERRITORIES):
        raise ConfigError(f"area_forecast holds the 50 states and DC, not {place.name}: the "
                          "national forecast it scales covers them only",
                          "use `exposure forecast-table --measure displaced` for the nation")
    major = filters.major_group(major)
    where, params = _conditions(("area_code = ?", place.code if place else None),
                                ("scenario = ?", scenario), ("soc_major = ?", major),
                                ("year = ?", year))
    frame, prov = _latest(path, "area_forecast", where, params,
                          "scenario, year, area_code, soc_major <> 'all', "
                          "displaced_p50 DESC", top, forecast=True, capped=True)
    _nothing_matches(path, frame, "area_forecast",
                     {"area": area, "scenario": scenario, "major": major, "year": year})
    source = AREA_FORECAST_SOURCE.format(states=_state_release(path, prov.run_id),
                                         baseline=prov.employment_source.removeprefix(
                                             "baseline: "))
    meaning = (f"{FORECAST_MEANING} A state's figure is the national occupation rates "
               "applied to its occupation mix, not a state model; its p10/p90 apply the "
               "national p10/p90 rates and are not an interval for the state.")
    return _with_titles(path, frame), replace(prov, employment_source=source, meaning=meaning)


def _state_release(path: Path, run_id: str) -> str:
    """The release of the OEWS state estimates run `run_id` read (SOURCES.md caveat C5)."""
    con = connect_read_only(path)
    try:
        (release,) = con.execute(
            "SELECT string_agg(DISTINCT release, ', ' ORDER BY release) FROM source_file "
            "WHERE run_id = ? AND path LIKE 'bls_oews_state/%'", [run_id]).fetchone()
    finally:
        con.close()
    return release or "OEWS state estimates"


def _nonempty(frame: pl.DataFrame, what: str, scorer: str | None) -> pl.DataFrame:
    if frame.height == 0:
        raise ConfigError(f"no {what} rows match these filters (scorer {scorer})",
                          "check the codes and the scorer name with `exposure scorers list`")
    return frame


def forecasts(path: Path, scenario: str | None = None, sector: str | None = None,
              occupation: str | None = None, year: int | None = None, top: int | None = None
              ) -> tuple[pl.DataFrame, Provenance]:
    """Displacement forecasts of the latest run (occupation x sector x year), largest first,
    with the scenario's, the occupation's and the sector's titles beside their codes."""
    used = {"scenario": scenario, "sector": sector, "year": year, "occupation": occupation}
    where, params = _conditions(("scenario = ?", scenario), ("naics_sector = ?", sector),
                                ("year = ?", year),
                                ("soc_code LIKE ?", f"{occupation}%" if occupation else None))
    frame, prov = _latest(path, "displacement_forecast", where, params,
                          "scenario, year, displaced_p50 DESC", top, forecast=True,
                          capped=True)
    _nothing_matches(path, frame, "displacement_forecast", used)
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
                          "scenario, year", top, forecast=True, capped=True)
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


BACKTEST_MEANING = (f"{MEANING} The backtest is an association over a short window "
                    "(largely before wide adoption) of repeated OEWS cross-sections, whose "
                    "changes have many causes; it is not an effect of AI.")


def backtest(path: Path, scorer: str | None = None, kind: str | None = None,
             top: int | None = None) -> tuple[pl.DataFrame, Provenance]:
    """The backtest of the latest run (`exposure.backtest`): per scorer, the codes compared,
    growth per exposure quintile, the top-minus-rest gap and the regression, in reading
    order."""
    from exposure.backtest.terms import KINDS, TERMS

    if kind is not None and kind not in KINDS:
        raise ConfigError(f"--kind {kind} is not a kind of backtest row",
                          f"use one of {', '.join(KINDS)}")
    con = connect_read_only(path)
    try:
        present = "backtest" in table_names(con)
    finally:
        con.close()
    if not present:  # an older warehouse, or one of `exposure rollup`, which stops before it
        raise WarehouseError("the warehouse has no table backtest yet",
                             "run `exposure refresh`, whose backtest stage writes it")
    where, params = _conditions(("scorer = ?", scorer), ("kind = ?", kind))
    order = ", ".join(f"'{name}'" for name in TERMS)
    frame, prov = _latest(path, "backtest", where, params,
                          f"scorer, list_position([{order}], term)", top, capped=True)
    if frame.height == 0:
        scorers = ", ".join(sorted(_distinct(path, "backtest", "scorer")))
        if not scorers:
            raise ConfigError("the latest run's backtest is empty: its OEWS tables lack the "
                              "national estimates of May 2021 or of a later year",
                              "add bls_oews/national_M2021_dl.xlsx (`exposure fetch`) and "
                              "run `exposure refresh`")
        raise ConfigError(f"no backtest rows match --scorer {scorer}",
                          f"the latest run's backtest has the scorers {scorers}")
    years = frame.select("base_year", "end_year").row(0)
    source = (f"OEWS national May {years[0]} and May {years[1]}; "
              f"{_projection_release(path, prov.run_id)}")
    return frame, replace(prov, employment_source=source, meaning=BACKTEST_MEANING)


def _projection_release(path: Path, run_id: str) -> str:
    """The release of the BLS Employment Projections run `run_id` read."""
    con = connect_read_only(path)
    try:
        (release,) = con.execute(
            "SELECT string_agg(DISTINCT release, ', ' ORDER BY release) FROM source_file "
            "WHERE run_id = ? AND table_name = 'projection'", [run_id]).fetchone()
    finally:
        con.close()
    return release or "BLS Employment Projections"


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


# code column -> the title column `_with_titles` puts right after it
TITLED = {"scenario": "scenario_title", "soc_code": "soc_title",
          "naics_sector": "sector_title"}


def _with_titles(path: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """Each code's title right after it: the scenario's (`scenario_title`), the SOC
    occupation's (`soc_title`) and the NAICS sector's (`sector_title`), so a reader never
    needs to look ids up. The title column is always there when its code is (empty for a
    code without a known title); one the frame already has is kept as it is."""
    wanted = [code for code, title in TITLED.items()
              if code in frame.columns and title not in frame.columns]
    if not wanted:
        return frame
    lookups = _titles(path, wanted)
    columns: list[str | pl.Expr] = []
    for column in frame.columns:
        columns.append(column)
        if column in wanted:
            columns.append(pl.col(column).replace_strict(
                lookups[column], default=None, return_dtype=pl.String).alias(TITLED[column]))
    return frame.select(columns)


def _titles(path: Path, codes: list[str]) -> dict[str, dict[str, str]]:
    """code column -> {code: title} from the warehouse: scenarios from the latest run's
    `forecast_scenario`; SOC codes from the SOC 2018 structure, then (for codes newer than
    it) the BLS projections; NAICS sectors from `naics_sector`. Absent tables give none."""
    con = connect_read_only(path)
    try:
        present = table_names(con)
        sources = {
            "scenario": [("latest_forecast_scenario", "scenario")],
            "soc_code": [("soc_structure", "soc_code"), ("projection", "soc_code")],
            "naics_sector": [("naics_sector", "naics_sector")],
        }
        lookups: dict[str, dict[str, str]] = {}
        for code in codes:
            parts = [f'SELECT "{key}" AS code, title, {rank} AS rank FROM "{table}"'
                     for rank, (table, key) in enumerate(sources[code]) if table in present]
            lookups[code] = dict(con.execute(
                "SELECT code, arg_min(title, rank) FROM (" + " UNION ALL ".join(parts)
                + ") WHERE title IS NOT NULL GROUP BY code").fetchall()) if parts else {}
    finally:
        con.close()
    return lookups


def table_counts(path: Path) -> pl.DataFrame:
    """The warehouse's tables with their (estimated) row and column counts, by name."""
    return read_frame(path, "SELECT table_name, estimated_size AS rows, column_count "
                            "FROM duckdb_tables() ORDER BY table_name")

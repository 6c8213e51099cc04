"""Exposure of states (and DC and the territories), overall and by major SOC group, with the
nation beside each row for comparison: the `area_exposure` table.

Source: the OEWS May 2025 state estimates (SOURCES.md caveat C5), cross-industry only. An
area's `employment` is its published total (all occupations, or the major group's row);
its exposure is computed over its published detailed cells (`-` marks suppressed ones)
that reach a scored O*NET occupation, as for sectors (`exposure.rollup.groups`).

The nation (`area_code` 'US') is the 50 states and DC of the same release: their published
totals summed, and exposure over all their covered cells. National May 2025 workbooks are
not staged, and summing the states keeps the comparison on the same cells and the same
suppression as the states themselves (the 50 states + DC total 155,495,750 against the
national 155,495,730). Puerto Rico, Guam and the Virgin Islands are reported as
territories but are not part of the nation, as in OEWS's national estimates.
"""

from __future__ import annotations

import polars as pl

from exposure.codes import NATION_CODE, NATION_NAME, TERRITORIES
from exposure.errors import ConfigError
from exposure.rollup.employment import annual_wage, soc_scores
from exposure.rollup.groups import finish, group_exposure, soc_major
from exposure.rollup.schemas import ALL, AreaExposureModel, conform

ALL_TITLE = "All occupations"


def area_type() -> pl.Expr:
    """`area_type` of the `area_code` column: nation, territory or state (DC included)."""
    return (pl.when(pl.col("area_code") == NATION_CODE).then(pl.lit("nation"))
            .when(pl.col("area_code").is_in(TERRITORIES)).then(pl.lit("territory"))
            .otherwise(pl.lit("state")).alias("area_type"))


def state_cells(employment: pl.DataFrame, year: int | None) -> pl.DataFrame:
    """The `employment` rows of the OEWS state estimates of May `year` (the latest when
    None), every area and level."""
    cells = employment.filter(pl.col("area_type") == "state")
    available = sorted(cells.get_column("year").unique().to_list())
    if not available:
        raise ConfigError("the employment frame holds no OEWS state estimates",
                          "ingest bls_oews_state/oews-2025.sqlite.gz first")
    year = available[-1] if year is None else year
    cells = cells.filter(pl.col("year") == year)
    if not cells.height:
        raise ConfigError(f"there are no OEWS state estimates for May {year}",
                          f"choose one of the years {', '.join(map(str, available))}")
    return cells


def _rollup(cells: pl.DataFrame, soc: pl.DataFrame, area: list[str]) -> pl.DataFrame:
    """Overall and major-group rows for the areas of `cells` (keys `area` + soc_major)."""
    detailed = cells.filter(pl.col("o_group") == "detailed").select(
        *area, soc_major(), "soc_code", "employment", annual_wage())
    majors = cells.filter(pl.col("o_group") == "major").select(
        *area, pl.col("soc_code").alias("soc_major"), pl.col("soc_title").alias("soc_major_title"),
        "employment", (pl.col("employment") * annual_wage()).alias("wage_bill"))
    totals = cells.filter(pl.col("o_group") == "total").select(
        *area, pl.lit(ALL).alias("soc_major"), pl.lit(ALL_TITLE).alias("soc_major_title"),
        "employment", (pl.col("employment") * annual_wage()).alias("wage_bill"))
    keys = [*area, "soc_major"]
    by_major = group_exposure(detailed, soc, keys)
    overall = group_exposure(detailed.with_columns(pl.lit(ALL).alias("soc_major")), soc, keys)
    return pl.concat([finish(overall, totals, keys), finish(by_major, majors, keys)],
                     how="vertical_relaxed")


def area_exposure(scores: pl.DataFrame, crosswalk: pl.DataFrame, employment: pl.DataFrame,
                  scorer: str, year: int | None = None) -> pl.DataFrame:
    """`area_exposure` for the state estimates of May `year` (the latest when None): one row
    per area and `soc_major` ('all' or a major group such as '15-0000'), the nation ('US')
    included, each with `national_exposure` of the same group."""
    cells = state_cells(employment, year)
    soc = soc_scores(scores, crosswalk)
    area_keys = ["year", "area_code", "area_name"]
    areas = _rollup(cells, soc, area_keys)
    states = cells.filter(~pl.col("area_code").is_in(TERRITORIES))
    # the nation: the states' published totals summed, their detailed cells pooled
    nation_cells = pl.concat([
        states.filter(pl.col("o_group") != "detailed")
        .group_by("year", "o_group", "soc_code", "soc_title").agg(pl.col("employment").sum()),
        states.filter(pl.col("o_group") == "detailed")
        .select("year", "o_group", "soc_code", "soc_title", "employment"),
    ], how="vertical_relaxed").with_columns(
        # this table reports no wages; the nation's are left out rather than re-derived
        pl.lit(None, pl.Float64).alias("annual_mean_wage"),
        pl.lit(None, pl.Float64).alias("hourly_mean_wage"),
        pl.lit(NATION_CODE).alias("area_code"), pl.lit(NATION_NAME).alias("area_name"),
    )
    nation = _rollup(nation_cells, soc, area_keys)
    national = nation.select("year", "soc_major",
                             pl.col("exposure").alias("national_exposure"))
    out = (pl.concat([nation, areas], how="vertical_relaxed")
           .join(national, on=["year", "soc_major"], how="left")
           .with_columns(pl.lit(scorer).alias("scorer"), area_type())
           .sort(pl.col("area_code") != NATION_CODE, "area_code", "soc_major"))
    return conform(out, AreaExposureModel)

"""State depth from the OEWS May 2025 state estimates (cross-industry only, SOURCES.md caveat
C5): detailed occupations per state (`area_occupation_exposure`) and each area's employment
and exposure per wage quintile (`wage_band_exposure`) and per typical entry education
(`education_exposure`).

Only published detailed cells count (`-` suppressed ones have no employment to place), so an
area's rows sum to its published detailed employment, which is below its published total.
A code's exposure comes from its O*NET tasks and is the same in every state: states differ
by their occupation mix (and, for wage bands, by their wages), not by their occupations'
scores. The nation ('US') is the 50 states and DC of the same release, as in
`area_exposure`: its cells are theirs, each kept with its own state's wage.
"""

from __future__ import annotations

import polars as pl

from exposure.rollup.area import NATION_CODE, NATION_NAME, TERRITORIES, area_type, state_cells
from exposure.rollup.bands import band_wage, bands, cuts, quintile, with_education
from exposure.rollup.bls import scored_cells
from exposure.rollup.employment import annual_wage, soc_scores
from exposure.rollup.groups import group_exposure, soc_major
from exposure.rollup.schemas import (
    AreaOccupationExposureModel,
    EducationExposureModel,
    WageBandExposureModel,
    conform,
)


def _fallback_wages(cells: pl.DataFrame) -> pl.DataFrame:
    """soc_code -> fallback_wage: the code's employment-weighted mean wage over the 50 states
    and DC cells that publish one."""
    known = cells.filter(~pl.col("area_code").is_in(TERRITORIES)
                         & pl.col("annual_wage").is_not_null())
    return known.group_by("soc_code").agg(
        ((pl.col("annual_wage") * pl.col("employment")).sum() / pl.col("employment").sum())
        .alias("fallback_wage"))


def banded_cells(employment: pl.DataFrame, projection: pl.DataFrame,
                 year: int | None = None) -> tuple[pl.DataFrame, list[float]]:
    """The published detailed cells of every state, DC and territory of May `year` (the
    latest when None) and the nation's cells ('US', the 50 states and DC relabelled), with
    wage_quintile, typical_education and education_rank; and the quintile cuts."""
    cells = state_cells(employment, year).filter(
        (pl.col("o_group") == "detailed") & pl.col("employment").is_not_null(),
    ).select("year", "area_code", "area_name", "soc_code", "soc_title", soc_major(),
             "employment", annual_wage(), "annual_mean_wage", "hourly_mean_wage", "wage_flag")
    cells = (cells.join(_fallback_wages(cells), on="soc_code", how="left")
             .with_columns(band_wage(fallback=True)))
    nation = cells.filter(~pl.col("area_code").is_in(TERRITORIES)).with_columns(
        pl.lit(NATION_CODE).alias("area_code"), pl.lit(NATION_NAME).alias("area_name"))
    bounds = cuts(nation)
    out = pl.concat([nation, cells]).with_columns(quintile(bounds))
    return with_education(out, projection), bounds


def area_occupation_exposure(scores: pl.DataFrame, crosswalk: pl.DataFrame,
                             employment: pl.DataFrame, projection: pl.DataFrame,
                             scorer: str, year: int | None = None) -> pl.DataFrame:
    """`area_occupation_exposure`: one row per state (DC, territory) and published detailed
    code; `annual_mean_wage` is the state's (null where OEWS does not publish it)."""
    cells, _ = banded_cells(employment, projection, year)
    states = cells.filter(pl.col("area_code") != NATION_CODE)
    out = scored_cells(states, scores, crosswalk).with_columns(
        pl.col("annual_wage").alias("annual_mean_wage"),
        pl.col("exposure").alias("national_exposure"),
        pl.lit(scorer).alias("scorer"), area_type())
    return conform(out.sort("area_code", "soc_code"), AreaOccupationExposureModel)


def _by(scores: pl.DataFrame, crosswalk: pl.DataFrame, cells: pl.DataFrame,
        key: list[str]) -> pl.DataFrame:
    """Employment (published detailed cells), covered employment and exposure per area and
    `key`, exposed_employment = employment x exposure."""
    keys = ["year", "area_code", "area_name", *key]
    groups = group_exposure(cells, soc_scores(scores, crosswalk), keys)
    return groups.with_columns(
        pl.col("published_employment").alias("employment"),
        (pl.col("published_employment") * pl.col("exposure")).alias("exposed_employment"))


def _ordered(frame: pl.DataFrame, *by: str) -> pl.DataFrame:
    return frame.sort(pl.col("area_code") != NATION_CODE, "area_code", *by)


def wage_band_exposure(scores: pl.DataFrame, crosswalk: pl.DataFrame,
                       employment: pl.DataFrame, projection: pl.DataFrame, scorer: str,
                       year: int | None = None) -> pl.DataFrame:
    """`wage_band_exposure`: the nation and each area per wage quintile."""
    cells, bounds = banded_cells(employment, projection, year)
    out = (_by(scores, crosswalk, cells, ["wage_quintile"])
           .join(bands(bounds), on="wage_quintile", how="left")
           .with_columns(pl.lit(scorer).alias("scorer")))
    return conform(_ordered(out, "wage_quintile"), WageBandExposureModel)


def education_exposure(scores: pl.DataFrame, crosswalk: pl.DataFrame,
                       employment: pl.DataFrame, projection: pl.DataFrame, scorer: str,
                       year: int | None = None) -> pl.DataFrame:
    """`education_exposure`: the nation and each area per typical entry education."""
    cells, _ = banded_cells(employment, projection, year)
    out = (_by(scores, crosswalk, cells, ["typical_education", "education_rank"])
           .with_columns(pl.lit(scorer).alias("scorer")))
    return conform(_ordered(out, "education_rank"), EducationExposureModel)

"""National tables at the level BLS publishes: one row per OEWS detailed occupation code, with
its published employment (not split over O*NET occupations) and the employment-weighted
exposure of its O*NET occupations (`bls_occupation_exposure`), and the same per NAICS
sector (`sector_occupation_exposure`).

A code's exposure is `employment.soc_scores`: the split-weighted mean over its scored O*NET
occupations, which is the employment-weighted mean of the O*NET rows of
`occupation_exposure` (each holds the code's employment times its split weight).
`covered_employment` is the part of the code's employment whose O*NET occupations are
scored (employment x scored_weight): the part the exposure rests on, as in the group tables.
"""

from __future__ import annotations

import polars as pl

from exposure.codes import CROSS_INDUSTRY
from exposure.rollup.bands import band_wage, cuts, quintile, with_education
from exposure.rollup.employment import annual_wage, select_cells, soc_scores
from exposure.rollup.groups import covered_cells, soc_major
from exposure.rollup.schemas import (
    BlsOccupationExposureModel,
    SectorOccupationExposureModel,
    conform,
)


def _crosswalk_summary(crosswalk: pl.DataFrame) -> pl.DataFrame:
    """soc_code -> onet_occupations (O*NET occupations on the code) and split_rule (its
    rules, comma-separated when a code mixes them)."""
    return crosswalk.group_by("soc_code").agg(
        pl.len().cast(pl.Int32).alias("onet_occupations"),
        pl.col("split_rule").drop_nulls().unique().sort().str.join(", ").alias("split_rule"),
    )


def scored_cells(cells: pl.DataFrame, scores: pl.DataFrame,
                 crosswalk: pl.DataFrame) -> pl.DataFrame:
    """`cells` (soc_code, employment, annual_wage, ...) with exposure, share_exposed and
    covered_employment of their codes."""
    soc = soc_scores(scores, crosswalk)
    return covered_cells(cells, soc).join(soc.select("soc_code", "share_exposed"),
                                          on="soc_code", how="left")


def bls_occupation_exposure(scores: pl.DataFrame, crosswalk: pl.DataFrame,
                            employment: pl.DataFrame, projection: pl.DataFrame, year: int,
                            scorer: str) -> pl.DataFrame:
    """`bls_occupation_exposure`: every national cross-industry detailed code of May `year`
    with its published employment, mean wage, exposure, wage quintile (cut on this table's
    employment-weighted wages) and typical entry education."""
    national = select_cells(employment, year)
    majors = national.filter(pl.col("o_group") == "major").select(
        pl.col("soc_code").alias("soc_major"), pl.col("soc_title").alias("soc_major_title"))
    cells = national.filter(pl.col("o_group") == "detailed").select(
        "year", "soc_code", "soc_title", soc_major(), "employment", annual_wage(),
        "annual_mean_wage", "hourly_mean_wage", "wage_flag",
    ).with_columns(band_wage())
    out = (scored_cells(cells, scores, crosswalk)
           .with_columns(quintile(cuts(cells)))
           .join(majors, on="soc_major", how="left")
           .join(_crosswalk_summary(crosswalk), on="soc_code", how="left")
           .with_columns(pl.col("onet_occupations").fill_null(0),
                         pl.col("annual_wage").alias("annual_mean_wage"),
                         pl.lit(scorer).alias("scorer")))
    out = with_education(out, projection).sort("soc_code")
    return conform(out, BlsOccupationExposureModel)


def sector_year(employment: pl.DataFrame, year: int) -> int:
    """May `year` when OEWS published by-sector estimates for it, else the latest that it
    did (the sector tables lag the cross-industry ones by a release at times)."""
    years = (employment.filter((pl.col("area_type") == "national")
                               & (pl.col("naics_sector") != CROSS_INDUSTRY))
             .get_column("year").unique().to_list())
    return year if year in years or not years else max(years)


def sector_occupation_exposure(scores: pl.DataFrame, crosswalk: pl.DataFrame,
                               employment: pl.DataFrame, year: int,
                               scorer: str) -> pl.DataFrame:
    """`sector_occupation_exposure`: the published detailed cells (`**` suppressed ones are
    left out) of each NAICS sector of May `year` (see `sector_year`)."""
    year = sector_year(employment, year)
    cells = select_cells(employment, year, naics_sector=None).filter(
        (pl.col("naics_sector") != CROSS_INDUSTRY) & (pl.col("o_group") == "detailed")
        & pl.col("employment").is_not_null(),
    ).select("year", "naics_sector", "sector_title", "soc_code", "soc_title", soc_major(),
             "employment", annual_wage())
    out = scored_cells(cells, scores, crosswalk).with_columns(
        pl.col("annual_wage").alias("annual_mean_wage"), pl.lit(scorer).alias("scorer"))
    return conform(out.sort("naics_sector", "soc_code"), SectorOccupationExposureModel)

"""O*NET occupations -> BLS occupation codes with OEWS employment and wages.

O*NET occupations reach OEWS codes through the BLS crosswalk (`crosswalk`, one row per
O*NET occupation). Where several O*NET occupations share one BLS code, the code's
employment is split by the crosswalk's `split_weight` (ingest's `split_crosswalk`: equal
shares among the sharing occupations that have task statements; weights of a code sum to
1). An O*NET occupation's employment is its code's employment times its weight.

Going the other way, a BLS code's exposure is the split-weighted mean exposure of its
*scored* O*NET occupations, and the code counts as covered for the summed weight of those
(`scored_weight`): a code whose two halves are scored and unscored is half covered. This is
exactly what splitting the code's employment over its O*NET occupations and summing them
would give, so national, sector and state figures agree with the occupation table.

Annual wages: OEWS publishes only hourly wages for a few occupations paid by the hour
(actors, dancers, ...); their annual wage is taken as hourly x 2,080 hours, the same
convention OEWS uses for every other occupation.
"""

from __future__ import annotations

import polars as pl

from exposure.codes import CROSS_INDUSTRY
from exposure.errors import ConfigError
from exposure.rollup.schemas import OccupationExposureModel, conform

HOURS_PER_YEAR = 2080
NATIONAL_YEARS = (2021, 2022, 2023, 2024)


def annual_wage() -> pl.Expr:
    """Annual mean wage, from the hourly mean where only that is published."""
    return pl.coalesce(pl.col("annual_mean_wage"),
                       pl.col("hourly_mean_wage") * HOURS_PER_YEAR).alias("annual_wage")


def select_cells(employment: pl.DataFrame, year: int, area_type: str = "national",
                 naics_sector: str | None = CROSS_INDUSTRY) -> pl.DataFrame:
    """The `employment` rows of one year and area type (and sector, unless None)."""
    cells = employment.filter((pl.col("year") == year) & (pl.col("area_type") == area_type))
    if naics_sector is not None:
        cells = cells.filter(pl.col("naics_sector") == naics_sector)
    if not cells.height:
        years = sorted(employment.filter(pl.col("area_type") == area_type)
                       .get_column("year").unique().to_list())
        where = f"{area_type}" + ("" if naics_sector is None else f", sector {naics_sector}")
        raise ConfigError(f"there is no OEWS employment for May {year} ({where})",
                          f"choose one of the years {', '.join(map(str, years)) or 'none'}")
    return cells


def national_employment(employment: pl.DataFrame, year: int) -> pl.DataFrame:
    """National cross-industry detailed cells of May `year`: soc_code, soc_title,
    employment (null where suppressed) and annual_wage."""
    cells = select_cells(employment, year).filter(pl.col("o_group") == "detailed")
    return cells.select("soc_code", "soc_title", "employment", annual_wage())


def soc_scores(scores: pl.DataFrame, crosswalk: pl.DataFrame) -> pl.DataFrame:
    """BLS code -> exposure, share_exposed and scored_weight (summed split weight of its
    O*NET occupations that have an exposure; 0 or absent = not covered)."""
    joined = crosswalk.select("onet_soc_code", "soc_code", "split_weight").join(
        scores.select("onet_soc_code", "exposure", "share_exposed"), on="onet_soc_code",
        how="inner",
    ).filter(pl.col("exposure").is_not_null() & (pl.col("split_weight") > 0))
    weight = pl.col("split_weight")
    return joined.group_by("soc_code").agg(
        ((weight * pl.col("exposure")).sum() / weight.sum()).clip(0.0, 1.0).alias("exposure"),
        ((weight * pl.col("share_exposed")).sum() / weight.sum()).alias("share_exposed"),
        weight.sum().alias("scored_weight"),
    )


def occupation_exposure(scores: pl.DataFrame, occupation: pl.DataFrame,
                        crosswalk: pl.DataFrame, employment: pl.DataFrame, year: int,
                        scorer: str) -> pl.DataFrame:
    """The `occupation_exposure` table: `occupation_scores` output with titles, BLS codes
    and the split national employment and annual mean wage of May `year` (2021-2024).

    `occupation` gives titles (`onet_soc_code`, `title`); occupations missing from it (an
    older task list) keep a null title. `employment` is null for an occupation without a
    crosswalk row (the military `55-` codes) or whose code OEWS does not publish.
    """
    if "split_weight" not in crosswalk.columns:
        raise ConfigError("the crosswalk frame has no split_weight",
                          "pass the crosswalk of an ingest (split by split_crosswalk)")
    cells = national_employment(employment, year)
    out = (
        scores.join(occupation.select("onet_soc_code", "title"), on="onet_soc_code",
                    how="left")
        .join(crosswalk.select("onet_soc_code", "soc_code", "split_weight", "split_rule"),
              on="onet_soc_code", how="left")
        .join(cells.select("soc_code", "employment", "annual_wage"), on="soc_code",
              how="left")
        .with_columns(
            pl.lit(scorer).alias("scorer"),
            (pl.col("employment") * pl.col("split_weight")).alias("employment"),
            pl.col("annual_wage").alias("annual_mean_wage"),
            pl.lit(year, pl.Int16).alias("employment_year"),
        )
        .sort("onet_soc_code")
    )
    return conform(out, OccupationExposureModel)

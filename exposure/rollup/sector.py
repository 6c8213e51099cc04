"""Exposure of NAICS sectors (OEWS by-sector estimates) and of major SOC groups.

Sectors: the 20 sectors of the OEWS natsector files (May 2022-2024; `99` is BLS's
government grouping, not NAICS 92). A sector's `employment` and `wage_bill` are its
published totals; its exposure is computed over its detailed occupations that BLS publishes
(cells marked `**` are suppressed) and that reach a scored O*NET occupation, and
`covered_employment_share` reports how much of the total that is. Major SOC groups: the
same over the national cross-industry estimates (May 2021-2024). Column meanings are in
`exposure.rollup.schemas`.
"""

from __future__ import annotations

import polars as pl

from exposure.codes import CROSS_INDUSTRY
from exposure.errors import ConfigError
from exposure.rollup.employment import annual_wage, soc_scores
from exposure.rollup.groups import finish, group_exposure, soc_major
from exposure.rollup.schemas import MajorGroupExposureModel, SectorExposureModel, conform

SECTOR_SOURCE = "oews_natsector"


def _years(employment: pl.DataFrame, rows: pl.Expr, year: int | None, what: str) -> pl.DataFrame:
    cells = employment.filter(rows)
    if year is not None:
        available = sorted(cells.get_column("year").unique().to_list())
        cells = cells.filter(pl.col("year") == year)
        if not cells.height:
            raise ConfigError(f"there are no OEWS {what} estimates for May {year}",
                              f"choose one of the years {', '.join(map(str, available))}")
    if not cells.height:
        raise ConfigError(f"the employment frame holds no OEWS {what} estimates",
                          "ingest the OEWS workbooks first")
    return cells


def _totals(cells: pl.DataFrame, o_group: str, keys: list[str]) -> pl.DataFrame:
    return cells.filter(pl.col("o_group") == o_group).select(
        *keys, "employment", (pl.col("employment") * annual_wage()).alias("wage_bill"))


def sector_exposure(scores: pl.DataFrame, crosswalk: pl.DataFrame, employment: pl.DataFrame,
                    scorer: str, year: int | None = None) -> pl.DataFrame:
    """`sector_exposure` for May `year` (every by-sector year when None).

    `scores` is `occupation_scores` output (onet_soc_code, exposure, share_exposed);
    `crosswalk` the split crosswalk of an ingest; `employment` the `employment` table.
    """
    cells = _years(employment, (pl.col("area_type") == "national")
                   & (pl.col("naics_sector") != CROSS_INDUSTRY), year, "by-sector")
    keys = ["year", "naics_sector", "sector_title"]
    detailed = cells.filter(pl.col("o_group") == "detailed").select(
        *keys, "soc_code", "employment", annual_wage())
    groups = group_exposure(detailed, soc_scores(scores, crosswalk), keys)
    out = finish(groups, _totals(cells, "total", keys), keys).with_columns(
        pl.lit(scorer).alias("scorer"))
    return conform(out.sort("year", "naics_sector"), SectorExposureModel)


def major_group_exposure(scores: pl.DataFrame, crosswalk: pl.DataFrame,
                         employment: pl.DataFrame, scorer: str,
                         year: int | None = None) -> pl.DataFrame:
    """National cross-industry exposure by major SOC group for May `year` (every national
    year when None); employment is the published major-group total."""
    cells = _years(employment, (pl.col("area_type") == "national")
                   & (pl.col("naics_sector") == CROSS_INDUSTRY), year, "national")
    keys = ["year", "soc_major"]
    detailed = cells.filter(pl.col("o_group") == "detailed").select(
        "year", soc_major(), "soc_code", "employment", annual_wage())
    totals = _totals(cells.with_columns(pl.col("soc_code").alias("soc_major"),
                                        pl.col("soc_title").alias("soc_major_title")),
                     "major", [*keys, "soc_major_title"])
    groups = group_exposure(detailed, soc_scores(scores, crosswalk), keys)
    out = finish(groups, totals, keys).with_columns(pl.lit(scorer).alias("scorer"))
    return conform(out.sort("year", "soc_major"), MajorGroupExposureModel)

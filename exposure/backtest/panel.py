"""The occupations of the backtest: BLS detailed codes with their national employment in the
base and the end year, their exposure and the regression's controls.

OEWS is not a panel: each May release is a separate sample, and codes can appear, vanish or
have their employment suppressed from one release to the next. Each code published in
either year gets a `status` that says whether it can be compared:
- `matched`: published with employment in both years (the backtest's occupations);
- `base_only` / `end_only`: the code exists in one of the two releases only (a code
  change, SOURCES.md caveat C3);
- `suppressed`: the code is in both releases but its employment is not published in one.
"""

from __future__ import annotations

import polars as pl

from exposure.backtest.terms import BASE_ONLY, END_ONLY, MATCHED, SUPPRESSED
from exposure.codes import CROSS_INDUSTRY
from exposure.rollup.employment import annual_wage

BASE_YEAR = 2021  # the first May release on the SOC 2018 structure (caveat C3)


def national_years(employment: pl.DataFrame) -> list[int]:
    """The May years with national cross-industry estimates, oldest first."""
    national = employment.filter((pl.col("area_type") == "national")
                                 & (pl.col("naics_sector") == CROSS_INDUSTRY))
    return sorted(national.get_column("year").unique().to_list())


def _detailed(employment: pl.DataFrame, year: int) -> pl.DataFrame:
    return employment.filter(
        (pl.col("year") == year) & (pl.col("area_type") == "national")
        & (pl.col("naics_sector") == CROSS_INDUSTRY) & (pl.col("o_group") == "detailed"),
    ).select("soc_code", "employment", annual_wage())


def employment_panel(employment: pl.DataFrame, base_year: int, end_year: int) -> pl.DataFrame:
    """One row per detailed code published in either year: soc_code, employment_base,
    employment_end, wage_base (annual mean wage of the base year) and status."""
    base = _detailed(employment, base_year).rename(
        {"employment": "employment_base", "annual_wage": "wage_base"})
    end = _detailed(employment, end_year).select(
        "soc_code", pl.col("employment").alias("employment_end"), pl.lit(True).alias("_end"))
    both = base.with_columns(pl.lit(True).alias("_base")).join(
        end, on="soc_code", how="full", coalesce=True)
    status = (pl.when(pl.col("_base").is_null()).then(pl.lit(END_ONLY))
              .when(pl.col("_end").is_null()).then(pl.lit(BASE_ONLY))
              .when(pl.col("employment_base").is_null() | pl.col("employment_end").is_null()
                    | (pl.col("employment_base") <= 0) | (pl.col("employment_end") <= 0))
              .then(pl.lit(SUPPRESSED))
              .otherwise(pl.lit(MATCHED)))
    return (both.with_columns(status.alias("status"))
            .select("soc_code", "employment_base", "employment_end", "wage_base", "status")
            .sort("soc_code"))


def code_job_zones(occupation: pl.DataFrame, crosswalk: pl.DataFrame) -> pl.DataFrame:
    """soc_code -> job_zone: the split-weighted mean Job Zone (1-5) of the code's O*NET
    occupations that have one (a BLS code can hold several O*NET occupations, so the mean
    need not be a whole number)."""
    joined = crosswalk.select("onet_soc_code", "soc_code", "split_weight").join(
        occupation.select("onet_soc_code", "job_zone"), on="onet_soc_code", how="inner",
    ).filter(pl.col("job_zone").is_not_null() & (pl.col("split_weight") > 0))
    weight = pl.col("split_weight")
    return joined.group_by("soc_code").agg(
        ((weight * pl.col("job_zone")).sum() / weight.sum()).alias("job_zone"))


def with_controls(panel: pl.DataFrame, exposure: pl.DataFrame, job_zones: pl.DataFrame,
                  projection: pl.DataFrame) -> pl.DataFrame:
    """`panel` with the code's `exposure` (one scorer's; null where unscored), `job_zone`,
    `log_mean_wage` (of the base year), `projected_change` (BLS 2024-34 projected change as
    a fraction: 0.05 is +5%) and `log_change` (log of end over base employment)."""
    projected = projection.select("soc_code",
                                  (pl.col("change_pct") / 100).alias("projected_change"))
    return (panel.join(exposure.select("soc_code", "exposure"), on="soc_code", how="left")
            .join(job_zones, on="soc_code", how="left")
            .join(projected, on="soc_code", how="left")
            .with_columns(
                pl.when(pl.col("wage_base") > 0).then(pl.col("wage_base").log())
                .alias("log_mean_wage"),
                pl.when(pl.col("status") == MATCHED)
                .then((pl.col("employment_end") / pl.col("employment_base")).log())
                .alias("log_change")))

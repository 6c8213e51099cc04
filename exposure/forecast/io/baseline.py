"""Baseline employment path by occupation and sector, 2025-2035: the official BLS outlook.

A forecast is displacement relative to this path (MODEL_SPEC §6 outputs multiply it by the
automated share), so it must be the official one:

* **Occupation totals.** The BLS Employment Projections 2024-34 line items (`projection`,
  occupation_type 'Line item': 832 NEM codes, which equal OEWS codes). Employment between the
  base year 2024 and the target year 2034 follows the constant yearly growth rate that joins
  them (geometric interpolation, E(y) = E₂₀₂₄·(E₂₀₃₄/E₂₀₂₄)^((y−2024)/10)); years after 2034
  (2035) are extrapolated at the same rate. The EP publishes only the two end points; a
  constant rate is the one path that hits both without inventing a shape.
* **Split across sectors** by each occupation's May 2024 OEWS by-sector employment shares
  (the natsector files, `employment` rows with year 2024 and a sector other than 'all').
  - A suppressed cell ('**', null employment) gets the part of the occupation's national
    cross-industry total that the published cells leave over (``max(0, national − Σ
    published)``), spread over the occupation's suppressed sectors in proportion to each
    sector's total employment. When nothing is left over, the suppressed cells get 0.
  - A code missing from the sector files (45-3031 fishing and hunting workers, which OEWS does
    not survey) takes the sector distribution of its closest published parent: the SOC broad
    group, else the minor group, else the major group, else all occupations.
  - The shares of an occupation sum to 1, so each occupation's sector cells add up to its
    EP path exactly and the grand total equals the EP total every year; a sector's total is
    Σ_o EP_o(y)·share_oj.

OEWS counts wage and salary jobs and EP counts all jobs (self-employed included), so the
baseline is on the EP's scale; the OEWS shares only say where those jobs are.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from exposure.codes import CROSS_INDUSTRY, SOC_MAJOR_SUFFIX

SHARE_YEAR = 2024
ALL_OCCUPATIONS = "00-0000"
COLUMNS = ("soc_code", "naics_sector", "year", "baseline_employment")


def _projection_path(projection: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """soc_code, year, employment: EP line items interpolated geometrically per year."""
    ep = projection.filter(pl.col("occupation_type") == "Line item").select(
        "soc_code", "employment_base", "employment_target",
        pl.col("base_year").cast(pl.Float64), pl.col("target_year").cast(pl.Float64))
    grid = pl.DataFrame({"year": years}, schema={"year": pl.Int16})
    growth = (pl.col("employment_target") / pl.col("employment_base"))
    exponent = (pl.col("year").cast(pl.Float64) - pl.col("base_year")) / (
        pl.col("target_year") - pl.col("base_year"))
    return ep.join(grid, how="cross").select(
        "soc_code", "year",
        pl.when(pl.col("employment_base") > 0)
        .then(pl.col("employment_base") * growth.pow(exponent))
        .otherwise(0.0).alias("employment"),
    )


def _parents(code: str) -> list[str]:
    """SOC parents of a detailed code, nearest first: broad, minor, major, all occupations."""
    return [code[:6] + "0", code[:4] + "000", code[:2] + SOC_MAJOR_SUFFIX, ALL_OCCUPATIONS]


def sector_shares(employment: pl.DataFrame, codes: Iterable[str],
                  year: int = SHARE_YEAR) -> pl.DataFrame:
    """soc_code, naics_sector, share: where each code's employment is, by the OEWS sector
    files of `year` (see the module docstring for suppressed cells and missing codes)."""
    cells = employment.filter((pl.col("year") == year) & (pl.col("area_type") == "national"))
    sector = cells.filter(pl.col("naics_sector") != CROSS_INDUSTRY)
    national = cells.filter(pl.col("naics_sector") == CROSS_INDUSTRY).select(
        "soc_code", pl.col("employment").alias("national"))
    totals = sector.filter(pl.col("soc_code") == ALL_OCCUPATIONS).select(
        "naics_sector", pl.col("employment").alias("sector_total"))
    filled = (
        sector.select("soc_code", "naics_sector", "employment")
        .join(national, on="soc_code", how="left")
        .join(totals, on="naics_sector", how="left")
        .with_columns(
            (pl.col("national") - pl.col("employment").sum().over("soc_code"))
            .clip(lower_bound=0.0).fill_null(0.0).alias("gap"),
            pl.col("sector_total").filter(pl.col("employment").is_null()).sum()
            .over("soc_code").alias("suppressed_total"),
        )
        .with_columns(
            pl.when(pl.col("employment").is_null())
            .then(pl.col("gap") * pl.col("sector_total") / pl.col("suppressed_total"))
            .otherwise(pl.col("employment")).fill_nan(0.0).alias("employment"))
        .filter(pl.col("employment") > 0)
        .with_columns((pl.col("employment") / pl.col("employment").sum().over("soc_code"))
                      .alias("share"))
        .select("soc_code", "naics_sector", "share")
    )
    published = set(filled.get_column("soc_code").to_list())
    rows = []
    for code in codes:
        if code in published:
            continue
        parent = next((p for p in _parents(code) if p in published), None)
        if parent is None:
            raise ValueError(f"no OEWS {year} sector employment for {code} or its parents")
        rows.append({"soc_code": code, "parent": parent})
    if not rows:
        return filled
    borrowed = pl.DataFrame(rows).join(filled.rename({"soc_code": "parent"}), on="parent")
    return pl.concat([filled, borrowed.drop("parent")])


def baseline_employment(tables: dict[str, pl.DataFrame],
                        years: Iterable[int] = range(2025, 2036)) -> pl.DataFrame:
    """soc_code, naics_sector, year, baseline_employment for every EP line item × sector
    with employment × year (see the module docstring). Sorted by code, sector, year."""
    years = sorted(int(y) for y in years)
    path = _projection_path(tables["projection"], years)
    codes = path.get_column("soc_code").unique().to_list()
    shares = sector_shares(tables["employment"], codes)
    return (
        path.join(shares, on="soc_code", how="inner")
        .select("soc_code", "naics_sector", "year",
                (pl.col("employment") * pl.col("share")).alias("baseline_employment"))
        .sort("soc_code", "naics_sector", "year")
    )


__all__ = ["baseline_employment", "sector_shares"]

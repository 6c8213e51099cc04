"""OEWS national employment and wages: cross-industry (May 2021-2024) and by NAICS sector.

Reads `bls_oews/national_M<year>_dl.xlsx` and `bls_oews/natsector_M<year>_dl.xlsx` into the
warehouse table `employment`, which `oews_state` fills with the May 2025 state estimates
too; the pandera model of that table lives here. Both workbook kinds have the same 32
columns, so one normaliser reads them. Suppression markers become nulls with a flag:
`employment_flag` keeps the employment marker (`**` in the workbooks, `-` in the state
data) and `wage_flag` is `#` when a wage is top-coded or `*` when one is not released.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.codes import CROSS_INDUSTRY, SOC_PATTERN
from exposure.sources.base import IngestContext, read_sheet, to_number, validate

OEWS_DIR = "bls_oews"
TABLE = "employment"
# May 2020 uses the hybrid SOC 2010/2018 structure (caveat C3), so the series starts in 2021.
NATIONAL_YEARS = (2021, 2022, 2023, 2024)
# No natsector file for May 2021 could be obtained (SOURCES.md, "Not found").
NATSECTOR_YEARS = (2022, 2023, 2024)

# NAICS code of the cross-industry rows in BLS files (`naics_sector` CROSS_INDUSTRY here).
CROSS_INDUSTRY_CODE = "000000"
SECTORS = (
    "11", "21", "22", "23", "31-33", "42", "44-45", "48-49", "51", "52", "53", "54", "55",
    "56", "61", "62", "71", "72", "81", "99",
)
# The uploader re-saved the natsector files and the hyphenated sectors became numbers
# (caveat C1); an official file already has the hyphens and passes through unchanged.
SECTOR_REPAIRS = {"31": "31-33", "44": "44-45", "48": "48-49"}
O_GROUPS = ("total", "major", "minor", "broad", "detailed")
WAGE_COLUMNS = ("hourly_mean_wage", "annual_mean_wage", "annual_median_wage")
TOP_CODED, NOT_RELEASED = "#", "*"

# Workbook header -> warehouse column, for the text columns; measures are in MEASURES.
COLUMNS = {
    "AREA_TITLE": "area_name", "NAICS_TITLE": "sector_title", "OCC_CODE": "soc_code",
    "OCC_TITLE": "soc_title", "O_GROUP": "o_group",
}
MEASURES = {
    "TOT_EMP": "employment", "H_MEAN": "hourly_mean_wage", "A_MEAN": "annual_mean_wage",
    "A_MEDIAN": "annual_median_wage",
}
REQUIRED = ("AREA_TYPE", "PRIM_STATE", "NAICS", *COLUMNS, *MEASURES)
# So that validation errors name the workbook's columns.
FILE_COLUMNS = {
    **COLUMNS, **MEASURES, "AREA_TYPE": "area_type", "PRIM_STATE": "area_code",
    "NAICS": "naics_sector",
}
NATIONAL_AREA_TYPE = "1"


class EmploymentModel(pa.DataFrameModel):
    """One row per year, area, NAICS sector (or `all`) and SOC code."""

    year: pl.Int16 = pa.Field(in_range={"min_value": 2000, "max_value": 2100})
    area_type: str = pa.Field(isin=["national", "state"])
    area_code: str = pa.Field(str_matches=r"^(US|\d{2})$")
    area_name: str
    naics_sector: str = pa.Field(isin=[CROSS_INDUSTRY, *SECTORS])
    sector_title: str
    soc_code: str = pa.Field(str_matches=SOC_PATTERN)
    soc_title: str
    o_group: str = pa.Field(isin=list(O_GROUPS))
    employment: pl.Float64 = pa.Field(nullable=True, ge=0)
    employment_flag: str = pa.Field(nullable=True)
    hourly_mean_wage: pl.Float64 = pa.Field(nullable=True, ge=0)
    annual_mean_wage: pl.Float64 = pa.Field(nullable=True, ge=0)
    annual_median_wage: pl.Float64 = pa.Field(nullable=True, ge=0)
    wage_flag: str = pa.Field(nullable=True, isin=[TOP_CODED, NOT_RELEASED])
    source: str = pa.Field(isin=["oews_national", "oews_natsector", "oews_state"])

    class Config:
        unique: ClassVar[list[str]] = ["year", "area_code", "naics_sector", "soc_code"]


def convert_measures(df: pl.DataFrame, file: str, measures: Mapping[str, str]) -> pl.DataFrame:
    """Turn the text employment and wage columns into numbers with their flags.

    `measures` maps the file's columns to `employment` and the `WAGE_COLUMNS`; they are
    converted before renaming so that a bad number names the column a person sees. Wage
    markers must already be `#` (top-coded) or `*` (not released).
    """
    for raw, name in measures.items():
        flag = "employment_flag" if name == "employment" else f"__{name}"
        df = to_number(df, raw, file, flag=flag)
    flags = [pl.col(f"__{name}") for name in WAGE_COLUMNS]
    # One flag per row: a top-coded wage says more than a missing one (annual-only
    # occupations have no hourly wages, so '*' next to '#' occurs).
    wage_flag = (
        pl.when(pl.any_horizontal(flag == TOP_CODED for flag in flags))
        .then(pl.lit(TOP_CODED))
        .otherwise(pl.coalesce(flags))
    )
    return (
        df.rename(dict(measures))
        .with_columns(wage_flag.alias("wage_flag"))
        .drop(f"__{name}" for name in WAGE_COLUMNS)
    )


def normalise_workbook(df: pl.DataFrame, file: str, year: int, source: str) -> pl.DataFrame:
    """One national or natsector sheet (text columns plus `_row`) as `employment` rows."""
    # OEWS lists each occupation it publishes only at the broad level twice, once as
    # 'broad' and once as 'detailed', with identical values; keep the 'detailed' row.
    twin = (pl.col("O_GROUP") == "broad") & (pl.col("O_GROUP") == "detailed").any().over(
        "NAICS", "OCC_CODE"
    )
    naics = pl.col("NAICS").str.strip_chars()
    df = convert_measures(df.filter(~twin), file, MEASURES).with_columns(
        pl.lit(year, pl.Int16).alias("year"),
        # Unknown area types become null, which the model reports with their row.
        pl.col("AREA_TYPE").replace_strict({NATIONAL_AREA_TYPE: "national"}, default=None)
        .alias("area_type"),
        pl.col("PRIM_STATE").alias("area_code"),
        pl.when(naics == CROSS_INDUSTRY_CODE).then(pl.lit(CROSS_INDUSTRY))
        .otherwise(naics.replace(SECTOR_REPAIRS)).alias("naics_sector"),
        pl.col("OCC_CODE").str.strip_chars(),
        pl.lit(source).alias("source"),
    )
    return df.rename(COLUMNS)


def read_oews(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """National employment and wages, cross-industry and by sector, May 2021-2024.

    A year whose workbook is absent is skipped; at least one national workbook must exist.
    """
    national = [f"{OEWS_DIR}/national_M{year}_dl.xlsx" for year in reversed(NATIONAL_YEARS)]
    ctx.locate(*national)  # at least one must exist; the error names the newest year
    workbooks = [
        (path, year, source)
        for source, stem, years in (
            ("oews_national", "national", NATIONAL_YEARS),
            ("oews_natsector", "natsector", NATSECTOR_YEARS),
        )
        for year in years
        if (path := ctx.find(f"{OEWS_DIR}/{stem}_M{year}_dl.xlsx")) is not None
    ]
    # Parsing the sheets is most of the time and the Excel reader releases the GIL, so the
    # workbooks are parsed in parallel; the rest stays in order for a deterministic record.
    with ThreadPoolExecutor() as pool:
        sheets = list(pool.map(
            lambda w: read_sheet(w[0], ctx.relative(w[0]), REQUIRED, only_required=True),
            workbooks,
        ))
    frames = []
    for (path, year, source), sheet in zip(workbooks, sheets, strict=True):
        file = ctx.relative(path)
        frame = validate(normalise_workbook(sheet, file, year, source), EmploymentModel, file,
                         ctx, FILE_COLUMNS)
        ctx.record(TABLE, path, f"OEWS May {year}", frame.height)
        frames.append(frame)
    return {TABLE: pl.concat(frames)}

"""BLS Employment Projections, Table 1.2: employment by National Employment Matrix occupation.

The sheet has a title row above the header (row 2) and four footnote rows below the data.
Employment is published in thousands; the table stores persons. The base and target years
are read from the headers `Employment, 2024` and `Employment, 2034`, so the 2022-32 workbook
(same layout, no wage or education columns) reads with the same code.

Codes are NEM codes: SOC 2018 codes plus the OEWS/NEM aggregates (SOURCES.md, caveat C3).
Each code appears once, either as a `Summary` (a total over finer codes, e.g. `11-0000`) or
as a `Line item` (the finest level published, which includes the aggregates such as
`13-1020`), so `soc_code` alone is the key.
"""

from __future__ import annotations

import re
from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.codes import SOC_PATTERN
from exposure.errors import InputError
from exposure.sources.base import (
    REDOWNLOAD_HINT,
    ROW,
    SUPPRESSION_MARKERS,
    IngestContext,
    read_sheet,
    to_number,
    validate,
)

FILES = ("bls_ep/occupation_2024-34.xlsx", "bls_ep/occupation.xlsx")  # staged name, BLS name
SHEET = "Table 1.2"
HEADER_ROW = 2
HORIZON_YEARS = 10  # every EP release projects ten years ahead; guards the parsed header
UNAVAILABLE = "\u2014"  # EP marks "data unavailable" with an em dash, not base's hyphen

EMPLOYMENT = re.compile(r"^Employment, (\d{4})$")
# warehouse column -> pattern of the header; the headers carry the release year
REQUIRED = {
    "title": r"National Employment Matrix title$",
    "soc_code": r"National Employment Matrix code$",
    "occupation_type": r"^Occupation type$",
    "change_pct": r"^Employment change, percent",
}
OPTIONAL = {
    "median_annual_wage": r"^Median annual wage",
    "typical_education": r"^Typical education needed for entry$",
    "work_experience": r"^Work experience in a related occupation$",
    "job_training": r"^Typical on-the-job training",
}
TEXT = ("typical_education", "work_experience", "job_training")
# columns an older workbook lacks, filled with nulls so the table's schema never changes
ABSENT = {"median_annual_wage": pl.Float64, "median_wage_top_coded": pl.Boolean,
          **{c: pl.String for c in TEXT}}


class ProjectionModel(pa.DataFrameModel):
    """One NEM occupation: employment in persons at the base and target year."""

    soc_code: str = pa.Field(str_matches=SOC_PATTERN)
    title: str
    occupation_type: str = pa.Field(isin=["Summary", "Line item"])
    employment_base: pl.Float64 = pa.Field(ge=0)
    employment_target: pl.Float64 = pa.Field(ge=0)
    base_year: pl.Int16
    target_year: pl.Int16
    change_pct: pl.Float64
    median_annual_wage: pl.Float64 = pa.Field(nullable=True, gt=0)
    median_wage_top_coded: pl.Boolean = pa.Field(nullable=True)
    typical_education: str = pa.Field(nullable=True)
    work_experience: str = pa.Field(nullable=True)
    job_training: str = pa.Field(nullable=True)

    class Config:
        unique: ClassVar[list[str]] = ["soc_code"]


def _header(df: pl.DataFrame, pattern: str, file: str) -> str | None:
    matches = [c for c in df.columns if re.search(pattern, c)]
    if len(matches) > 1:
        raise InputError(file, f"several columns match '{pattern}': {matches}", REDOWNLOAD_HINT,
                         row=HEADER_ROW)
    return matches[0] if matches else None


def _employment_years(df: pl.DataFrame, file: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """The (header, year) of the base and target employment columns."""
    found = sorted((int(m.group(1)), c) for c in df.columns if (m := EMPLOYMENT.match(c)))
    if len(found) != 2:
        raise InputError(file, f"expected two 'Employment, <year>' columns, found {len(found)}",
                         REDOWNLOAD_HINT, row=HEADER_ROW)
    (base, base_col), (target, target_col) = found
    if target - base != HORIZON_YEARS:
        raise InputError(file, f"the employment columns give {base} and {target}, "
                         f"not a {HORIZON_YEARS}-year projection", REDOWNLOAD_HINT,
                         row=HEADER_ROW, column=target_col)
    return (base_col, base), (target_col, target)


def _normalise(raw: pl.DataFrame, file: str) -> pl.DataFrame:
    """Text sheet -> typed frame in warehouse names, `_row` kept for validation."""
    header: dict[str, str] = {}  # warehouse column -> header in the file
    for name, pattern in (REQUIRED | OPTIONAL).items():
        found = _header(raw, pattern, file)
        if found is None and name in REQUIRED:
            raise InputError(file, "the column is missing from the header", REDOWNLOAD_HINT,
                             row=HEADER_ROW, column=pattern)
        if found is not None:
            header[name] = found
    (base_col, base), (target_col, target) = _employment_years(raw, file)
    # the footnotes below the table are the only rows after the last coded row
    last = raw.filter(pl.col(header["soc_code"]).is_not_null()).get_column(ROW).max()
    if last is None:
        raise InputError(file, "the table has no coded rows", REDOWNLOAD_HINT, row=HEADER_ROW + 1)
    df = raw.filter(pl.col(ROW) <= last)

    if "median_annual_wage" in header:
        wage = header["median_annual_wage"]
        # '>=$239,200' is OEWS's top code: keep the bound as the value and flag it
        df = df.with_columns(
            pl.col(wage).str.strip_chars().str.starts_with(">=").alias("median_wage_top_coded"),
            pl.col(wage).str.replace(r"^\s*>=\s*\$?", ""),
        )
        df = to_number(df, wage, file, markers=(*SUPPRESSION_MARKERS, UNAVAILABLE))
    for column in (base_col, target_col):
        df = to_number(df, column, file)
        df = df.with_columns((pl.col(column) * 1000).round(0))  # thousands -> persons
    df = to_number(df, header["change_pct"], file)

    employment = {base_col: "employment_base", target_col: "employment_target"}
    df = df.rename({found: name for name, found in header.items()} | employment)
    text = pl.col("title", *[c for c in TEXT if c in df.columns]).str.strip_chars()
    return df.with_columns(
        pl.when(text != UNAVAILABLE).then(text).name.keep(),
        pl.lit(base, pl.Int16).alias("base_year"),
        pl.lit(target, pl.Int16).alias("target_year"),
        *[pl.lit(None, dtype).alias(c) for c, dtype in ABSENT.items() if c not in df.columns],
    )


def read_projections(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """The `projection` table: NEM occupation employment at the base and target year."""
    path = ctx.locate(*FILES)
    file = ctx.relative(path)
    raw = read_sheet(path, file, [], sheet=SHEET, header_row=HEADER_ROW)
    frame = validate(_normalise(raw, file), ProjectionModel, file, ctx)
    base, target = frame.get_column("base_year")[0], frame.get_column("target_year")[0]
    ctx.record("projection", path, f"BLS Employment Projections {base}-{target % 100:02d}",
               frame.height)
    return {"projection": frame}

"""BLS Consumer Expenditure Surveys, Table 1101 (quintiles of income before taxes), every
calendar year staged (SOURCES.md caveat C9). The forecasts read households' propensity to
consume and the population from it (MODEL_SPEC §7.3, §7.6 P3).

Rows are labels; most variables have their value on a `Mean` row below the label (then
`SE`, `Share`, `RSE`), and line items and footnote letters change between years, so rows are
found by label text, never by position. Table `ce_income_quintile`: one row per year and
quintile (`all`, `q1` lowest ... `q5` highest). The number of consumer units is
published in thousands; the table stores units. `consumption_propensity` derives the
average propensity to consume and the population from it (the ingest publishes both).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.errors import InputError
from exposure.sources.base import (
    REDOWNLOAD_HINT,
    ROW,
    IngestContext,
    read_grid,
    to_number,
    validate,
)

FOLDER = "bls_cex"
PATTERN = "cu-income-quintiles-before-taxes-{year}.xlsx"
SHEET = "Table 1101"
HEADER_ROW = 3
# Header text (whitespace collapsed) -> quintile; columns B-G of the sheet.
QUINTILES = {"All consumer units": "all", "Lowest 20 percent": "q1", "Second 20 percent": "q2",
             "Third 20 percent": "q3", "Fourth 20 percent": "q4", "Highest 20 percent": "q5"}
# column -> (label at the start of the row, value on the label row itself or on 'Mean' below).
# The first match wins: 'Income after taxes' comes again under the income sources.
ITEMS: dict[str, tuple[str, bool]] = {
    "consumer_units": ("Number of consumer units (in thousands)", True),
    "income_before_taxes": ("Income before taxes", False),
    "income_after_taxes": ("Income after taxes", False),
    "persons_per_unit": ("People", True),  # under 'Average number in consumer unit:'
    "spending": ("Average annual expenditures", False),
    "insurance_pensions": ("Personal insurance and pensions", False),
}
FOOTNOTE = re.compile(r"\s+[a-z]/\s*$")  # ' a/', ' b/' after a label


class CeIncomeQuintile(pa.DataFrameModel):
    """`ce_income_quintile`: dollars per consumer unit and year; consumer units (number)."""

    year: pl.Int16 = pa.Field(ge=1980)
    quintile: str = pa.Field(isin=list(QUINTILES.values()))
    consumer_units: pl.Float64 = pa.Field(gt=0)
    persons_per_unit: pl.Float64 = pa.Field(gt=0, le=20)
    income_before_taxes: pl.Float64
    income_after_taxes: pl.Float64
    spending: pl.Float64 = pa.Field(gt=0)
    insurance_pensions: pl.Float64 = pa.Field(ge=0)

    class Config:
        unique: ClassVar[list[str]] = ["year", "quintile"]


def _label(text: pl.Expr) -> pl.Expr:
    return text.fill_null("").str.replace(FOOTNOTE.pattern, "").str.strip_chars()


def _year(grid: pl.DataFrame, file: str, first: str) -> int:
    title = grid.filter(pl.col(ROW) == 1).get_column(first)
    match = re.search(r"(\d{4})\s*$", str(title[0] or "")) if title.len() else None
    if not (title.len() and str(title[0] or "").startswith("Table 1101") and match):
        raise InputError(file, "the title is not 'Table 1101. Quintiles of income before "
                         "taxes ..., <year>'", REDOWNLOAD_HINT, row=1, column="Item")
    return int(match.group(1))


def read_ce_table(path: Path, file: str) -> pl.DataFrame:
    """One year's workbook: one row per quintile with the `ITEMS` columns (validated)."""
    grid = read_grid(path, file, SHEET)
    names = [c for c in grid.columns if c != ROW]
    first = names[0]
    year = _year(grid, file, first)
    header = grid.filter(pl.col(ROW) == HEADER_ROW).row(0, named=True)
    columns = {}
    for column in names[1:]:
        text = " ".join(str(header[column] or "").split())
        if text in QUINTILES:
            columns[QUINTILES[text]] = column
    for text, quintile in QUINTILES.items():
        if quintile not in columns:
            raise InputError(file, "the column is missing from the header", REDOWNLOAD_HINT,
                             row=HEADER_ROW, column=text)
    labelled = grid.with_columns(_label(pl.col(first)).alias("_label"))
    values = {}
    for item, (label, on_row) in ITEMS.items():
        hits = labelled.filter(pl.col("_label") == label)
        if hits.is_empty():
            raise InputError(file, f"no row is labelled '{label}'", "the reader matches "
                             f"Table 1101's row labels; {REDOWNLOAD_HINT}", column="Item")
        row = int(hits.get_column(ROW)[0]) + (0 if on_row else 1)
        line = labelled.filter(pl.col(ROW) == row)
        if line.is_empty() or (not on_row and line.get_column("_label")[0] != "Mean"):
            raise InputError(file, f"the row under '{label}' is not its 'Mean'",
                             REDOWNLOAD_HINT, row=row, column="Item")
        values[item] = line
    rows = []
    for quintile, column in columns.items():
        cells = pl.concat([
            values[item].select(ROW, pl.lit(item).alias("item"), pl.col(column).alias("value"))
            for item in ITEMS])
        cells = _numbers(cells, file, next(k for k, v in QUINTILES.items() if v == quintile))
        rows.append({"year": year, "quintile": quintile, ROW: int(cells.get_column(ROW).min()),
                     **dict(zip(cells.get_column("item"), cells.get_column("value"),
                                strict=True))})
    frame = pl.DataFrame(rows).with_columns(pl.col("year").cast(pl.Int16),
                                            pl.col(*ITEMS).cast(pl.Float64))
    frame = frame.with_columns(pl.col("consumer_units") * 1000.0)  # published in thousands
    return validate(frame.select(ROW, "year", "quintile", *ITEMS), CeIncomeQuintile, file)


def _numbers(cells: pl.DataFrame, file: str, header: str) -> pl.DataFrame:
    try:
        return to_number(cells, "value", file, markers=())
    except InputError as exc:  # to_number names the frame's column; name the file's instead
        raise InputError(file, exc.problem, exc.hint, row=exc.row, column=header) from None


def read_cex(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """`ce_income_quintile` from every staged year of Table 1101 (C9)."""
    folder = ctx.raw_dir / FOLDER
    paths = sorted(folder.glob(PATTERN.format(year="*"))) if folder.is_dir() else []
    if not paths:
        paths = [ctx.locate(f"{FOLDER}/{PATTERN.format(year=2023)}")]  # raises: names it
    frames = []
    for path in paths:
        file = ctx.relative(path)
        frame = read_ce_table(path, file)
        year = int(frame.get_column("year")[0])
        ctx.record("ce_income_quintile", path, f"CE Table 1101, {year}", frame.height)
        frames.append(frame)
    table = pl.concat(frames).sort("year", "quintile")
    duplicated = table.filter(pl.struct("year", "quintile").is_duplicated())
    if duplicated.height:
        raise InputError(FOLDER, f"two files hold the year {duplicated.item(0, 'year')}",
                         "keep one Table 1101 workbook per year")
    return {"ce_income_quintile": table}


def consumption_propensity(ce: pl.DataFrame) -> pl.DataFrame:
    """Households' average propensity to consume from CE Table 1101 (MODEL_SPEC §7.3): one
    row per year and quintile ('all', 'q1'..'q5'): income_after_taxes, spending,
    insurance_pensions, propensity = (spending − insurance_pensions) / income_after_taxes,
    consumer_units (number), persons_per_unit, population (persons: units × persons per
    unit, for the UBI's demand, §7.6 P3), year, source.

    Personal insurance and pensions (mostly Social Security and pension contributions) is
    saving-like, so it leaves spending. These are average, not marginal, propensities; the
    bottom quintile's (about 2) reflects dissaving, transfers in kind and under-reported
    income (caveat C9), which is why λ_tot stays an assumption recorded beside these.
    """
    return ce.sort("year", "quintile").select(
        "quintile", "income_after_taxes", "spending", "insurance_pensions",
        ((pl.col("spending") - pl.col("insurance_pensions")) / pl.col("income_after_taxes"))
        .alias("propensity"),
        "consumer_units", "persons_per_unit",
        (pl.col("consumer_units") * pl.col("persons_per_unit")).alias("population"),
        "year", pl.format("BLS CE Table 1101, {} (quintiles of income before taxes)",
                          "year").alias("source"))

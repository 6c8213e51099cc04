"""BEA input-output tables at the summary level (SOURCES.md caveat C8): the commodity-by-
commodity total requirements (Leontief inverse), the Use table and the import matrix of the
newest year staged. The forecasts' demand calibration (MODEL_SPEC §7.3) reads them.

Every file has the same layout, whether it is an export of BEA's interactive tables (one
sheet `Table`, as staged) or BEA's own year-range workbook (one sheet per year): five title
lines (the second starts with the year), the codes on row 6, the names on row 7 and the data
from row 8. Row 6 holds the column codes (commodities, industries, `T001`, `F010`, ...) and
column A the row codes (commodities, `T005`, `V001`, `VABAS`, `T018`, ...). `---` (and
`...` in the older workbooks) marks a suppressed or zero cell: null here.

Tables are long, one row per cell: `io_total_requirements(year, from_commodity,
to_commodity, coefficient)`, and `io_use` / `io_import(year, row_code, row_title,
column_code, column_title, value)` in $ millions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import fastexcel
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

FOLDER = "bea_io"
# table -> (file name with {year}, what the file is, rows and columns the calibration needs)
FILES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "io_total_requirements": (
        "BEA - Commodity-by-Commodity Total Requirements - Summary - {year}.xlsx",
        "Total Requirements, Commodity-by-Commodity", ("111CA", "Used", "Other"),
        ("111CA", "Used", "Other")),
    "io_use": (
        "BEA - The Use of Commodities by Industry - Summary - {year}.xlsx",
        "Use of Commodities by Industries", ("111CA", "T005", "V001", "VABAS", "T018"),
        ("111CA", "T001", "F010", "T019")),
    "io_import": (
        "BEA - Import Matrix, Before Redefinitions - Summary - {year}.xlsx",
        "Import Matrix, Before Redefinitions", ("111CA", "Other"),
        ("111CA", "T001", "F010", "F050")),
}
YEAR_IN_NAME = re.compile(r" - (\d{4})\.xlsx$")
TITLE_ROW, CODE_ROW, NAME_ROW = 2, 6, 7
SUPPRESSED = ("---", "...")
CODE = r"^\w+$"  # BEA codes: 111CA, 4A0, T005, V001, F010, Used, Other (no spaces)


class TotalRequirements(pa.DataFrameModel):
    """`io_total_requirements`: output of `from_commodity` needed per dollar of final demand
    for `to_commodity` (producers' prices). The scrap adjustment makes a few slightly
    negative; the diagonal is at least 1."""

    year: pl.Int16 = pa.Field(ge=1997)
    from_commodity: str = pa.Field(str_matches=CODE)
    to_commodity: str = pa.Field(str_matches=CODE)
    coefficient: pl.Float64 = pa.Field(in_range={"min_value": -1.0, "max_value": 100.0})

    class Config:
        unique: ClassVar[list[str]] = ["from_commodity", "to_commodity"]


class IoCells(pa.DataFrameModel):
    """`io_use` / `io_import`: one cell of the table, $ millions (null: suppressed)."""

    year: pl.Int16 = pa.Field(ge=1997)
    row_code: str = pa.Field(str_matches=CODE)
    row_title: str
    column_code: str = pa.Field(str_matches=CODE)
    column_title: str
    value: pl.Float64 = pa.Field(nullable=True)

    class Config:
        unique: ClassVar[list[str]] = ["row_code", "column_code"]


def _newest(ctx: IngestContext, pattern: str) -> tuple[Path, str]:
    """The staged file of `pattern` with the newest year in its name."""
    folder = ctx.raw_dir / FOLDER
    prefix = pattern.split("{year}")[0]
    found = sorted((int(m.group(1)), p) for p in (folder.glob(f"{prefix}*.xlsx")
                                                  if folder.is_dir() else [])
                   if (m := YEAR_IN_NAME.search(p.name)) and p.name.startswith(prefix))
    if not found:
        path = ctx.locate(f"{FOLDER}/{pattern.format(year=2024)}")  # raises: names the file
        return path, ctx.relative(path)
    path = found[-1][1]
    return path, ctx.relative(path)


def _sheet(path: Path, file: str) -> str | int:
    """`Table` in an interactive-table export, else the newest year sheet of a workbook."""
    try:
        names = fastexcel.read_excel(path).sheet_names
    except Exception:  # noqa: BLE001 - read_grid says the workbook is corrupt
        return 1
    if "Table" in names:
        return "Table"
    years = [n for n in names if n.isdigit()]
    if not years:
        raise InputError(file, "the workbook has neither a sheet 'Table' nor a year sheet",
                         REDOWNLOAD_HINT)
    return max(years, key=int)


def _cell(grid: pl.DataFrame, row: int, column: str) -> str:
    value = grid.filter(pl.col(ROW) == row).get_column(column)
    return "" if value.is_empty() or value[0] is None else str(value[0]).strip()


def read_io_table(path: Path, file: str, title: str, rows: tuple[str, ...],
                  columns: tuple[str, ...]) -> pl.DataFrame:
    """One BEA table as long cells: year, row_code, row_title, column_code, column_title,
    value (text) and `_row`; checks its title, year and the codes the calibration needs."""
    grid = read_grid(path, file, _sheet(path, file))
    first = next(c for c in grid.columns if c != ROW)
    if title.lower() not in _cell(grid, 1, first).lower():
        raise InputError(file, f"the title is not '{title}'", REDOWNLOAD_HINT, row=1,
                         column="A")
    year = re.match(r"^(\d{4})", _cell(grid, TITLE_ROW, first))
    if year is None:
        raise InputError(file, "the second title line does not start with the year",
                         REDOWNLOAD_HINT, row=TITLE_ROW, column="A")
    names = [c for c in grid.columns if c != ROW]
    codes = {c: _cell(grid, CODE_ROW, c) for c in names[2:]}
    titles = {c: _cell(grid, NAME_ROW, c) for c in names[2:]}
    for code in columns:
        if code not in codes.values():
            raise InputError(file, f"the column code {code} is missing from the code row",
                             REDOWNLOAD_HINT, row=CODE_ROW, column=code)
    body = grid.filter((pl.col(ROW) > NAME_ROW)
                       & pl.col(first).str.strip_chars().str.contains(CODE))
    present = set(body.get_column(first).str.strip_chars().to_list())
    for code in rows:
        if code not in present:
            raise InputError(file, f"the row code {code} is missing", REDOWNLOAD_HINT,
                             column="A")
    keep = {c: code for c, code in codes.items() if re.match(CODE, code)}
    long = body.select(
        ROW, pl.col(first).str.strip_chars().alias("row_code"),
        pl.col(names[1]).str.strip_chars().fill_null("").alias("row_title"), *keep,
    ).unpivot(index=[ROW, "row_code", "row_title"], on=list(keep), variable_name="_column",
              value_name="value")
    return long.with_columns(
        pl.lit(int(year.group(1)), pl.Int16).alias("year"),
        pl.col("_column").replace_strict(keep).alias("column_code"),
        pl.col("_column").replace_strict(titles).alias("column_title"),
    )


def read_bea_io(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """`io_total_requirements`, `io_use` and `io_import` of the newest staged year (C8)."""
    out = {}
    for table, (pattern, title, rows, columns) in FILES.items():
        path, file = _newest(ctx, pattern)
        cells = read_io_table(path, file, title, rows, columns)
        cells = _cells_to_numbers(cells, file)
        if table == "io_total_requirements":
            frame = cells.select(ROW, "year", pl.col("row_code").alias("from_commodity"),
                                 pl.col("column_code").alias("to_commodity"),
                                 pl.col("value").fill_null(0.0).alias("coefficient"))
            frame = validate(frame, TotalRequirements, file, ctx)
            _check_square(frame, file)
        else:
            frame = validate(cells.select(ROW, "year", "row_code", "row_title", "column_code",
                                          "column_title", "value"), IoCells, file, ctx)
        year = int(frame.get_column("year")[0])
        ctx.record(table, path, f"BEA input-output accounts, summary, {year} ({title})",
                   frame.height)
        out[table] = frame
    return out


def _cells_to_numbers(cells: pl.DataFrame, file: str) -> pl.DataFrame:
    """Text cells to numbers. A bad cell is reported here, with its column code (row 6),
    since `to_number` knows the row but not the column of a long table."""
    text = pl.col("value").str.strip_chars().str.replace_all(",", "")
    bad = cells.filter(text.is_not_null() & (text != "") & ~text.is_in(list(SUPPRESSED))
                       & text.cast(pl.Float64, strict=False).is_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise InputError(file, f"'{first['value']}' is not a number",
                         f"correct the value or {REDOWNLOAD_HINT}", row=first[ROW],
                         column=first["column_code"])
    return to_number(cells, "value", file, markers=SUPPRESSED)


def _check_square(frame: pl.DataFrame, file: str) -> None:
    """The Leontief inverse needs the same commodities on both axes, and a diagonal >= 1."""
    rows = set(frame.get_column("from_commodity").to_list())
    columns = set(frame.get_column("to_commodity").to_list())
    if rows != columns:
        odd = sorted(rows ^ columns)[0]
        raise InputError(file, f"commodity {odd} is not on both axes of the matrix",
                         REDOWNLOAD_HINT, column=odd)
    diagonal = frame.filter((pl.col("from_commodity") == pl.col("to_commodity"))
                            & (pl.col("coefficient") < 1.0 - 1e-9))
    if diagonal.height:
        code = diagonal.get_column("from_commodity")[0]
        raise InputError(file, f"the diagonal coefficient of {code} is below 1",
                         REDOWNLOAD_HINT, column=code)

"""Readers of the demand-calibration sources: BEA input-output tables (C8), CE Table 1101
(C9) and CPS union affiliation (C10). Real files, and bad copies in tmp_path."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl
import pytest

from exposure.sources.base import IngestContext
from exposure.sources.bea_io import read_bea_io
from exposure.sources.cex import read_cex
from exposure.sources.union import FILE as UNION_FILE
from exposure.sources.union import SOC_MAJOR, read_union, union_density
from tests.helpers import link_files, raises_input_error, set_cells, truncate_file

USE = "bea_io/BEA - The Use of Commodities by Industry - Summary - 2024.xlsx"
TOTAL = "bea_io/BEA - Commodity-by-Commodity Total Requirements - Summary - 2024.xlsx"
IMPORT = "bea_io/BEA - Import Matrix, Before Redefinitions - Summary - 2024.xlsx"
CE_2023 = "bls_cex/cu-income-quintiles-before-taxes-2023.xlsx"


def _first_sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        workbook = z.read("xl/workbook.xml").decode()
    rid = re.search(r'<sheet [^>]*r:id="(\w+)"', workbook).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target.group(1).removeprefix("/xl/")


def _letter(index: int) -> str:
    """Spreadsheet column letter of a 1-based column index."""
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


# --- BEA input-output tables ----------------------------------------------------------------

@pytest.fixture(scope="module")
def bea(raw_dir: Path) -> tuple[dict[str, pl.DataFrame], IngestContext]:
    ctx = IngestContext(raw_dir)
    return read_bea_io(ctx), ctx


def test_bea_shapes_and_provenance(bea: tuple[dict[str, pl.DataFrame], IngestContext]) -> None:
    tables, ctx = bea
    total = tables["io_total_requirements"]
    assert total.height == 73 * 73 and total.get_column("year").unique().to_list() == [2024]
    assert total.get_column("from_commodity").n_unique() == 73
    diagonal = total.filter(pl.col("from_commodity") == pl.col("to_commodity"))
    assert diagonal.get_column("coefficient").min() >= 1.0
    assert diagonal.filter(pl.col("from_commodity") == "111CA").item(0, "coefficient") == \
        pytest.approx(1.3041073)
    use, imports = tables["io_use"], tables["io_import"]
    industries = use.filter((pl.col("row_code") == "V001")
                            & ~pl.col("column_code").str.contains(r"^[TF]\d"))
    assert industries.height == 71
    assert {r.table_name for r in ctx.files} == {"io_total_requirements", "io_use", "io_import"}
    assert all(r.release.startswith("BEA input-output accounts, summary, 2024") for r in ctx.files)
    assert imports.get_column("column_code").str.contains("F050").any()


def test_bea_known_totals(bea: tuple[dict[str, pl.DataFrame], IngestContext]) -> None:
    """SOURCES.md C8: 2024 V001 $15.05 trillion, F010 $19.90 trillion, imported PCE $1.18T."""
    tables, _ = bea
    use = tables["io_use"]
    compensation = use.filter((pl.col("row_code") == "V001") & (pl.col("column_code") != "T001")
                              & ~pl.col("column_code").str.contains(r"^[TF]\d"))
    assert compensation.get_column("value").sum() == pytest.approx(15.05e6, rel=1e-3)
    commodities = set(tables["io_total_requirements"].get_column("from_commodity").to_list())
    pce = use.filter((pl.col("column_code") == "F010") & pl.col("row_code").is_in(commodities))
    assert pce.get_column("value").sum() == pytest.approx(19.90e6, rel=1e-3)
    imported = tables["io_import"].filter((pl.col("column_code") == "F010")
                                          & pl.col("row_code").is_in(commodities))
    assert imported.get_column("value").sum() == pytest.approx(1.18e6, rel=1e-2)


def test_bea_bad_number_names_file_row_and_code(tmp_path: Path, raw_dir: Path) -> None:
    root = link_files(tmp_path, raw_dir, USE, TOTAL, IMPORT)
    set_cells(root, USE, _first_sheet_xml(raw_dir / USE), {"C8": "lots"})
    error = raises_input_error(read_bea_io, root)
    assert (error.file, error.row, error.column) == (USE, 8, "111CA")
    assert "'lots' is not a number" in str(error)


def test_bea_missing_column_code(tmp_path: Path, raw_dir: Path,
                                 bea: tuple[dict[str, pl.DataFrame], IngestContext]) -> None:
    codes = bea[0]["io_use"].get_column("column_code").unique(maintain_order=True).to_list()
    letter = _letter(3 + codes.index("F010"))  # codes start in column C
    root = link_files(tmp_path, raw_dir, USE, TOTAL, IMPORT)
    set_cells(root, USE, _first_sheet_xml(raw_dir / USE), {f"{letter}6": "X010"})
    error = raises_input_error(read_bea_io, root)
    assert (error.file, error.row, error.column) == (USE, 6, "F010")
    assert "missing" in str(error)


def test_bea_truncated_and_missing(tmp_path: Path, raw_dir: Path) -> None:
    root = link_files(tmp_path, raw_dir, USE, TOTAL, IMPORT)
    truncate_file(root, IMPORT)
    error = raises_input_error(read_bea_io, root)
    assert error.file == IMPORT and "truncated or corrupt" in str(error)
    (root / IMPORT).unlink()
    error = raises_input_error(read_bea_io, root)
    assert error.file == IMPORT and "missing" in str(error)


# --- CE Table 1101 ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ce(raw_dir: Path) -> pl.DataFrame:
    return read_cex(IngestContext(raw_dir))["ce_income_quintile"]


def test_ce_years_and_known_values(ce: pl.DataFrame) -> None:
    assert ce.get_column("year").unique().sort().to_list() == [2019, 2020, 2021, 2022, 2023]
    assert ce.height == 5 * 6
    q1 = ce.filter((pl.col("year") == 2023) & (pl.col("quintile") == "q1")).row(0, named=True)
    assert (q1["spending"], q1["income_after_taxes"]) == (33776.0, 16171.0)  # SOURCES.md C9
    every = ce.filter((pl.col("year") == 2023) & (pl.col("quintile") == "all")).row(0, named=True)
    assert every["consumer_units"] == 134_556_000 and every["persons_per_unit"] == 2.5
    assert every["insurance_pensions"] == 9556.0 and every["income_before_taxes"] == 101805.0


def test_ce_bad_label_and_value(tmp_path: Path, raw_dir: Path) -> None:
    root = link_files(tmp_path, raw_dir, CE_2023)
    set_cells(root, CE_2023, _first_sheet_xml(raw_dir / CE_2023),
              {"A563": "Personal insurance"})
    error = raises_input_error(read_cex, root)
    assert error.file == CE_2023 and "Personal insurance and pensions" in str(error)
    root = link_files(tmp_path / "b", raw_dir, CE_2023)
    set_cells(root, CE_2023, _first_sheet_xml(raw_dir / CE_2023), {"D56": "n/a"})
    error = raises_input_error(read_cex, root)
    assert (error.file, error.row, error.column) == (CE_2023, 56, "Second 20 percent")


# --- CPS union affiliation --------------------------------------------------------------------

@pytest.fixture(scope="module")
def union(raw_dir: Path) -> pl.DataFrame:
    return read_union(IngestContext(raw_dir))["union_affiliation"]


def test_union_rows_and_known_values(union: pl.DataFrame) -> None:
    assert union.get_column("year").unique().sort().to_list() == [2015, 2016]
    total = union.filter((pl.col("year") == 2016) & (pl.col("section") == "total")).row(
        0, named=True)
    assert (total["employed"], total["members_pct"], total["represented_pct"]) == (
        136101.0, 10.7, 12.0)
    info = union.filter((pl.col("year") == 2015) & (pl.col("cps_group") == "Information"))
    assert info.height == 1 and info.item(0, "section") == "industry"  # '(3)' removed


def test_union_density_by_soc_major(union: pl.DataFrame) -> None:
    density = union_density(union)
    assert density.height == len(SOC_MAJOR) == 22
    assert set(density.get_column("year").to_list()) == {2016}
    rates = dict(density.select("soc_major", "represented_pct").iter_rows())
    assert rates["15"] == 5.2 and rates["25"] == 38.2 and rates["33"] == 36.6
    assert density.get_column("represented_pct").is_between(0, 100).all()
    assert (density.get_column("members_pct") <= density.get_column("represented_pct")).all()


def test_union_bad_header(tmp_path: Path, raw_dir: Path) -> None:
    root = link_files(tmp_path, raw_dir, UNION_FILE)
    set_cells(root, UNION_FILE, _first_sheet_xml(raw_dir / UNION_FILE), {"J5": "Total"})
    error = raises_input_error(read_union, root)
    assert (error.file, error.row) == (UNION_FILE, 5) and "Represented" in str(error)

"""OEWS readers: national and natsector workbooks (May 2021-2024) and the May 2025 states.

Real-data tests read the raw directory once per session. Bad-input tests build a raw
directory in tmp_path from links to the real files plus altered copies; no xlsx writer is
installed, so altered workbooks are written by `write_xlsx` as plain text-cell sheets.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl
import pytest

from exposure.errors import InputError
from exposure.sources.base import IngestContext
from exposure.sources.oews import read_oews
from exposure.sources.oews_state import DATABASE, MANIFEST, read_oews_state

NATIONAL_2024 = "bls_oews/national_M2024_dl.xlsx"
NATSECTOR_2024 = "bls_oews/natsector_M2024_dl.xlsx"
KEY = ["year", "area_code", "naics_sector", "soc_code"]
SECTORS = {
    "11", "21", "22", "23", "31-33", "42", "44-45", "48-49", "51", "52", "53", "54", "55",
    "56", "61", "62", "71", "72", "81", "99",
}
WAGES = ("hourly_mean_wage", "annual_mean_wage", "annual_median_wage")


@pytest.fixture(scope="session")
def national(raw_dir: Path) -> tuple[pl.DataFrame, IngestContext]:
    ctx = IngestContext(raw_dir)
    return read_oews(ctx)["employment"], ctx


@pytest.fixture(scope="session")
def states(raw_dir: Path) -> tuple[pl.DataFrame, IngestContext]:
    ctx = IngestContext(raw_dir)
    return read_oews_state(ctx)["employment"], ctx


def sector_totals(df: pl.DataFrame, year: int) -> pl.DataFrame:
    return df.filter(
        pl.col("year") == year, pl.col("o_group") == "total", pl.col("naics_sector") != "all"
    )


@pytest.mark.parametrize(
    ("year", "expected"), [(2022, 147_886_000), (2023, 151_853_880), (2024, 154_187_400)]
)
def test_sector_totals_sum_to_the_national_total(national, year, expected):
    df, _ = national
    sectors = sector_totals(df, year)
    assert sectors.height == 20
    assert sectors["employment"].sum() == expected
    cross = df.filter(pl.col("year") == year, pl.col("naics_sector") == "all",
                      pl.col("o_group") == "total")["employment"].item()
    # Each of the 21 published totals is rounded to the nearest 10, so they differ by a
    # few tens (2024: 154,187,380 cross-industry).
    assert abs(cross - expected) <= 5 * 21


def test_sector_codes_are_the_20_sectors_with_repaired_ranges(national):
    df, _ = national
    for year in (2022, 2023, 2024):
        codes = set(df.filter(pl.col("year") == year, pl.col("source") == "oews_natsector")
                    ["naics_sector"].unique())
        assert codes == SECTORS
    all_codes = set(df["naics_sector"].unique())
    assert {"31-33", "44-45", "48-49"} <= all_codes
    assert not {"31", "44", "48"} & all_codes


def test_suppressed_employment_is_null_and_flagged(national):
    df, _ = national
    suppressed = df.filter(pl.col("year") == 2024, pl.col("source") == "oews_natsector",
                           pl.col("o_group") == "detailed", pl.col("employment_flag") == "**")
    assert suppressed.height == 644
    assert suppressed["employment"].null_count() == 644


def test_years_and_sources(national):
    df, ctx = national
    years = df.group_by("source").agg(pl.col("year").unique().sort())
    assert dict(years.iter_rows()) == {
        "oews_national": [2021, 2022, 2023, 2024], "oews_natsector": [2022, 2023, 2024]
    }
    assert df.filter(pl.col("year") == 2020).is_empty()
    assert df.schema["year"] == pl.Int16
    assert [(f.path, f.release) for f in ctx.files][-1] == (NATSECTOR_2024, "OEWS May 2024")
    assert len(ctx.files) == 7


def test_broad_twins_are_kept_once_as_detailed(national):
    df, _ = national
    buyers = df.filter(pl.col("year") == 2024, pl.col("naics_sector") == "all",
                       pl.col("soc_code") == "13-1020")
    assert buyers["o_group"].to_list() == ["detailed"]
    assert df.select(KEY).is_unique().all()


@pytest.mark.parametrize("which", ["national", "states"])
def test_every_missing_wage_is_flagged(which, request):
    df, _ = request.getfixturevalue(which)
    missing = pl.any_horizontal(pl.col(c).is_null() for c in WAGES)
    assert df.filter(missing, pl.col("wage_flag").is_null()).is_empty()
    assert set(df["wage_flag"].drop_nulls().unique()) == {"*", "#"}


def test_states(states, national):
    df, ctx = states
    assert df.schema == national[0].schema
    assert df["area_code"].n_unique() == 54
    totals = df.filter(pl.col("o_group") == "total")
    fifty_one = totals.filter(~pl.col("area_code").is_in(["66", "72", "78"]))
    assert fifty_one.height == 51
    assert fifty_one["employment"].sum() == 155_495_750
    california = totals.filter(pl.col("area_code") == "06")
    assert california["area_name"].item() == "California"
    assert california["employment"].item() > 0
    dashes = df.filter(pl.col("employment_flag") == "-")
    assert dashes.height == 1318
    assert dashes["employment"].null_count() == 1318
    assert df.filter(pl.col("employment").is_null()).height == 1318
    assert set(df["year"].unique()) == {2025}
    assert df.filter(pl.col("soc_code") == "13-1020")["o_group"].unique().to_list() == ["detailed"]
    assert [f.release for f in ctx.files] == ["OEWS May 2025 (2025A01)"] * 2


# --- bad input ------------------------------------------------------------------------


def column_letter(index: int) -> str:
    return chr(65 + index) if index < 26 else "A" + chr(65 + index - 26)


def write_xlsx(path: Path, df: pl.DataFrame) -> None:
    """A minimal one-sheet workbook holding `df` as text cells, header on row 1."""
    rows = []
    for number, values in enumerate([df.columns, *df.rows()], start=1):
        cells = "".join(
            f'<c r="{column_letter(i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
            for i, v in enumerate(values) if v is not None
        )
        rows.append(f'<row r="{number}">{cells}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
        ),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


def tmp_raw(tmp_path: Path, raw_dir: Path, *links: str) -> Path:
    """A raw directory in tmp_path with links to the named real files."""
    for rel in links:
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(raw_dir / rel)
    return tmp_path


@pytest.fixture(scope="session")
def national_sheet(raw_dir: Path) -> pl.DataFrame:
    """The first 40 data rows of May 2024 national, as text (data row i is sheet row i + 2)."""
    return pl.read_excel(raw_dir / NATIONAL_2024, infer_schema_length=0).head(40)


def write_national(raw: Path, sheet: pl.DataFrame) -> None:
    (raw / "bls_oews").mkdir(parents=True, exist_ok=True)
    write_xlsx(raw / NATIONAL_2024, sheet)


def read_altered(tmp_path: Path, sheet: pl.DataFrame) -> InputError:
    write_national(tmp_path, sheet)
    with pytest.raises(InputError) as caught:
        read_oews(IngestContext(tmp_path))
    assert caught.value.file == NATIONAL_2024
    return caught.value


def set_cell(sheet: pl.DataFrame, index: int, column: str, value: str) -> pl.DataFrame:
    return sheet.with_columns(
        pl.when(pl.int_range(pl.len()) == index).then(pl.lit(value)).otherwise(pl.col(column))
        .alias(column)
    )


def test_altered_copy_reads_like_the_original(tmp_path, raw_dir):
    """A re-saved copy of the whole sheet (a 40-row copy is refused as truncated, see
    tests/test_empty_inputs.py)."""
    write_national(tmp_path, pl.read_excel(raw_dir / NATIONAL_2024, infer_schema_length=0))
    df = read_oews(IngestContext(tmp_path))["employment"]
    assert df.height == 1396
    assert df["employment"][0] == 154_187_380


@pytest.mark.parametrize(
    ("column", "value", "error_column"),
    [("TOT_EMP", "-5", "TOT_EMP"), ("OCC_CODE", "15-12521", "OCC_CODE"),
     ("A_MEAN", "about 50k", "A_MEAN"), ("H_MEAN", "-", "wage_flag")],
)
def test_bad_value_names_file_row_and_column(tmp_path, national_sheet, column, value,
                                             error_column):
    error = read_altered(tmp_path, set_cell(national_sheet, 5, column, value))
    assert (error.row, error.column) == (7, error_column)


def test_duplicated_key_names_the_later_copy(tmp_path, national_sheet):
    error = read_altered(tmp_path, pl.concat([national_sheet, national_sheet[3]]))
    assert (error.row, error.column) == (42, "year, PRIM_STATE, NAICS, OCC_CODE")
    assert "duplicated" in error.problem


def test_missing_column(tmp_path, national_sheet):
    error = read_altered(tmp_path, national_sheet.drop("TOT_EMP"))
    assert (error.row, error.column) == (1, "TOT_EMP")


def test_truncated_workbook(tmp_path, raw_dir):
    whole = (raw_dir / NATIONAL_2024).read_bytes()
    (tmp_path / "bls_oews").mkdir()
    (tmp_path / NATIONAL_2024).write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError) as caught:
        read_oews(IngestContext(tmp_path))
    assert (caught.value.file, caught.value.row, caught.value.column) == (NATIONAL_2024, None, None)


def test_absent_years_are_skipped_but_one_national_year_is_required(tmp_path, raw_dir):
    only_sector = tmp_raw(tmp_path / "a", raw_dir, NATSECTOR_2024)
    with pytest.raises(InputError) as caught:
        read_oews(IngestContext(only_sector))
    assert caught.value.file == NATIONAL_2024
    only_2024 = tmp_raw(tmp_path / "b", raw_dir, NATIONAL_2024)
    df = read_oews(IngestContext(only_2024))["employment"]
    assert set(df["year"].unique()) == {2024}


def write_state_files(raw: Path, database: bytes, sha256: str | None = None) -> None:
    (raw / "bls_oews_state").mkdir(parents=True)
    (raw / DATABASE).write_bytes(database)
    manifest = {"database_sha256": sha256 or "0" * 64, "data_year": "2025",
                "release": {"description": "May 2025", "code": "2025A01"}}
    (raw / MANIFEST).write_text(json.dumps(manifest))


def test_corrupt_gzip(tmp_path, raw_dir):
    whole = (raw_dir / DATABASE).read_bytes()
    write_state_files(tmp_path, whole[: len(whole) // 2])
    with pytest.raises(InputError) as caught:
        read_oews_state(IngestContext(tmp_path))
    assert (caught.value.file, caught.value.row) == (DATABASE, None)
    assert "unpacked" in caught.value.problem


def test_checksum_mismatch(tmp_path):
    write_state_files(tmp_path, gzip.compress(b"not the database"))
    with pytest.raises(InputError, match="database_sha256") as caught:
        read_oews_state(IngestContext(tmp_path))
    assert caught.value.file == DATABASE


def test_bad_manifest(tmp_path):
    write_state_files(tmp_path, b"")
    (tmp_path / MANIFEST).write_text("{}")
    with pytest.raises(InputError) as caught:
        read_oews_state(IngestContext(tmp_path))
    assert caught.value.file == MANIFEST


def test_negative_state_employment_names_the_cell_row(tmp_path):
    """A small database of the same layout: the bad row is the third of table `cell`."""
    db = tmp_path / "oews.sqlite"
    with sqlite3.connect(db) as connection:
        values = ", ".join(f"v{i:02d} TEXT" for i in range(1, 18))
        footnotes = ", ".join(f"f{i:02d} TEXT" for i in range(1, 18))
        connection.executescript(
            f"CREATE TABLE cell (key TEXT PRIMARY KEY, {values}, {footnotes}) WITHOUT ROWID;"
            "CREATE TABLE area (area_code TEXT, areatype_code TEXT, state_code TEXT,"
            " area_name TEXT);"
            "CREATE TABLE industry (industry_code TEXT, industry_name TEXT, display_level INT);"
            "CREATE TABLE occupation (occupation_code TEXT, occupation_name TEXT,"
            " display_level INT);"
            "INSERT INTO area VALUES ('0600000', 'S', '06', 'California');"
            "INSERT INTO industry VALUES ('000000', 'Cross-Industry', 0);"
            "INSERT INTO occupation VALUES ('000000', 'All Occupations', 0),"
            " ('151252', 'Software Developers', 3);"
        )
        for key, employment in [("OEUN0000000000000000000", "10"),
                                ("OEUS0600000000000000000", "20"),
                                ("OEUS0600000000000151252", "-5")]:
            connection.execute("INSERT INTO cell (key, v01) VALUES (?, ?)", (key, employment))
    data = db.read_bytes()
    write_state_files(tmp_path / "raw", gzip.compress(data), hashlib.sha256(data).hexdigest())
    with pytest.raises(InputError) as caught:
        read_oews_state(IngestContext(tmp_path / "raw"))
    assert (caught.value.file, caught.value.row, caught.value.column) == (DATABASE, 3, "v01")

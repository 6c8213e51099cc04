"""Writing results: the format from -f or the file's extension, readable terminal tables with a
row cap, csv/json/parquet with machine names and full precision, xlsx with human headers and
number formats, and files that are replaced whole or not at all."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from exposure.cli import app
from exposure.errors import ConfigError
from exposure.output import (
    ROW_CAP,
    XLSX_MAX_ROWS,
    Format,
    Request,
    emit,
    format_of,
    requested,
    resolve_format,
    write_file,
)
from tests import forecast_warehouse as fw

EXPOSURE = str(Path(sys.executable).with_name("exposure"))
# 100 rows: more than the cap; figures whose formatting shows (percent, separators)
SQL = ("SELECT range AS n, 1000000 + range * 1234.5678 AS employment, "
       "range / 1000 AS exposure FROM range(100)")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fw.build(tmp_path_factory.mktemp("output") / "exposure.duckdb")


def query(warehouse: Path, *args: str):  # -> click.testing.Result
    return CliRunner().invoke(app, ["query", *args],
                              env={"EXPOSURE_WAREHOUSE": str(warehouse), "COLUMNS": "200"})


def frame() -> pl.DataFrame:
    return pl.DataFrame({
        "soc_code": ["29-1141", "15-1252"], "soc_title": ["Registered Nurses",
                                                          "Software Developers"],
        "year": pl.Series([2024, 2024], dtype=pl.Int16),
        "employment": [3_282_010.0, 1_656_880.0], "exposure": [0.123456789, 0.6543210123],
        "annual_mean_wage": [98_430.0, 144_570.0]})


@pytest.mark.parametrize(("fmt", "output", "expected"), [
    (None, None, Format.table),
    (None, "out.csv", Format.csv),
    (None, "OUT.XLSX", Format.xlsx),
    (None, "a/b.parquet", Format.parquet),
    (None, "x.json", Format.json),
    (Format.csv, "out.csv", Format.csv),
    (Format.csv, "out.dat", Format.csv),  # -f names the format of any file name
    (Format.json, None, Format.json),
])
def test_the_format_comes_from_f_or_the_extension(fmt: Format | None, output: str | None,
                                                  expected: Format) -> None:
    assert resolve_format(fmt, None if output is None else Path(output)) is expected


@pytest.mark.parametrize(("fmt", "output", "says"), [
    (None, "out.txt", "cannot tell the format of out.txt"),
    (None, "out", "cannot tell the format of out"),
    (Format.json, "out.csv", "-f json disagrees with the extension of out.csv"),
    (Format.table, "out.csv", "-f table prints to the terminal"),
    (Format.xlsx, None, "xlsx output needs a file"),
    (Format.parquet, None, "parquet output needs a file"),
])
def test_what_cannot_be_written_is_refused(fmt: Format | None, output: str | None,
                                           says: str) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_format(fmt, None if output is None else Path(output))
    assert says in str(raised.value) and raised.value.exit_code == 2
    assert format_of("x.Parquet") is Format.parquet and format_of("x.tsv") is None


def test_a_terminal_request_fetches_one_row_more_than_it_shows() -> None:
    assert Request(Format.table).fetch_limit(None) == ROW_CAP + 1
    assert Request(Format.table).fetch_limit(5) == 5
    assert Request(Format.table, cap=None).fetch_limit(None) is None  # --top asked
    assert Request(Format.csv, Path("x.csv")).fetch_limit(None) is None
    with requested(Format.table, top=100) as request:
        assert request.cap is None


def test_csv_and_json_keep_machine_names_and_full_precision(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture
                                                            ) -> None:
    emit(frame(), Format.csv, tmp_path / "out.csv")
    back = pl.read_csv(tmp_path / "out.csv")
    assert back.columns == frame().columns
    assert back["exposure"].to_list() == [0.123456789, 0.6543210123]
    emit(frame(), Format.json)
    rows = json.loads(capsys.readouterr().out)
    assert rows[1]["exposure"] == 0.6543210123 and rows[0]["soc_title"] == "Registered Nurses"
    emit(frame(), Format.table, tmp_path / "out.parquet")  # "table" with a file: extension
    assert pl.read_parquet(tmp_path / "out.parquet").equals(frame())


def test_a_table_shows_percents_separators_and_human_headers(
        capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    emit(frame(), Format.table, title="occupations")
    out = capsys.readouterr().out
    for text in ("Occupation", "Employment", "Exposure", "Mean annual wage", "3,282,010",
                 "12.3%", "65.4%", "$144,570", "2024", "Registered Nurses"):
        assert text in out
    assert "0.1235" not in out and "3282010" not in out and "2,024" not in out
    assert "more row" not in out


def test_the_row_cap_says_how_many_rows_are_left_out(
        capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    many = pl.DataFrame({"n": range(100)})
    emit(many, Format.table)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "60 more rows; use --top or -o FILE"
    shown = [line for line in lines if line.startswith("│")]
    assert [int(line.strip("│ ")) for line in shown] == list(range(ROW_CAP))
    # a query that fetched only the first rows says how many matched in all
    emit(many.head(ROW_CAP + 1), Format.table, total=1_229_371)
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        f"{1_229_371 - ROW_CAP:,} more rows; use --top or -o FILE")
    with requested(Format.table, top=100):  # --top asked for them: all are shown
        emit(many, Format.table)
    assert "more row" not in capsys.readouterr().out


def test_xlsx_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "occupations.xlsx"
    write_file(frame(), Format.xlsx, path)
    sheet = openpyxl.load_workbook(path)["data"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("SOC code", "Occupation", "Year", "Employment", "Exposure",
                       "Mean annual wage")
    for got, want in zip(rows[1:], frame().iter_rows(), strict=True):
        assert got == want  # the full values, not the rounded display
    formats = {cell.column_letter: cell.number_format for cell in sheet[2]}
    assert formats == {"A": "General", "B": "General", "C": "General", "D": "#,##0",
                       "E": "0.0%", "F": "$#,##0"}
    assert sheet.freeze_panes == "A2"


def test_an_xlsx_larger_than_a_worksheet_is_refused(tmp_path: Path) -> None:
    huge = pl.DataFrame({"n": pl.int_range(XLSX_MAX_ROWS + 1, eager=True)})
    with pytest.raises(ConfigError, match="at most 1,048,575 rows"):
        write_file(huge, Format.xlsx, tmp_path / "huge.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old contents\n")
    write_file(frame(), Format.csv, target)
    assert pl.read_csv(target).height == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary left
    with pytest.raises(FileNotFoundError) as raised:  # exit 3: "could not write" it
        write_file(frame(), Format.csv, tmp_path / "missing" / "out.csv")
    assert raised.value.filename == str(tmp_path / "missing" / "out.csv")
    with pytest.raises(ConfigError, match="is a folder"):
        write_file(frame(), Format.csv, tmp_path)


def test_the_command_line_infers_the_format_from_the_file(warehouse: Path,
                                                          tmp_path: Path) -> None:
    done = query(warehouse, SQL, "-o", str(tmp_path / "rows.csv"))
    assert done.exit_code == 0, done.exception
    assert done.stdout == ""
    rows = pl.read_csv(tmp_path / "rows.csv")
    assert rows.height == 100 and rows.columns == ["n", "employment", "exposure"]
    assert rows["employment"][99] == pytest.approx(1_000_000 + 99 * 1234.5678, rel=1e-15)
    for name in ("rows.json", "rows.parquet", "rows.xlsx"):
        assert query(warehouse, SQL, "-o", str(tmp_path / name)).exit_code == 0
    assert len(json.loads((tmp_path / "rows.json").read_text())) == 100
    assert pl.read_parquet(tmp_path / "rows.parquet").height == 100
    assert openpyxl.load_workbook(tmp_path / "rows.xlsx")["data"].max_row == 101
    # -f and -o in either order
    assert query(warehouse, SQL, "-o", str(tmp_path / "x.json"), "-f", "json").exit_code == 0
    assert query(warehouse, SQL, "-f", "csv", "-o", str(tmp_path / "x.dat")).exit_code == 0
    assert pl.read_csv(tmp_path / "x.dat").height == 100


@pytest.mark.parametrize(("args", "says"), [
    (("-o", "{tmp}/rows.txt"), "cannot tell the format of"),
    (("-f", "json", "-o", "{tmp}/rows.csv"), "-f json disagrees with the extension"),
    (("-o", "{tmp}/rows.csv", "-f", "json"), "-f json disagrees with the extension"),
    (("-f", "xlsx"), "xlsx output needs a file; add -o FILE.xlsx"),
    (("-f", "table", "-o", "{tmp}/rows.csv"), "-f table prints to the terminal"),
])
def test_the_command_line_refuses_what_it_cannot_write(warehouse: Path, tmp_path: Path,
                                                       args: tuple[str, ...],
                                                       says: str) -> None:
    done = query(warehouse, SQL, *(a.format(tmp=tmp_path) for a in args))
    assert isinstance(done.exception, ConfigError) and done.exception.exit_code == 2
    assert says in str(done.exception)
    assert done.stdout == "" and list(tmp_path.iterdir()) == []


def test_a_terminal_table_is_capped_with_the_ways_to_see_more(warehouse: Path) -> None:
    done = query(warehouse, SQL)
    assert done.exit_code == 0, done.exception
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "60 more rows; use -o FILE"  # `query` has no --top
    row_39, row_40 = 1_000_000 + 39 * 1234.5678, 1_000_000 + 40 * 1234.5678
    assert f"{row_39:,.0f}" in done.stdout and "3.9%" in done.stdout  # formatted
    assert f"{row_40:,.0f}" not in done.stdout  # cut


def test_an_unknown_extension_exits_2_with_one_sentence(warehouse: Path,
                                                        tmp_path: Path) -> None:
    env = {**os.environ, "EXPOSURE_WAREHOUSE": str(warehouse)}
    done = subprocess.run([EXPOSURE, "query", "SELECT 1 AS a", "-o", str(tmp_path / "a.txt")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"error: cannot tell the format of {tmp_path / 'a.txt'}")
    assert ".csv, .json, .parquet, .xlsx" in done.stderr


def test_csv_on_stdout_round_trips(warehouse: Path) -> None:
    done = query(warehouse, SQL, "-f", "csv")
    assert pl.read_csv(io.StringIO(done.stdout)).height == 100


def test_a_board_binds_its_filters_without_importing_pandas() -> None:
    """DuckDB imports pandas (0.5-1 s) to bind a Python value, only to test its type; a
    board's block hides it, and pandas imports as usual afterwards. Run in a fresh process
    (this one has pandas already), with `exposure/cli/common.py` loaded on its own so the
    command families (and what they import) stay out."""
    common = Path(__file__).resolve().parent.parent / "exposure" / "cli" / "common.py"
    code = textwrap.dedent("""
        import importlib.util, sys
        import duckdb
        spec = importlib.util.spec_from_file_location("common", sys.argv[1])
        common = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(common)
        from exposure.output import Format
        con = duckdb.connect()
        with common.board_output(Format.table, None):
            (answer,) = con.execute("SELECT ? + 1", [41]).fetchone()
            inside = sys.modules.get("pandas") is not None
        import pandas
        (stamp,) = con.execute("SELECT ?", [pandas.Timestamp("2020-01-01")]).fetchone()
        print(answer, inside, type(stamp).__name__)
    """)
    done = subprocess.run([sys.executable, "-c", code, str(common)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["42", "False", "datetime"]

"""`exposure forecast-table`: cells, labour-market measures and the sensitivity table, on a
small real DuckDB warehouse with the engine's published tables (and the SOC and NAICS title
tables): titles beside codes, readable figures, the row cap, files by extension.

Most cases run the command in-process (Typer's runner: a subprocess costs ~2 s of imports
each); one runs the installed command to check the exit code and the one-line error.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from exposure.cli import app
from exposure.errors import ConfigError
from exposure.forecast.io.anchors import ENTRY_LEVEL_DEFINITION
from exposure.output import ROW_CAP
from exposure.presentation import header
from tests import forecast_warehouse as fw

EXPOSURE = str(Path(sys.executable).with_name("exposure"))
# the title tables the ingest writes: 15-1252 is in the projections only (a code newer than
# the SOC 2018 structure), as five codes of the real forecast are
TITLES = """
CREATE TABLE soc_structure AS SELECT * FROM (VALUES
    ('43-9061', 'detailed', 'Office Clerks, General', '43-0000'),
    ('43-4051', 'detailed', 'Customer Service Representatives', '43-0000'))
    AS t(soc_code, level, title, major_code);
CREATE TABLE projection AS SELECT * FROM (VALUES
    ('43-9061', 'Office clerks, general'), ('15-1252', 'Software developers'))
    AS t(soc_code, title);
CREATE TABLE naics_sector AS SELECT * FROM (VALUES
    ('51', 'Information', NULL), ('52', 'Finance and Insurance', NULL))
    AS t(naics_sector, title, note);
"""


def with_titles(path: Path) -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute(TITLES)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_titles(fw.build(tmp_path_factory.mktemp("forecast_table") / "exposure.duckdb"))


@pytest.fixture(scope="module")
def many_cells(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same warehouse with 100 more cells (P0, 2031): more than a terminal shows."""
    path = with_titles(fw.build(tmp_path_factory.mktemp("many_cells") / "exposure.duckdb"))
    con = duckdb.connect(str(path))
    try:
        con.execute("INSERT INTO displacement_forecast SELECT ?, 'P0', 2031, "
                    "printf('43-%04d', i), '52', 1e6, i, 2 * i, 3 * i, 2 * i, 0.1 "
                    "FROM range(100) t(i)", [fw.RUN])
    finally:
        con.close()
    return path


def cli(warehouse: Path, *args: str):  # -> click.testing.Result
    env = {"EXPOSURE_WAREHOUSE": str(warehouse), "COLUMNS": "200"}
    return CliRunner().invoke(app, ["forecast-table", *args], env=env)


def csv(done) -> pl.DataFrame:
    assert done.exit_code == 0, done.exception
    return pl.read_csv(io.StringIO(done.stdout), schema_overrides={
        "naics_sector": pl.String, "scope": pl.String})


def test_cells_by_default_with_the_scenario_title(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--scenario", "P1", "--year", "2030", "--sector", "52", "-f",
                    "csv"))
    assert frame.columns[:3] == ["run_id", "scenario", "scenario_title"]
    assert set(frame["scenario_title"]) == {"Pigouvian automation tax"}
    assert sorted(frame["soc_code"]) == ["43-4051", "43-9061"]
    table = cli(warehouse, "--scenario", "P1", "--year", "2030")
    assert table.exit_code == 0
    assert "Pigouvian automation" in table.stdout  # the title's column may fold "tax"


def test_occupation_and_sector_titles_beside_their_codes(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--scenario", "P1", "--year", "2030", "-f", "csv"))
    assert frame.columns[:8] == ["run_id", "scenario", "scenario_title", "year", "soc_code",
                                 "soc_title", "naics_sector", "sector_title"]
    titles = dict(frame.select("soc_code", "soc_title").iter_rows())
    # the SOC structure's title first, the projections' for a code it lacks
    assert titles == {"43-9061": "Office Clerks, General",
                      "43-4051": "Customer Service Representatives",
                      "15-1252": "Software developers"}
    assert dict(frame.select("naics_sector", "sector_title").iter_rows()) == {
        "52": "Finance and Insurance", "51": "Information"}


def test_the_terminal_shows_whole_people_with_separators(warehouse: Path) -> None:
    table = cli(warehouse, "--scenario", "P1", "--year", "2030", "--sector", "52")
    assert table.exit_code == 0, table.exception
    # 43-9061, P1, 2030: 5% x 0.8 x 30,000 x 5^2 = 30,000 displaced (median), p10 18,000
    for text in ("Office Clerks, General", "Finance and Insurance", "Displaced (median)",
                 "Baseline employment", "30,000", "18,000", "45,000", "1,000,000"):
        assert text in table.stdout, text
    assert "30000" not in table.stdout and "run_id" not in table.stdout
    assert "Automated share" not in table.stdout  # left to the files


def test_measures_read_in_their_unit(warehouse: Path) -> None:
    """2035, P0: 3,000,000 displaced; unemployment 30% of them over a 170M labour force."""
    rate = cli(warehouse, "--measure", "ai_unemployment_rate", "--scenario", "P0", "--year",
               "2035")
    assert rate.exit_code == 0 and f"{0.3 * 3e6 / 170e6:.1%}" in rate.stdout  # 0.5%
    tfp = cli(warehouse, "--measure", "tfp_gain_pct", "--scenario", "P0", "--year", "2035")
    assert "1.00%" in tfp.stdout  # already in percent: 0.1 x 10 years
    income = cli(warehouse, "--measure", "labour_income_loss", "--scenario", "P0", "--year",
                 "2035")
    assert "$60,000,000,000" in income.stdout
    people = cli(warehouse, "--measure", "unemployed", "--scenario", "P0", "--year", "2035")
    assert "900,000" in people.stdout and "900000" not in people.stdout


def test_a_labour_market_measure(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--measure", "unemployed", "--year", "2035", "-f", "csv"))
    assert frame["scenario"].to_list() == ["P0", "P1", "P4"]
    assert set(frame["scope"]) == {"national"} and set(frame["measure"]) == {"unemployed"}
    assert frame.filter(pl.col("scenario") == "P0")["p50"][0] == pytest.approx(900_000)
    by_sector = csv(cli(warehouse, "--measure", "displaced", "--sector", "62", "--scenario",
                        "P0", "--year", "2030", "-f", "csv"))
    assert by_sector.select("scope", "p50").rows() == [("62", pytest.approx(0.2 * 750_000))]


def test_entry_level_measure_carries_its_definition(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--measure", "entry_level_wc_displaced_share", "--year", "2030",
                    "-f", "csv"))
    assert set(frame["definition"]) == {ENTRY_LEVEL_DEFINITION}
    table = cli(warehouse, "--measure", "entry_level_wc_displaced_share", "--year", "2030")
    assert "Job Zone <= 3" in table.stdout


def test_the_sensitivity_table(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--sensitivity", "-f", "csv"))
    assert frame["parameter"].to_list() == ["a_10", "Td_months", "theta_sub", "eta"]
    assert frame.filter(pl.col("parameter") == "a_10").select(
        "low_value", "high_value", "displaced_low", "displaced_high").row(0) == pytest.approx(
        (0.036, 0.075, 2.2e6, 4.6e6))
    top = csv(cli(warehouse, "--sensitivity", "--top", "2", "-f", "csv"))
    assert top.height == 2
    table = cli(warehouse, "--sensitivity")
    assert table.exit_code == 0 and "AI doubling time" in table.stdout
    assert "2,200,000" in table.stdout and "No policy" in table.stdout


def test_the_terminal_shows_the_first_rows_and_counts_the_rest(many_cells: Path) -> None:
    table = cli(many_cells, "--scenario", "P0", "--year", "2031")
    assert table.exit_code == 0, table.exception
    lines = table.stdout.strip().splitlines()
    assert lines[-1] == f"{100 - ROW_CAP} more rows; use --top or -o FILE"
    shown = [line for line in lines if line.startswith("│ P0")]
    assert len(shown) == ROW_CAP
    assert "198" in shown[0] and "43-0099" in shown[0]  # largest first
    everything = cli(many_cells)  # every cell of every scenario: counted, not fetched
    total = 100 + len(fw.SCENARIOS) * 2 * 3
    assert everything.stdout.strip().splitlines()[-1] == (
        f"{total - ROW_CAP} more rows; use --top or -o FILE")
    top = cli(many_cells, "--scenario", "P0", "--year", "2031", "--top", "50")
    assert "more row" not in top.stdout
    assert len([line for line in top.stdout.splitlines() if line.startswith("│ P0")]) == 50


def test_o_writes_every_row_in_the_format_its_extension_names(many_cells: Path,
                                                                tmp_path: Path) -> None:
    done = cli(many_cells, "-o", str(tmp_path / "all.csv"))
    assert done.exit_code == 0, done.exception
    assert done.stdout == ""
    frame = pl.read_csv(tmp_path / "all.csv", schema_overrides={"naics_sector": pl.String})
    con = duckdb.connect(str(many_cells), read_only=True)
    try:
        (rows,) = con.execute("SELECT count(*) FROM latest_displacement_forecast").fetchone()
        (biggest,) = con.execute("SELECT max(displaced_p50) FROM latest_displacement_forecast"
                                 ).fetchone()
    finally:
        con.close()
    assert frame.height == rows  # no cap in a file
    assert frame["displaced_p50"].max() == biggest  # full precision
    assert frame.columns[-2:] == ["onet_release", "employment_source"]
    assert set(frame["run_id"]) == {fw.RUN}
    assert cli(many_cells, "-o", str(tmp_path / "all.parquet")).exit_code == 0
    parquet = pl.read_parquet(tmp_path / "all.parquet")
    assert parquet.columns == frame.columns and parquet.height == rows
    assert parquet["displaced_p50"].max() == biggest


def test_an_xlsx_reads_like_the_csv(warehouse: Path, tmp_path: Path) -> None:
    done = cli(warehouse, "--scenario", "P1", "-o", str(tmp_path / "p1.xlsx"))
    assert done.exit_code == 0, done.exception
    frame = csv(cli(warehouse, "--scenario", "P1", "-f", "csv"))
    sheet = openpyxl.load_workbook(tmp_path / "p1.xlsx")["data"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [header(c) for c in frame.columns]
    assert len(rows) == frame.height + 1
    for got, want in zip(rows[1:], frame.iter_rows(), strict=True):
        assert got == pytest.approx(want)
    formats = {rows[0][i]: cell.number_format for i, cell in enumerate(sheet[2])}
    assert formats["Displaced (median)"] == "#,##0"
    assert formats["Automated share of hours (mean)"] == "0.0%"
    assert formats["Year"] == "General"
    refused = cli(warehouse, "--scenario", "P1", "-o", str(tmp_path / "p1.xlsx"), "-f", "csv")
    assert isinstance(refused.exception, ConfigError)
    assert "-f csv disagrees" in str(refused.exception)


@pytest.mark.parametrize(("args", "says"), [
    (("--measure", "jobs_lost"), "unknown measure 'jobs_lost'"),
    (("--scenario", "P9"), "no displacement_forecast rows match --scenario P9"),
    (("--measure", "unemployed", "--sector", "52"), "unemployed is published for scopes "
                                                    "national"),
    (("--measure", "unemployed", "--occupation", "43-"), "--occupation does not apply"),
    (("--sensitivity", "--measure", "unemployed"), "cannot be combined"),
    (("--sensitivity", "--sector", "52"), "--sector does not apply"),
    (("--sensitivity", "--scenario", "P4"), "no forecast_sensitivity rows match"),
])
def test_filters_that_match_nothing_are_a_clear_error(warehouse: Path, args: tuple[str, ...],
                                                      says: str) -> None:
    done = cli(warehouse, *args)
    assert isinstance(done.exception, ConfigError) and done.exception.exit_code == 2
    assert says in str(done.exception)
    assert done.stdout == ""


def test_unknown_measure_exits_2_with_one_sentence(warehouse: Path) -> None:
    env = {**os.environ, "EXPOSURE_WAREHOUSE": str(warehouse)}
    done = subprocess.run([EXPOSURE, "forecast-table", "--measure", "jobs_lost"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().startswith("error: unknown measure 'jobs_lost'; use "
                                          "displaced-cells or one of ")
    assert "unemployed" in done.stderr

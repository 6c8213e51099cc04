"""`exposure workbook`: the xlsx a board opens, read back with openpyxl and compared cell by
cell with the warehouse it was written from (the nation's and Ohio's), and on the small
forecast warehouse of tests/forecast_warehouse.py, which lacks the BLS-level tables."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from exposure import ONET_ATTRIBUTION, warehouse
from exposure.errors import ConfigError
from exposure.presentation import header
from exposure.runs import latest_run_id
from exposure.settings import Settings
from exposure.workbook import write_workbook
from tests import forecast_warehouse as fw
from tests.cli_runs import env_for, exposure

SCORER = "rubric:human:beta"
NATIONAL_SHEETS = ["README", "Sectors", "Occupations", "Wage bands", "Education", "Forecasts",
                   "Forecasts by sector", "Policies"]
STATE_SHEETS = ["README", "Sectors", "Occupations", "Wage bands", "Education", "Forecasts",
                "Policies"]


def table_below(sheet: Worksheet, columns: list[str], after: str | None = None
                ) -> list[tuple[object, ...]]:
    """The rows of the table whose header row is `header(c) for c in columns` (the first
    one below a cell reading `after`, when given), as (value, number format) per cell, up
    to the first empty row."""
    wanted = [header(c) for c in columns]
    rows = list(sheet.iter_rows())
    start = 0
    if after is not None:
        start = next(i for i, r in enumerate(rows) if r[0].value == after)
    for i in range(start, len(rows)):
        if [c.value for c in rows[i][:len(wanted)]] == wanted:
            break
    else:
        raise AssertionError(f"no table headed {wanted} in sheet {sheet.title}")
    found = []
    for row in rows[i + 1:]:
        if row[0].value is None:
            break
        found.append(tuple((c.value, c.number_format) for c in row[:len(wanted)]))
    return found


def readme(book: openpyxl.Workbook) -> dict[str, str]:
    return {r[0].value: r[1].value for r in book["README"].iter_rows() if r[0].value}


def assert_cells(rows: list[tuple[object, ...]], expected: pl.DataFrame,
                 formats: dict[str, str]) -> None:
    """Every cell equals the warehouse's value (numbers exactly as stored, not rounded) and
    carries the column's number format."""
    assert len(rows) == expected.height
    for got, want in zip(rows, expected.iter_rows(named=True), strict=True):
        for (value, number_format), (column, stored) in zip(got, want.items(), strict=True):
            if isinstance(stored, float):
                assert value == pytest.approx(stored, rel=1e-12, abs=1e-9), column
            else:
                assert value == stored, column
            if column in formats:
                assert number_format == formats[column], column


def read(settings: Settings, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    return warehouse.read_frame(settings.warehouse, sql, params)


@pytest.fixture(scope="module")
def national(refreshed: Settings, tmp_path_factory: pytest.TempPathFactory
             ) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("workbook") / "us.xlsx"
    assert write_workbook(refreshed.warehouse, path, scorer=SCORER) == path
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def ohio(refreshed: Settings, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("workbook") / "ohio.xlsx"
    done = exposure("workbook", "--area", "ohio", "-o", str(path), "--scorer", SCORER,
                    env=env_for(EXPOSURE_WAREHOUSE=str(refreshed.warehouse)))
    assert done.returncode == 0, done.stderr
    assert f"wrote {path}" in done.stderr.replace("\n", "")
    return openpyxl.load_workbook(path)


def test_readme_names_the_run_its_sources_and_the_attribution(
        national: openpyxl.Workbook, refreshed: Settings) -> None:
    assert national.sheetnames == NATIONAL_SHEETS
    items = readme(national)
    assert items["Run"] == latest_run_id(refreshed.warehouse)
    assert items["Attribution"] == ONET_ATTRIBUTION and "CC BY 4.0" in items["Attribution"]
    assert items["Scorer"] == SCORER
    assert "not a probability of job loss" in items["What exposure means"]
    assert "not an official forecast" in items["What the forecasts mean"]
    assert items["Sources of Sectors"].endswith("O*NET 29.2; OEWS May 2024")


def test_sectors_sheet_is_the_warehouse_cell_by_cell(national: openpyxl.Workbook,
                                                      refreshed: Settings) -> None:
    columns = ["naics_sector", "sector_title", "employment", "exposure",
               "exposure_wage_weighted", "exposed_employment", "covered_employment_share",
               "year"]
    expected = read(refreshed, f"SELECT {', '.join(columns)} FROM latest_sector_exposure "
                    "WHERE scorer = ? AND year = (SELECT max(year) FROM latest_sector_exposure)"
                    " ORDER BY exposure DESC", [SCORER])
    assert expected.height == 20
    rows = table_below(national["Sectors"], columns)
    assert_cells(rows, expected, {"employment": "#,##0", "exposure": "0.0%",
                                  "covered_employment_share": "0.0%", "year": "0"})


def test_forecasts_sheet_is_the_warehouse_cell_by_cell(national: openpyxl.Workbook,
                                                        refreshed: Settings) -> None:
    columns = ["scenario", "scenario_title", "year", "displaced_p10", "displaced_p50",
               "displaced_p90"]
    expected = read(refreshed, """
        SELECT t.scenario, s.title AS scenario_title, t.year, t.displaced_p10,
               t.displaced_p50, t.displaced_p90
        FROM latest_displacement_total t JOIN latest_forecast_scenario s USING (scenario)
        ORDER BY t.scenario <> 'P0', t.scenario, t.year""")
    scenarios = set(expected["scenario"])
    assert {"P0", "P1"} <= scenarios and expected.height == 11 * len(scenarios)
    rows = table_below(national["Forecasts"], columns)
    assert_cells(rows, expected, dict.fromkeys(
        ("displaced_p10", "displaced_p50", "displaced_p90"), "#,##0"))


def test_policies_compare_each_scenario_with_p0(national: openpyxl.Workbook,
                                                 refreshed: Settings) -> None:
    totals = read(refreshed, "SELECT scenario, year, displaced_p50 FROM "
                  "latest_displacement_total WHERE year IN (2030, 2035)")
    p50 = {(s, y): v for s, y, v in totals.iter_rows()}
    rows = table_below(national["Policies"], [
        "scenario", "scenario_title", "year", "displaced_p50", "displaced_p10",
        "displaced_p90", "change_from_reference", "change_from_reference_share"])
    order = sorted({s for s, _ in p50}, key=lambda s: (s != "P0", int(s[1:].split("-")[0]), s))
    assert [(r[0][0], r[2][0]) for r in rows] == [(s, y) for s in order for y in (2030, 2035)]
    for row in rows:
        scenario, year = row[0][0], row[2][0]
        assert row[3][0] == pytest.approx(p50[scenario, year])
        assert row[6] == (pytest.approx(p50[scenario, year] - p50["P0", year]), "#,##0")
        assert row[7][0] == pytest.approx(p50[scenario, year] / p50["P0", year] - 1)
        assert row[7][1] == "0.0%"
    unemployed = read(refreshed, "SELECT p50 FROM latest_labour_market_forecast WHERE "
                      "measure = 'unemployed' AND scope = 'national' AND scenario = 'P1' "
                      "AND year = 2035")["p50"][0]
    labour = table_below(national["Policies"], ["scenario", "scenario_title", "year", "p10",
                                                "p50", "p90"],
                         after="AI-displaced unemployed, year average (persons), national")
    p1 = next(r for r in labour if (r[0][0], r[2][0]) == ("P1", 2035))
    assert p1[4] == (pytest.approx(unemployed), "#,##0")


def test_occupations_are_the_bls_codes_with_their_formats(national: openpyxl.Workbook,
                                                          refreshed: Settings) -> None:
    rows = table_below(national["Occupations"], ["soc_code", "soc_title", "soc_major",
                                                 "soc_major_title", "employment",
                                                 "annual_mean_wage"])
    expected = read(refreshed, "SELECT soc_code, employment, annual_mean_wage FROM "
                    "latest_bls_occupation_exposure WHERE scorer = ?", [SCORER])
    assert len(rows) == expected.height
    published = {c: (e, w) for c, e, w in expected.iter_rows()}
    nurses = next(r for r in rows if r[0][0] == "29-1141")
    assert nurses[4] == (published["29-1141"][0], "#,##0")
    assert nurses[5] == (published["29-1141"][1], "$#,##0")


def test_ohio_workbook_holds_the_states_figures(ohio: openpyxl.Workbook,
                                                refreshed: Settings) -> None:
    assert ohio.sheetnames == STATE_SHEETS
    items = readme(ohio)
    assert items["Workbook"].endswith("Ohio (39)")
    assert ONET_ATTRIBUTION == items["Attribution"]
    columns = ["soc_code", "soc_title", "soc_major", "employment", "annual_mean_wage",
               "wage_quintile", "typical_education", "exposure", "national_exposure"]
    expected = read(refreshed, f"SELECT {', '.join(columns)} FROM "
                    "latest_area_occupation_exposure WHERE scorer = ? AND area_code = '39' "
                    "ORDER BY exposure DESC NULLS LAST, employment DESC NULLS LAST",
                    [SCORER])
    assert expected.height > 500
    rows = table_below(ohio["Occupations"], columns)
    assert {r[0][0]: r for r in rows}.keys() == set(expected["soc_code"])
    by_code = {r[0][0]: r for r in rows}
    for want in expected.iter_rows(named=True):
        got = by_code[want["soc_code"]]
        assert got[3][0] == want["employment"] and got[7][0] == pytest.approx(want["exposure"])

    sectors = ohio["Sectors"]
    assert "across all industries only" in sectors["A1"].value
    assert sectors["A3"].value == "United States, for reference (not Ohio)"

    bands = table_below(ohio["Wage bands"], ["area_code", "area_name", "wage_quintile"])
    assert [r[0][0] for r in bands] == ["39"] * 5 + ["US"] * 5

    columns = ["scenario", "scenario_title", "year", "soc_major", "soc_major_title",
               "employment", "displaced_p10", "displaced_p50", "displaced_p90",
               "displaced_share"]
    expected = read(refreshed, f"""
        SELECT {', '.join('f.' + c if c != 'scenario_title' else 's.title AS scenario_title'
                          for c in columns)}
        FROM latest_area_forecast f JOIN latest_forecast_scenario s USING (scenario)
        WHERE area_code = '39' ORDER BY f.scenario <> 'P0', f.scenario, f.year,
              f.soc_major <> 'all', f.soc_major""")
    rows = table_below(ohio["Forecasts"], columns, after="Ohio (39)")
    assert_cells(rows, expected, {"displaced_p50": "#,##0", "displaced_share": "0.0%"})
    assert "not a state model" in ohio["Forecasts"]["A1"].value


def test_small_warehouse_says_which_tables_it_lacks(tmp_path: Path) -> None:
    """A warehouse without the BLS-level tables still gets a workbook; the sheets it cannot
    fill say why. The forecast figures are the warehouse's (P1 = 0.8 x P0)."""
    path = write_workbook(fw.build(tmp_path / "w.duckdb"), tmp_path / "book.xlsx",
                          scorer=SCORER)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == NATIONAL_SHEETS
    assert book["Occupations"]["A1"].value.startswith("Not in this warehouse: the warehouse "
                                                      "has no table bls_occupation_exposure")
    rows = table_below(book["Policies"], ["scenario", "scenario_title", "year",
                                          "displaced_p50"])
    shares = {(r[0][0], r[2][0]): r for r in rows}
    assert shares["P1", 2035][3][0] == pytest.approx(0.8 * fw.displaced_p50("P0", 2035))
    by_sector = table_below(book["Forecasts by sector"], ["scenario", "scenario_title",
                                                          "year", "naics_sector"])
    assert {r[3][0] for r in by_sector} == {"52", "62"}
    assert not list(tmp_path.glob(".*.partial"))


def test_bad_area_and_output_are_refused(tmp_path: Path) -> None:
    built = fw.build(tmp_path / "w.duckdb")
    with pytest.raises(ConfigError, match=r"a workbook is an \.xlsx file"):
        write_workbook(built, tmp_path / "book.csv", scorer=SCORER)
    done = exposure("workbook", "--area", "Atlantis", "-o", str(tmp_path / "x.xlsx"),
                    env=env_for(EXPOSURE_WAREHOUSE=str(built)))
    assert done.returncode == 2 and "unknown area 'Atlantis'" in done.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_help_lists_the_command() -> None:
    done = exposure("workbook", "--help")
    assert done.returncode == 0 and "--area" in done.stdout

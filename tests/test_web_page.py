"""The web page in a real headless Chromium (Debian's `chromium`, driven by Playwright's
Python client): it starts `exposure serve` on the real data, loads the page, checks that the
tables show the warehouse's figures (the nation's sectors, a state's major groups), clicks
into a sector and a scenario, downloads a CSV, and saves screenshots under
reports/screenshots/. Every request must go to the server itself (the page works offline).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from exposure.presentation import Kind, format_value
from exposure.settings import PROJECT_ROOT, Settings
from exposure.warehouse import read_frame
from exposure.web.local import running_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = PROJECT_ROOT / "reports" / "screenshots"
SCORER = "rubric:human:beta"
CHART_WAIT_MS = 90_000  # the first page waits for the vega bundle to be built


def sql(settings: Settings, query: str, params: list | None = None) -> pl.DataFrame:
    """The warehouse's own rows, read without the code under test."""
    return read_frame(settings.warehouse, query, params)


@pytest.fixture(scope="module")
def browser():
    executable = CHROMIUM if CHROMIUM.is_file() else shutil.which("chromium")
    if not executable:
        pytest.skip("no Chromium browser: /usr/bin/chromium is missing and could not be "
                    "installed (`make chromium` installs Debian's package as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(refreshed: Settings, tmp_path_factory):
    with running_server(refreshed.warehouse, cache_dir=refreshed.cache_dir,
                        reports_dir=tmp_path_factory.mktemp("serve-reports")) as base:
        yield base


def table_rows(page, selector: str) -> list[list[str]]:
    return [row.locator("td").all_inner_texts()
            for row in page.locator(f"{selector} tbody tr").all()]


def wait_for_charts(page) -> None:
    for chart in ("chart-exposure", "chart-paths", "chart-policy"):
        page.wait_for_selector(f"#{chart}[data-rendered=true] svg", timeout=CHART_WAIT_MS)


def test_the_page_in_a_browser(browser, server, refreshed, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))

    # The nation: the sector table holds the warehouse's figures, most exposed first.
    page.goto(server + "/")
    wait_for_charts(page)
    want = sql(refreshed, "SELECT naics_sector, sector_title, employment, exposure FROM "
               "latest_sector_exposure WHERE scorer = ? AND year = (SELECT max(year) FROM "
               "latest_sector_exposure) ORDER BY exposure DESC", [SCORER])
    shown = table_rows(page, "#exposure-table")
    assert [r[0] for r in shown] == want["naics_sector"].to_list()
    for row, (code, title, employment, exposure) in zip(shown, want.iter_rows(), strict=True):
        assert row[1] == title, code
        assert row[2] == format_value(employment, Kind.persons), code
        assert row[3] == format_value(exposure, Kind.percent), code
    page.screenshot(path=SHOTS / "nation.png", full_page=True)

    # Into a sector: its occupations, most exposed first, from sector_occupation_exposure.
    with page.expect_navigation():
        page.get_by_role("link", name="Finance and Insurance", exact=True).click()
    page.wait_for_selector("#drill-table")
    assert page.locator("#occupations h2").inner_text() == "Occupations in Finance and Insurance"
    occupations = sql(refreshed, "SELECT soc_code, soc_title, employment, exposure FROM "
                      "latest_sector_occupation_exposure WHERE scorer = ? AND "
                      "naics_sector = '52' ORDER BY exposure DESC NULLS LAST, "
                      "employment DESC NULLS LAST", [SCORER])
    drill = table_rows(page, "#drill-table")
    assert [r[0] for r in drill] == occupations["soc_code"].head(len(drill)).to_list()
    assert drill[0][2] == format_value(occupations["employment"][0], Kind.persons)
    page.locator("#occupations").screenshot(path=SHOTS / "sector-occupations.png")

    # Its CSV download holds every occupation of the sector, with the run beside them.
    with page.expect_download() as download:
        page.click("#drill-csv")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    frame = pl.read_csv(saved)
    assert frame.height == occupations.height > 50
    assert frame["employment"].sum() == pytest.approx(occupations["employment"].sum())
    run = sql(refreshed, "SELECT max(run_id) AS r FROM run")["r"][0]
    assert set(frame["run_id"]) == {run}

    # A scenario: choosing P1 shows its title and description and marks it everywhere.
    scenario = sql(refreshed, "SELECT title, description FROM latest_forecast_scenario "
                   "WHERE scenario = 'P1'").row(0, named=True)
    with page.expect_navigation():
        page.select_option("#scenario", "P1")
    wait_for_charts(page)
    assert page.locator("#selected-scenario h3").inner_text() == f"P1: {scenario['title']}"
    assert scenario["description"][:60] in page.locator("#selected-scenario p").inner_text()
    assert page.locator("#scenario-table tr.selected td").first.inner_text() == "P1"
    assert "P1" in page.url
    page.locator("#forecasts").screenshot(path=SHOTS / "forecasts-P1.png")

    # A state: no sectors there (OEWS), so its major groups, with the warehouse's figures.
    with page.expect_navigation():
        page.select_option("#state", "39")
    wait_for_charts(page)
    assert "no sector figures for Ohio" in page.locator("#exposure-note").inner_text()
    groups = sql(refreshed, "SELECT soc_major, employment, exposure FROM latest_area_exposure "
                 "WHERE scorer = ? AND area_code = '39' ORDER BY soc_major <> 'all', "
                 "exposure DESC NULLS LAST", [SCORER])
    shown = table_rows(page, "#exposure-table")
    assert [r[0] for r in shown] == groups["soc_major"].to_list()
    for row, (code, employment, exposure) in zip(shown, groups.iter_rows(), strict=True):
        assert row[2] == format_value(employment, Kind.persons), code
        assert row[3] == format_value(exposure, Kind.percent), code
    page.screenshot(path=SHOTS / "ohio.png", full_page=True)

    assert not errors, errors
    elsewhere = [url for url in requested if not url.startswith(server)]
    assert not elsewhere, f"the page fetched from other hosts: {elsewhere}"
    page.close()

"""The HTTP API of `exposure serve` over a warehouse built from the real data: its figures are
the warehouse's, lists page and download whole (CSV, xlsx) with their provenance, bad
parameters are a 422 that names them, and nothing a client sends reaches the SQL as SQL.
Schemathesis then generates requests from the OpenAPI description and checks that none
makes the server fail.
"""

from __future__ import annotations

import hashlib
import io

import hypothesis
import openpyxl
import polars as pl
import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from exposure import ONET_ATTRIBUTION
from exposure.settings import Settings
from exposure.warehouse import read_frame
from exposure.web import api, create_app

SCORER = "rubric:human:beta"
OHIO = "39"


@pytest.fixture(scope="module")
def client(refreshed: Settings):
    with TestClient(create_app(refreshed)) as client:
        yield client


def sql(settings: Settings, query: str, params: list | None = None) -> pl.DataFrame:
    """The warehouse's own rows, read without the code under test."""
    return read_frame(settings.warehouse, query, params)


def latest_run(settings: Settings) -> str:
    return sql(settings, "SELECT max(run_id) AS r FROM run WHERE status = 'succeeded'")["r"][0]


def rows(response) -> pl.DataFrame:
    assert response.status_code == 200, response.text
    body = response.json()
    return pl.from_dicts(body["rows"], infer_schema_length=None) if body["rows"] \
        else pl.DataFrame()


def test_sector_figures_are_the_warehouses(client, refreshed):
    response = client.get("/api/sectors", params={"scorer": SCORER, "year": 2024,
                                                  "limit": 1000})
    got = rows(response).sort("naics_sector")
    want = sql(refreshed, "SELECT naics_sector, employment, exposure, exposed_employment "
               "FROM latest_sector_exposure WHERE scorer = ? AND year = 2024 "
               "ORDER BY naics_sector", [SCORER])
    assert got.height == want.height == response.json()["total"] > 15
    assert got["naics_sector"].to_list() == want["naics_sector"].to_list()
    for column in ("employment", "exposure", "exposed_employment"):
        assert got[column].to_list() == pytest.approx(want[column].to_list(), rel=1e-12)
    # most exposed first, as documented
    exposures = rows(response)["exposure"].to_list()
    assert exposures == sorted(exposures, reverse=True)


def test_every_answer_names_its_provenance(client, refreshed):
    run = latest_run(refreshed)
    for url in ("/api/sectors", "/api/scenarios", "/api/runs", "/api/sources",
                "/api/labour-market"):
        response = client.get(url, params={"limit": 2})
        prov = response.json()["provenance"]
        assert prov["run_id"] == run, url
        assert prov["onet_release"].startswith("O*NET 29.2"), url
        assert prov["meaning"] and prov["attribution"] == ONET_ATTRIBUTION, url
        assert response.headers["X-Exposure-Run"] == run, url
    assert "OEWS May 2024" in client.get("/api/sectors").json()["provenance"][
        "employment_source"]


def test_state_occupations_are_the_warehouses(client, refreshed):
    response = client.get("/api/occupations", params={"scorer": SCORER, "state": "OH",
                                                      "limit": 10_000})
    got = rows(response).sort("soc_code")
    want = sql(refreshed, "SELECT soc_code, employment, exposure FROM "
               "latest_area_occupation_exposure WHERE scorer = ? AND area_code = ? "
               "ORDER BY soc_code", [SCORER, OHIO])
    assert got.height == want.height > 300
    assert got["soc_code"].to_list() == want["soc_code"].to_list()
    assert got["employment"].to_list() == pytest.approx(want["employment"].to_list())
    assert got["exposure"].to_list() == pytest.approx(want["exposure"].to_list(), nan_ok=True)
    # the same state however it is written
    for spelling in ("39", "ohio", "Ohio"):
        again = client.get("/api/occupations", params={"state": spelling, "limit": 5})
        assert again.json()["total"] == want.height, spelling


def test_pages_add_up_to_the_whole_list(client):
    whole = client.get("/api/occupations", params={"limit": 10_000}).json()
    total = whole["total"]
    assert total == len(whole["rows"]) > 500
    pages, offset = [], 0
    while offset < total:
        page = client.get("/api/occupations", params={"limit": 97, "offset": offset}).json()
        assert page["total"] == total and page["limit"] == 97 and page["offset"] == offset
        pages.extend(page["rows"])
        offset += 97
    assert pages == whole["rows"]
    past = client.get("/api/occupations", params={"offset": total + 10}).json()
    assert past["rows"] == [] and past["total"] == total
    assert len(client.get("/api/occupations").json()["rows"]) == 100  # the default page


def test_csv_download_is_the_whole_list_with_provenance(client, refreshed):
    response = client.get("/api/sectors", params={"format": "csv", "scorer": SCORER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="sectors.csv"' in response.headers["content-disposition"]
    frame = pl.read_csv(io.BytesIO(response.content), schema_overrides={"naics_sector":
                                                                        pl.String})
    whole = rows(client.get("/api/sectors", params={"scorer": SCORER, "limit": 10_000}))
    assert frame.height == whole.height == 60  # 20 sectors x May 2022-2024
    assert frame["exposure"].to_list() == pytest.approx(whole["exposure"].to_list())
    assert set(frame["run_id"]) == {latest_run(refreshed)}
    assert {"onet_release", "employment_source"} <= set(frame.columns)
    # limit and offset page a download too
    part = client.get("/api/sectors", params={"format": "csv", "limit": 5, "offset": 5})
    assert pl.read_csv(io.BytesIO(part.content)).height == 5


def test_xlsx_download_reads_back(client, refreshed):
    response = client.get("/api/sectors", params={"format": "xlsx", "scorer": SCORER,
                                                  "year": 2024})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["sectors"]
    values = list(sheet.iter_rows(values_only=True))
    headers = values[0]
    assert "Exposure" in headers and "Sector" in headers and "Employment" in headers
    want = sql(refreshed, "SELECT sector_title, exposure, employment FROM "
               "latest_sector_exposure WHERE scorer = ? AND year = 2024", [SCORER])
    by_title = {r[headers.index("Sector")]: r for r in values[1:]}
    assert len(by_title) == want.height
    for title, exposure, employment in want.iter_rows():
        row = by_title[title]
        assert row[headers.index("Exposure")] == pytest.approx(exposure)
        assert row[headers.index("Employment")] == pytest.approx(employment)
    exposure_cell = sheet.cell(row=2, column=headers.index("Exposure") + 1)
    assert "%" in exposure_cell.number_format  # shown as a percent, stored as the share
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Run"] == latest_run(refreshed)
    assert about["Attribution"] == ONET_ATTRIBUTION


def test_the_boards_workbook_downloads(client, refreshed):
    response = client.get("/api/workbook", params={"state": "OH"})
    assert response.status_code == 200
    assert 'filename="exposure-ohio.xlsx"' in response.headers["content-disposition"]
    assert response.headers["X-Exposure-Run"] == latest_run(refreshed)
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert {"README", "Occupations", "Forecasts"} <= set(book.sheetnames)
    assert client.get("/api/workbook", params={"state": "Ohioo"}).status_code == 404


@pytest.mark.parametrize(("params", "parameter"), [
    ({"limit": 0}, "limit"),
    ({"limit": 10_001}, "limit"),
    ({"offset": -1}, "offset"),
    ({"year": 1800}, "year"),
    ({"sector": "fifty-two"}, "sector"),
    ({"format": "pdf"}, "format"),
    ({"min_employment": "many"}, "min_employment"),
    ({"scorer": "rubric human"}, "scorer"),
])
def test_invalid_parameters_are_422_naming_them(client, params, parameter):
    response = client.get("/api/sectors", params=params)
    assert response.status_code == 422
    body = response.json()
    assert f"query parameter '{parameter}'" in body["message"]
    assert body["detail"][0]["loc"] == ["query", parameter]


def test_other_invalid_combinations_are_422(client):
    for url, params, parameter in (
            ("/api/forecasts", {"year_from": 2031, "year_to": 2030}, "year_to"),
            ("/api/forecasts", {"state": "OH", "sector": "52"}, "state"),
            ("/api/occupations", {"state": "OH", "detail": True}, "detail"),
            ("/api/labour-market", {"measure": "happiness"}, "measure"),
            ("/api/occupations", {"major": "15-1252"}, "major"),
            ("/api/forecasts", {"occupation": "nurses"}, "occupation")):
        response = client.get(url, params=params)
        assert response.status_code == 422, (url, params)
        assert parameter in response.json()["message"], (url, params)


def test_nothing_matching_is_404_in_one_sentence(client):
    response = client.get("/api/areas", params={"state": "Ohioo"})
    assert response.status_code == 404
    assert "Ohio (39)" in response.json()["message"]  # the suggestion
    assert client.get("/api/sectors", params={"sector": "77"}).status_code == 404
    assert client.get("/api/forecasts", params={"scenario": "P99"}).status_code == 404


def test_injection_looking_parameters_are_harmless(client, refreshed):
    before = hashlib.sha256(refreshed.warehouse.read_bytes()).hexdigest()
    run_rows = client.get("/api/runs").json()["total"]
    # Free text is bound as a value: it matches titles literally, so it finds nothing
    # (rather than every row, or an error from the database).
    for text in ("nurse' OR '1'='1", "'; DROP TABLE run; --", "x%' UNION SELECT * FROM run --"):
        response = client.get("/api/occupations", params={"search": text})
        assert response.status_code == 404, text
        assert "no occupation rows match" in response.json()["message"]
    # Codes and names have a pattern: anything else is refused before any query.
    for params in ({"state": "Ohio' OR 1=1 --"}, {"sector": "52 OR 1=1"},
                   {"scenario": "P1'; DROP TABLE run"}):
        assert client.get("/api/forecasts", params=params).status_code == 422, params
    assert client.get("/api/runs").json()["total"] == run_rows
    assert hashlib.sha256(refreshed.warehouse.read_bytes()).hexdigest() == before


def test_forecasts_filter_by_year_range(client, refreshed):
    response = client.get("/api/forecasts", params={"scenario": "P1", "year_from": 2030,
                                                    "year_to": 2032, "sector": "52",
                                                    "limit": 10_000})
    got = rows(response)
    want = sql(refreshed, "SELECT count(*) AS n, sum(displaced_p50) AS d FROM "
               "latest_displacement_forecast WHERE scenario = 'P1' AND naics_sector = '52' "
               "AND year BETWEEN 2030 AND 2032")
    assert got.height == want["n"][0] == response.json()["total"] > 0
    assert set(got["year"]) == {2030, 2031, 2032}
    assert got["displaced_p50"].sum() == pytest.approx(want["d"][0])
    assert set(got["scenario_title"]) == set(sql(
        refreshed, "SELECT title FROM latest_forecast_scenario WHERE scenario = 'P1'")["title"])


def test_state_forecasts_are_by_major_group_and_say_how(client, refreshed):
    response = client.get("/api/forecasts", params={"state": "oh", "scenario": "P1",
                                                    "major": "all", "limit": 100})
    got = rows(response)
    want = sql(refreshed, "SELECT year, displaced_p50 FROM latest_area_forecast WHERE "
               "area_code = ? AND scenario = 'P1' AND soc_major = 'all' ORDER BY year", [OHIO])
    assert got.sort("year")["displaced_p50"].to_list() == pytest.approx(
        want["displaced_p50"].to_list())
    body = response.json()
    assert any("occupation mix" in note for note in body["notes"])
    assert "state" in body["provenance"]["meaning"]


def test_scenarios_runs_and_sources(client, refreshed):
    scenarios = rows(client.get("/api/scenarios"))
    want = sql(refreshed, "SELECT scenario, title, description FROM latest_forecast_scenario")
    assert sorted(scenarios["scenario"]) == sorted(want["scenario"]) == ["P0", "P1"]
    assert dict(zip(scenarios["scenario"], scenarios["description"], strict=True)) == dict(
        zip(want["scenario"], want["description"], strict=True))
    runs = rows(client.get("/api/runs"))
    assert latest_run(refreshed) in runs["run_id"].to_list()
    sources = client.get("/api/sources", params={"limit": 1000}).json()
    files = pl.DataFrame(sources["rows"])
    want_files = sql(refreshed, "SELECT path FROM source_file WHERE run_id = ?",
                     [latest_run(refreshed)])
    assert sorted(files["path"]) == sorted(want_files["path"])
    onet = files.filter(pl.col("path").str.starts_with("onet_29_2/"))
    assert onet.height > 5 and all(lic.startswith("CC BY 4.0") for lic in onet["licence"])
    assert any(ONET_ATTRIBUTION in note for note in sources["notes"])


def test_openapi_describes_every_list(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/sectors", "/api/occupations", "/api/areas", "/api/forecasts",
                 "/api/scenarios", "/api/runs", "/api/sources", "/api/labour-market"):
        operation = spec["paths"][path]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"limit", "offset", "format"} <= names, path
        assert "text/csv" in operation["responses"]["200"]["content"], path


@pytest.fixture(scope="module")
def api_schema(refreshed: Settings):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(refreshed))


# Each operation of the OpenAPI description, with data that fits it (the answer must also
# conform: status, content type, body schema) and data that does not (it must be refused
# with a 4xx). Driven through `as_strategy`: schemathesis' pytest loader for fixtures
# relies on a pytest internal that pytest 9 no longer has.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("path", sorted(route.path for route in api.router.routes))
def test_generated_requests_never_fail_the_server(api_schema, path, mode):
    operation = api_schema[path]["GET"]
    checks = ([not_a_server_error, negative_data_rejection] if mode is GenerationMode.NEGATIVE
              else [not_a_server_error, status_code_conformance, content_type_conformance,
                    response_schema_conformance])

    # A workbook takes seconds to build: a few of them show it works.
    examples = 3 if path == "/api/workbook" else 20

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    def check(case) -> None:
        case.call_and_validate(checks=checks)

    check()

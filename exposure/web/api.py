"""The HTTP API under /api: every board list of the latest run, paged as JSON or downloaded
as CSV or xlsx, each with its provenance.

The SQL is the library's (`exposure.queries`, and `exposure.web.reads` for the few lists it
lacks); a route only maps its parameters onto a query function's keywords.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from exposure import ONET_ATTRIBUTION, queries
from exposure.areas import resolve_area
from exposure.errors import ConfigError
from exposure.web import reads
from exposure.web.listing import XLSX, Format, provenance_headers, respond
from exposure.web.params import (
    DetailQ,
    FormatQ,
    LimitQ,
    MajorQ,
    MeasureQ,
    MinEmploymentQ,
    OccupationQ,
    OffsetQ,
    ScenarioQ,
    ScorerQ,
    SearchQ,
    SectorQ,
    StateQ,
    YearFromQ,
    YearQ,
    YearToQ,
)
from exposure.web.service import Result, Service, invalid, service

STATE_FORECAST_NOTE = ("A state's forecast is its occupation mix (OEWS May 2025 state "
                       "estimates) times the national displacement rate of each occupation "
                       "under the scenario; it is not a model of the state's own economy.")
NO_STATE_SECTORS = ("OEWS publishes state estimates across all industries only: there are no "
                    "sector figures for a state. Use /api/major-groups or /api/occupations "
                    "with state= for a state.")
SOURCE_NOTES = [
    ONET_ATTRIBUTION + " O*NET® is a trademark of USDOL/ETA. USDOL/ETA has not approved, "
    "endorsed, or tested these modifications.",
    "BLS data: U.S. Bureau of Labor Statistics. Census data: U.S. Census Bureau. BEA data: "
    "U.S. Bureau of Economic Analysis.",
]


class ProvenanceModel(BaseModel):
    run_id: str = Field(description="The run whose rows these are.")
    onet_release: str
    employment_source: str = Field(description="The OEWS (or projections) releases used.")
    meaning: str = Field(description="What the figures mean and do not mean.")
    attribution: str


class ColumnModel(BaseModel):
    name: str = Field(description="The machine name (the warehouse's column).")
    header: str = Field(description="The human header.")
    kind: str = Field(description="percent (a share in [0, 1]), persons, usd, count, "
                      "number or text.")


class ListModel(BaseModel):
    """One page of a list, with its provenance."""

    provenance: ProvenanceModel
    total: int = Field(description="Rows in the whole list.")
    limit: int
    offset: int
    columns: list[ColumnModel]
    notes: list[str]
    rows: list[dict[str, Any]]


class ErrorModel(BaseModel):
    detail: Any
    message: str = Field(description="What was wrong, in one sentence, and what to do.")


LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "A page of rows (json), or the list as a download (csv, xlsx).",
          "content": {"text/csv": {"schema": {"type": "string"}},
                      XLSX: {"schema": {"type": "string", "format": "binary"}}}},
    404: {"model": ErrorModel, "description": "Nothing matches these filters, or an unknown "
          "state or scorer."},
    422: {"model": ErrorModel, "description": "A parameter is invalid."},
    503: {"model": ErrorModel, "description": "There is no warehouse, or it lacks the table."},
}

router = APIRouter(prefix="/api", responses=LIST_RESPONSES)
Svc = Annotated[Service, Depends(service)]


async def listing(svc: Service, key: tuple, compute, name: str, fmt: Format,
                  limit: int | None, offset: int) -> Response:
    if fmt is Format.json:
        return await svc.rendered(
            key, (limit, offset), compute,
            lambda r: respond(r[0], r[1], name=name, fmt=fmt, limit=limit, offset=offset,
                              notes=r[2]))
    frame, prov, notes = await svc.result(key, compute)
    return await run_in_threadpool(respond, frame, prov, name=name, fmt=fmt, limit=limit,
                                   offset=offset, notes=notes)


def _plain(result: tuple[pl.DataFrame, queries.Provenance], *notes: str) -> Result:
    return result[0], result[1], list(notes)


@router.get("/sectors", response_model=ListModel, summary="Sector exposure")
async def sectors(svc: Svc, scorer: ScorerQ = None, year: YearQ = None, sector: SectorQ = None,
                  min_employment: MinEmploymentQ = None, limit: LimitQ = None,
                  offset: OffsetQ = 0, fmt: FormatQ = Format.json) -> Response:
    """Exposure of each NAICS sector (national; OEWS May 2022-2024), most exposed first, with
    its covered share of employment. OEWS publishes no sector estimates for states."""
    scorer = svc.scorer(scorer)
    return await listing(
        svc, ("sectors", scorer, year, sector, min_employment),
        lambda path: _plain(queries.sectors(path, scorer, year=year, sector=sector,
                                            min_employment=min_employment), NO_STATE_SECTORS),
        "sectors", fmt, limit, offset)


@router.get("/occupations", response_model=ListModel, summary="Occupation exposure")
async def occupations(svc: Svc, scorer: ScorerQ = None, state: StateQ = None,
                      sector: SectorQ = None, major: MajorQ = None,
                      min_employment: MinEmploymentQ = None, search: SearchQ = None,
                      detail: DetailQ = False, limit: LimitQ = None, offset: OffsetQ = 0,
                      fmt: FormatQ = Format.json) -> Response:
    """BLS detailed occupations with their published employment and the employment-weighted
    exposure of their O*NET occupations: national, in one state (May 2025), or in one NAICS
    sector; with detail=true, the national O*NET occupations (employment split by the stated
    rule). Most exposed first."""
    scorer = svc.scorer(scorer)
    if detail and (state or sector):
        raise invalid("detail", "detail lists the national O*NET occupations and cannot be "
                      "combined with state or sector")
    if state and sector:
        raise invalid("sector", "OEWS publishes state estimates across all industries only: "
                      "use state or sector, not both")
    return await listing(
        svc, ("occupations", scorer, state, sector, major, min_employment, search, detail),
        lambda path: _plain(queries.occupations(
            path, scorer, min_employment=min_employment, search=search, detail=detail,
            area=state, sector=sector, major=major)),
        "occupations", fmt, limit, offset)


@router.get("/areas", response_model=ListModel, summary="State exposure")
async def areas(svc: Svc, scorer: ScorerQ = None, state: StateQ = None, major: MajorQ = None,
                limit: LimitQ = None, offset: OffsetQ = 0,
                fmt: FormatQ = Format.json) -> Response:
    """Exposure of each state, DC and territory (OEWS May 2025 state estimates) with the
    nation's beside it; one state with state=, one major SOC group with major=."""
    scorer = svc.scorer(scorer)
    return await listing(
        svc, ("areas", scorer, state, major),
        lambda path: _plain(queries.areas(path, scorer, area=state, major=major)),
        "areas", fmt, limit, offset)


@router.get("/major-groups", response_model=ListModel, summary="Exposure by major group")
async def major_groups(svc: Svc, scorer: ScorerQ = None, state: StateQ = None,
                       limit: LimitQ = None, offset: OffsetQ = 0,
                       fmt: FormatQ = Format.json) -> Response:
    """Exposure of every major SOC group, nationally (latest OEWS May year) or in one state
    (May 2025 state estimates, the state's total first)."""
    scorer = svc.scorer(scorer)

    def compute(path: Path) -> Result:
        place = resolve_area(path, state) if state else None
        code = None if place is None or place.is_nation else place.code
        return _plain(reads.major_groups(path, scorer, code))

    return await listing(svc, ("major-groups", scorer, state), compute, "major_groups", fmt,
                         limit, offset)


@router.get("/wage-bands", response_model=ListModel, summary="Exposure by wage band")
async def wage_bands(svc: Svc, scorer: ScorerQ = None, state: StateQ = None,
                     limit: LimitQ = None, offset: OffsetQ = 0,
                     fmt: FormatQ = Format.json) -> Response:
    """Employment and exposure per quintile of the occupation's mean wage, for the nation and
    one state (every state without state=)."""
    scorer = svc.scorer(scorer)
    return await listing(
        svc, ("wage-bands", scorer, state),
        lambda path: _plain(queries.wage_bands(path, scorer, area=state)),
        "wage_bands", fmt, limit, offset)


@router.get("/education", response_model=ListModel, summary="Exposure by typical education")
async def education(svc: Svc, scorer: ScorerQ = None, state: StateQ = None,
                    limit: LimitQ = None, offset: OffsetQ = 0,
                    fmt: FormatQ = Format.json) -> Response:
    """Employment and exposure per typical entry education (BLS projections), for the nation
    and one state (every state without state=)."""
    scorer = svc.scorer(scorer)
    return await listing(
        svc, ("education", scorer, state),
        lambda path: _plain(queries.education(path, scorer, area=state)),
        "education", fmt, limit, offset)


def _years(frame: pl.DataFrame, first: int | None, last: int | None) -> pl.DataFrame:
    if first is not None:
        frame = frame.filter(pl.col("year") >= first)
    if last is not None:
        frame = frame.filter(pl.col("year") <= last)
    return frame


def _year_range(year_from: int | None, year_to: int | None) -> int | None:
    """The one year both bounds name (the query functions filter it in SQL), else None."""
    if year_from is not None and year_to is not None and year_from > year_to:
        raise invalid("year_to", f"year_to ({year_to}) is before year_from ({year_from})")
    return year_from if year_from is not None and year_from == year_to else None


def _no_rows(frame: pl.DataFrame, year_from: int | None, year_to: int | None) -> None:
    if frame.height == 0:
        raise ConfigError(f"no forecast rows between {year_from or 'the first year'} and "
                          f"{year_to or 'the last year'}", "the forecasts run 2025-2035")


@router.get("/forecasts", response_model=ListModel, summary="Displacement forecasts")
async def forecasts(svc: Svc, scenario: ScenarioQ = None, sector: SectorQ = None,
                    occupation: OccupationQ = None, state: StateQ = None, major: MajorQ = None,
                    year_from: YearFromQ = None, year_to: YearToQ = None, limit: LimitQ = None,
                    offset: OffsetQ = 0, fmt: FormatQ = Format.json) -> Response:
    """Displaced employment (median and 80% interval) by occupation, sector, scenario and
    year, largest first within each scenario and year, with the scenario's title; for a
    state, by major SOC group (the state's occupation mix times the national rates)."""
    year = _year_range(year_from, year_to)

    def compute(path: Path) -> Result:
        place = resolve_area(path, state) if state else None
        if place is not None and not place.is_nation:
            if sector or occupation:
                raise invalid("state", "a state's forecast is by major SOC group (major=): "
                              "OEWS has no state figures by sector or detailed occupation "
                              "in the forecast")
            frame, prov = queries.area_forecasts(path, area=place.code, scenario=scenario,
                                                 major=major, year=year)
            notes = [STATE_FORECAST_NOTE]
        else:
            prefix = None if major in (None, "all") else f"{major[:2]}-"
            if prefix and occupation and not occupation.startswith(prefix[:2]):
                raise ConfigError(f"occupation {occupation} is not in major group {major}",
                                  "drop one of the two")
            frame, prov = queries.forecasts(path, scenario=scenario, sector=sector,
                                            occupation=occupation or prefix, year=year)
            notes = []
        frame = _years(frame, year_from, year_to)
        _no_rows(frame, year_from, year_to)
        return frame, prov, notes

    return await listing(
        svc, ("forecasts", scenario, sector, occupation, state, major, year_from, year_to),
        compute, "forecasts", fmt, limit, offset)


@router.get("/labour-market", response_model=ListModel, summary="Labour-market forecasts")
async def labour_market(svc: Svc, measure: MeasureQ = "displaced",  # type: ignore[assignment]
                        scenario: ScenarioQ = None, sector: SectorQ = None,
                        year_from: YearFromQ = None, year_to: YearToQ = None,
                        limit: LimitQ = None, offset: OffsetQ = 0,
                        fmt: FormatQ = Format.json) -> Response:
    """One labour-market measure of the forecast (national, or one sector's where the model
    publishes it) per scenario and year, with p10, median and p90: displaced (the national
    totals, comparable across scenarios), unemployed, re-employed, income loss and more."""
    year = _year_range(year_from, year_to)
    name = str(measure)

    def compute(path: Path) -> Result:
        frame, prov = queries.labour_market(path, name, scenario=scenario, sector=sector,
                                            year=year)
        frame = _years(frame, year_from, year_to)
        _no_rows(frame, year_from, year_to)
        return frame, prov, [f"{name}: {queries.LABOUR_MEASURES[name][0]}"]

    return await listing(
        svc, ("labour-market", name, scenario, sector, year_from, year_to), compute,
        f"labour_market_{name}", fmt, limit, offset)


@router.get("/scenarios", response_model=ListModel, summary="Scenarios")
async def scenarios(svc: Svc, limit: LimitQ = None, offset: OffsetQ = 0,
                    fmt: FormatQ = Format.json) -> Response:
    """The scenarios and policies of the latest forecast, with their titles and
    descriptions."""
    return await listing(svc, ("scenarios",), lambda path: _plain(reads.scenarios(path)),
                         "scenarios", fmt, limit, offset)


@router.get("/runs", response_model=ListModel, summary="Runs")
async def runs(svc: Svc, limit: LimitQ = None, offset: OffsetQ = 0,
               fmt: FormatQ = Format.json) -> Response:
    """Every run, newest first: successful ones from the warehouse's run table, failed ones
    from the run log."""
    reports = svc.settings.reports_dir
    return await listing(svc, ("runs",), lambda path: _plain(reads.runs(path, reports)),
                         "runs", fmt, limit, offset)


@router.get("/sources", response_model=ListModel, summary="Sources and licences")
async def sources(svc: Svc, limit: LimitQ = None, offset: OffsetQ = 0,
                  fmt: FormatQ = Format.json) -> Response:
    """The raw files the latest run read (release, checksum, rows), with each publisher and
    licence, and the O*NET CC BY 4.0 attribution."""
    return await listing(svc, ("sources",),
                         lambda path: _plain(reads.sources(path), *SOURCE_NOTES),
                         "sources", fmt, limit, offset)


WORKBOOK_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The board's workbook.",
          "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
}


@router.get("/workbook", summary="The board's workbook", response_class=Response,
            responses=WORKBOOK_RESPONSES)
async def workbook(svc: Svc, state: StateQ = None, scorer: ScorerQ = None) -> Response:
    """The nation's or a state's workbook (`exposure workbook`): README with the sources,
    sectors, occupations, wage bands, education, forecasts by scenario and the policies."""
    scorer = svc.scorer(scorer)

    def build(path: Path) -> tuple[bytes, queries.Provenance, str]:
        from exposure.workbook import write_workbook

        place = resolve_area(path, state or "US")
        buffer = io.BytesIO()
        write_workbook(path, buffer, area=place.code, scorer=scorer)
        name = "us" if place.is_nation else re.sub(r"[^a-z0-9]+", "-", place.name.lower())
        return buffer.getvalue(), reads.provenance(path), name

    data, prov, name = await svc.value(("workbook", state, scorer), build, size=2**20)
    return Response(data, media_type=XLSX, headers=provenance_headers(prov) | {
        "Content-Disposition": f'attachment; filename="exposure-{name}.xlsx"'})


@router.get("/scorers", response_model=ListModel, summary="Scorers")
async def scorers(svc: Svc, limit: LimitQ = None, offset: OffsetQ = 0,
                  fmt: FormatQ = Format.json) -> Response:
    """The scorers whose figures the latest run holds (the default first)."""
    default = svc.scorer(None)

    def compute(path: Path) -> Result:
        names = reads.scorers(path)
        frame = pl.DataFrame({"scorer": names, "default": [n == default for n in names]},
                             schema={"scorer": pl.String, "default": pl.Boolean})
        return frame.sort("default", descending=True, maintain_order=True), \
            reads.provenance(path), []

    return await listing(svc, ("scorers", default), compute, "scorers", fmt, limit, offset)


__all__ = ["router"]

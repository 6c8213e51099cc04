"""The query parameters of the API and the page, defined once with their constraints.

FastAPI validates each against its pattern or bounds before any code runs and answers 422
naming the parameter; values that pass are handed to the query functions, which bind them
as SQL parameters (never spliced into SQL).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Query

from exposure.queries import LABOUR_MEASURES
from exposure.web.listing import MAX_LIMIT, Format

Measure = StrEnum("Measure", {name: name for name in LABOUR_MEASURES})

ScorerQ = Annotated[str | None, Query(
    pattern=r"^[A-Za-z0-9_.:-]{1,100}$",
    description="Which scorer's figures, e.g. rubric:human:beta (default: the first of "
    "EXPOSURE_SCORERS).")]
YearQ = Annotated[int | None, Query(ge=2000, le=2100,
                                    description="OEWS May year, e.g. 2024.")]
SectorQ = Annotated[str | None, Query(
    pattern=r"^\d{2}(-\d{2})?$", description="NAICS sector, e.g. 52 or 31-33.")]
MajorQ = Annotated[str | None, Query(
    pattern=r"^(\d{2}(-(0000)?)?|all)$",
    description="Major SOC group: 15 or 15-0000 (all: every occupation).")]
StateQ = Annotated[str | None, Query(
    min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9 .-]*$",
    description="A state: FIPS code (6 or 06), postal abbreviation (OH), name (Ohio), or "
    "US for the nation.")]
MinEmploymentQ = Annotated[float | None, Query(
    ge=0, le=1e9, description="Only rows with at least this employment.")]
SearchQ = Annotated[str | None, Query(
    min_length=1, max_length=100,
    description="Title words (whole words: nurse finds Registered Nurses, not Nursery) or "
    "a code prefix such as 29-11.")]
DetailQ = Annotated[bool, Query(
    description="National O*NET occupations with their split employment instead of the "
    "BLS occupations.")]
ScenarioQ = Annotated[str | None, Query(
    pattern=r"^[A-Za-z0-9_.-]{1,40}$", description="Scenario id, e.g. P1 (see /api/scenarios).")]
OccupationQ = Annotated[str | None, Query(
    pattern=r"^\d{2}(-\d{0,4})?$", description="SOC code or prefix, e.g. 15-1252 or 43-.")]
YearFromQ = Annotated[int | None, Query(ge=2000, le=2100, description="First year, e.g. 2025.")]
YearToQ = Annotated[int | None, Query(ge=2000, le=2100, description="Last year, e.g. 2035.")]
MeasureQ = Annotated[Measure, Query(description="A labour-market measure of the forecast.")]
LimitQ = Annotated[int | None, Query(
    ge=1, le=MAX_LIMIT,
    description=f"Rows per page, at most {MAX_LIMIT:,} (default: 100 for json, every row for "
    "csv and xlsx).")]
OffsetQ = Annotated[int, Query(ge=0, le=100_000_000, description="Rows to skip.")]
FormatQ = Annotated[Format, Query(
    alias="format", description="json (a page of rows), csv or xlsx (a download).")]

__all__ = ["DetailQ", "FormatQ", "LimitQ", "MajorQ", "Measure", "MeasureQ", "MinEmploymentQ",
           "OccupationQ", "OffsetQ", "ScenarioQ", "ScorerQ", "SearchQ", "SectorQ", "StateQ",
           "YearFromQ", "YearQ", "YearToQ"]

"""Pandera models of the roll-up tables.

The columns named in DESIGN.md (`occupation_exposure`, `sector_exposure`, `area_exposure`)
come first in each model; the others are additions that say how far a figure can be trusted
(coverage) or let a reader recompute it. `run_id` is added by the flow, not here.

Conventions shared by every table:
- `exposure` is a task-weighted mean score in [0, 1]: for an occupation over its scored
  tasks, for a group of occupations weighted by employment (or wage bill) over the group's
  *covered* employment: published (not suppressed) detailed OEWS cells whose BLS code
  reaches a scored O*NET occupation through the crosswalk split.
- `exposed_employment` = `employment` x `exposure`: the group's employment in
  full-time-equivalents of exposed task time (a worker whose tasks are 40% exposed counts
  0.4). Uncovered employment is assumed exposed at the covered average, so that
  `exposed_employment / employment == exposure`; `covered_employment_share` says how much
  of `employment` the figure rests on. `exposed_wage_bill` is the same for the wage bill.
- `published_employment_share`: the share of `employment` in detailed cells BLS publishes;
  the gap between it and `covered_employment_share` is employment in BLS codes with no
  scored O*NET occupation (mostly "All Other" codes, which O*NET gives no tasks).
"""

from __future__ import annotations

from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.codes import ONET_SOC_PATTERN, SOC_MAJOR, SOC_MAJOR_PATTERN, SOC_PATTERN
from exposure.task_weights import BY_TASK_TYPE, IMPORTANCE

UNIT = {"min_value": 0, "max_value": 1}
# floating-point sums may overshoot 1 by a few ulps
SHARE = {"min_value": 0, "max_value": 1 + 1e-9}
SD = {"min_value": 0, "max_value": 0.5 + 1e-9}  # of a quantity in [0, 1]
YEAR = {"min_value": 2000, "max_value": 2100}
NON_NEGATIVE = {"ge": 0}
ALL = "all"
AREA_CODE = r"^(US|\d{2})$"  # the nation, or a state's 2-digit FIPS code
# what an occupation's weights come from (see `exposure.task_weights`)
WEIGHT_SOURCES = [IMPORTANCE, BY_TASK_TYPE]


class OccupationScoreModel(pa.DataFrameModel):
    """Task scores rolled up to one O*NET occupation (no employment yet)."""

    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN, unique=True)
    exposure: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)
    share_exposed: pl.Float64 = pa.Field(nullable=True, in_range=SHARE)
    n_tasks: pl.UInt32 = pa.Field(**NON_NEGATIVE)
    n_scored: pl.UInt32 = pa.Field(**NON_NEGATIVE)
    scored_weight_share: pl.Float64 = pa.Field(in_range=SHARE)
    weight_source: str = pa.Field(isin=WEIGHT_SOURCES)
    exposure_sd: pl.Float64 = pa.Field(nullable=True, in_range=SD)
    exposure_p10: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)
    exposure_p90: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)


class OccupationExposureModel(pa.DataFrameModel):
    """`occupation_exposure`: one row per O*NET occupation of the scored task list."""

    scorer: str
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN, unique=True)
    title: str = pa.Field(nullable=True)
    soc_code: str = pa.Field(nullable=True, str_matches=SOC_PATTERN)
    exposure: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)
    share_exposed: pl.Float64 = pa.Field(nullable=True, in_range=SHARE)
    employment: pl.Float64 = pa.Field(nullable=True, **NON_NEGATIVE)
    employment_year: pl.Int16 = pa.Field(in_range=YEAR)
    # additions
    split_weight: pl.Float64 = pa.Field(nullable=True, in_range=SHARE)
    split_rule: str = pa.Field(nullable=True)
    annual_mean_wage: pl.Float64 = pa.Field(nullable=True, **NON_NEGATIVE)
    n_tasks: pl.UInt32 = pa.Field(**NON_NEGATIVE)
    n_scored: pl.UInt32 = pa.Field(**NON_NEGATIVE)
    weight_source: str = pa.Field(isin=WEIGHT_SOURCES)
    exposure_sd: pl.Float64 = pa.Field(nullable=True, in_range=SD)
    exposure_p10: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)
    exposure_p90: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)


# Field factories for the measures every group table shares (a model lists its own keys
# first, so each table reads key columns, then measures, in the same order).
def _share() -> pa.Field:
    return pa.Field(in_range=SHARE)


def _unit(nullable: bool = True) -> pa.Field:
    return pa.Field(nullable=nullable, in_range=UNIT)


def _amount(nullable: bool = False) -> pa.Field:
    return pa.Field(nullable=nullable, **NON_NEGATIVE)


class SectorExposureModel(pa.DataFrameModel):
    """`sector_exposure`: one row per OEWS NAICS sector (99 = government) and year."""

    scorer: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    naics_sector: str
    sector_title: str
    employment: pl.Float64 = _amount()
    exposure: pl.Float64 = _unit()
    exposure_wage_weighted: pl.Float64 = _unit()
    exposed_employment: pl.Float64 = _amount(nullable=True)
    # additions
    exposed_wage_bill: pl.Float64 = _amount(nullable=True)
    wage_bill: pl.Float64 = _amount(nullable=True)
    covered_employment: pl.Float64 = _amount()
    covered_employment_share: pl.Float64 = _share()
    published_employment_share: pl.Float64 = _share()
    covered_wage_bill_share: pl.Float64 = pa.Field(nullable=True, in_range=SHARE)

    class Config:
        unique: ClassVar[list[str]] = ["scorer", "year", "naics_sector"]


class MajorGroupExposureModel(pa.DataFrameModel):
    """National cross-industry exposure by major SOC group (e.g. `15-0000`)."""

    scorer: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    soc_major: str = pa.Field(str_matches=SOC_PATTERN)
    soc_major_title: str
    employment: pl.Float64 = _amount()
    exposure: pl.Float64 = _unit()
    exposure_wage_weighted: pl.Float64 = _unit()
    exposed_employment: pl.Float64 = _amount(nullable=True)
    exposed_wage_bill: pl.Float64 = _amount(nullable=True)
    wage_bill: pl.Float64 = _amount(nullable=True)
    covered_employment: pl.Float64 = _amount()
    covered_employment_share: pl.Float64 = _share()
    published_employment_share: pl.Float64 = _share()
    covered_wage_bill_share: pl.Float64 = pa.Field(nullable=True, in_range=SHARE)

    class Config:
        unique: ClassVar[list[str]] = ["scorer", "year", "soc_major"]


class AreaExposureModel(pa.DataFrameModel):
    """`area_exposure`: states, DC and territories, and the nation (`US`) beside them."""

    scorer: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    area_code: str = pa.Field(str_matches=AREA_CODE)
    area_name: str
    area_type: str = pa.Field(isin=["nation", "state", "territory"])
    soc_major: str = pa.Field(str_matches=rf"^({ALL}|{SOC_MAJOR})$")
    soc_major_title: str
    employment: pl.Float64 = _amount()
    exposure: pl.Float64 = _unit()
    exposed_employment: pl.Float64 = _amount(nullable=True)
    national_exposure: pl.Float64 = _unit()
    covered_employment: pl.Float64 = _amount()
    covered_employment_share: pl.Float64 = _share()
    published_employment_share: pl.Float64 = _share()

    class Config:
        unique: ClassVar[list[str]] = ["scorer", "year", "area_code", "soc_major"]


def _quintile(nullable: bool = False) -> pa.Field:
    return pa.Field(nullable=nullable, ge=1, le=5)


class BlsOccupationExposureModel(pa.DataFrameModel):
    """`bls_occupation_exposure`: one row per national OEWS detailed code (BLS level)."""

    scorer: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    soc_code: str = pa.Field(str_matches=SOC_PATTERN, unique=True)
    soc_title: str
    soc_major: str = pa.Field(str_matches=SOC_MAJOR_PATTERN)
    soc_major_title: str
    employment: pl.Float64 = _amount(nullable=True)
    annual_mean_wage: pl.Float64 = _amount(nullable=True)
    exposure: pl.Float64 = _unit()
    share_exposed: pl.Float64 = pa.Field(nullable=True, in_range=SHARE)
    onet_occupations: pl.Int32 = pa.Field(**NON_NEGATIVE)
    split_rule: str = pa.Field(nullable=True)
    wage_quintile: pl.Int8 = _quintile(nullable=True)
    typical_education: str
    # addition
    covered_employment: pl.Float64 = _amount()


class SectorOccupationExposureModel(pa.DataFrameModel):
    """`sector_occupation_exposure`: NAICS sector x published detailed code, national."""

    scorer: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    naics_sector: str
    sector_title: str
    soc_code: str = pa.Field(str_matches=SOC_PATTERN)
    soc_title: str
    soc_major: str = pa.Field(str_matches=SOC_MAJOR_PATTERN)
    employment: pl.Float64 = _amount()
    annual_mean_wage: pl.Float64 = _amount(nullable=True)
    exposure: pl.Float64 = _unit()
    covered_employment: pl.Float64 = _amount()

    class Config:
        unique: ClassVar[list[str]] = ["scorer", "year", "naics_sector", "soc_code"]


class AreaOccupationExposureModel(pa.DataFrameModel):
    """`area_occupation_exposure`: state (DC, territory) x published detailed code."""

    scorer: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    area_code: str = pa.Field(str_matches=AREA_CODE)
    area_name: str
    area_type: str = pa.Field(isin=["state", "territory"])
    soc_code: str = pa.Field(str_matches=SOC_PATTERN)
    soc_title: str
    soc_major: str = pa.Field(str_matches=SOC_MAJOR_PATTERN)
    employment: pl.Float64 = _amount()
    annual_mean_wage: pl.Float64 = _amount(nullable=True)
    exposure: pl.Float64 = _unit()
    national_exposure: pl.Float64 = _unit()
    wage_quintile: pl.Int8 = _quintile()
    typical_education: str
    covered_employment: pl.Float64 = _amount()

    class Config:
        unique: ClassVar[list[str]] = ["scorer", "year", "area_code", "soc_code"]


class WageBandExposureModel(pa.DataFrameModel):
    """`wage_band_exposure`: the nation and each area per wage quintile."""

    scorer: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    area_code: str = pa.Field(str_matches=AREA_CODE)
    area_name: str
    wage_quintile: pl.Int8 = _quintile()
    band_title: str
    wage_low: pl.Float64 = _amount()
    wage_high: pl.Float64 = _amount(nullable=True)
    employment: pl.Float64 = _amount()
    exposure: pl.Float64 = _unit()
    exposed_employment: pl.Float64 = _amount(nullable=True)
    covered_employment: pl.Float64 = _amount()

    class Config:
        unique: ClassVar[list[str]] = ["scorer", "year", "area_code", "wage_quintile"]


class EducationExposureModel(pa.DataFrameModel):
    """`education_exposure`: the nation and each area per typical entry education."""

    scorer: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    area_code: str = pa.Field(str_matches=AREA_CODE)
    area_name: str
    typical_education: str
    education_rank: pl.Int8 = pa.Field(nullable=True, ge=1, le=8)
    employment: pl.Float64 = _amount()
    exposure: pl.Float64 = _unit()
    exposed_employment: pl.Float64 = _amount(nullable=True)
    covered_employment: pl.Float64 = _amount()

    class Config:
        unique: ClassVar[list[str]] = ["scorer", "year", "area_code", "typical_education"]


class AreaForecastModel(pa.DataFrameModel):
    """`area_forecast`: national occupation displacement rates applied to a state's mix."""

    scenario: str
    year: pl.Int16 = pa.Field(in_range=YEAR)
    area_code: str = pa.Field(str_matches=r"^\d{2}$")
    area_name: str
    soc_major: str = pa.Field(str_matches=rf"^({ALL}|{SOC_MAJOR})$")
    soc_major_title: str
    employment: pl.Float64 = _amount()
    displaced_p10: pl.Float64 = _amount()
    displaced_p50: pl.Float64 = _amount()
    displaced_p90: pl.Float64 = _amount()
    displaced_share: pl.Float64 = pa.Field(nullable=True, in_range=SHARE)
    method: str

    class Config:
        unique: ClassVar[list[str]] = ["scenario", "year", "area_code", "soc_major"]


class HeadlineModel(pa.DataFrameModel):
    """Employment-weighted share of workers whose occupations reach a share of exposed tasks."""

    scorer: str
    employment_year: pl.Int16 = pa.Field(in_range=YEAR)
    measure: str
    threshold: pl.Float64 = pa.Field(in_range=UNIT)
    inclusive: bool
    share_of_workers: pl.Float64 = pa.Field(in_range=SHARE)
    workers: pl.Float64 = pa.Field(**NON_NEGATIVE)
    covered_workers: pl.Float64 = pa.Field(**NON_NEGATIVE)


def conform(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """Validate `frame` and return it with the model's columns in the model's order."""
    columns = list(model.to_schema().columns)
    out = frame.select(columns)
    model.validate(out)
    return out

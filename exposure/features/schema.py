"""`TaskFeatureModel`: the pandera model of the `task_feature` table.

One row per task; every feature column is a Float64 in [0, 1] (null where its input is
missing); the aggregates are never null (each group has a component every task has).
A test checks that the fields are exactly the columns of `registry.COMPONENTS`.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from exposure.codes import ONET_SOC_PATTERN

UNIT = {"min_value": 0.0, "max_value": 1.0}


def _unit(nullable: bool = True) -> pl.Float64:
    return pa.Field(nullable=nullable, in_range=UNIT)


class TaskFeatureModel(pa.DataFrameModel):
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    task_id: pl.Int64 = pa.Field(unique=True)
    # 1.1 data availability
    da_computers_dwa: pl.Float64 = _unit()
    da_documenting_dwa: pl.Float64 = _unit()
    da_processing_dwa: pl.Float64 = _unit()
    da_not_physical_dwa: pl.Float64 = _unit()
    da_information_iwa: pl.Float64 = _unit()
    da_text_verb: pl.Float64 = _unit()
    da_text_object: pl.Float64 = _unit()
    da_tech_skills: pl.Float64 = _unit()
    da_hot_tech: pl.Float64 = _unit()
    da_programming: pl.Float64 = _unit()
    da_writing: pl.Float64 = _unit()
    da_mathematics: pl.Float64 = _unit()
    da_computers_knowledge: pl.Float64 = _unit()
    da_practitioners: pl.Float64 = _unit()
    da_computers_wa: pl.Float64 = _unit()
    da_documenting_wa: pl.Float64 = _unit()
    da_processing_wa: pl.Float64 = _unit()
    da_not_hands_wc: pl.Float64 = _unit()
    # 1.2 verifiability
    v_verb: pl.Float64 = _unit()
    v_job_zone: pl.Float64 = _unit()
    v_exact: pl.Float64 = _unit()
    v_repetition: pl.Float64 = _unit()
    v_structured: pl.Float64 = _unit()
    v_automation: pl.Float64 = _unit()
    v_not_caring_dwa: pl.Float64 = _unit()
    v_not_face_to_face_dwa: pl.Float64 = _unit()
    v_not_face_to_face_wc: pl.Float64 = _unit()
    v_not_caring_wa: pl.Float64 = _unit()
    v_benchmark: pl.Float64 = _unit()
    # aggregates and the other inputs of the forecasts
    data_availability: pl.Float64 = _unit(nullable=False)
    verifiability: pl.Float64 = _unit(nullable=False)
    gatekeeping: pl.Float64 = _unit()
    manual_intensity: pl.Float64 = _unit()
    face_to_face: pl.Float64 = _unit()
    job_zone: pl.Int8 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 5})

    class Config:
        strict = True
        ordered = True

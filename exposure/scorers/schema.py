"""The pandera model of `task_exposure` (kept apart from `base` so that scoring does not
import pandera, which costs a second of every command's start)."""

from __future__ import annotations

from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.codes import ONET_SOC_PATTERN
from exposure.scorers.base import MAX_SD


class TaskExposureModel(pa.DataFrameModel):
    """`task_exposure`: one scorer's scores of one run."""

    scorer: str
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    task_id: pl.Int64
    score: pl.Float64 = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 1})
    score_sd: pl.Float64 = pa.Field(nullable=True, in_range={"min_value": 0,
                                                             "max_value": MAX_SD})

    class Config:
        # a task is scored once per scorer and run
        unique: ClassVar[list[str]] = ["onet_soc_code", "task_id"]

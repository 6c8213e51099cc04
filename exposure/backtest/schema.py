"""The pandera model of the `backtest` table: one long table of four kinds of rows per
scorer (see `exposure.backtest`; their names in `terms`), each filling the columns that apply
to it and leaving the rest null."""

from __future__ import annotations

from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.backtest.terms import KINDS, TERMS
from exposure.rollup.schemas import SHARE, UNIT, YEAR


class BacktestModel(pa.DataFrameModel):
    """`backtest`: exposure against the change of national employment, per scorer."""

    scorer: str
    base_year: pl.Int16 = pa.Field(in_range=YEAR)
    end_year: pl.Int16 = pa.Field(in_range=YEAR)
    kind: str = pa.Field(isin=list(KINDS))
    term: str = pa.Field(isin=list(TERMS))
    n_occupations: pl.Int32 = pa.Field(ge=0)
    employment_base: pl.Float64 = pa.Field(nullable=True, ge=0)
    employment_end: pl.Float64 = pa.Field(nullable=True, ge=0)
    growth: pl.Float64 = pa.Field(nullable=True, ge=-1)
    exposure: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)
    exposure_low: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)
    exposure_high: pl.Float64 = pa.Field(nullable=True, in_range=UNIT)
    estimate: pl.Float64 = pa.Field(nullable=True)
    std_error: pl.Float64 = pa.Field(nullable=True, ge=0)
    ci_low: pl.Float64 = pa.Field(nullable=True)
    ci_high: pl.Float64 = pa.Field(nullable=True)
    r_squared: pl.Float64 = pa.Field(nullable=True, in_range=SHARE)

    class Config:
        unique: ClassVar[list[str]] = ["scorer", "kind", "term"]


def schema() -> dict[str, pl.DataType]:
    """The table's columns and their types, to build its rows from dicts."""
    return {name: column.dtype.type for name, column in BacktestModel.to_schema().columns.items()}

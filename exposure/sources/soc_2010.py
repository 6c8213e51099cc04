"""The BLS SOC 2010 to SOC 2018 crosswalk (`soc_naics/soc_2010_to_soc_2018_crosswalk.csv`,
listed in SOURCES.md).

One row per (2010 code, 2018 code) pair: a 2010 code split into several 2018 codes has a row
for each, and several 2010 codes merged into one 2018 code have a row each. `exposure compare`
reads it to compare with indexes published on SOC 2010 codes (many published exposure indexes
are). The table keeps the pairs as published; how a split is weighted is the comparison's
choice (`exposure.scorers.soc_versions`), not the source's.
"""

from __future__ import annotations

from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.codes import SOC_PATTERN
from exposure.sources.base import ROW, IngestContext, read_delimited, validate

FILE = "soc_naics/soc_2010_to_soc_2018_crosswalk.csv"
COLUMNS = ("soc_2010_code", "soc_2010_title", "soc_2018_code", "soc_2018_title")
TABLE = "soc_2010_crosswalk"


class Soc2010CrosswalkModel(pa.DataFrameModel):
    """One SOC 2010 -> SOC 2018 pair, with how many pairs share each side."""

    soc_2010_code: str = pa.Field(str_matches=SOC_PATTERN)
    soc_2010_title: str
    soc_2018_code: str = pa.Field(str_matches=SOC_PATTERN)
    soc_2018_title: str
    n_2018: pl.Int32 = pa.Field(ge=1)  # SOC 2018 codes the 2010 code maps to (>1: a split)
    n_2010: pl.Int32 = pa.Field(ge=1)  # SOC 2010 codes mapped to the 2018 code (>1: a merge)

    class Config:
        unique: ClassVar[list[str]] = ["soc_2010_code", "soc_2018_code"]


def read_soc_2010(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """The `soc_2010_crosswalk` table."""
    path = ctx.locate(FILE)
    file = ctx.relative(path)
    raw = read_delimited(path, file, COLUMNS, separator=",")
    pairs = raw.select(
        ROW, *(pl.col(c).str.strip_chars() for c in COLUMNS)
    ).with_columns(
        pl.len().over("soc_2010_code").cast(pl.Int32).alias("n_2018"),
        pl.len().over("soc_2018_code").cast(pl.Int32).alias("n_2010"),
    )
    table = validate(pairs, Soc2010CrosswalkModel, file, ctx)
    ctx.record(TABLE, path, "SOC 2010 to SOC 2018 (BLS)", table.height)
    return {TABLE: table.sort("soc_2010_code", "soc_2018_code")}

"""BLS O*NET-SOC to National Employment Matrix crosswalk, and how employment is split over it.

O*NET describes 1,016 O*NET-SOC 2019 occupations; OEWS and the Employment Projections count
employment by NEM code (SOC 2018 plus 12 aggregates, SOURCES.md caveat C3). The crosswalk maps
997 of the O*NET occupations to a NEM code (the 19 military `55-` occupations have no civilian
employment). Its `soc_code` is the NEM code, which equals the OEWS `OCC_CODE`.

Several O*NET occupations can share one NEM code (`11-1011` Chief executives receives
`11-1011.00` and `11-1011.03`). `split_crosswalk` divides each code's employment among them:

- `sole`: the only O*NET occupation of its code, with task statements: weight 1.
- `sole_no_tasks`: the only O*NET occupation of its code, without task statements: weight 1
  (nothing else could take the employment), but it carries no task-based exposure.
- `equal_with_tasks`: the code is shared; its employment is split equally among the sharing
  occupations that have task statements.
- `no_tasks`: weight 0, because this occupation has no task statements while a sibling does.
  An occupation without tasks cannot carry a task-based exposure, so giving it employment
  would silently drop that employment from every exposure roll-up.
- `equal_no_tasks`: the code is shared and no sharing occupation has tasks: split equally.

The weights of one code always sum to 1, so splitting never creates or loses employment.
Equal shares are the only defensible split without occupation-level O*NET employment data.
"""

from __future__ import annotations

from typing import ClassVar

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from exposure.codes import ONET_SOC_PATTERN, SOC_PATTERN
from exposure.sources.base import ROW, IngestContext, read_sheet, validate

FILE = "gpts_are_gpts/nem-onet-to-soc-crosswalk.xlsx"
SHEET = "ONET to SOC crosswalk"
HEADER_ROW = 5  # four title rows (publisher, office, "As of" date, description) come first
RELEASE = "BLS O*NET-SOC to NEM crosswalk"
COLUMNS = {
    "O*NET-SOC Code": "onet_soc_code",
    "O*NET-SOC Title": "onet_title",
    "NEM Code": "soc_code",
    "National Employment Matrix Occupational Title": "soc_title",
}
# the rules under which a code's employment lands on an occupation with task statements
TASK_RULES = ("sole", "equal_with_tasks")


class CrosswalkModel(pa.DataFrameModel):
    """One O*NET-SOC occupation and the NEM (= OEWS) code whose employment it shares."""

    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    onet_title: str
    soc_code: str = pa.Field(str_matches=SOC_PATTERN)
    soc_title: str

    class Config:
        unique: ClassVar[list[str]] = ["onet_soc_code"]

    @pa.dataframe_check
    def same_minor_group(cls, data: PolarsData) -> pl.LazyFrame:
        """NEM aggregates stay inside a SOC minor group; a mismatch means shifted cells."""
        return data.lazyframe.select(
            pl.col("onet_soc_code").str.slice(0, 4) == pl.col("soc_code").str.slice(0, 4)
        )


def _normalise(raw: pl.DataFrame) -> pl.DataFrame:
    """Text sheet -> warehouse names with surrounding blanks removed, `_row` kept."""
    return raw.select(ROW, *(pl.col(k).str.strip_chars().alias(v) for k, v in COLUMNS.items()))


def read_crosswalk(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """The `crosswalk` table: O*NET-SOC code -> NEM code (= OEWS OCC_CODE)."""
    path = ctx.locate(FILE)
    file = ctx.relative(path)
    raw = read_sheet(path, file, list(COLUMNS), sheet=SHEET, header_row=HEADER_ROW)
    frame = validate(_normalise(raw), CrosswalkModel, file, ctx)
    ctx.record("crosswalk", path, RELEASE, frame.height)
    return {"crosswalk": frame}


def split_crosswalk(
    crosswalk: pl.DataFrame, onet_with_tasks: pl.Series | set[str]
) -> pl.DataFrame:
    """Add `n_sharing`, `split_weight` and `split_rule` (see the module docstring)."""
    tasks = pl.Series(list(onet_with_tasks), dtype=pl.String).unique()
    has_tasks = pl.col("onet_soc_code").is_in(tasks.implode())
    n_sharing = pl.len().over("soc_code").cast(pl.Int32)
    n_tasks = has_tasks.sum().over("soc_code")
    rule = (
        pl.when(n_sharing == 1).then(pl.when(has_tasks).then(pl.lit("sole"))
                                     .otherwise(pl.lit("sole_no_tasks")))
        .when(n_tasks == 0).then(pl.lit("equal_no_tasks"))
        .when(has_tasks).then(pl.lit("equal_with_tasks"))
        .otherwise(pl.lit("no_tasks"))
    )
    weight = (
        pl.when(n_tasks == 0).then(1.0 / n_sharing)
        .when(has_tasks).then(1.0 / n_tasks)
        .otherwise(0.0)
    )
    return crosswalk.with_columns(
        n_sharing.alias("n_sharing"),
        weight.cast(pl.Float64).alias("split_weight"),
        rule.alias("split_rule"),
    )


def crosswalk_coverage(employment: pl.DataFrame, crosswalk_split: pl.DataFrame) -> float:
    """Share of detailed employment whose code reaches an O*NET occupation with tasks.

    `employment` holds national cross-industry rows with `soc_code`, `o_group` and
    `employment`; only `o_group == 'detailed'` rows count, and suppressed (null)
    employment counts in neither the numerator nor the denominator.
    """
    reached = crosswalk_split.filter(pl.col("split_rule").is_in(TASK_RULES))
    detailed = employment.filter(pl.col("o_group") == "detailed")
    total = detailed.get_column("employment").sum()
    if not total:
        raise ValueError("no detailed employment to measure the crosswalk's coverage against")
    covered = detailed.filter(
        pl.col("soc_code").is_in(reached.get_column("soc_code").unique().implode())
    ).get_column("employment").sum()
    return covered / total

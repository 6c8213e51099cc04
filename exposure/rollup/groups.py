"""Employment-weighted roll-up of OEWS cells into groups (sectors, SOC groups, areas).

A group's `employment` (and wage bill) is the published total of the group (the OEWS total
or major-group row), never a sum of detailed cells, because BLS suppresses some detailed
cells. Its exposure is computed over the *covered* part: detailed cells with published
employment whose BLS code reaches a scored O*NET occupation (see `employment.soc_scores`),
each weighing employment x scored_weight (or that times the annual wage for the wage-bill
weighting; cells without any published wage drop out of that weighting only).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from exposure import codes


def soc_major() -> pl.Expr:
    """`soc_major`: the major SOC group of the `soc_code` column ('15-1252' -> '15-0000')."""
    return codes.soc_major(pl.col("soc_code")).alias("soc_major")


def covered_cells(cells: pl.DataFrame, soc: pl.DataFrame) -> pl.DataFrame:
    """`cells` (soc_code, employment, annual_wage, any keys) with `exposure`,
    `covered_employment` and `covered_wage_bill` (0 where not covered)."""
    joined = cells.join(soc.select("soc_code", "exposure", "scored_weight"), on="soc_code",
                        how="left")
    covered = (pl.col("employment") * pl.col("scored_weight")).fill_null(0.0)
    return joined.with_columns(covered.alias("covered_employment")).with_columns(
        (pl.col("covered_employment") * pl.col("annual_wage")).fill_null(0.0)
        .alias("covered_wage_bill"),
    )


def _weighted(value: str, weight: str) -> pl.Expr:
    total = pl.col(weight).sum()
    return pl.when(total > 0).then((pl.col(value) * pl.col(weight)).sum() / total)


def group_exposure(cells: pl.DataFrame, soc: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Per group of `keys`: published_employment (detailed cells not suppressed),
    covered_employment, covered_wage_bill, exposure (employment-weighted) and
    exposure_wage_weighted, over the covered detailed cells."""
    covered = covered_cells(cells, soc).with_columns(pl.col("exposure").fill_null(0.0))
    return covered.group_by(keys).agg(
        pl.col("employment").sum().alias("published_employment"),
        pl.col("covered_employment").sum(),
        pl.col("covered_wage_bill").sum(),
        _weighted("exposure", "covered_employment").clip(0.0, 1.0).alias("exposure"),
        _weighted("exposure", "covered_wage_bill").clip(0.0, 1.0)
        .alias("exposure_wage_weighted"),
    )


def finish(groups: pl.DataFrame, totals: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Join the published totals (`keys`, employment, wage_bill) to the group figures and
    derive the exposed and coverage columns. Every total row is kept: a group without a
    covered cell gets a null exposure and zero coverage."""
    out = totals.join(groups, on=list(keys), how="left").with_columns(
        pl.col("published_employment", "covered_employment", "covered_wage_bill")
        .fill_null(0.0),
    )
    return out.with_columns(
        (pl.col("employment") * pl.col("exposure")).alias("exposed_employment"),
        (pl.col("published_employment") / pl.col("employment")).clip(upper_bound=1.0)
        .alias("published_employment_share"),
        # published cells are rounded, so a group's covered cells can sum to a hair more
        # than its published total (by up to 0.1% in small state groups): capped at 1
        (pl.col("covered_employment") / pl.col("employment")).clip(upper_bound=1.0)
        .alias("covered_employment_share"),
        (pl.col("wage_bill") * pl.col("exposure_wage_weighted")).alias("exposed_wage_bill"),
        (pl.col("covered_wage_bill") / pl.col("wage_bill")).clip(upper_bound=1.0)
        .alias("covered_wage_bill_share"),
    )

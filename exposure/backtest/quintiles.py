"""Employment growth per exposure quintile, and the gap between the most exposed fifth and
the rest.

Quintiles are employment-weighted: occupations are sorted by exposure and each goes to the
fifth of base-year employment that holds the midpoint of its own employment, so each
quintile holds about (occupations are whole, not exactly) a fifth of the base year's
employment. A quintile's growth is its summed end-year employment over its summed base-year
employment, minus one: the growth of those jobs taken together, not a mean of rates.
"""

from __future__ import annotations

import polars as pl

from exposure.backtest.terms import QUINTILES


def exposure_quintiles(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (soc_code, exposure, employment_base, ...; every exposure set) with
    `quintile` (1 least exposed to 5)."""
    ordered = frame.sort("exposure", "soc_code")
    weight = pl.col("employment_base")
    midpoint = (weight.cum_sum() - weight / 2) / weight.sum()
    return ordered.with_columns(
        (midpoint * QUINTILES).floor().cast(pl.Int8).clip(0, QUINTILES - 1).add(1)
        .alias("quintile"))


def growth(frame: pl.DataFrame) -> float:
    """Summed end-year over summed base-year employment of `frame`, minus one."""
    return float(frame["employment_end"].sum() / frame["employment_base"].sum() - 1)


def quintile_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per quintile (term Q1 ... Q5): n_occupations, employment_base,
    employment_end, growth, exposure (employment-weighted mean), exposure_low and
    exposure_high (its least and most exposed occupation)."""
    weight = pl.col("employment_base")
    return (exposure_quintiles(frame).group_by("quintile").agg(
        pl.len().cast(pl.Int32).alias("n_occupations"),
        weight.sum().alias("employment_base"),
        pl.col("employment_end").sum(),
        ((weight * pl.col("exposure")).sum() / weight.sum()).alias("exposure"),
        pl.col("exposure").min().alias("exposure_low"),
        pl.col("exposure").max().alias("exposure_high"),
    ).sort("quintile").with_columns(
        pl.format("Q{}", "quintile").alias("term"),
        (pl.col("employment_end") / pl.col("employment_base") - 1).alias("growth"),
    ).drop("quintile"))


def top_minus_rest(frame: pl.DataFrame) -> float:
    """Growth of the most exposed quintile minus the growth of the other four together."""
    ranked = exposure_quintiles(frame)
    top = pl.col("quintile") == QUINTILES
    return growth(ranked.filter(top)) - growth(ranked.filter(~top))

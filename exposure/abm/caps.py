"""Coupled mode's caps (MODEL_SPEC §4 step 4): each sector's AI take-up α_j(t) from the
aggregate forecast of the same scenario.

α_j(year) is the baseline-employment-weighted mean over the sector's occupations of the
forecast's ``automated_share_mean`` (share of task time automated since 2025, before
θ_sub), read at mid-year and interpolated linearly month by month from 0 at t0.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def sector_caps(displacement_forecast: pl.DataFrame, scenario: str,
                sectors: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(years + 0.5, caps sectors × years) from the forecast's table for ``scenario``."""
    rows = displacement_forecast.filter(pl.col("scenario") == scenario)
    if rows.height == 0:
        raise ValueError(f"the forecast tables have no rows for scenario {scenario}")
    cap = (rows.group_by("naics_sector", "year")
           .agg(((pl.col("baseline_employment") * pl.col("automated_share_mean")).sum()
                 / pl.col("baseline_employment").sum()).alias("cap")))
    years = np.array(sorted(cap["year"].unique().to_list()), dtype=np.float64)
    out = np.zeros((len(sectors), years.shape[0]))
    pos = {s: i for i, s in enumerate(sectors)}
    for sector, year, value in cap.iter_rows():
        if sector in pos:
            out[pos[sector], int(np.searchsorted(years, year))] = value or 0.0
    return years + 0.5, out


def cap_at(t: float, t0: float, grid: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """α_j at time ``t`` (years), per sector."""
    xs = np.concatenate([[t0], grid])
    return np.array([np.interp(t, xs, np.concatenate([[0.0], row])) for row in caps])

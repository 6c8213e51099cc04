"""The labour-market stock-flow of MODEL_SPEC §7.5, per Monte-Carlo draw.

Workers displaced by AI enter unemployment and leave it at the monthly re-employment hazard
h. Months run from the forecast start t0; the cumulative displacement of each year's grid
point is interpolated linearly between grid points (from 0 at t0), so the inflow of a month
is the growth of that path. Within a month, the newly displaced and those already unemployed
are re-employed with probability h, so that h = 1 leaves nobody unemployed:

    U(m+1) = (U(m) + Displaced(m))·(1 − h)

Income, per displaced worker with the mean wage of the displaced: unemployment insurance
replaces `ui_replacement` (0.45) of the wage for `ui_months` (6) months, then nothing; the
re-employed earn min(1, η + 0.1) of their old wage. The spec gives 0.8 for the re-employed
and η for income replaced within the year; tying the two (0.75 at η's centre, 0.6-0.9 over
its range, as §4's 0.75-0.8) makes P4's upskilling raise re-employment wages and makes
h = η = 1 leave labour income unchanged (the §7.5 invariant). Every figure is read at the
years' grid points (mid-year) as an annual rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

REEMPLOYED_GAIN = 0.1  # the re-employed earn η + 0.1 of the old wage (capped at 1)


@dataclass(frozen=True)
class StockFlow:
    """Stocks at the grid points, each (D, Y): unemployed on UI, unemployed after it,
    re-employed."""

    insured: np.ndarray
    uninsured: np.ndarray
    reemployed: np.ndarray

    @property
    def unemployed(self) -> np.ndarray:
        return self.insured + self.uninsured


def stock_flow(displaced: np.ndarray, t_grid: np.ndarray, t0: float, hazard: np.ndarray,
               ui_months: int) -> StockFlow:
    """The stocks of §7.5 from cumulative displacement (D, Y) at ``t_grid`` and h (D,)."""
    n_draws, n_years = displaced.shape
    months = int(np.ceil((t_grid[-1] - t0) * 12.0))
    times = t0 + np.arange(months + 1) / 12.0
    knots = np.concatenate([[t0], t_grid])
    path = np.concatenate([np.zeros((n_draws, 1)), displaced], axis=1)
    j = np.clip(np.searchsorted(knots, times, side="right") - 1, 0, n_years - 1)
    frac = np.clip((times - knots[j]) / (knots[j + 1] - knots[j]), 0.0, 1.0)
    cumulative = path[:, j] * (1.0 - frac) + path[:, j + 1] * frac  # (D, months + 1)
    inflow = np.diff(cumulative, axis=1)
    stay = (1.0 - hazard)[:, None]
    cohorts = np.zeros((n_draws, max(ui_months, 1)))  # unemployed by months on UI
    long = np.zeros(n_draws)
    record = np.clip(np.rint((t_grid - t0) * 12.0).astype(int), 0, months)
    insured = np.zeros((n_draws, n_years))
    uninsured = np.zeros((n_draws, n_years))
    for m in range(months + 1):
        for y in np.nonzero(record == m)[0]:
            insured[:, y] = cohorts.sum(axis=1) if ui_months else 0.0
            uninsured[:, y] = long + (0.0 if ui_months else cohorts.sum(axis=1))
        if m == months:
            break
        long = (long + cohorts[:, -1]) * stay[:, 0]
        cohorts = np.concatenate([inflow[:, m:m + 1], cohorts[:, :-1]], axis=1) * stay
    reemployed = displaced - insured - uninsured
    return StockFlow(insured=insured, uninsured=uninsured, reemployed=reemployed)


def income_loss(flow: StockFlow, mean_wage: np.ndarray, eta: np.ndarray,
                ui_replacement: float) -> np.ndarray:
    """Labour income lost by the AI-displaced, $ per year (D, Y); ``mean_wage`` (D, Y) is the
    mean annual wage of the displaced."""
    kept = np.minimum(eta + REEMPLOYED_GAIN, 1.0)[:, None]
    return mean_wage * ((1.0 - ui_replacement) * flow.insured + flow.uninsured
                        + (1.0 - kept) * flow.reemployed)


def population(tables: dict[str, pl.DataFrame]) -> float | None:
    """US population from the newest CE Table 1101: consumer units × persons per unit."""
    ce = tables.get("consumption_propensity")
    if ce is None or ce.is_empty():
        return None
    row = ce.filter(pl.col("quintile") == "all").sort("year").tail(1)
    if row.is_empty():
        return None
    return float(row.item(0, "population"))


__all__ = ["REEMPLOYED_GAIN", "StockFlow", "income_loss", "population", "stock_flow"]

"""The ABM's tables, scaled back to the population (one agent = 1/share workers).

* ``abm_monthly``: national series per month: employed (in their 2024 job), unemployed and
  re-employed AI-displaced, cumulative displaced, AI's new share of task time, the monthly
  re-employment hazard, the displaced's labour-income loss (USD per year) and the demand
  change −λ_tot × that loss;
* ``abm_displacement``: per month and occupation, sector or state: newly displaced, newly
  re-employed and the unemployed stock;
* ``abm_duration`` and ``abm_earnings``: by wage quintile of the 2024 wage (q1 lowest):
  months out of work (censored at the horizon) and earnings lost over the horizon;
* ``abm_sector_demand``: per sector and month, the demand change falling on it (λ_k share);
* ``abm_comparison`` (with the forecast's tables): cumulative displaced at mid-year beside
  the forecast's 80% interval for the same scenario.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from exposure.abm.engine import Economy, Trace
from exposure.abm.population import Population


def _events(code: np.ndarray, month: np.ndarray, n_keys: int, months: int) -> np.ndarray:
    hit = month >= 0
    return np.bincount(code[hit] * months + month[hit], minlength=n_keys * months
                       ).reshape(n_keys, months).astype(np.float64)


def tables_of(trace: Trace, pop: Population, prep, scenario: str, eco: Economy,
              forecast_tables: dict[str, pl.DataFrame] | None) -> dict[str, pl.DataFrame]:
    w = pop.weight
    months = len(trace.months)
    t = eco.t0 + np.asarray(trace.months) / 12.0
    loss = np.asarray(trace.income_loss) * 12.0 * w
    monthly = pl.DataFrame({
        "scenario": scenario, "month": trace.months, "time": t,
        "employed": np.asarray(trace.employed) * w,
        "unemployed": np.asarray(trace.unemployed) * w,
        "reemployed": np.asarray(trace.reemployed) * w,
        "displaced": np.asarray(trace.displaced) * w,
        "automated_share": trace.automated, "hazard": trace.hazard,
        "labour_income_loss": loss, "demand_change": -eco.lam_tot * loss})
    order = trace.order
    disp, reemp = trace.disp_month.astype(np.int64), trace.reemp_month.astype(np.int64)
    labels = {"occupation": (pop.soc[order], pop.socs),
              "sector": (pop.sector[order].astype(np.int64), pop.sectors),
              "state": (pop.state[order].astype(np.int64), pop.states)}
    parts = []
    for dim, (code, keys) in labels.items():
        code = code.astype(np.int64)
        d = _events(code, disp, len(keys), months)
        r = _events(code, reemp, len(keys), months)
        stock = np.cumsum(d - r, axis=1)
        seen = d.sum(axis=1) > 0
        k = np.repeat(np.asarray(keys)[seen], months)
        parts.append(pl.DataFrame({
            "scenario": scenario, "dimension": dim, "key": k,
            "month": np.tile(np.arange(months), int(seen.sum())),
            "displaced": d[seen].ravel() * w, "reemployed": r[seen].ravel() * w,
            "unemployed": stock[seen].ravel() * w}))
    wage = pop.wage[order]
    edges = np.quantile(pop.wage, [0.2, 0.4, 0.6, 0.8])
    quintile = np.searchsorted(edges, wage, side="right")
    hit = disp >= 0
    end = np.where(reemp >= 0, reemp, months)
    out_months = np.where(hit, end - disp, 0).astype(np.float64)
    ui = np.minimum(out_months, eco.ui_months)
    back_months = np.where(hit & (reemp >= 0), months - reemp, 0)
    lost = wage / 12.0 * (out_months - eco.ui_replacement * ui
                          + (1.0 - eco.replacement) * back_months)
    rows = []
    for q in range(5):
        sel = hit & (quintile == q)
        nq = float(sel.sum())
        rows.append({"scenario": scenario, "quintile": f"q{q + 1}", "displaced": nq * w,
                     "reemployed": float((sel & (reemp >= 0)).sum()) * w,
                     "mean_months_unemployed": float(out_months[sel].mean()) if nq else 0.0,
                     "still_unemployed": float((sel & (reemp < 0)).sum()) * w,
                     "earnings_loss": float(lost[sel].sum()) * w,
                     "loss_per_displaced": float(lost[sel].mean()) if nq else 0.0,
                     "unemployed_share_end": float((sel & (reemp < 0)).sum())
                     / max(1.0, float((quintile == q).sum()))})
    quint = pl.DataFrame(rows)
    sectors = pl.DataFrame({
        "scenario": scenario,
        "naics_sector": np.repeat(np.asarray(pop.sectors), months),
        "month": np.tile(np.arange(months), len(pop.sectors)),
        "demand_change": np.outer(eco.demand_share, -eco.lam_tot * loss).ravel()})
    out = {"abm_monthly": monthly, "abm_displacement": pl.concat(parts),
           "abm_duration": quint.select("scenario", "quintile", "displaced", "reemployed",
                                        "still_unemployed", "mean_months_unemployed",
                                        "unemployed_share_end"),
           "abm_earnings": quint.select("scenario", "quintile", "displaced", "earnings_loss",
                                        "loss_per_displaced"),
           "abm_sector_demand": sectors}
    if forecast_tables and "displacement_total" in forecast_tables:
        out["abm_comparison"] = compare(monthly, forecast_tables["displacement_total"],
                                        scenario)
    return out


def compare(monthly: pl.DataFrame, displacement_total: pl.DataFrame, scenario: str
            ) -> pl.DataFrame:
    """Cumulative ABM displacement at each mid-year beside the forecast's interval (§7.5)."""
    fc = displacement_total.filter(pl.col("scenario") == scenario)
    time = monthly["time"].to_numpy()
    displaced = monthly["displaced"].to_numpy()
    rows = []
    for year, p10, p50, p90 in fc.select("year", "displaced_p10", "displaced_p50",
                                          "displaced_p90").sort("year").iter_rows():
        if year + 0.5 > time[-1]:
            continue
        value = float(np.interp(year + 0.5, time, displaced))
        rows.append({"scenario": scenario, "year": year, "abm_displaced": value,
                     "forecast_p10": p10, "forecast_p50": p50, "forecast_p90": p90,
                     "inside_80": bool(p10 <= value <= p90)})
    return pl.DataFrame(rows)

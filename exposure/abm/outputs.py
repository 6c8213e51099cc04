"""The ABM's tables, scaled back to the population (one agent = 1/share workers).

* ``abm_monthly``: national series per month: employed (in the 2024 jobs still there),
  unemployed and re-employed leavers (every cause), cumulative leavers by cause (AI
  ``displaced``, ``replaced_domestic``, ``offshored``) and ``entrants`` (domestic hires), AI's
  new share of task time, the monthly re-employment hazard, the AI-displaced and offshored
  workers' labour-income loss (USD per year; a domestic hire's pay replaces the leaver's)
  and the demand change −λ_tot × that loss;
* ``abm_displacement``: per month and occupation, sector or state: newly AI-displaced, their
  re-employment and unemployed stock;
* ``abm_duration`` and ``abm_earnings``: by wage quintile of the 2024 wage (q1 lowest; a
  leaver's wage when it left): the AI-displaced's months out of work (censored at the
  horizon) and earnings lost over the horizon; ``abm_duration`` adds the domestic
  replacements and offshored workers per quintile;
* ``abm_sector_demand``: per sector and month, the demand change falling on it (λ_k share);
* ``abm_comparison`` (with the forecast's tables): cumulative displaced at mid-year beside
  the forecast's 80% interval for the same scenario.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from exposure.abm.engine import AI, DOMESTIC, OFFSHORE, Economy, Trace
from exposure.abm.population import Population


def _events(code: np.ndarray, month: np.ndarray, n_keys: int, months: int) -> np.ndarray:
    hit = month >= 0
    return np.bincount(code[hit] * months + month[hit], minlength=n_keys * months
                       ).reshape(n_keys, months).astype(np.float64)


def _per_quintile(edges: np.ndarray, wage: np.ndarray) -> np.ndarray:
    return np.bincount(np.searchsorted(edges, wage, side="right"), minlength=5)


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
        "replaced_domestic": np.asarray(trace.replaced) * w,
        "offshored": np.asarray(trace.offshored) * w,
        "entrants": np.asarray(trace.entrants) * w,
        "automated_share": trace.automated, "hazard": trace.hazard,
        "labour_income_loss": loss, "demand_change": -eco.lam_tot * loss})
    order = trace.order
    ai = trace.leaver_cause == AI  # the per-key and per-quintile figures are AI's
    job = order[trace.leaver_job[ai]]
    disp, reemp = trace.leaver_month[ai], trace.leaver_reemp[ai]
    labels = {"occupation": (pop.soc[job], pop.socs),
              "sector": (pop.sector[job], pop.sectors),
              "state": (pop.state[job], pop.states)}
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
    wage = trace.leaver_wage[ai]
    edges = np.quantile(pop.wage, [0.2, 0.4, 0.6, 0.8])
    quintile = np.searchsorted(edges, wage, side="right")
    agents = _per_quintile(edges, pop.wage)
    other = {cause: _per_quintile(edges, trace.leaver_wage[trace.leaver_cause == cause])
             for cause in (DOMESTIC, OFFSHORE)}
    end = np.where(reemp >= 0, reemp, months)
    out_months = (end - disp).astype(np.float64)
    ui = np.minimum(out_months, eco.ui_months)
    back_months = np.where(reemp >= 0, months - reemp, 0)
    lost = wage / 12.0 * (out_months - eco.ui_replacement * ui
                          + (1.0 - eco.replacement) * back_months)
    rows = []
    for q in range(5):
        sel = quintile == q
        nq = float(sel.sum())
        rows.append({"scenario": scenario, "quintile": f"q{q + 1}", "displaced": nq * w,
                     "reemployed": float((sel & (reemp >= 0)).sum()) * w,
                     "mean_months_unemployed": float(out_months[sel].mean()) if nq else 0.0,
                     "still_unemployed": float((sel & (reemp < 0)).sum()) * w,
                     "earnings_loss": float(lost[sel].sum()) * w,
                     "loss_per_displaced": float(lost[sel].mean()) if nq else 0.0,
                     "unemployed_share_end": float((sel & (reemp < 0)).sum())
                     / max(1.0, float(agents[q])),
                     "replaced_domestic": float(other[DOMESTIC][q]) * w,
                     "offshored": float(other[OFFSHORE][q]) * w})
    quint = pl.DataFrame(rows)
    sectors = pl.DataFrame({
        "scenario": scenario,
        "naics_sector": np.repeat(np.asarray(pop.sectors), months),
        "month": np.tile(np.arange(months), len(pop.sectors)),
        "demand_change": np.outer(eco.demand_share, -eco.lam_tot * loss).ravel()})
    out = {"abm_monthly": monthly, "abm_displacement": pl.concat(parts),
           "abm_duration": quint.select("scenario", "quintile", "displaced", "reemployed",
                                        "still_unemployed", "mean_months_unemployed",
                                        "unemployed_share_end", "replaced_domestic",
                                        "offshored"),
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

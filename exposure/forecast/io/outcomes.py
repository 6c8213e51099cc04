"""Per-draw outcomes of a scenario and the tables built from them (MODEL_SPEC §7.5, §7.7).

`scenario_tables` gathers one scenario's chunks into every forecast table. From the cells'
θ_sub·A_oj(t) it forms, per draw and year, the national and sector displacement, the wage
bill of the displaced, the entry-level white-collar displacement, the hours automated and the
revenue of the automation tax; `labour` turns them into the §7.5 stock-flow.

`labour_market_forecast` (long format: scenario, year, scope, measure, unit, p10, p50, p90):

* ``displaced`` — cumulative AI displacement (persons), national and per sector;
* ``unemployed`` / ``reemployed`` — the AI-displaced still unemployed / back in work;
* ``labour_income_loss`` — $ per year lost by the AI-displaced (UI and lower re-employment
  wages counted);
* ``demand_change`` — $ per year: −λ_tot × the income loss + λ_tot × transfers (the lump-sum
  rebate of an automation tax, P1; a capital tax on AI's cost savings rebated, P2; UBI × the
  CE population, P3). How a UBI is financed is not modelled;
* ``tfp_gain_pct`` — bottom-up TFP since t0 (§7.8), percent;
* ``hours_automated_share`` — automated share of all task time (before θ_sub);
* ``entry_level_wc_displaced_share`` — displaced share of entry-level white-collar jobs, i.e.
  SOC major groups 11-43 in occupations whose tasks' mean Job Zone is at most 3
  (`anchors.ENTRY_LEVEL_MAJOR_GROUPS`, `anchors.ENTRY_LEVEL_JOB_ZONE`);
* ``ai_unemployment_rate`` — the AI-displaced unemployed over baseline employment.

Quantiles are over draws, per year (each measure's own interval).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from exposure.errors import ConfigError
from exposure.forecast.io.anchors import ENTRY_LEVEL_JOB_ZONE, ENTRY_LEVEL_MAJOR_GROUPS
from exposure.forecast.io.results import (
    QUANTILES,
    displacement_frame,
    draws_frame,
    macro_frame,
    scenario_frame,
    sector_frame,
    summarise,
    total_frame,
)
from exposure.forecast.model.labour import income_loss, stock_flow
from exposure.forecast.simulation.montecarlo import DESCRIPTIONS, Setup
from exposure.forecast.simulation.simulate import Prepared, ScenarioChunk

LABOUR_SCHEMA = {"scenario": pl.String, "year": pl.Int16, "scope": pl.String,
                 "measure": pl.String, "unit": pl.String, "p10": pl.Float64,
                 "p50": pl.Float64, "p90": pl.Float64}
UNITS = {"displaced": "persons", "unemployed": "persons", "reemployed": "persons",
         "labour_income_loss": "USD per year", "demand_change": "USD per year",
         "tfp_gain_pct": "percent", "hours_automated_share": "share",
         "entry_level_wc_displaced_share": "share", "ai_unemployment_rate": "share"}


def entry_level_cells(prep: Prepared) -> np.ndarray:
    """Cells in entry-level white-collar occupations (see the module docstring)."""
    ta = prep.tasks
    major = np.array([int(code[:2]) for code in ta.occupations])
    lo, hi = ENTRY_LEVEL_MAJOR_GROUPS
    entry = (major >= lo) & (major <= hi) & (ta.occ_job_zone <= ENTRY_LEVEL_JOB_ZONE)
    return entry[ta.cell_occ]


def _aggregates(prep: Prepared, chunks: Sequence[ScenarioChunk]) -> dict[str, np.ndarray]:
    """Per draw (and year, and sector) sums over the covered cells.

    One matrix product per year, draws × cells by cells × measures, on all draws at once: the
    product's input is the same however the draws were chunked, so are its sums.
    """
    ta = prep.tasks
    cov = prep.covered_cells
    n_years, n_sectors = len(ta.years), len(ta.sectors)
    n_cov = cov.size
    base = ta.baseline[cov].T  # (Y, C)
    bill = base * ta.cell_wage[cov][None, :]
    entry = base * entry_level_cells(prep)[cov][None, :]
    onehot = np.zeros((n_cov, n_sectors))
    onehot[np.arange(n_cov), ta.cell_sector[cov]] = 1.0
    theta = np.concatenate([c.parameters["theta_sub"] for c in chunks])
    tax = np.concatenate([c.tax for c in chunks])  # (D, S)
    n_draws = theta.size
    sums = np.empty((n_years, n_draws, 3 + 2 * n_sectors))
    for y in range(n_years):
        weights = np.column_stack([base[y], bill[y], entry[y], base[y][:, None] * onehot,
                                   bill[y][:, None] * onehot])
        v = np.concatenate([c.values[:, y * n_cov:(y + 1) * n_cov] for c in chunks])
        sums[y] = v.astype(np.float64) @ weights
    sums = sums.transpose(1, 0, 2)  # (D, Y, measures)
    inv_theta = 1.0 / np.where(theta > 0, theta, 1.0)[:, None]  # automated = θ_sub·A / θ_sub
    sector_bill = sums[:, :, 3 + n_sectors:]
    out = {"displaced": sums[:, :, 0], "displaced_bill": sums[:, :, 1],
           "entry": sums[:, :, 2], "sector": sums[:, :, 3:3 + n_sectors],
           "hours": sums[:, :, 0] * inv_theta,
           "revenue": (sector_bill * tax[:, None, :]).sum(axis=2) * inv_theta}
    for name in ("adopted", "dated_saving"):
        out[name] = np.concatenate([getattr(c, name) for c in chunks])
    out["params"] = {k: np.concatenate([c.parameters[k] for c in chunks])
                     for k in chunks[0].parameters}
    return out


def _rows(scenario: str, years: Sequence[int], scope: str, measure: str,
          values: np.ndarray) -> list[dict]:
    q = np.quantile(values, QUANTILES, axis=0)
    return [{"scenario": scenario, "year": int(y), "scope": scope, "measure": measure,
             "unit": UNITS[measure], "p10": float(q[0, k]), "p50": float(q[1, k]),
             "p90": float(q[2, k])} for k, y in enumerate(years)]


def labour_frame(prep: Prepared, setup: Setup, agg: dict, population: float | None
                 ) -> pl.DataFrame:
    """The §7.5 outcomes of one scenario (see the module docstring)."""
    ta = prep.tasks
    params = agg["params"]
    displaced = agg["displaced"]
    flow = stock_flow(displaced, prep.t_grid, prep.t0, params["reemployment_hazard"],
                      setup.ui_months)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_wage = np.where(displaced > 0, agg["displaced_bill"] / displaced, 0.0)
    loss = income_loss(flow, mean_wage, params["eta"], setup.ui_replacement)
    transfers = np.zeros_like(loss)
    if setup.tax_rebate == "lump_sum":
        transfers += agg["revenue"]
    if setup.capital_tax:
        transfers += setup.capital_tax * agg["dated_saving"] * prep.total_wage_bill
    if setup.ubi:
        if population is None:
            raise ConfigError(f"scenario {setup.scenario_id} pays a UBI, but the warehouse has "
                              "no CE population (table consumption_propensity)",
                              "run a full ingest with the bls_cex files")
        transfers += setup.ubi * population
    lam = params["lam_tot"][:, None]
    employment = ta.baseline.sum(axis=0)[None, :]
    entry_base = (ta.baseline * entry_level_cells(prep)[:, None]).sum(axis=0)[None, :]
    labour_share = setup.policy.labour_share
    measures = {
        "displaced": displaced, "unemployed": flow.unemployed, "reemployed": flow.reemployed,
        "labour_income_loss": loss, "demand_change": -lam * loss + lam * transfers,
        "tfp_gain_pct": 100.0 * labour_share * agg["dated_saving"],
        "hours_automated_share": agg["hours"] / employment,
        "entry_level_wc_displaced_share": agg["entry"] / np.maximum(entry_base, 1e-300),
        "ai_unemployment_rate": flow.unemployed / employment,
    }
    rows = []
    for measure, values in measures.items():
        rows += _rows(setup.scenario_id, ta.years, "national", measure, values)
    for j, sector in enumerate(ta.sectors):
        rows += _rows(setup.scenario_id, ta.years, sector, "displaced", agg["sector"][:, :, j])
    return pl.DataFrame(rows, schema=LABOUR_SCHEMA)


def scenario_tables(prep: Prepared, setup: Setup, chunks: Sequence[ScenarioChunk],
                    population: float | None, workers: int) -> dict[str, pl.DataFrame]:
    """Every table of one scenario from its chunks in draw order."""
    sid = setup.scenario_id
    agg = _aggregates(prep, chunks)
    summary = summarise([c.values for c in chunks], agg["params"]["theta_sub"], QUANTILES,
                        workers)
    return {
        "displacement_forecast": displacement_frame(prep, sid, summary),
        "displacement_total": total_frame(prep, sid, agg["displaced"]),
        "sector_equilibrium": sector_frame(prep, sid, chunks),
        "macro_check": macro_frame(sid, agg["adopted"], agg["dated_saving"][:, -1],
                                   setup.policy.labour_share),
        "forecast_draws": draws_frame(sid, agg["params"]),
        "labour_market_forecast": labour_frame(prep, setup, agg, population),
        "forecast_scenario": scenario_frame(setup),
    }


SENSITIVITY_SCHEMA = {"scenario": pl.String, "year": pl.Int16, "parameter": pl.String,
                      "description": pl.String, "centre_value": pl.Float64,
                      "low_value": pl.Float64, "high_value": pl.Float64,
                      "displaced_centre": pl.Float64, "displaced_low": pl.Float64,
                      "displaced_high": pl.Float64}


def sensitivity_frame(rows: list[dict], year: int = 0) -> pl.DataFrame:
    """`forecast_sensitivity` rows (§7.7), widest swing first."""
    full = [{"scenario": "P0", "year": year, "description": DESCRIPTIONS[r["parameter"]], **r}
            for r in rows]
    frame = pl.DataFrame(full, schema=SENSITIVITY_SCHEMA)
    return frame.sort((pl.col("displaced_high") - pl.col("displaced_low")).abs(),
                      descending=True)


__all__ = ["entry_level_cells", "labour_frame", "scenario_tables", "sensitivity_frame"]

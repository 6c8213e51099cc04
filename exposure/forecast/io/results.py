"""From per-draw arrays to the forecast tables (DESIGN.md warehouse contract).

* `displacement_forecast`: one row per (scenario, year, soc_code, naics_sector) baseline
  cell; ``displaced_p10/p50/p90`` are the 10/50/90% quantiles over draws of
  Emp_oj(t)·θ_sub·A_oj(t) (the 80% interval and the median), ``displaced_mean`` the mean and
  ``automated_share_mean`` the mean automated task-time share A_oj(t) (before θ_sub).
  Quantiles interpolate linearly between order statistics (numpy's default method), clamped
  to their two order statistics so that p10 ≤ p50 ≤ p90 holds exactly.
* `displacement_total`: per year the same quantiles of the national total over draws.
* `sector_equilibrium`: per sector the median over draws of the §3.7 static shares at the
  horizon — α_NE under the scenario's policies (wage-bill-weighted share of task time whose
  σ_i(T) clears the private threshold, gate open, full diffusion), α_CO at the cooperative
  threshold — with wedge = alpha_nash − alpha_coop, the private and cooperative thresholds
  per wage dollar (x_nash is the firm-weighted mean over firm groups) and the ad-valorem
  Pigouvian rate t*_j that would restore α_CO (``pigouvian_tax``, share of the automated
  wage bill; economy-mode rate in economy mode).
* `macro_check`: Acemoglu's replication cases (scenario null) and, per scenario, the
  bottom-up TFP and GDP gains to the horizon (`macro.bottom_up`) at the 10/50/90% quantiles
  over draws, with ``outside_band`` flagging a median TFP outside [0.2%, 3.5%] or a median
  π̄ outside [0.10, 0.35] (§7.8). Bottom-up inputs: χ_ij = the task's share of the total wage
  bill in sector j (horizon employment × OEWS wage × ω_i|o), "automated by 2035" = the
  adoption since t0 at the horizon (E_i·ΔF, a fraction), and π̄ weighs each firm's saving at
  the date it adopts (§7.8: Σ χ ∫σ dF / Σ χ ΔF, σ at each year's grid point times the year's
  adoption); s_L = Acemoglu's 0.535 for every sector (the mirror has no labour shares by
  sector); GDP = TFP/(1 − 0.43).
* `forecast_scenario`: each scenario's id, title and description; `forecast_draws`: the
  parameters of every draw. The labour-market table is built in `outcomes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from exposure.forecast.model.macro import (
    PLAUSIBLE_PI_BAR,
    PLAUSIBLE_TFP_BAND_PCT,
    AcemogluInputs,
    bottom_up,
    replicate_acemoglu,
)
from exposure.forecast.simulation.montecarlo import Setup
from exposure.forecast.simulation.simulate import Prepared, ScenarioChunk

SORT_BLOCK = 2048  # rows per sort block: a few MB, cache-friendly
QUANTILES = (0.1, 0.5, 0.9)


def summarise(values: Sequence[np.ndarray], theta: np.ndarray,
              qs: Sequence[float] = QUANTILES, workers: int = 1) -> np.ndarray:
    """Per row over all draws: the quantiles ``qs``, the mean, and the mean divided by θ_sub.

    ``values`` are the chunks' (draws × rows) blocks in draw order and ``theta`` the θ_sub of
    every draw. Rows are processed in blocks (a few MB, copied out of the chunks and sorted
    on up to ``workers`` threads), so no draws × rows array is ever built; the results do not
    depend on how the draws were chunked. Quantiles interpolate linearly between order
    statistics and are clamped to them. Returns float64 (rows × (len(qs) + 2)).
    """
    n = sum(v.shape[0] for v in values)
    n_rows = values[0].shape[1]
    pos = np.asarray(qs, dtype=np.float64) * (n - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    inv_theta = (1.0 / theta).astype(np.float32)
    out = np.empty((n_rows, len(qs) + 2))

    def block(start: int) -> None:
        stop = min(start + SORT_BLOCK, n_rows)
        part = np.concatenate([v[:, start:stop] for v in values], axis=0)
        out[start:stop, len(qs)] = part.mean(axis=0, dtype=np.float64)
        out[start:stop, len(qs) + 1] = (inv_theta @ part).astype(np.float64) / n
        rows = np.ascontiguousarray(part.T)
        rows.sort(axis=1)
        a = rows[:, lo].astype(np.float64)
        b = rows[:, hi].astype(np.float64)
        out[start:stop, :len(qs)] = np.clip(a + frac * (b - a), a, b)

    starts = range(0, n_rows, SORT_BLOCK)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(block, starts))
    else:
        for s in starts:
            block(s)
    return out


def displacement_frame(prep: Prepared, scenario_id: str, summary: np.ndarray) -> pl.DataFrame:
    """Every baseline cell × year; covered cells from `summarise` (rows year-major), the
    rest zero."""
    ta = prep.tasks
    n_cells, n_years = ta.baseline.shape
    full = np.zeros((n_cells, n_years, 5))
    full[prep.covered_cells] = summary.reshape(n_years, -1, 5).transpose(1, 0, 2)
    base = ta.baseline
    occ = np.asarray(ta.occupations)[ta.cell_occ]
    sec = np.asarray(ta.sectors)[ta.cell_sector]
    frame = pl.DataFrame({
        "scenario": np.full(n_cells * n_years, scenario_id),
        "year": np.tile(np.asarray(ta.years, dtype=np.int16), n_cells),
        "soc_code": np.repeat(occ, n_years),
        "naics_sector": np.repeat(sec, n_years),
        "baseline_employment": base.ravel(),
        "displaced_p10": (base * full[:, :, 0]).ravel(),
        "displaced_p50": (base * full[:, :, 1]).ravel(),
        "displaced_p90": (base * full[:, :, 2]).ravel(),
        "displaced_mean": (base * full[:, :, 3]).ravel(),
        "automated_share_mean": full[:, :, 4].ravel(),
    })
    return frame.with_columns(pl.col("year").cast(pl.Int16))


def total_frame(prep: Prepared, scenario_id: str, totals: np.ndarray) -> pl.DataFrame:
    """National totals per year from the draws × years totals (the interval of the total,
    which is not the sum of the cells' intervals)."""
    ta = prep.tasks
    q = np.quantile(totals, QUANTILES, axis=0)
    return pl.DataFrame({
        "scenario": [scenario_id] * len(ta.years),
        "year": np.asarray(ta.years, dtype=np.int16),
        "baseline_employment": ta.baseline.sum(axis=0),
        "displaced_p10": q[0], "displaced_p50": q[1], "displaced_p90": q[2],
        "displaced_mean": totals.mean(axis=0),
    })


def sector_frame(prep: Prepared, scenario_id: str, chunks: Sequence[ScenarioChunk]
                 ) -> pl.DataFrame:
    """Medians over draws per sector (see the module docstring)."""
    def median(name: str) -> np.ndarray:
        return np.median(np.concatenate([getattr(c, name) for c in chunks]), axis=0)

    a_ne, a_co = median("alpha_nash"), median("alpha_coop")
    sectors = prep.tasks.sectors
    mode = next(s for s in prep.setups if s.scenario_id == scenario_id).policy.mode
    return pl.DataFrame({
        "scenario": [scenario_id] * len(sectors),
        "naics_sector": list(sectors),
        "n_firms": prep.demand[mode].n_firms,
        "alpha_nash": a_ne, "alpha_coop": a_co, "wedge": a_ne - a_co,
        "pigouvian_tax": median("tax_star"), "tax_applied": median("tax"),
        "x_nash": median("x_nash"), "x_coop": median("x_coop"),
        "horizon_year": np.full(len(sectors), prep.tasks.years[-1], dtype=np.int16),
    })


MACRO_SCHEMA = {"scenario": pl.String, "mode": pl.String, "case": pl.String,
                "tfp_gain_pct": pl.Float64, "gdp_gain_pct": pl.Float64,
                "automated_share": pl.Float64, "pi_bar": pl.Float64, "outside_band": pl.Boolean}


def replication_rows() -> list[dict]:
    """Acemoglu (2024) from his scalars: his baseline and easy/hard cases and the two
    sensitivity rows of MODEL_SPEC §5 (Peng et al. saving 0.36; 30% feasible under the
    10%/yr cost decline)."""
    rows = []
    cases = {"baseline": AcemogluInputs(),
             "peng_saving": AcemogluInputs(saving_noy_zhang=0.36, saving_brynjolfsson=0.36),
             "cost_decline": AcemogluInputs(profitable_share=0.30)}
    for case, inputs in cases.items():
        r = replicate_acemoglu(inputs)
        rows.append({"case": case, "tfp_gain_pct": float(r.tfp_pct),
                     "gdp_gain_pct": float(r.gdp_pct), "automated_share":
                     float(r.affected_share), "pi_bar": float(r.pi_bar)})
    r = replicate_acemoglu()
    rows.append({"case": "easy_hard", "tfp_gain_pct": float(r.tfp_hard_pct),
                 "gdp_gain_pct": float(r.gdp_hard_pct),
                 "automated_share": float(r.affected_share), "pi_bar": None})
    return [{"scenario": None, "mode": "replication", **row, "outside_band": None}
            for row in rows]


def macro_frame(scenario_id: str, adopted: np.ndarray, dated_saving: np.ndarray,
                labour_share: float) -> pl.DataFrame:
    """Replication rows plus the scenario's bottom-up quantiles at the horizon. The adopted
    tasks of a draw enter `bottom_up` as one composite task (Hulten's sum is linear):
    χ = Σχ_i·Δa_i, σ = Σχ_i ∫σ_i dF_i / χ."""
    ref = AcemogluInputs()
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_saving = np.where(adopted > 0, dated_saving / adopted, 0.0)
    res = bottom_up(adopted[:, None], np.ones((adopted.size, 1)), labour_share,
                    mean_saving[:, None], capital_share=ref.capital_share)
    tfp, gdp, pi_bar = np.asarray(res.tfp_pct), np.asarray(res.gdp_pct), np.asarray(res.pi_bar)
    lo, hi = PLAUSIBLE_TFP_BAND_PCT
    pi_lo, pi_hi = PLAUSIBLE_PI_BAR
    t_med = float(np.median(tfp))
    p_med = float(np.nanmedian(pi_bar)) if np.isfinite(pi_bar).any() else np.nan
    outside = bool(t_med < lo or t_med > hi or not pi_lo <= p_med <= pi_hi)
    rows = replication_rows()
    for name, level in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        rows.append({"scenario": scenario_id, "mode": "bottom_up", "case": name,
                     "tfp_gain_pct": float(np.quantile(tfp, level)),
                     "gdp_gain_pct": float(np.quantile(gdp, level)),
                     "automated_share": float(np.quantile(adopted, level)),
                     "pi_bar": float(np.nanquantile(pi_bar, level))
                     if np.isfinite(pi_bar).any() else None,
                     "outside_band": outside})
    return pl.DataFrame(rows, schema=MACRO_SCHEMA)


def draws_frame(scenario_id: str, params: dict[str, np.ndarray]) -> pl.DataFrame:
    """The parameter values of every draw (for audit and sensitivity plots)."""
    n = next(iter(params.values())).size
    return pl.DataFrame({"scenario": [scenario_id] * n,
                         "draw": np.arange(n, dtype=np.int32), **params})


def scenario_frame(setup: Setup) -> pl.DataFrame:
    return pl.DataFrame({"scenario": [setup.scenario_id], "title": [setup.title],
                         "description": [setup.description]})


__all__ = [
    "QUANTILES",
    "displacement_frame",
    "draws_frame",
    "macro_frame",
    "replication_rows",
    "scenario_frame",
    "sector_frame",
    "summarise",
    "total_frame",
]

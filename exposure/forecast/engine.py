"""Displacement forecasts (MODEL_SPEC §2-§7): the entry point.

    from exposure.forecast.engine import forecast
    out = forecast(task_feature, task_scores, tables, ["P0", "P1"], draws=1000, seed=7)
    out["displacement_forecast"], out["labour_market_forecast"], out["forecast_sensitivity"]

The work is split so that a scheduler can distribute it:

* :func:`prepare` builds one picklable `simulation.simulate.Prepared` per group of scenarios
  that share capability, cost and diffusion settings (usually one group for the whole run),
  with the AI-cost level μ(a_10) solved once per group (:func:`calibrate`, `model.cost`);
* `runners.chunk_ranges` splits the draws into contiguous ranges; each range is one call of
  `simulation.simulate.run_chunk(prepared, start, stop)`, which evaluates every scenario of
  the group on the same draws (common random numbers) and is independent and seeded per draw;
* :func:`combine` turns the chunk results (in any order) into the tables.

The result is identical for any split: :func:`forecast` runs the chunks on local threads
(`runners.local`), a Dask runner (`runners.dask_runner`) may run the same calls on workers.

Readings of MODEL_SPEC where it is silent (details in the module named):

* Time: year y is evaluated at mid-year, t = y + 0.5, against the forecast start t0 = Feb
  2025. Displacement counts adoption *after* t0: a_ij(t) = E_i·[F(t − t_act) − F(t0 −
  t_act)]; adoption already under way at t0 is in the baseline (`simulation.simulate`).
* Game: economy mode by default (§7.3), thresholds and policies in `model.thresholds`.
* Draws and common random numbers: `simulation.montecarlo`; AI cost: `model.cost`; labour
  market: `model.labour`.
* Tasks: time shares, crosswalk split, exposure ceiling and feature gaps
  (`simulation.tasks`); baseline path (`io.baseline`); sector calibration (`io.calibration`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np
import polars as pl
from scipy.interpolate import PchipInterpolator

from exposure.errors import ConfigError
from exposure.forecast.io.baseline import baseline_employment
from exposure.forecast.io.calibration import check_calibration, sector_calibration
from exposure.forecast.io.outcomes import scenario_tables, sensitivity_frame
from exposure.forecast.io.scenarios import Scenario, load_scenario, scenario_path
from exposure.forecast.model.capability import manual_factor
from exposure.forecast.model.cost import (
    CAP_SHARE,
    LEVEL_GRID,
    Calibration,
    cost_shift,
    gauss_hermite,
    grid_for,
    solve_mu,
)
from exposure.forecast.model.diffusion import deployment_year, social_imitation
from exposure.forecast.model.labour import population
from exposure.forecast.model.thresholds import Demand, Policy
from exposure.forecast.runners.local import CHUNK_SIZE, run_local
from exposure.forecast.simulation.montecarlo import DRAWN, Setup, Uniforms, data_erosion
from exposure.forecast.simulation.simulate import (
    ChunkResult,
    Prepared,
    _evaluate,
    shared_block,
    shared_params,
)

YEARS = range(2025, 2036)
SENSITIVITY_DRAWS = 20
CALIBRATION_ID = "__p0_centre__"
# Scenarios whose draws are held in memory at once: each holds about 0.36 GB per 1,000 draws
# (θ_sub·A per covered cell and year, float32), so batches bound the peak memory.
SCENARIO_BATCH = 4
TABLES = ("displacement_forecast", "displacement_total", "sector_equilibrium", "macro_check",
          "forecast_draws", "labour_market_forecast", "forecast_scenario",
          "forecast_sensitivity")


def resolve_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A Scenario from itself, a scenario id of `data/scenarios` ('P0') or a TOML path."""
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario_path(scenario))


def demand_arrays(calibration: pl.DataFrame) -> dict[str, Demand]:
    """The thresholds' per-sector inputs for each game mode the calibration supports."""
    def col(name: str) -> np.ndarray:
        return calibration.get_column(name).cast(pl.Float64).to_numpy()

    spending, n = col("spending_share"), col("n_firms")
    out = {"sector": Demand(n_firms=n, share=spending, internalised=spending / n,
                            cooperative=spending)}
    if {"lam_k", "n_firms_k", "internalised", "lam_domestic_total"} <= set(calibration.columns):
        total = np.full(calibration.height, float(col("lam_domestic_total")[0]))
        out["economy"] = Demand(n_firms=col("n_firms_k"), share=col("lam_k"),
                                internalised=col("internalised"), cooperative=total)
    return out


def _groups(setups: list[Setup]) -> list[tuple[Setup, ...]]:
    groups: dict[tuple, list[Setup]] = {}
    for s in setups:
        groups.setdefault(s.shared_key(), []).append(s)
    return [tuple(g) for g in groups.values()]


def _centre_setup(lead: Setup, modes: dict[str, Demand]) -> Setup:
    """P0 with every drawn parameter at the centre of its range — even one the scenario holds
    fixed, so that μ depends on a_10 alone and a scenario with faster AI automates more — the
    setting of the a_10 target (§7.1)."""
    mode = "economy" if "economy" in modes else "sector"
    return replace(replace(lead, fixed=frozenset()).at_centre(), scenario_id=CALIBRATION_ID,
                   policy=Policy(mode=mode), cbi=0.0, delta_eta=0.0, dividend=0.0,
                   tax_rebate="none", h_factor=1.0)


def expected_share(prep: Prepared, setup: Setup, mu: np.ndarray) -> np.ndarray:
    """E_z[adopted share of the total wage bill at the horizon] for each μ, at ``setup``'s
    (fixed) parameters, Gauss–Hermite over z, evaluated directly (one pseudo-draw per μ and
    node)."""
    x, w = gauss_hermite()
    r0_sigma = setup.points["r0_sigma"]
    return (adopted_at(prep, setup, (mu[:, None] + r0_sigma * x[None, :]).ravel())
            .reshape(mu.size, x.size) * w).sum(axis=1)


def adopted_at(prep: Prepared, setup: Setup, level: np.ndarray) -> np.ndarray:
    """The adopted share of the total wage bill at the horizon when every task's log cost
    level μ + σ_r·z is ``level`` (one pseudo-draw per value), at ``setup``'s parameters."""
    m = level.size
    un = Uniforms(start=0, u=np.zeros((m, len(DRAWN))), z=np.zeros((m, prep.tasks.n_tasks)))
    sp = replace(shared_params(setup, un, lambda a10: level, np.inf),
                 r0_sigma=np.zeros(m))
    block = shared_block(prep, setup, sp, un.z)
    eta = setup.value("eta", un.of("eta"))
    return _evaluate(prep, setup, block, un, sp, eta, bins=False).adopted


def calibrate(prep: Prepared, centre: Setup, fixed_a10: tuple[float, ...]) -> Calibration:
    """μ(a_10) on a grid, and the reachable maximum (§7.1).

    The adopted share depends on μ and z only through the level u = μ + σ_r·z shared by
    every task, so it is evaluated once on a fine grid of u (`LEVEL_GRID`) and interpolated
    monotonically (PCHIP); the Gauss–Hermite expectation and the root-finding then run on
    that curve. `Calibration.residual` is the largest gap between a_10 and the expectation
    evaluated directly at the solved μ.
    """
    reachable = float(adopted_at(prep, centre, np.array([-np.inf]))[0])
    cap = CAP_SHARE * reachable
    bounds = centre.ranges["a10"]
    if reachable == 0.0:  # the exposure ceiling leaves nothing to automate: no cost level
        return Calibration(a10_grid=np.array(bounds[::len(bounds) - 1]),
                           mu_grid=np.full(2, np.inf), reachable=0.0, iterations=0,
                           residual=0.0)
    if cap <= bounds[0]:
        raise ConfigError(f"at most {reachable:.4f} of the wage bill can be automated with "
                          "these exposure scores, below the a_10 range's low end "
                          f"{bounds[0]:g}", "lower [uncertainty] a10 or use another ceiling")
    for a in fixed_a10:
        if a >= cap:
            raise ConfigError(f"a10 = {a:g} is above 0.9 × the largest adopted share the "
                              f"model can reach ({reachable:.3f} of the wage bill)",
                              "lower [cost] a10")
    levels = np.linspace(*LEVEL_GRID)
    curve = PchipInterpolator(levels, adopted_at(prep, centre, levels), extrapolate=False)
    x, w = gauss_hermite()
    r0_sigma = centre.points["r0_sigma"]

    def share_of(mu: np.ndarray) -> np.ndarray:
        u = np.clip(mu[:, None] + r0_sigma * x[None, :], levels[0], levels[-1])
        return (curve(u) * w).sum(axis=1)

    grid = grid_for(bounds, fixed_a10, cap)
    mu, iterations = solve_mu(share_of, grid)
    residual = float(np.max(np.abs(expected_share(prep, centre, mu) - grid)))
    return Calibration(a10_grid=grid, mu_grid=mu, reachable=reachable, iterations=iterations,
                       residual=residual)


def _group(group: tuple[Setup, ...], ta, modes: dict[str, Demand], t_grid: np.ndarray,
           total_bill: float, solved: dict[tuple, Calibration]) -> Prepared:
    lead = group[0]
    cap, dif = lead.capability, lead.diffusion
    centre = _centre_setup(lead, modes)
    bill = ta.wage_bill
    per_sector = bill.sum(axis=0)
    scale_n = modes["economy" if "economy" in modes else "sector"].n_firms
    with np.errstate(divide="ignore"):
        ln_m = np.log(np.asarray(manual_factor(ta.m, cap), dtype=np.float64))
    setups = (*group, centre)
    prep = Prepared(
        setups=group, tasks=ta, demand=modes, t_grid=t_grid, wage_share=bill / total_bill,
        sector_weight=ta.exposure[:, None] * bill / np.where(per_sector > 0, per_sector, 1.0),
        covered_cells=np.nonzero(ta.covered[ta.cell_occ])[0],
        c0=np.log2(float(cap.H0_minutes)) - np.log2(ta.h_minutes),
        dac=ta.da - 0.5, vc=ta.v - 0.5, ln_m=ln_m,
        pq=float(dif.bass_p) + np.asarray(social_imitation(dif.bass_q, ta.f2f, dif.f_soc)),
        cost_shift=cost_shift(ta, scale_n, lead.scale_elasticity),
        erosion={s.scenario_id: ta.da * data_erosion(ta, s, float(t_grid[-1])) for s in setups},
        lag={s.scenario_id: np.asarray(deployment_year(0.0, ta.v, ta.g, s.cbi, dif),
                                       dtype=np.float64) for s in setups},
        dividend={s.scenario_id: s.cbi * s.dividend * ta.g for s in setups},
        mu_of=None, a10_cap=np.inf, total_wage_bill=total_bill)
    fixed = tuple(s.points["a10"] for s in group if "a10" in s.fixed)
    key = (centre.shared_key(), fixed)
    if key not in solved:  # groups that differ only in a held parameter share one μ(a_10)
        solved[key] = calibrate(prep, centre, fixed)
    return replace(prep, mu_of=solved[key], a10_cap=solved[key].a10_cap)


def prepare(task_feature: pl.DataFrame, task_scores: pl.DataFrame | None,
            tables: dict[str, pl.DataFrame],
            scenarios: Sequence[Scenario | str | Path] | Scenario | str | Path,
            years: Iterable[int] = YEARS, seed: int | None = None,
            calibration: pl.DataFrame | None = None,
            baseline: pl.DataFrame | None = None) -> list[Prepared]:
    """The inputs of the scenarios' Monte-Carlo, one `Prepared` per group (pass
    ``calibration``/``baseline`` to reuse them, or a user's calibration override)."""
    if isinstance(scenarios, Scenario | str | Path):
        scenarios = [scenarios]
    setups = [Setup.from_scenario(resolve_scenario(s), seed) for s in scenarios]
    ids = [s.scenario_id for s in setups]
    if len(set(ids)) != len(ids):
        raise ConfigError("a scenario is listed twice", "name each scenario once")
    years = sorted(int(y) for y in years)
    t_grid = np.asarray(years, dtype=np.float64) + 0.5
    if t_grid[-1] <= float(setups[0].capability.t0):
        raise ConfigError("the forecast years end before the forecast start (Feb 2025)",
                          "pass years that reach past 2025")
    if baseline is None:
        base = baseline_employment(tables, years)
    else:
        base = baseline.filter(pl.col("year").is_in(years))
        if sorted(base.get_column("year").unique().to_list()) != years:
            raise ConfigError("the baseline frame lacks some of the forecast years",
                              "build it with baseline_employment(tables, years)")
    cal = check_calibration(sector_calibration(tables) if calibration is None else calibration)
    modes = demand_arrays(cal)
    for s in setups:
        if s.policy.mode not in modes:
            raise ConfigError(f"scenario {s.scenario_id} plays the game in {s.policy.mode} "
                              "mode, but the sector calibration lacks its columns (lam_k, "
                              "n_firms_k, internalised, lam_domestic_total)",
                              "use the derived calibration or set [game] mode = \"sector\"")
    from exposure.forecast.simulation.tasks import task_arrays

    ta = task_arrays(task_feature, task_scores, tables, base)
    total_bill = float((ta.baseline[:, -1] * ta.cell_wage).sum())
    solved: dict[tuple, Calibration] = {}
    return [_group(g, ta, modes, t_grid, total_bill, solved) for g in _groups(setups)]


def combine(prep: Prepared, chunks: Sequence[ChunkResult], tables: dict[str, pl.DataFrame],
            workers: int | None = None) -> dict[str, pl.DataFrame]:
    """The tables of every scenario of ``prep`` from chunk results covering draws 0..D−1 (any
    order, any split)."""
    chunks = sorted(chunks, key=lambda c: c.start)
    if chunks[0].start != 0 or any(a.stop != b.start for a, b in pairwise(chunks)):
        raise ValueError("the chunks must cover the draws 0..D-1 without gaps or overlaps")
    workers = workers or (os.cpu_count() or 1)
    people = population(tables)

    def tables_of(setup: Setup) -> dict[str, pl.DataFrame]:
        return scenario_tables(prep, setup, [c.scenarios[setup.scenario_id] for c in chunks],
                               people, 1)

    with ThreadPoolExecutor(max_workers=workers) as pool:  # numpy sorts and products free the GIL
        results = list(pool.map(tables_of, prep.setups))
    out = {name: pl.concat([r[name] for r in results]) for name in results[0]}
    out["macro_check"] = out["macro_check"].unique(maintain_order=True)
    out["forecast_sensitivity"] = sensitivity(prep, workers=workers)
    return out


def sensitivity(prep: Prepared, draws: int = SENSITIVITY_DRAWS,
                workers: int | None = None) -> pl.DataFrame:
    """§7.7: 2035 P0 median displacement with each drawn parameter at its p10 and p90 and all
    others at their centre, on the same z draws (empty without P0 in the group)."""
    p0 = next((s for s in prep.setups if s.scenario_id == "P0"), None)
    if p0 is None:
        return sensitivity_frame([])
    from exposure.forecast.simulation.montecarlo import draw_uniforms

    un = draw_uniforms(p0.seed, 0, draws, prep.tasks.n_tasks)
    centre = p0.at_centre()
    rows = []

    def median_2035(setup: Setup) -> float:
        sp = shared_params(setup, un, prep.mu_of, prep.a10_cap)
        block = shared_block(prep, setup, sp, un.z)
        eta = setup.value("eta", un.of("eta"))
        got = _evaluate(prep, setup, block, un, sp, eta, bins=True)
        ta = prep.tasks
        cov = prep.covered_cells
        last = got.values.reshape(draws, len(prep.t_grid), -1)[:, -1, :].astype(np.float64)
        return float(np.median(last @ ta.baseline[cov, -1]))

    configs = [(None, None, centre)]
    for name in DRAWN:
        if name in p0.fixed:
            continue
        cap = prep.a10_cap if name == "a10" else None
        lo, hi = (float(p0.value(name, np.array([q]), cap=cap)[0]) for q in (0.1, 0.9))
        configs += [(name, lo, centre.holding({name: lo})), (name, hi, centre.holding({name: hi}))]
    with ThreadPoolExecutor(max_workers=workers or (os.cpu_count() or 1)) as pool:
        medians = list(pool.map(lambda c: median_2035(c[2]), configs))
    base = medians[0]
    for k in range(1, len(configs), 2):
        name = configs[k][0]
        rows.append({"parameter": name, "centre_value": centre.points[name],
                     "low_value": configs[k][1], "high_value": configs[k + 1][1],
                     "displaced_centre": base, "displaced_low": medians[k],
                     "displaced_high": medians[k + 1]})
    return sensitivity_frame(rows, int(prep.tasks.years[-1]))


def forecast(task_feature: pl.DataFrame, task_scores: pl.DataFrame | None,
             tables: dict[str, pl.DataFrame],
             scenarios: Sequence[Scenario | str | Path] | Scenario | str | Path,
             draws: int | None = None, seed: int | None = None, years: Iterable[int] = YEARS,
             calibration: pl.DataFrame | None = None, baseline: pl.DataFrame | None = None,
             chunk_size: int = CHUNK_SIZE, workers: int | None = None,
             runner: Callable[[Prepared, int, int], list[ChunkResult]] | None = None,
             scenario_batch: int = SCENARIO_BATCH) -> dict[str, pl.DataFrame]:
    """Forecast the scenarios: every table of `TABLES` (see `results`).

    ``draws`` and ``seed`` default to the first scenario's ``[uncertainty]`` values; the same
    seed gives the same tables whatever ``chunk_size``, ``workers``, ``scenario_batch`` and
    runner are.
    """
    preps = prepare(task_feature, task_scores, tables, scenarios, years, seed, calibration,
                    baseline)
    first = scenarios if isinstance(scenarios, Scenario | str | Path) else scenarios[0]
    n = draws or resolve_scenario(first).parameters().uncertainty.draws
    results = []
    for batch in (b for prep in preps for b in scenario_batches(prep, scenario_batch)):
        chunks = (run_local(batch, n, chunk_size, workers) if runner is None
                  else runner(batch, n, chunk_size))
        results.append(combine(batch, chunks, tables, workers))
        del chunks  # a batch's draws go once its tables are built
    out = {name: pl.concat([r[name] for r in results]) for name in TABLES}
    out["macro_check"] = out["macro_check"].unique(maintain_order=True)  # one replication
    rank = {s.scenario_id: k for k, s in enumerate(s for prep in preps for s in prep.setups)}
    return {name: frame.sort(pl.col("scenario").replace_strict(rank, return_dtype=pl.Int32),
                             maintain_order=True)
            for name, frame in out.items()}


def scenario_batches(prep: Prepared, size: int = SCENARIO_BATCH) -> list[Prepared]:
    """``prep`` split into batches of at most ``size`` scenarios (more when one game has
    more), the scenarios that play the same game together: they share one adoption
    (`simulate.evaluate`), and a batch's draws are all held until its tables are built."""
    games: dict[tuple, list[Setup]] = {}
    for setup in prep.setups:
        key = (setup.policy, setup.cbi, setup.delta_eta, setup.tax_rebate == "retraining")
        games.setdefault(key, []).append(setup)
    batches: list[list[Setup]] = [[]]
    for same in games.values():
        if batches[-1] and len(batches[-1]) + len(same) > size:
            batches.append([])
        batches[-1].extend(same)
    return [replace(prep, setups=tuple(batch)) for batch in batches]


__all__ = [
    "TABLES",
    "YEARS",
    "adopted_at",
    "calibrate",
    "combine",
    "expected_share",
    "forecast",
    "prepare",
    "resolve_scenario",
    "scenario_batches",
    "sensitivity",
]

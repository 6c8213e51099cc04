"""The entry point: scenario → agents, AI and economy → turns → tables.

    from exposure.abm import simulate
    out = simulate(tables, "P1", AbmOptions(share=0.01), forecast_tables=fc)

``tables`` holds the warehouse's reference tables (``employment``, ``task``,
``task_rating``, ``crosswalk``, ``projection``, the calibration inputs ...), as the
forecast engine takes them; ``task_feature`` is built from them when not given.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from exposure.abm.ai import AiParams, AiState
from exposure.abm.backend import namespace
from exposure.abm.caps import sector_caps
from exposure.abm.engine import AbmOptions, Economy, Trace, run
from exposure.abm.offshore import offshorability
from exposure.abm.outputs import tables_of
from exposure.abm.population import Population, draw_population


def prepared(tables: dict[str, pl.DataFrame], scenario, task_feature: pl.DataFrame | None = None,
             task_scores: pl.DataFrame | None = None):
    """The forecast's `Prepared` for one scenario (task arrays, μ solved from a_10, lags)."""
    from exposure.features import build_task_features
    from exposure.forecast import prepare

    if task_feature is None:
        task_feature = build_task_features(tables)
    return prepare(task_feature, task_scores, tables, [scenario])[0]


def economy(prep, setup) -> Economy:
    """Scenario-level numbers at the scenario's centres (§7.0 modes)."""
    pt = setup.points
    eta = pt["eta"] + setup.delta_eta
    loss = pt["lam_tot"] * (1.0 - eta)
    dem = prep.demand[setup.policy.mode]
    tax = {"none": np.zeros_like(dem.internalised),
           "pigouvian": loss * (dem.cooperative - dem.internalised),
           "fixed": np.full_like(dem.internalised, setup.policy.tax_rate)}
    if setup.policy.automation_tax not in tax:
        raise ValueError(f"the ABM does not model automation_tax = "
                         f"{setup.policy.automation_tax!r}")
    layoff = loss * dem.internalised
    return Economy(theta_sub=pt["theta_sub"], hazard=pt["reemployment_hazard"] * setup.h_factor,
                   replacement=min(1.0, eta + 0.1), ui_replacement=setup.ui_replacement,
                   ui_months=setup.ui_months, lam_tot=pt["lam_tot"],
                   labour_share=setup.policy.labour_share, f_soc=setup.diffusion.f_soc,
                   threshold=layoff + tax[setup.policy.automation_tax], layoff=layoff,
                   demand_share=np.asarray(dem.share, dtype=np.float64), t0=prep.t0)


def ai_state(prep, setup, opts: AbmOptions) -> AiState:
    """The per-task AI state at t0, from the forecast's arrays and the scenario's centres."""
    pt = setup.points
    a10 = min(pt["a10"], prep.a10_cap * (1 - 1e-9))
    mu = float(np.asarray(prep.mu_of(np.array([a10]))).ravel()[0])
    cap, dif = setup.capability, setup.diffusion
    params = AiParams(Td_months=pt["Td_months"], kappa=pt["kappa"], beta=float(cap.beta),
                      q_req=pt["q_req"], m_h=pt["m_h"], g_c=pt["g_c"],
                      rho_rev=float(cap.rho_rev), r0_sigma=pt["r0_sigma"], mu=mu,
                      delta_D=float(dif.delta_D), contribution_loss=float(dif.contribution_loss),
                      cbi=setup.cbi, singularity=opts.singularity)
    z = np.random.default_rng(np.random.SeedSequence([opts.seed, 11])).standard_normal(
        prep.tasks.n_tasks)
    ta = prep.tasks
    return AiState(params, prep.c0, prep.dac, prep.vc, prep.ln_m, prep.cost_shift,
                   np.asarray(prep.lag[setup.scenario_id], dtype=np.float64), ta.exposure,
                   ta.g, z)


def simulate(tables: dict[str, pl.DataFrame], scenario, opts: AbmOptions | None = None,
             forecast_tables: dict[str, pl.DataFrame] | None = None, prep=None,
             population: Population | None = None) -> dict[str, pl.DataFrame]:
    """Run the ABM for one scenario; the frames of `abm.outputs` (scaled to the population).

    Coupled mode needs ``forecast_tables`` (``displacement_forecast`` of the same scenario)
    for the sector caps; emergent mode ignores them except for the comparison table."""
    opts = opts or AbmOptions()
    prep = prep or prepared(tables, scenario)
    setup = prep.setups[0]
    caps = None
    if opts.mode == "coupled":
        if not forecast_tables or "displacement_forecast" not in forecast_tables:
            raise ValueError("coupled mode caps AI take-up at the forecast's path: pass "
                             "forecast_tables with displacement_forecast, or use mode "
                             "'emergent'")
        caps = sector_caps(forecast_tables["displacement_forecast"], setup.scenario_id,
                           prep.tasks.sectors)
    trace, pop = run_trace(tables, prep, opts, caps, population)
    return tables_of(trace, pop, prep, setup.scenario_id, economy(prep, setup),
                     forecast_tables)


def run_trace(tables: dict[str, pl.DataFrame], prep, opts: AbmOptions, caps,
              population: Population | None = None) -> tuple[Trace, Population]:
    """The raw trace and the agents (what `simulate` tabulates; the tests read it)."""
    setup = prep.setups[0]
    ta = prep.tasks
    pop = population or draw_population(tables["employment"], ta.occupations, ta.sectors,
                                        opts.share, opts.seed, opts.skill_dispersion,
                                        opts.social_ties)
    weight = ta.omega * ta.exposure
    trace = run(pop, ai_state(prep, setup, opts), ta.occ, weight, economy(prep, setup), opts,
                caps, namespace(opts.device), offshorable_time(tables, prep, opts))
    return trace, pop


def offshorable_time(tables: dict[str, pl.DataFrame], prep, opts: AbmOptions
                     ) -> np.ndarray | None:
    """Each task's time share ω_i where its offshorability O_i (`offshore`) is above
    ``opts.offshorable_above``, else 0; None with offshoring off."""
    if not opts.offshoring:
        return None
    task_feature = tables.get("task_feature")
    if task_feature is None:
        from exposure.features import build_task_features

        task_feature = build_task_features(tables)
    ta = prep.tasks
    o = offshorability(task_feature, ta.onet_soc_code, ta.task_id)
    return np.where(o > opts.offshorable_above, ta.omega, 0.0)

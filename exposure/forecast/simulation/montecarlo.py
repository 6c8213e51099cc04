"""Monte-Carlo draws and the scenario set-up of the forecast (MODEL_SPEC §7.0, §7.1-§7.5).

**Draws.** Each uncertain parameter has a range in the scenario's ``[uncertainty]`` section:
``[low, high]`` is uniform, ``[low, mode, high]`` triangular (§7.0), and m_h is log-uniform.
Draw d uses its own generator, seeded by ``SeedSequence(seed).spawn(draws)[d]`` (constructed
directly as ``SeedSequence(seed, spawn_key=(d,))``), and always consumes the same numbers in
the same order: one uniform per name of `DRAWN`, then one standard normal z_i per task (the
task's AI-cost draw of §7.1). A draw's numbers depend only on (seed, d, task list), never on
the chunking or the scenario: scenarios are compared draw by draw (common random numbers).

**Shared and per-scenario parameters.** The parameters of capability, cost, gate and
diffusion (`SHARED`) and z are the same for every scenario of a run with the same seed and
the same capability, cost and diffusion settings (`Setup.shared_key`), so the engine computes
that work once per chunk (`simulate`); θ_sub, η, λ_tot and the re-employment hazard h are
drawn from the same uniforms per scenario, because a scenario may hold one of them fixed (the
upper-bound file P0-high sets θ_sub = 1) or shift it (P4's η + Δη).

**Fixed parameters.** A parameter the scenario file sets explicitly (e.g. ``[capability]
Td_months = inf``) is held at that value in every draw; the others are drawn. One κ is drawn
for both κ_D and κ_V. The centre of a range is its mode (triangular), its midpoint (uniform)
or its geometric midpoint (log-uniform); `centre` and `quantile` serve the sensitivity table.

**a_10** is drawn from its triangle truncated at 0.9 × the largest adopted share the model
can reach (`cost.Calibration.a10_cap`), then mapped to μ (`cost`).

**Data-stock feedback (§2.4).** Computed once per scenario, open loop, on the central
parameters: workers' AI use of a task follows the worker-level Bass curve (q = 1.83) from the
task's capability date; the stock D_i evolves by `diffusion.data_stock_path` with the
crowd-out (1 − 0.67·s_AI) and the withheld share o_i = CBI × G_o. The loss of data
availability over the window is applied as a constant erosion of the horizon's growth from
t0 on (κ_D·DA_i(0)·e_i doublings a year, never below zero growth).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from exposure.forecast.io.scenarios import Scenario
from exposure.forecast.model.capability import CapabilityParams, capability_year
from exposure.forecast.model.diffusion import (
    DiffusionParams,
    bass_cdf,
    data_stock_path,
    steady_state_stock,
)
from exposure.forecast.model.thresholds import Policy
from exposure.forecast.simulation.tasks import TaskArrays

# The drawn parameters, in the order each draw consumes its uniforms.
DRAWN = ("Td_months", "kappa", "r0_sigma", "a10", "g_c", "q_req", "m_h", "theta_sub", "eta",
         "lam_tot", "reemployment_hazard")
SHARED = DRAWN[:7]
LOG_UNIFORM = frozenset({"m_h"})
# Where a drawn parameter sits in a scenario file, to see whether the file sets it.
SET_BY = {"Td_months": [("capability", "Td_months")],
          "kappa": [("capability", "kappa_D"), ("capability", "kappa_V")],
          "r0_sigma": [("cost", "r0_sigma")], "a10": [("cost", "a10")],
          "g_c": [("cost", "g_c")], "q_req": [("capability", "q_req")],
          "m_h": [("capability", "m_h")], "theta_sub": [("labour", "theta_sub")],
          "eta": [("game", "eta")], "lam_tot": [("game", "lam_tot")],
          "reemployment_hazard": [("labour", "reemployment_hazard")]}
DESCRIPTIONS = {
    "Td_months": "METR doubling time (months)", "kappa": "data/verifiability lag κ (doublings)",
    "r0_sigma": "AI cost dispersion σ_r", "a10": "adopted wage-bill share target a_10",
    "g_c": "AI cost decline g_c (per year)", "q_req": "reliability the gate needs q_req",
    "m_h": "task length multiplier m_h", "theta_sub": "headcount share of automation θ_sub",
    "eta": "income replaced within the year η", "lam_tot": "spending propensity gap λ_tot",
    "reemployment_hazard": "monthly re-employment hazard h",
}


def inverse_cdf(bounds: tuple[float, ...], u: np.ndarray, log: bool = False) -> np.ndarray:
    """Values at probabilities ``u`` of a uniform ([lo, hi]), triangular ([lo, mode, hi]) or
    log-uniform range."""
    u = np.asarray(u, dtype=np.float64)
    if log:
        lo, hi = math.log(bounds[0]), math.log(bounds[-1])
        return np.exp(lo + u * (hi - lo))
    if len(bounds) == 2 or bounds[0] == bounds[-1]:
        lo, hi = bounds[0], bounds[-1]
        return lo + u * (hi - lo)
    a, c, b = bounds
    split = (c - a) / (b - a)
    left = a + np.sqrt(u * (b - a) * (c - a))
    right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
    return np.where(u < split, left, right)


def range_centre(bounds: tuple[float, ...], log: bool = False) -> float:
    if log:
        return math.sqrt(bounds[0] * bounds[-1])
    return bounds[1] if len(bounds) == 3 else 0.5 * (bounds[0] + bounds[1])


def triangle_cdf(bounds: tuple[float, ...], x: float) -> float:
    """P(X ≤ x) of a triangular or uniform range (to truncate it at x)."""
    lo, hi = bounds[0], bounds[-1]
    if x >= hi:
        return 1.0
    if x <= lo:
        return 0.0
    if len(bounds) == 2:
        return (x - lo) / (hi - lo)
    c = bounds[1]
    if x <= c:
        return (x - lo) ** 2 / ((hi - lo) * (c - lo))
    return 1.0 - (hi - x) ** 2 / ((hi - lo) * (hi - c))


@dataclass(frozen=True)
class Setup:
    """What a forecast needs from one scenario: point values, policies, ranges, seed."""

    scenario_id: str
    title: str
    description: str
    capability: CapabilityParams
    diffusion: DiffusionParams
    policy: Policy
    scale_elasticity: float
    delta_eta: float  # P4 Δη
    dividend: float  # P7 data_dividend_eta per unit of CBI
    cbi: float
    h_factor: float  # P4 multiplier on h
    ubi: float  # P3 $ per person per year
    capital_tax: float  # P2
    tax_rebate: str  # "lump_sum", "retraining" (P8) or "none"
    retraining_cost: float
    retraining_cap: float
    ui_replacement: float
    ui_months: int
    points: dict[str, float] = field(hash=False)  # each drawn parameter's value in the file
    fixed: frozenset[str] = frozenset()
    ranges: dict[str, tuple[float, ...]] = field(default_factory=dict, hash=False)
    seed: int = 0

    @classmethod
    def from_scenario(cls, scenario: Scenario, seed: int | None = None) -> Setup:
        params, changes = scenario.parameters(), scenario.changes()
        fixed = frozenset(name for name, keys in SET_BY.items()
                          if any(k in changes.get(sec, {}) for sec, k in keys))
        cap, cost, game, pol, lab = (params.capability, params.cost, params.game,
                                     params.policy, params.labour)
        unc = params.uncertainty
        points = {name: float(getattr(getattr(params, keys[0][0]), keys[0][1]))
                  for name, keys in SET_BY.items()}
        return cls(
            scenario_id=scenario.id, title=scenario.title,
            description=" ".join(scenario.description.split()),
            capability=CapabilityParams(
                H0_minutes=cap.H0_minutes, t0=cap.t0, Td_months=cap.Td_months, beta=cap.beta,
                kappa_D=cap.kappa_D, kappa_V=cap.kappa_V, gamma_m=cap.gamma_m, g_c=cost.g_c,
                rho_rev=cost.rho_rev),
            diffusion=DiffusionParams(**params.diffusion.model_dump()),
            policy=Policy(mode=game.mode, automation_tax=pol.automation_tax,
                          tax_rate=pol.tax_rate, planner_mu=pol.planner_mu,
                          worker_equity=pol.worker_equity, coalition_size=pol.coalition_size,
                          coalition_share=pol.coalition_share, phi=game.phi,
                          wage_concession=game.wage_concession,
                          labour_share=game.labour_share),
            scale_elasticity=cost.scale_elasticity, delta_eta=pol.upskilling_delta_eta,
            dividend=pol.data_dividend_eta, cbi=pol.cbi, h_factor=pol.upskilling_h0_factor,
            ubi=pol.ubi, capital_tax=pol.capital_tax,
            tax_rebate=pol.tax_rebate if pol.automation_tax != "none" else "none",
            retraining_cost=pol.retraining_cost, retraining_cap=pol.retraining_cap,
            ui_replacement=lab.ui_replacement, ui_months=lab.ui_months,
            points=points, fixed=fixed,
            ranges={name: tuple(float(x) for x in getattr(unc, name)) for name in DRAWN},
            seed=unc.seed if seed is None else seed,
        )

    def shared_key(self) -> tuple:
        """Scenarios with equal keys share capability, cost, gate and diffusion draws."""
        held = tuple(sorted((n, self.points[n]) for n in self.fixed if n in SHARED))
        return (self.capability, self.diffusion, self.scale_elasticity, held,
                tuple(self.ranges[n] for n in SHARED), self.seed)

    def holding(self, values: dict[str, float]) -> Setup:
        """A copy with the named drawn parameters held at ``values`` (sensitivity, μ)."""
        cap = self.capability
        if "kappa" in values:
            cap = replace(cap, kappa_D=values["kappa"], kappa_V=values["kappa"])
        if "Td_months" in values:
            cap = replace(cap, Td_months=values["Td_months"])
        if "g_c" in values:
            cap = replace(cap, g_c=values["g_c"])
        return replace(self, capability=cap, points={**self.points, **values},
                       fixed=self.fixed | frozenset(values))

    def at_centre(self) -> Setup:
        """Every drawn parameter at its centre."""
        return self.holding({name: self.centre(name) for name in DRAWN})

    def centre(self, name: str) -> float:
        """The parameter's value when others are drawn: the file's value if it sets it."""
        if name in self.fixed:
            return self.points[name]
        return range_centre(self.ranges[name], name in LOG_UNIFORM)

    def value(self, name: str, u: np.ndarray, cap: float | None = None) -> np.ndarray:
        """Draws of ``name`` from uniforms ``u`` (its range truncated above at ``cap``)."""
        if name in self.fixed:
            return np.full(np.shape(u), self.points[name])
        bounds = self.ranges[name]
        if cap is not None and bounds[0] < cap < bounds[-1]:
            u = np.asarray(u) * triangle_cdf(bounds, cap)
        return inverse_cdf(bounds, u, name in LOG_UNIFORM)


@dataclass(frozen=True)
class Uniforms:
    """The random numbers of draws [start, stop): ``u`` (D, len(DRAWN)) and ``z`` (D, tasks)."""

    start: int
    u: np.ndarray
    z: np.ndarray

    def of(self, name: str) -> np.ndarray:
        return self.u[:, DRAWN.index(name)]


def draw_generator(seed: int, draw: int) -> np.random.Generator:
    """The generator of draw ``draw``: that of ``SeedSequence(seed).spawn(n)[draw]``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(draw,)))


def draw_uniforms(seed: int, start: int, stop: int, n_tasks: int) -> Uniforms:
    """The random numbers of draws [start, stop) (see the module docstring)."""
    n = stop - start
    u = np.empty((n, len(DRAWN)))
    z = np.empty((n, n_tasks))
    for k in range(n):
        rng = draw_generator(seed, start + k)
        u[k] = rng.random(len(DRAWN))
        z[k] = rng.standard_normal(n_tasks)
    return Uniforms(start=start, u=u, z=z)


def data_erosion(tasks: TaskArrays, setup: Setup, t_end: float) -> np.ndarray:
    """e_i: the yearly rate at which task i's data stock falls over [t0, t_end] (§2.4)."""
    cap, dif = setup.capability, setup.diffusion
    t0 = float(cap.t0)
    span = t_end - t0
    steps = max(math.ceil(span), 1)
    t_cap = np.asarray(capability_year(tasks.h_minutes, tasks.da, tasks.v, tasks.m, cap))
    grid = t0 + np.arange(steps)
    with np.errstate(invalid="ignore"):
        usage = tasks.exposure[:, None] * np.asarray(
            bass_cdf(grid[None, :] - t_cap[:, None], dif.bass_p, dif.bass_q_worker))
    withheld = (setup.cbi * tasks.g)[:, None]
    d0 = float(steady_state_stock(1.0, 0.0, dif))
    path = data_stock_path(d0, 1.0, usage, withheld, dif) / d0
    k = min(int(span), steps - 1)
    ratio = path[:, k] + (span - k) * (path[:, k + 1] - path[:, k])
    return np.clip(1.0 - ratio, 0.0, 1.0) / span


__all__ = [
    "DESCRIPTIONS",
    "DRAWN",
    "LOG_UNIFORM",
    "SHARED",
    "Setup",
    "Uniforms",
    "data_erosion",
    "draw_generator",
    "draw_uniforms",
    "inverse_cdf",
    "range_centre",
    "triangle_cdf",
]

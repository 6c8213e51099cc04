"""Capability and cost-effectiveness of AI per task (MODEL_SPEC §2.1-§2.2), as pure numpy.

§2.1 task-length horizon (METR): the 50% horizon H doubles every Td months, shifted per task
by data availability DA and verifiability V, and a task of human length h_i succeeds with

    log2 H_i(t) = log2 H0 + 12(t − t0)/Td + κ_D(DA_i − ½) + κ_V(V_i − ½)
    p_i(t)      = logistic(β(log2 H_i(t) − log2 h_i)) · (1 − m_i)^γ_m

§2.2 cost: r_i(t) = r0_i (1 − g_c)^(t − t0)/p_i(t) + ρ_rev is AI cost per successful completion
over the human wage cost, and σ_i(t) = 1 − r_i(t) is the task's saving rate (§3.7 compares it
with the game thresholds). r0_i comes from §7.1 (`forecast.cost`).

Every function broadcasts floats and arrays (tasks × draws × time), with no loop per task.
Times are decimal years; horizons and human task times are minutes.

Semantics of t_cap (:func:`capability_year`): it is the exact crossing time of p = ½, which
may lie before t0 (the task was already within reach at the forecast start, so its adoption
is already under way). With Td = ∞ capability is frozen, so the crossing is +∞ where p < ½
(never) and −∞ where p ≥ ½ (always was): nothing changes over the forecast window.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, logit

from exposure.forecast.model._numeric import FloatArray, FloatOrArray, bisect_boundary, f64

# Job Zone 1-5 → typical human minutes per task when no task time is given. [A]
JOB_ZONE_MINUTES: tuple[float, ...] = (15.0, 30.0, 60.0, 120.0, 240.0)
# Doubling time of the METR horizon, months: base 7 [S], fast 4.3 (131 days, TH 1.1) [S],
# slow 14 [A].
TD_MONTHS_BASE = 7.0
TD_MONTHS_FAST = 4.3
TD_MONTHS_SLOW = 14.0


@dataclass(frozen=True)
class CapabilityParams:
    """Parameters of §2.1-§2.2 with §7.2's β; fields may be arrays of Monte-Carlo draws.

    AI cost per task (r0) is no longer a parameter here: §7.1 builds it per task and draw
    from the wage, firm scale and data features (`forecast.cost`).
    """

    H0_minutes: ArrayLike = 60.0  # [S] METR 50% horizon at t0 (Claude 3.7 Sonnet ~59 min)
    t0: ArrayLike = 2025.0 + 1.0 / 12.0  # [S] Feb 2025, the date H0 was measured
    Td_months: ArrayLike = TD_MONTHS_BASE  # [S] METR doubling time 2019-2025
    beta: ArrayLike = 0.6  # [S] per doubling: METR's 80% horizon ≈ a fifth of its 50% (§7.2)
    kappa_D: ArrayLike = 2.0  # [A] doublings of lag between DA = 0 and DA = 1
    kappa_V: ArrayLike = 2.0  # [A] doublings of lag between V = 0 and V = 1
    gamma_m: ArrayLike = 2.0  # [A] exponent of the manual penalty (METR is not robotics)
    g_c: ArrayLike = 0.10  # [S] yearly AI cost decline, Svanberg scenario via Acemoglu
    rho_rev: ArrayLike = 0.1  # [A] human review cost, share of the wage cost

    def with_(self, **changes: ArrayLike) -> CapabilityParams:
        """A copy with some parameters changed (the dataclass is frozen)."""
        return replace(self, **changes)

    def without_features(self) -> CapabilityParams:
        """DA, V and manual intensity switched off: p is the pure horizon curve (§2.1)."""
        return replace(self, kappa_D=0.0, kappa_V=0.0, gamma_m=0.0)


def human_minutes(job_zone: ArrayLike, task_minutes: ArrayLike | None = None) -> FloatOrArray:
    """Human minutes h_i per task (§2.1): the task time where given, else by Job Zone.

    ``task_minutes`` (e.g. the AEI "human-only time") wins where it is finite and > 0; elsewhere
    Job Zone 1-5 maps to :data:`JOB_ZONE_MINUTES`. A missing Job Zone (NaN) gives NaN.
    """
    jz = f64(job_zone)
    known = np.isfinite(jz)
    if np.any(known & ((jz < 1) | (jz > 5) | (jz != np.round(jz)))):
        raise ValueError("Job Zone must be an integer from 1 to 5")
    table = np.asarray(JOB_ZONE_MINUTES)
    by_zone = np.where(known, table[np.where(known, jz, 1).astype(int) - 1], np.nan)
    if task_minutes is None:
        return by_zone[()]
    tm = f64(task_minutes)
    return np.where(np.isfinite(tm) & (tm > 0.0), tm, by_zone)[()]


def log2_horizon(
    t: ArrayLike, da: ArrayLike = 0.5, v: ArrayLike = 0.5, params: CapabilityParams | None = None
) -> FloatOrArray:
    """``log2 H_i(t) = log2 H0 + 12(t − t0)/Td + κ_D(DA − ½) + κ_V(V − ½)``, minutes (§2.1).

    Data-poor or unverifiable tasks lag the frontier by up to κ doublings; DA = V = ½ is the
    frontier itself. Td = ∞ freezes the horizon.
    """
    c = params or CapabilityParams()
    months = 12.0 * (f64(t) - f64(c.t0))
    # 12(t − t0)/Td is 0 for Td = ∞ at every finite t (no inf/inf).
    growth = np.where(np.isinf(f64(c.Td_months)), 0.0, months / f64(c.Td_months))
    shift = f64(c.kappa_D) * (f64(da) - 0.5) + f64(c.kappa_V) * (f64(v) - 0.5)
    return (np.log2(f64(c.H0_minutes)) + growth + shift)[()]


def manual_factor(m: ArrayLike, params: CapabilityParams | None = None) -> FloatOrArray:
    """``(1 − m_i)^γ_m``, the ceiling on p from manual work (§2.1); 1 when γ_m = 0."""
    c = params or CapabilityParams()
    return np.power(1.0 - f64(m), f64(c.gamma_m))[()]


def success_probability(
    t: ArrayLike,
    h_minutes: ArrayLike,
    da: ArrayLike = 0.5,
    v: ArrayLike = 0.5,
    m: ArrayLike = 0.0,
    params: CapabilityParams | None = None,
) -> FloatOrArray:
    """``p_i(t) = logistic(β(log2 H_i(t) − log2 h_i))·(1 − m_i)^γ_m`` (§2.1), in [0, 1]."""
    c = params or CapabilityParams()
    gap = log2_horizon(t, da, v, c) - np.log2(f64(h_minutes))
    return (expit(f64(c.beta) * gap) * manual_factor(m, c))[()]


def capability_year(
    h_minutes: ArrayLike,
    da: ArrayLike = 0.5,
    v: ArrayLike = 0.5,
    m: ArrayLike = 0.0,
    params: CapabilityParams | None = None,
) -> FloatOrArray:
    """First t with p_i(t) ≥ ½ (§2.3's t_cap), in closed form.

    p ≥ ½ needs logistic(β·gap) ≥ c with c = ½/(1 − m)^γ_m. Where c ≥ 1 the manual ceiling
    keeps p below ½ for ever (+∞). Otherwise gap ≥ logit(c)/β, i.e.

        t_cap = t0 + (Td/12)·(log2 h − log2 H0 − κ_D(DA − ½) − κ_V(V − ½) + logit(c)/β),

    which falls in DA and V when κ ≥ 0. The result may precede t0 (already capable). With
    Td = ∞ it is −∞ where p(t0) ≥ ½ and +∞ elsewhere (see the module docstring).
    """
    c = params or CapabilityParams()
    with np.errstate(divide="ignore"):  # m = 1: the ceiling is 0, need = ∞, unreachable
        need = 0.5 / f64(manual_factor(m, c))
    reachable = need < 1.0
    # The gap (in doublings) the horizon must close; logit(need) is finite where reachable.
    target = np.log2(f64(h_minutes)) + logit(np.where(reachable, need, 0.5)) / f64(c.beta)
    gap0 = target - log2_horizon(c.t0, da, v, c)  # doublings still missing at t0
    td = f64(c.Td_months)
    frozen = np.isinf(td)
    moving = f64(c.t0) + np.where(frozen, 0.0, td / 12.0) * gap0
    frozen_year = np.where(gap0 <= 0.0, -np.inf, np.inf)
    return np.where(reachable, np.where(frozen, frozen_year, moving), np.inf)[()]


def cost_ratio(
    t: ArrayLike, r0: ArrayLike, p: ArrayLike, params: CapabilityParams | None = None
) -> FloatOrArray:
    """``r_i(t) = r0_i (1 − g_c)^(t − t0)/p_i(t) + ρ_rev`` (§2.2); +∞ where p = 0.

    AI cost per *successful* completion: dividing by p charges the failed attempts.
    """
    c = params or CapabilityParams()
    p_ = f64(p)
    # Far from t0 (or at p → 0) the cost may overflow to +∞, which is the right answer.
    with np.errstate(divide="ignore", over="ignore"):
        cost = f64(r0) * np.power(1.0 - f64(c.g_c), f64(t) - f64(c.t0))
        per_success = np.where(p_ > 0.0, cost / np.where(p_ > 0.0, p_, 1.0), np.inf)
    return (per_success + f64(c.rho_rev))[()]


def saving_rate(
    t: ArrayLike, r0: ArrayLike, p: ArrayLike, params: CapabilityParams | None = None
) -> FloatOrArray:
    """Task saving rate ``σ_i(t) = 1 − r_i(t)`` (§2.2); −∞ where p = 0."""
    return (1.0 - f64(cost_ratio(t, r0, p, params)))[()]


def cost_effective_year(
    threshold: ArrayLike,
    r0: ArrayLike,
    h_minutes: ArrayLike,
    da: ArrayLike = 0.5,
    v: ArrayLike = 0.5,
    m: ArrayLike = 0.0,
    params: CapabilityParams | None = None,
    span: float = 200.0,
) -> FloatOrArray:
    """First t with σ_i(t) ≥ x (the §3.7 game threshold), by vectorised bisection.

    σ_i(t) is non-decreasing in t (p rises when Td > 0, cost falls when g_c ≥ 0), so the set
    {σ ≥ x} is a half-line and bisection on [t0 − span, t0 + span] finds its start. −∞ where
    it already holds at t0 − span, +∞ where it still fails at t0 + span.
    """
    c = params or CapabilityParams()
    t0 = f64(c.t0)

    def passes(t: FloatArray) -> FloatArray:
        p = success_probability(t, h_minutes, da, v, m, c)
        return f64(saving_rate(t, r0, p, c)) >= f64(threshold)

    lo, hi = t0 - span, t0 + span
    year = bisect_boundary(passes, lo, hi)
    return np.where(passes(lo), -np.inf, np.where(passes(hi), year, np.inf))[()]


__all__ = [
    "JOB_ZONE_MINUTES",
    "TD_MONTHS_BASE",
    "TD_MONTHS_FAST",
    "TD_MONTHS_SLOW",
    "CapabilityParams",
    "capability_year",
    "cost_effective_year",
    "cost_ratio",
    "human_minutes",
    "log2_horizon",
    "manual_factor",
    "saving_rate",
    "success_probability",
]

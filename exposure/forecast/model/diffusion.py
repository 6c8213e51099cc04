"""Deployment gate, Bass diffusion and data dynamics (MODEL_SPEC §2.3-§2.4), as pure numpy.

§2.3: a task capable at t_cap (:func:`exposure.forecast.model.capability.capability_year`) may be
deployed from

    t_eval = t_cap + L_eval(1 − V) + G·CBI·L_hold,

because unverifiable tasks need evaluation data first and an organised profession can withhold
it. Firms adopt from t_act = max(t_eval, first t passing the §3 game threshold) along the Bass
curve F(t − t_act), with imitation q slowed by face-to-face work (the engine finds t_act and
evaluates F in `simulation.kernels`: `cost_crossing` from t_eval, `bass_increment`).

§2.4: the data stock of a task falls as AI takes it over (fewer human traces), and data
withheld under collective bargaining (share o) never enters it:

    D(t+1) = (1 − δ_D)D(t) + κ_c·HumanHours(t)·(1 − o)·(1 − c_AI·s_AI(t)),
    DA(t)  = DA(0)·D(t)/D(0)

(the engine turns the stock's fall over the forecast window into a slower capability growth,
`simulation.montecarlo.data_erosion`).

Every function broadcasts floats and arrays (tasks × draws); the data recursion loops over
time steps only, never over tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from exposure.forecast.model._numeric import FloatArray, FloatOrArray, clip01, f64


@dataclass(frozen=True)
class DiffusionParams:
    """Parameters of §2.3-§2.4; fields may be arrays of Monte-Carlo draws."""

    L_eval: ArrayLike = 1.0  # [A] years to build evaluation data for a task with V = 0
    L_hold: ArrayLike = 2.0  # [A] years a fully organised profession (G = 1) can hold out
    bass_p: ArrayLike = 0.03  # [S] firm innovation rate /yr, Sultan-Farley-Lehmann average
    bass_q: ArrayLike = 0.38  # [S] firm imitation rate /yr, Sultan-Farley-Lehmann average
    bass_q_worker: ArrayLike = 1.83  # [R] worker-level GenAI use, fitted to Bick-Blandin-Deming
    f_soc: ArrayLike = 0.5  # [A] share of imitation lost at full face-to-face intensity
    delta_D: ArrayLike = 0.10  # [A] yearly obsolescence of the task's data stock
    kappa_c: ArrayLike = 1.0  # [A] data per human hour (cancels in DA(t)/DA(0) at steady state)
    contribution_loss: ArrayLike = 0.67  # [A] from Stack Overflow 60k→40k posts (del Rio-Chanona)

    def with_(self, **changes: ArrayLike) -> DiffusionParams:
        """A copy with some parameters changed (the dataclass is frozen)."""
        return replace(self, **changes)

    def without_gates(self) -> DiffusionParams:
        """No evaluation lag and no holdout: t_eval = t_cap (V and G switched off, §2.3)."""
        return replace(self, L_eval=0.0, L_hold=0.0)


# ---------------------------------------------------------------------------------------------
# §2.3 deployment gate
# ---------------------------------------------------------------------------------------------


def deployment_year(
    t_cap: ArrayLike,
    v: ArrayLike,
    g: ArrayLike = 0.0,
    cbi: ArrayLike = 0.0,
    params: DiffusionParams | None = None,
) -> FloatOrArray:
    """``t_eval = t_cap + L_eval(1 − V) + G·CBI·L_hold`` (§2.3).

    Both delays are non-negative, so the gate never opens before capability; ±∞ in t_cap
    (never / always capable) passes through unchanged.
    """
    d = params or DiffusionParams()
    lag = f64(d.L_eval) * (1.0 - f64(v)) + f64(g) * f64(cbi) * f64(d.L_hold)
    return (f64(t_cap) + lag)[()]


# ---------------------------------------------------------------------------------------------
# §2.3 Bass diffusion
# ---------------------------------------------------------------------------------------------


def _bass_decay(u: ArrayLike, p: ArrayLike, q: ArrayLike) -> tuple[FloatArray, ...]:
    """Broadcast (u, p, q) and e^{−(p+q)u} for u > 0 (0 for u = +∞; u ≤ 0 is masked later)."""
    u_, p_, q_ = np.broadcast_arrays(f64(u), f64(p), f64(q))
    with np.errstate(over="ignore"):  # (p+q)u → +∞ only where e^{−…} is 0 anyway
        decay = np.exp(-(p_ + q_) * np.where(u_ > 0.0, u_, 0.0))
    return u_, p_, q_, decay


def bass_cdf(u: ArrayLike, p: ArrayLike = 0.03, q: ArrayLike = 0.38) -> FloatOrArray:
    """Bass adoption share ``F(u) = (1 − e^{−(p+q)u})/(1 + (q/p)e^{−(p+q)u})``, 0 for u ≤ 0.

    u is the time since t_act in years. p is the innovation (external) rate and q the
    imitation rate (§2.3). F rises from 0 to 1; with p = 0 nobody starts, so F = 0.
    Evaluated as p(1 − e)/(p + q·e), the same expression multiplied through by p, which
    needs no division by a tiny p.
    """
    u_, p_, q_, decay = _bass_decay(u, p, q)
    live = (u_ > 0.0) & (p_ > 0.0)
    share = p_ * (1.0 - decay) / np.where(live, p_ + q_ * decay, 1.0)
    return clip01(np.where(live, share, 0.0))[()]


def social_imitation(
    q: ArrayLike, pr_face_to_face: ArrayLike, f_soc: ArrayLike = 0.5
) -> FloatOrArray:
    """``q_i = q(1 − f_soc·pr(WC Face-to-Face))`` (§2.3): network-embedded obligations slow
    imitation in tasks done face to face."""
    return (f64(q) * (1.0 - f64(f_soc) * f64(pr_face_to_face)))[()]


# ---------------------------------------------------------------------------------------------
# §2.4 data dynamics
# ---------------------------------------------------------------------------------------------


def data_inflow(
    human_hours: ArrayLike,
    s_ai: ArrayLike = 0.0,
    withheld: ArrayLike = 0.0,
    params: DiffusionParams | None = None,
) -> FloatOrArray:
    """New data per step, ``κ_c·HumanHours·(1 − o)·(1 − c_AI·s_AI)`` (§2.4).

    ``withheld`` is o_i, the share kept back under collective bargaining (§6 P7: CBI ×
    organised share); ``s_ai`` is the AI share of the task, which crowds out human traces.
    """
    d = params or DiffusionParams()
    crowd_out = 1.0 - f64(d.contribution_loss) * f64(s_ai)
    return (f64(d.kappa_c) * f64(human_hours) * (1.0 - f64(withheld)) * crowd_out)[()]


def steady_state_stock(
    human_hours: ArrayLike, withheld: ArrayLike = 0.0, params: DiffusionParams | None = None
) -> FloatOrArray:
    """``D* = inflow/δ_D`` with no AI (s_AI = 0): the natural D(0) before AI arrived."""
    d = params or DiffusionParams()
    return (f64(data_inflow(human_hours, 0.0, withheld, d)) / f64(d.delta_D))[()]


def data_stock_path(
    d0: ArrayLike,
    human_hours: ArrayLike,
    s_ai: ArrayLike = 0.0,
    withheld: ArrayLike = 0.0,
    params: DiffusionParams | None = None,
) -> FloatArray:
    """``D(t+1) = (1 − δ_D)D(t) + inflow(t)``, time on the last axis (§2.4).

    ``human_hours`` and ``s_ai`` are paths of T steps (or constants broadcast against them);
    returns the T + 1 stocks D(0) … D(T). δ_D and the inflow are per step: yearly steps use
    the yearly defaults.
    """
    d = params or DiffusionParams()
    inflow = f64(data_inflow(human_hours, s_ai, withheld, d))
    if inflow.ndim == 0:
        inflow = inflow[np.newaxis]
    keep = 1.0 - f64(d.delta_D)
    stock = np.broadcast_to(f64(d0), np.broadcast(f64(d0), inflow[..., 0]).shape).copy()
    path = [stock]
    for k in range(inflow.shape[-1]):  # a loop over time steps, vectorised over tasks
        stock = keep * stock + inflow[..., k]
        path.append(stock)
    return np.stack(path, axis=-1)


__all__ = [
    "DiffusionParams",
    "bass_cdf",
    "data_inflow",
    "data_stock_path",
    "deployment_year",
    "social_imitation",
    "steady_state_stock",
]

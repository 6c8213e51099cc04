"""AI per task, month by month (MODEL_SPEC §4 step 5, with §2.1-§2.4 and §7.1-§7.2).

Host NumPy over the forecast's task arrays (about 19,000 tasks, tiny next to the agents).
Each AI update (every U = 3 turns) moves every task's horizon by U/Td_i(t) doublings with
Td_i(t) = Td·(D_i/D_i^base)^(−a_D)·(K/K^base)^(−a_K):

* the data stock D_i (1 at t0) decays at δ_D a year and is refilled by human contributions,
  which fall with AI's share of the task (× (1 − 0.67 s_AI), §2.4) and with the data
  organised workers withhold (o_i = CBI·G_o, §7.6 P7);
* with the "capital singularity" loop on, AI operators also collect usage data (D_i gains
  ``usage_data``·s_AI) and their compute K grows with AI's share of all task time
  (K = 1 + ``compute_gain``·share) [A]; with it off, K = 1 and there is no usage data.

The deployment gate opens ``lag_i`` (the forecast's L_eval(1 − V_i) + G_o·CBI·L_hold) after
the task first reaches reliability q_req on the horizon alone (§7.2). A task's AI score is
s_i = σ_q Φ⁻¹(p_i) − r_i: AI quality above the task mean in units of σ_q, less AI's cost per
success relative to the occupation's mean wage (§7.1: AI cost does not scale with the
worker's own wage). Closed or unexposed tasks score −inf.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

LN2 = float(np.log(2.0))


@dataclass(frozen=True)
class AiParams:
    """The AI side's parameters (scenario centres, §4 defaults)."""

    Td_months: float
    kappa: float
    beta: float
    q_req: float
    m_h: float
    g_c: float
    rho_rev: float
    r0_sigma: float
    mu: float
    delta_D: float
    contribution_loss: float
    cbi: float
    a_D: float = 0.5  # [A] §4.5
    a_K: float = 0.5  # [A] §4.5
    singularity: bool = False
    usage_data: float = 1.0  # [A] usage data per unit of AI share, loop on
    compute_gain: float = 10.0  # [A] K − 1 per unit of AI's share of task time, loop on
    sigma_q: float = 1.0  # [A] §4.1


class AiState:
    """The per-task horizon, data stock, gate and cost; `scores(month)` and `update`."""

    def __init__(self, p: AiParams, c0: np.ndarray, dac: np.ndarray, vc: np.ndarray,
                 ln_m: np.ndarray, cost_shift: np.ndarray, lag_years: np.ndarray,
                 exposure: np.ndarray, organised: np.ndarray, z: np.ndarray) -> None:
        self.p = p
        shift = p.kappa * (dac + vc)
        self.x = c0 - np.log2(p.m_h) + shift  # log2 H_i − log2 h_i, doublings
        self.ln_m = ln_m
        self.log_r0 = p.mu + p.r0_sigma * z + cost_shift - LN2 * shift
        self.lag_months = 12.0 * lag_years
        self.usable = exposure > 0.0
        self.withheld = p.cbi * organised
        self.data = np.ones_like(self.x)
        self.compute = 1.0
        # reliable before t0 (t_cap = −∞, as in the forecast): the gate's lag has long run,
        # so what AI already does is the status quo, not a later opening
        self.cap_month = np.where(self._reliable(), -np.inf, np.inf)

    def _reliable(self) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.p.beta * self.x)) >= self.p.q_req

    def scores(self, month: float) -> np.ndarray:
        """s_i at ``month`` turns after t0 (−inf where the gate is closed)."""
        p = self.p
        success = np.exp(self.ln_m) / (1.0 + np.exp(-p.beta * self.x))
        success = np.clip(success, 1e-12, 1.0 - 1e-12)
        cost = np.exp(self.log_r0 + (month / 12.0) * np.log1p(-p.g_c)) / success + p.rho_rev
        open_ = self.usable & (month >= self.cap_month + self.lag_months)
        return np.where(open_, p.sigma_q * ndtri(success) - cost, -np.inf)

    def update(self, month: float, months: float, ai_share: np.ndarray,
               total_share: float) -> None:
        """Advance ``months`` turns to ``month``, given each task's AI share s_AI,i and AI's
        share of all task time."""
        p = self.p
        if not np.isfinite(p.Td_months):
            return
        dt = months / 12.0
        inflow = (1.0 - self.withheld) * (1.0 - p.contribution_loss * ai_share)
        if p.singularity:
            inflow = inflow + p.usage_data * ai_share
            self.compute = 1.0 + p.compute_gain * total_share
        self.data = self.data * (1.0 - p.delta_D * dt) + p.delta_D * dt * inflow
        td = (p.Td_months * np.maximum(self.data, 1e-6) ** (-p.a_D)
              * self.compute ** (-p.a_K))
        self.x = self.x + months / td
        self.cap_month = np.where(np.isinf(self.cap_month) & self._reliable(), month,
                                  self.cap_month)

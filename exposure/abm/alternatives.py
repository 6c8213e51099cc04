"""The incumbents and §4.2's two human alternatives to them: (a) domestic applicants and
(b) offshoring (host NumPy, all agents at once).

Everything is in the incumbent's terms, relative to the task mean μ_i (which cancels):
its judged quality J_w = σ_q θ_w + e_w, social tie b_w, cost c_w = y_w/ȳ (relative wage).

* (a) The best of K_d applicants, judged like the incumbent (sd √(σ_q² + sd(e)²)) and hired
  at the market wage (the cell's mean, c = 1), takes the job when (J_a − 1) − (J_w + β_soc
  b_w − c_w) > m_switch + f_soc b_w, i.e. when J_a clears the bar B_w = 1 + J_w + (β_soc +
  f_soc) b_w + m_switch − c_w. Applicants are fresh every review: with U uniform, the best
  of K_d is sd·Φ⁻¹(U^(1/K_d)), so the job changes hands when U > Φ(B_w/sd)^K_d, a
  probability that changes only when the job does (one uniform per job and review).
* (b) An offshore provider does the occupation's tasks with O_i > 0.5 at quality −0.2 and
  cost 0.4 c_w; it takes them when c_w (1 − 0.4 − x_j) − 0.2 − (J_w + β_soc b_w) >
  m_switch + f_soc b_w, with x_j the firm's layoff-trap threshold as for AI (the wage
  leaves the domestic economy as it does with AI), but not the automation tax.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri


@dataclass
class Incumbents:
    """Who holds each job now (per job, in the engine's order); a domestic hire replaces a
    row in place."""

    judged: np.ndarray  # J_w
    tie: np.ndarray  # b_w
    cost: np.ndarray  # c_w
    wage: np.ndarray  # annual wage, USD

    def threshold(self, who: np.ndarray, beta_f: float, m_switch: float,
                  x: np.ndarray) -> np.ndarray:
        """T_w of the jobs ``who``: the AI score a task needs to take it from them."""
        return (self.judged[who] + beta_f * self.tie[who] + m_switch
                - self.cost[who] * (1.0 - x[who]))

    def hire(self, who: np.ndarray, judged: np.ndarray, tie: np.ndarray,
             market_wage: np.ndarray) -> None:
        """The jobs ``who`` get new workers at the market wage (c = 1)."""
        self.judged[who] = judged
        self.tie[who] = tie
        self.cost[who] = 1.0
        self.wage[who] = market_wage


def kept_chance(inc: Incumbents, who: np.ndarray, sd: np.ndarray, k: int, beta_f: float,
                m_switch: float) -> np.ndarray:
    """Φ(B_w/sd)^k for the jobs ``who``: the chance that none of k applicants clears the
    bar (sd = 0, no skill dispersion: every applicant is judged 0)."""
    bar = 1.0 + inc.judged[who] + beta_f * inc.tie[who] + m_switch - inc.cost[who]
    s = sd[who]
    below = np.where(s > 0.0, ndtr(bar / np.where(s > 0.0, s, 1.0)), bar >= 0.0)
    return below**k


def best_applicant(u: np.ndarray, sd: np.ndarray, k: int) -> np.ndarray:
    """Judged quality of the best of ``k`` applicants, sd·Φ⁻¹(U^(1/k)), from its uniform."""
    return sd * ndtri(u ** (1.0 / k))


def offshore_wins(inc: Incumbents, layoff: np.ndarray, beta_soc: float, f_soc: float,
                  m_switch: float, cost: float, penalty: float) -> np.ndarray:
    """Jobs whose offshorable tasks an offshore provider would take from the incumbent."""
    advantage = (inc.cost * (1.0 - cost - layoff) - penalty
                 - (inc.judged + beta_soc * inc.tie))
    return advantage > m_switch + f_soc * inc.tie

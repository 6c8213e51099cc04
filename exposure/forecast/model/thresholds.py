"""Game thresholds per sector and firm group under a scenario's policies (§3, §7.3, §7.6).

A task is automated privately once its saving rate σ (per wage dollar) clears the firm's
threshold. With ℓ = λ_tot(1 − η) the spending lost per automated wage dollar and ι_j the
share of it a firm of sector j gets back itself (economy mode, §7.3: ι_j = λ_k/N_k, the
domestic value added that returns to the firm's own industry, spread over its N_k effective
firms; sector mode, §3.8: ι_j = spending_share_j/N_j), the private condition is

    (1 − ρ)σ − t + b_j ≥ ι_j·ℓ·(1 − ρσ)   ⇔   σ ≥ x_NE = (ι_j ℓ + t − b_j) / ((1 − ρ) + ρ ι_j ℓ)

* ρ — §3.5 wage adjustment (`[game] wage_concession`): workers concede ρ of AI's cost
  advantage, so the saving is (1 − ρ)σ and the lost spending scales with the lower wage
  1 − ρσ. At ι = 1/N this is §3.5's x* = λ(1−η)/[N(1−ρ) + ρλ(1−η)].
* b_j — §3.4 Red Queen (`[game] phi`): an automated task yields φ units of output and so
  takes market share from rivals, worth b_j = (φ − 1)(1 − 1/N_j)/s_L per wage dollar (the
  sector's spending per wage dollar is 1/s_L, the labour share; evaluated at α ≈ 0, an
  [R] reading of §3.4's d(α)/(1 + δα)). It lowers the private threshold only: summed over
  firms the market-share terms cancel, so the cooperative threshold does not move.
* t — the ad-valorem tax on the automated wage bill: 0; a fixed rate; the Pigouvian rate
  that moves x_NE to the cooperative threshold (P1); or the rate that moves it to the
  planner's threshold with worker weight μ (`automation_tax = "planner"`).

The cooperative threshold counts all the lost spending that returns to domestic firms:
x_CO = Λℓ/((1 − ρ) + ρΛℓ) with Λ = Σ_k λ_k (economy) or λ_j's spending share (sector mode).
The planner (§3.2) also weighs workers' own loss (1 − η) per wage dollar with μ/(1 − μ):
x_SP = x_CO + μ(1 − η)/(1 − μ).

Other policies: P5 worker equity scales ι_j by N_j/N_eff with N_eff = N(1 − λε) + λε (§3.6,
λ = λ_tot × the sector's share); P6 an enforced coalition (upper bound, it is not
self-enforcing) of a share w of each sector's firms internalises w times its industry's
share, min(ι_j N_j w, share), as a second firm group of weight w; P7's data dividend δ_i
(paid by the automating firm to the organised workers whose data it uses) raises those
workers' η by δ and costs the firm δ, so a threshold is x(η + δ) + δ. Thresholds are affine
in δ where ρ = 0 and are returned as x = a + c·δ (with ρ > 0 the δ-slope is the chord over
[η, η + 1]; no shipped scenario combines the two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Policy:
    """The dials that move thresholds (from a scenario's [game] and [policy] sections)."""

    mode: str = "economy"  # "economy" (§7.3) or "sector" (§3.8)
    automation_tax: str = "none"  # "none", "pigouvian", "fixed", "planner"
    tax_rate: float = 0.0
    planner_mu: float = 0.0
    worker_equity: float = 0.0
    coalition_size: int | None = None
    coalition_share: float | None = None
    phi: float = 1.0
    wage_concession: float = 0.0
    labour_share: float = 0.535

    @property
    def coalition(self) -> bool:
        return self.coalition_size is not None or self.coalition_share is not None


@dataclass(frozen=True)
class Demand:
    """Per-sector calibration the thresholds need (from `sector_calibration`), each (S,)."""

    n_firms: np.ndarray  # N_j of the mode
    share: np.ndarray  # λ_k (economy) or the spending share (sector mode)
    internalised: np.ndarray  # ι_j
    cooperative: np.ndarray  # Λ (economy, the same in every sector) or the spending share


@dataclass(frozen=True)
class Thresholds:
    """Thresholds of one chunk of draws: D draws × S sectors × K firm groups.

    ``a``/``c``: private thresholds x = a + c·δ (D, S, K); ``weight``: firm share of each group
    (D, S, K), summing to 1 over K; ``coop_a``/``coop_c``: x_CO = coop_a + coop_c·δ (D, S);
    ``tax``: the rate applied (D, S); ``tax_star``: the Pigouvian rate that would restore
    x_CO (D, S).
    """

    a: np.ndarray
    c: np.ndarray
    weight: np.ndarray
    coop_a: np.ndarray
    coop_c: np.ndarray
    tax: np.ndarray
    tax_star: np.ndarray


def _levels(policy: Policy, demand: Demand, lam_tot: np.ndarray, eta: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_NE by group (D, S, K), group weights, x_CO, tax applied, Pigouvian tax) at η."""
    rho = policy.wage_concession
    loss = lam_tot * (1.0 - eta)  # (D, 1)
    n = demand.n_firms[None, :]
    own = np.broadcast_to(demand.internalised[None, :], loss.shape[:1] + n.shape[1:])
    if policy.worker_equity:
        lam = lam_tot * demand.share[None, :]
        eps = policy.worker_equity
        own = own * n / (n * (1.0 - lam * eps) + lam * eps)
    bonus = (policy.phi - 1.0) * (1.0 - 1.0 / n) / policy.labour_share
    coop_share = demand.cooperative[None, :]
    x_co = coop_share * loss / ((1.0 - rho) + rho * coop_share * loss)

    def private(internal: np.ndarray, tax: np.ndarray | float) -> np.ndarray:
        return (internal * loss + tax - bonus) / ((1.0 - rho) + rho * internal * loss)

    def tax_for(target: np.ndarray) -> np.ndarray:
        return target * ((1.0 - rho) + rho * own * loss) - own * loss + bonus

    star = tax_for(x_co)
    if policy.automation_tax == "pigouvian":
        tax = star
    elif policy.automation_tax == "planner":
        mu = policy.planner_mu
        tax = tax_for(x_co + mu * (1.0 - eta) / (1.0 - mu))
    elif policy.automation_tax == "fixed":
        tax = np.full_like(star, policy.tax_rate)
    else:
        tax = np.zeros_like(star)
    groups, weights = [private(own, tax)], [np.ones_like(star)]
    if policy.coalition:
        if policy.coalition_size is not None:
            members = np.minimum(policy.coalition_size / n, 1.0)
        else:
            members = np.full_like(n, min(policy.coalition_share, 1.0))
        members = np.broadcast_to(members, star.shape)
        member_own = np.maximum(np.minimum(own * n * members, demand.share[None, :]), own)
        groups.append(private(member_own, tax))
        weights = [1.0 - members, members]
    return (np.stack(groups, axis=-1), np.stack(weights, axis=-1),
            np.broadcast_to(x_co, star.shape), tax, star)


def thresholds(policy: Policy, demand: Demand, lam_tot: np.ndarray,
               eta: np.ndarray) -> Thresholds:
    """Thresholds for draws of λ_tot and η (each (D,)) over the sectors of ``demand``."""
    lam_tot = np.asarray(lam_tot, dtype=np.float64)[:, None]
    eta = np.asarray(eta, dtype=np.float64)[:, None]
    x0, weight, co0, tax, star = _levels(policy, demand, lam_tot, eta)
    x1, _, co1, _, _ = _levels(policy, demand, lam_tot, eta + 1.0)
    return Thresholds(a=x0, c=x1 + 1.0 - x0, weight=weight, coop_a=np.array(co0),
                      coop_c=co1 + 1.0 - co0, tax=tax, tax_star=star)


__all__ = ["Demand", "Policy", "Thresholds", "thresholds"]

"""AI cost per task and its level μ (MODEL_SPEC §7.1).

    log r0_ij = μ + σ_r·z_i − log(w_o/w̄) − ε_s·log(S_o/S̄) − ln2·(κ_D(DA_i − ½) + κ_V(V_i − ½))

* `cost_shift` is the part fixed per task: the occupation's wage against the employment-
  weighted mean (AI cost does not scale with the wage), and its employment per effective
  firm against the employment-weighted geometric mean (fixed deployment costs are spread over
  a firm's volume). S_oj = Emp_oj/N_j per sector; the engine holds one cost per task, so a
  task takes its occupation's employment-weighted mean of log S_oj over sectors. N_j is the
  economy-mode N (BEA summary level) where the calibration has it, else the sector N, so no
  r0 depends on the scenario. The DA/V term depends on the draw's κ and is added by
  `simulate.shared_block`.
* μ is a function of a_10 alone (`Calibration`): at every other parameter's centre, under
  P0 with the data shifts, gate, diffusion and manual ceiling on, the expected adopted share
  of the total wage bill at the horizon grid point — Gauss–Hermite over z with 12 nodes — is
  a_10. The share falls as μ rises, so each grid value of a_10 is solved by bracketed
  root-finding (regula falsi with the Illinois step, falling back to bisection), all grid
  points at once, on the share's curve over the cost level (`engine.calibrate`); μ between
  grid points is interpolated linearly in log a_10.
* The reachable maximum is the adopted share with free AI (μ = −∞), gate and diffusion still
  binding; a_10 is truncated at `CAP_SHARE` of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from exposure.errors import ConfigError

if TYPE_CHECKING:
    from exposure.forecast.simulation.tasks import TaskArrays

GH_NODES = 12
CAP_SHARE = 0.9  # a_10's triangle is truncated at 0.9 × the reachable maximum (§7.1)
GRID_POINTS = 7
LEVEL_GRID = (-14.0, 16.0, 121)  # log cost levels u = μ + σ_r z tabulated for the curve
MU_BRACKET = (-8.0, 10.0)
MU_TOL = 1e-7
MAX_ITER = 100


def cost_shift(tasks: TaskArrays, n_firms: np.ndarray, scale_elasticity: float) -> np.ndarray:
    """−log(w_o/w̄) − ε_s·log(S_o/S̄) per task (see the module docstring)."""
    emp = tasks.baseline[:, -1]
    n_occ = len(tasks.occupations)
    paid = emp > 0
    mean_wage = np.average(tasks.cell_wage[paid], weights=emp[paid])
    occ_wage = tasks.occ_wage
    log_wage_ratio = np.log(np.where(np.isfinite(occ_wage), occ_wage, mean_wage) / mean_wage)
    log_s = np.log(emp[paid] / n_firms[tasks.cell_sector[paid]])
    mean_log_s = np.average(log_s, weights=emp[paid])
    weight = np.bincount(tasks.cell_occ[paid], weights=emp[paid], minlength=n_occ)
    occ_log_s = np.bincount(tasks.cell_occ[paid], weights=emp[paid] * log_s, minlength=n_occ)
    occ_log_s = np.where(weight > 0, occ_log_s / np.where(weight > 0, weight, 1.0), mean_log_s)
    per_occ = -log_wage_ratio - scale_elasticity * (occ_log_s - mean_log_s)
    return per_occ[tasks.occ]


def gauss_hermite(n: int = GH_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) of E[f(z)], z ~ N(0, 1)."""
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, w / w.sum()


@dataclass(frozen=True)
class Calibration:
    """μ on a grid of a_10 values; call it with a_10 draws to get their μ."""

    a10_grid: np.ndarray
    mu_grid: np.ndarray
    reachable: float  # adopted share with free AI
    iterations: int
    residual: float  # largest |expected share − a_10| on the grid

    @property
    def a10_cap(self) -> float:
        return CAP_SHARE * self.reachable

    def __call__(self, a10: np.ndarray) -> np.ndarray:
        if self.reachable == 0.0:  # nothing automatable: AI never pays
            return np.full(np.shape(a10), np.inf)
        return np.interp(np.log(a10), np.log(self.a10_grid), self.mu_grid)


def grid_for(bounds: tuple[float, ...], extra: tuple[float, ...], cap: float) -> np.ndarray:
    """a_10 values to solve: the range's ends and mode (the top truncated at ``cap``), the
    values a scenario holds fixed, and points between them."""
    lo, hi = bounds[0], min(bounds[-1], cap)
    exact = np.unique(np.array([*(min(b, cap) for b in bounds), *extra]))
    spaced = np.exp(np.linspace(np.log(lo), np.log(hi), GRID_POINTS))
    apart = np.abs(spaced[:, None] - exact[None, :]).min(axis=1) > 1e-9 * spaced
    return np.sort(np.concatenate([exact, spaced[apart]]))


def solve_mu(share_of, targets: np.ndarray) -> tuple[np.ndarray, int]:
    """μ with share_of(μ) = target for every target at once (share_of decreasing in μ).

    Regula falsi with the Illinois modification inside a bracket that always holds the root;
    a step that would not shrink the bracket enough is replaced by bisection. Stops when every
    bracket is narrower than `MU_TOL`.
    """
    lo = np.full(targets.shape, MU_BRACKET[0])
    hi = np.full(targets.shape, MU_BRACKET[1])
    f_lo = share_of(lo) - targets
    f_hi = share_of(hi) - targets
    if np.any(f_lo < 0) or np.any(f_hi > 0):
        raise ConfigError("the AI-cost level μ cannot reach the a_10 target",
                          "lower [cost] a10 or its [uncertainty] range")
    moved = np.zeros(targets.shape, dtype=np.int8)  # +1: lo moved last, −1: hi moved last
    for it in range(1, MAX_ITER + 1):
        secant = hi - f_hi * (hi - lo) / np.where(f_hi != f_lo, f_hi - f_lo, 1.0)
        usable = (f_hi != f_lo) & (secant > lo) & (secant < hi) & (it % 4 != 0)
        mid = np.where(usable, secant, 0.5 * (lo + hi))
        f_mid = share_of(mid) - targets
        right = f_mid > 0  # the share is still above the target: the root lies above mid
        f_hi = np.where(right & (moved == 1), 0.5 * f_hi, f_hi)  # Illinois: halve the stale end
        f_lo = np.where(~right & (moved == -1), 0.5 * f_lo, f_lo)
        lo, f_lo = np.where(right, mid, lo), np.where(right, f_mid, f_lo)
        hi, f_hi = np.where(right, hi, mid), np.where(right, f_hi, f_mid)
        moved = np.where(right, 1, -1).astype(np.int8)
        if np.all(hi - lo < MU_TOL):
            return 0.5 * (lo + hi), it
    return 0.5 * (lo + hi), MAX_ITER


__all__ = ["CAP_SHARE", "GH_NODES", "LEVEL_GRID", "Calibration", "cost_shift", "gauss_hermite",
           "grid_for", "solve_mu"]

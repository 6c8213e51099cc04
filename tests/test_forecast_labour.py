"""Unit tests on tiny arrays: the §7.5 stock-flow, the §7.3/§7.6 thresholds, the §7.1 solver
and the §7.0 draws."""

from __future__ import annotations

import numpy as np
import pytest

from exposure.forecast.model.cost import MU_TOL, grid_for, solve_mu
from exposure.forecast.model.labour import income_loss, stock_flow
from exposure.forecast.model.thresholds import Demand, Policy, thresholds
from exposure.forecast.simulation.montecarlo import inverse_cdf, range_centre, triangle_cdf

T0 = 2025.0 + 1.0 / 12.0
GRID = np.arange(2025, 2036) + 0.5


def _displaced(n_draws: int = 3) -> np.ndarray:
    rng = np.random.default_rng(1)
    return np.cumsum(rng.uniform(0.0, 1e5, (n_draws, GRID.size)), axis=1)


# ------------------------------------------------------------------ stock-flow (§7.5)


@pytest.mark.parametrize("ui_months", [0, 1, 6])
def test_the_stock_flow_conserves_people(ui_months: int) -> None:
    displaced = _displaced()
    flow = stock_flow(displaced, GRID, T0, np.array([0.04, 0.07, 0.10]), ui_months)
    assert np.allclose(flow.unemployed + flow.reemployed, displaced)
    assert (flow.insured >= 0).all() and (flow.uninsured >= -1e-9).all()
    assert (flow.reemployed >= -1e-6).all()


def test_a_higher_hazard_means_fewer_unemployed() -> None:
    displaced = np.repeat(_displaced(1), 3, axis=0)
    flow = stock_flow(displaced, GRID, T0, np.array([0.02, 0.05, 0.2]), 6)
    assert np.all(np.diff(flow.unemployed[:, 1:], axis=0) < 0)


def test_nobody_is_reemployed_at_zero_hazard_and_nobody_unemployed_at_one() -> None:
    displaced = _displaced(2)
    flow = stock_flow(displaced, GRID, T0, np.array([0.0, 1.0]), 6)
    assert np.allclose(flow.unemployed[0], displaced[0])
    assert np.allclose(flow.unemployed[1], 0.0)


def test_income_is_unchanged_with_instant_reemployment_and_full_recovery() -> None:
    displaced = _displaced(1)
    flow = stock_flow(displaced, GRID, T0, np.array([1.0]), 6)
    wage = np.full(displaced.shape, 60000.0)
    assert np.allclose(income_loss(flow, wage, np.array([1.0]), 0.45), 0.0)
    slow = stock_flow(displaced, GRID, T0, np.array([0.05]), 6)
    loss = income_loss(slow, wage, np.array([0.65]), 0.45)
    assert np.all(loss[:, 1:] > 0)
    # UI is worth something: without it the loss is larger
    assert np.all(income_loss(slow, wage, np.array([0.65]), 0.0)[:, 1:] > loss[:, 1:])


# ------------------------------------------------------------------ thresholds (§7.3)


def _demand() -> Demand:
    share = np.array([0.10, 0.05, 0.02, 0.0])
    n = np.array([1.0, 10.0, 200.0, 5.0])
    return Demand(n_firms=n, share=share, internalised=share / n,
                  cooperative=np.full(4, 0.6))


def test_economy_mode_thresholds_and_the_pigouvian_rate() -> None:
    demand = _demand()
    lam, eta = np.array([0.5]), np.array([0.6])
    th = thresholds(Policy(), demand, lam, eta)
    loss = 0.5 * 0.4
    assert np.allclose(th.a[0, :, 0], loss * demand.internalised)
    assert np.allclose(th.coop_a[0], loss * 0.6)
    assert np.allclose(th.tax_star[0], loss * (0.6 - demand.internalised))
    taxed = thresholds(Policy(automation_tax="pigouvian"), demand, lam, eta)
    assert np.allclose(taxed.a[0, :, 0], taxed.coop_a[0], rtol=0, atol=1e-15)
    # a data dividend δ raises η by δ and costs δ: the slope is 1 − ℓ'·ι with ℓ' = λ_tot
    assert np.allclose(th.c[0, :, 0], 1.0 - 0.5 * demand.internalised)


def test_planner_weighs_workers_and_red_queen_lowers_the_private_threshold() -> None:
    demand = _demand()
    lam, eta = np.array([0.5]), np.array([0.6])
    coop = thresholds(Policy(automation_tax="pigouvian"), demand, lam, eta)
    planner = thresholds(Policy(automation_tax="planner", planner_mu=0.3), demand, lam, eta)
    assert np.allclose(planner.a[0, :, 0] - coop.a[0, :, 0], 0.3 * 0.4 / 0.7)
    plain = thresholds(Policy(), demand, lam, eta)
    red = thresholds(Policy(phi=1.2), demand, lam, eta)
    assert np.all(red.a <= plain.a) and np.allclose(red.coop_a, plain.coop_a)
    assert red.a[0, 0, 0] == pytest.approx(plain.a[0, 0, 0])  # N = 1 has no rival to beat


def test_wage_concession_raises_the_threshold_as_in_section_3_5() -> None:
    demand = _demand()
    lam, eta = np.array([0.5]), np.array([0.6])
    rising = [thresholds(Policy(wage_concession=r), demand, lam, eta).a[0, 1, 0]
              for r in (0.0, 0.25, 0.5, 0.75)]
    assert rising == sorted(rising) and rising[0] < rising[-1]
    own_loss = 0.5 * 0.4 * demand.internalised[1]
    assert rising[2] == pytest.approx(own_loss / (0.5 + 0.5 * own_loss))


def test_equity_and_coalition_raise_the_private_threshold() -> None:
    demand = _demand()
    lam, eta = np.array([0.5]), np.array([0.6])
    plain = thresholds(Policy(), demand, lam, eta).a[0, :, 0]
    equity = thresholds(Policy(worker_equity=0.5), demand, lam, eta).a[0, :, 0]
    assert np.all(equity >= plain - 1e-15) and equity[1] > plain[1]
    coalition = thresholds(Policy(coalition_share=0.5), demand, lam, eta)
    assert coalition.a.shape[-1] == 2 and np.allclose(coalition.weight.sum(axis=-1), 1.0)
    assert np.all(coalition.a[0, :, 1] >= coalition.a[0, :, 0] - 1e-15)


# ------------------------------------------------------------------ μ solver (§7.1)


def test_the_mu_solver_converges_within_its_tolerance() -> None:
    def share_of(mu: np.ndarray) -> np.ndarray:  # decreasing, with a known inverse
        return 0.6 / (1.0 + np.exp(1.3 * (mu - 2.0)))

    targets = np.array([0.03, 0.046, 0.1, 0.3])
    mu, iterations = solve_mu(share_of, targets)
    exact = 2.0 + np.log(0.6 / targets - 1.0) / 1.3
    assert np.all(np.abs(mu - exact) < 1e-6) and MU_TOL <= 1e-6
    assert iterations < 60


def test_the_a10_grid_holds_the_range_and_its_truncation() -> None:
    grid = grid_for((0.03, 0.046, 0.10), (), cap=0.08)
    assert grid[0] == 0.03 and grid[-1] == 0.08 and 0.046 in grid
    assert np.all(np.diff(grid) > 0)


# ------------------------------------------------------------------ draws (§7.0)


def test_triangular_uniform_and_log_uniform_draws() -> None:
    u = np.linspace(0.0005, 0.9995, 2000)
    tri = inverse_cdf((0.03, 0.046, 0.10), u)
    assert tri.min() >= 0.03 and tri.max() <= 0.10
    assert np.mean(tri) == pytest.approx((0.03 + 0.046 + 0.10) / 3, rel=1e-3)
    assert triangle_cdf((0.03, 0.046, 0.10), 0.046) == pytest.approx(16 / 70)
    assert range_centre((0.03, 0.046, 0.10)) == 0.046 and range_centre((0.5, 0.8)) == 0.65
    logu = inverse_cdf((0.5, 4.0), u, log=True)
    assert np.median(logu) == pytest.approx(2 ** 0.5, rel=1e-2)
    assert range_centre((0.5, 4.0), log=True) == pytest.approx(2 ** 0.5)

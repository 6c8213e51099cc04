"""Layoff-trap game (MODEL_SPEC §3): every invariant of §3 plus the spec's published figures.

Two code paths are checked: the structural game of `model.game` (the §3.1 profit function, its
numeric best response and the §3.2 closed forms) against itself, and the forecast's own game,
the per-wage-dollar thresholds of `model.thresholds` and the static shares of
`simulation.simulate`, against the structural game (§3.7: with σ uniform on [s − k, s] and
w = 1, the share of tasks with σ ≥ x is clip((s − x)/k)). The figures (0.65/0.35/0.30/0.30,
the Red Queen table, the x* values) are checks only: the code computes them from the
primitives.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError

from exposure.forecast.io.scenario_schema import GameSection
from exposure.forecast.model import concentration as SC
from exposure.forecast.model import game as G
from exposure.forecast.model._numeric import root_on_unit_interval
from exposure.forecast.model.thresholds import Demand, Policy, Thresholds, thresholds
from exposure.forecast.simulation.simulate import _bounds, _static_shares

TOL = 1e-12
RNG_SEED = 20240417
ETA = 0.3  # η of the illustrative case

# The paper's illustrative case (§3.8).
ILLUSTRATIVE = G.GameParams(w=1.0, c=0.3, k=1.0, lam=0.5, eta=ETA, N=7.0)
SECTOR = Policy(mode="sector")


def _random_games(n: int = 4000, seed: int = RNG_SEED) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "s": rng.uniform(-0.5, 1.5, n),
        "ell": rng.uniform(0.0, 1.0, n),
        "k": rng.uniform(0.05, 3.0, n),
        "N": rng.choice([1.0, 2.0, 3.0, 7.0, 20.0, 1000.0], n) * rng.uniform(1.0, 1.5, n),
    }


def _interior_games(n: int = 2000, seed: int = RNG_SEED) -> dict[str, np.ndarray]:
    """Draws where both α_NE and α_CO lie strictly inside (0, 1)."""
    rng = np.random.default_rng(seed)
    ell = rng.uniform(0.01, 0.8, n)
    k = rng.uniform(1.0, 3.0, n)
    N = rng.uniform(1.0, 50.0, n)
    N[: n // 4] = 1.0
    a_co = rng.uniform(0.05, 0.3, n)
    s = ell + k * a_co  # then α_NE = α_CO + ℓ(1−1/N)/k < 0.3 + 0.8 = 1.1: keep if interior
    keep = (s - ell / N) / k < 0.999
    return {"s": s[keep], "ell": ell[keep], "k": k[keep], "N": N[keep]}


def _sector(n: np.ndarray | float, share: np.ndarray | float = 1.0) -> Demand:
    """Sector-mode calibration (§3.8) of sectors with ``n`` firms that get ``share`` of the
    spending a lost wage dollar takes with it: ι = share/N, cooperative share = share. With
    λ_tot = λ and share 1 the thresholds per wage dollar are the game's x_NE = ℓ/N, x_CO = ℓ."""
    n = np.atleast_1d(np.asarray(n, dtype=np.float64))
    share = np.broadcast_to(np.asarray(share, dtype=np.float64), n.shape)
    return Demand(n_firms=n, share=share, internalised=share / n, cooperative=share)


def _thresholds(policy: Policy, demand: Demand, lam_tot: float,
                eta: float = ETA) -> Thresholds:
    """The engine's thresholds for one draw of λ_tot and η."""
    return thresholds(policy, demand, np.array([lam_tot]), np.array([eta]))


def _share(s: np.ndarray | float, k: np.ndarray | float, x: np.ndarray | float) -> np.ndarray:
    """§3.7's automation share at threshold x with σ uniform on [s − k, s] (w = 1)."""
    return np.clip((np.asarray(s) - x) / k, 0.0, 1.0)


def _engine_shares(th: Thresholds, sigma: np.ndarray, omega: np.ndarray,
                   gate: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The engine's §3.7 static shares (α_NE, α_CO), each draws × sectors, of tasks with saving
    rates ``sigma`` (draws × tasks) and wage bills ``omega`` in every sector."""
    n_sectors = th.coop_a.shape[1]
    prep = SimpleNamespace(sector_weight=np.repeat((omega / omega.sum())[:, None], n_sectors, 1))
    gate = np.ones(sigma.shape, dtype=bool) if gate is None else gate
    return _static_shares(prep, th, sigma, gate, np.zeros(sigma.shape[1]), _bounds(th))


def _red_queen_nash(g: G.GameParams, phi: np.ndarray | float) -> np.ndarray:
    """§3.4's symmetric Nash share with φ units of output per automated task: the root in
    [0, 1] of ∂π_i/∂α_i at α_i = α_−i = α, from the profit function (its left-hand side is
    strictly decreasing in α, so bisection finds the unique root)."""
    return root_on_unit_interval(lambda a: G.marginal_profit(a, a, g, phi))


def _red_queen_tax(g: G.GameParams, phi: np.ndarray | float) -> np.ndarray:
    """§3.4's τ*(φ) = ℓ(1−1/N) + δ(1−1/N)·d(α_CO)/(1+δα_CO), d(α) = A/(NL) + λw(1−(1−η)α)."""
    delta = np.asarray(phi, dtype=np.float64) - 1.0
    N = np.asarray(g.N, dtype=np.float64)
    a_co = G.alpha_coop(g.s, g.ell, g.k)
    spending = 1.0 - (1.0 - np.asarray(g.eta)) * a_co
    d = np.asarray(g.A) / (N * g.L) + np.asarray(g.lam) * g.w * spending
    return G.pigouvian_tax(g.ell, N) + delta * (1.0 - 1.0 / N) * d / (1.0 + delta * a_co)


def _conceded(c: float, rho: float) -> G.GameParams:
    """The illustrative game after workers concede ρ of AI's cost advantage (§3.5): the wage
    w(c) = w0 − ρ(w0 − c) with w0 = 1, so s = (1−ρ)(w0 − c) and ℓ = λ(1−η)w(c)."""
    return ILLUSTRATIVE.with_(w=1.0 - rho * (1.0 - c), c=c)


def _x_star(rho: float) -> float:
    """The engine's private threshold per wage dollar under wage concession ρ (§3.5) at the
    illustrative λ = .5, η = .3, N = 7: the cost advantage x = w0 − c above which a task is
    automated."""
    return float(_thresholds(replace(SECTOR, wage_concession=float(rho)), _sector(7.0), 0.5)
                 .a[0, 0, 0])


# ------------------------------------------------------------------ §3 invariants, one per test


def test_invariant_nash_at_least_coop_when_demand_loss_nonnegative() -> None:
    p = _random_games()
    gap = G.alpha_nash(**p) - G.alpha_coop(p["s"], p["ell"], p["k"])
    assert np.all(gap >= -TOL)


def test_invariant_nash_equals_coop_iff_monopoly_or_no_demand_loss() -> None:
    p = _interior_games()
    ell = p["ell"].copy()
    ell[::5] = 0.0  # some sectors lose no demand per automated task
    s = np.where(ell == 0.0, p["k"] * 0.2, p["s"])
    gap = G.alpha_nash(s, ell, p["k"], p["N"]) - G.alpha_coop(s, ell, p["k"])
    equal_expected = (p["N"] == 1.0) | (ell == 0.0)
    assert equal_expected.any() and (~equal_expected).any()
    assert np.all(np.abs(gap[equal_expected]) <= TOL)
    assert np.all(gap[~equal_expected] > TOL)


def test_invariant_interior_wedge_closed_form() -> None:
    p = _interior_games()
    expected = p["ell"] * (1.0 - 1.0 / p["N"]) / p["k"]
    np.testing.assert_allclose(G.wedge(**p), expected, rtol=0.0, atol=TOL)


def test_invariant_wedge_non_decreasing_in_n() -> None:
    p = _random_games(500)
    N = np.concatenate([np.linspace(1.0, 10.0, 91), np.geomspace(10.0, 1e4, 60)])
    w = G.wedge(p["s"][:, None], p["ell"][:, None], p["k"][:, None], N[None, :])
    assert np.all(np.diff(w, axis=1) >= -TOL)


def test_invariant_monopoly_wedge_is_zero() -> None:
    p = _random_games()
    assert np.all(G.wedge(p["s"], p["ell"], p["k"], 1.0) == 0.0)


def test_invariant_pigouvian_tax_restores_coop() -> None:
    p = _random_games()
    tau = G.pigouvian_tax(p["ell"], p["N"])
    a_ne = G.alpha_nash(p["s"], p["ell"], p["k"], p["N"], tau)
    assert np.max(np.abs(a_ne - G.alpha_coop(p["s"], p["ell"], p["k"]))) < 1e-9


def test_engine_thresholds_are_the_closed_forms_per_wage_dollar() -> None:
    # §3.7 with w = 1: x_NE = ℓ/N, x_CO = ℓ, t* = ℓ(1 − 1/N); the shares are §3.2's.
    p = _random_games()
    demand = _sector(p["N"], p["ell"] / (1.0 - ETA))  # λ_tot = 1: sector j's λ is its share
    th = _thresholds(SECTOR, demand, 1.0)
    x_ne, x_co = th.a[0, :, 0], th.coop_a[0]
    np.testing.assert_allclose(x_ne, p["ell"] / p["N"], rtol=0.0, atol=TOL)
    np.testing.assert_allclose(x_co, p["ell"], rtol=0.0, atol=TOL)
    np.testing.assert_allclose(th.tax_star[0], G.pigouvian_tax(p["ell"], p["N"]), rtol=0.0,
                               atol=TOL)
    np.testing.assert_allclose(_share(p["s"], p["k"], x_ne), G.alpha_nash(**p), rtol=0.0,
                               atol=TOL)
    np.testing.assert_allclose(_share(p["s"], p["k"], x_co),
                               G.alpha_coop(p["s"], p["ell"], p["k"]), rtol=0.0, atol=TOL)
    assert np.all(x_ne <= x_co + TOL)  # α_NE ≥ α_CO whenever ℓ ≥ 0
    taxed = _thresholds(replace(SECTOR, automation_tax="pigouvian"), demand, 1.0)
    a_ne = _share(p["s"], p["k"], taxed.a[0, :, 0])
    assert np.max(np.abs(a_ne - G.alpha_coop(p["s"], p["ell"], p["k"]))) < 1e-9


def test_invariant_tax_restores_coop_outside_interior() -> None:
    # α_CO = 0 (s < ℓ) while α_NE > 0; α_CO = 1 (s − ℓ > k); an interior case for reference.
    g = G.GameParams(
        c=np.array([0.80, 0.70, 0.30, -1.0]),
        k=np.array([1.00, 1.00, 1.00, 0.5]),
        lam=0.5,
        eta=0.3,
        N=7.0,
    )
    a_co = G.alpha_coop(g.s, g.ell, g.k)
    assert a_co[0] == 0.0 and a_co[1] == 0.0 and 0.0 < a_co[2] < 1.0 and a_co[3] == 1.0
    assert np.all(G.alpha_nash(g.s, g.ell, g.k, g.N)[:2] > 0.0)
    # The engine taxes per task (§3.7): the Pigouvian rate moves the private threshold onto the
    # cooperative one, so the share is the cooperative one at every corner too.
    th = _thresholds(replace(SECTOR, automation_tax="pigouvian"), _sector(7.0), 0.5)
    assert abs(th.a[0, 0, 0] - th.coop_a[0, 0]) < TOL
    assert np.max(np.abs(_share(g.s, g.k, th.a[0, 0, 0]) - a_co)) < 1e-9
    # The same tax per task, τ = t*·w = ℓ(1 − 1/N), restores α_CO in the profit game at the
    # corners as well: the closed form and the numeric best response from the profit function.
    tau = th.tax[0, 0] * g.w
    assert abs(tau - G.pigouvian_tax(g.ell, 7.0)) < TOL
    a_ne = G.alpha_nash(g.s, g.ell, g.k, g.N, tau)
    assert np.max(np.abs(a_ne - a_co)) < 1e-9
    br = G.best_response(0.5, g.with_(tau=tau))
    assert np.max(np.abs(br - a_co)) < 1e-9


def test_invariant_red_queen_tax_restores_coop_at_a_corner() -> None:
    # φ = 3 with little friction: untaxed Nash is pinned at 1, α_CO interior; and α_CO = 0.
    g = G.GameParams(c=np.array([0.5, 0.9]), k=0.4)
    phi = 3.0
    assert _red_queen_nash(g, phi)[0] == 1.0
    tau = _red_queen_tax(g, phi)
    gap = _red_queen_nash(g.with_(tau=tau), phi) - G.alpha_coop(g.s, g.ell, g.k)
    assert np.max(np.abs(gap)) < 1e-9
    # The engine: with φ the Pigouvian rate includes the business-stealing gain, so the taxed
    # private threshold is the cooperative one again.
    th = _thresholds(replace(SECTOR, phi=phi, automation_tax="pigouvian"), _sector(7.0), 0.5)
    assert abs(th.a[0, 0, 0] - th.coop_a[0, 0]) < TOL


def test_invariant_capital_tax_and_ubi_leave_nash_unchanged() -> None:
    for g in (ILLUSTRATIVE, ILLUSTRATIVE.with_(c=0.9), ILLUSTRATIVE.with_(k=0.2)):
        base = G.best_response(0.4, g)
        assert abs(base - G.alpha_nash(g.s, g.ell, g.k, g.N)) < TOL
        for t_k in (0.25, 0.5, 0.9):
            assert G.best_response(0.4, g, capital_tax=t_k) - base == 0.0
        for a in (0.0, 1.0, 50.0):  # UBI raises autonomous demand A
            assert G.best_response(0.4, g.with_(A=a)) - base == 0.0
    # The closed form does not even take A or t_K; profits do change, the choice does not.
    assert G.profit(0.6, 0.6, ILLUSTRATIVE.with_(A=5.0)) > G.profit(0.6, 0.6, ILLUSTRATIVE)


def test_invariant_numeric_best_response_independent_of_rivals() -> None:
    rivals = np.linspace(0.0, 1.0, 21)
    for g in (ILLUSTRATIVE, ILLUSTRATIVE.with_(c=0.9), ILLUSTRATIVE.with_(k=0.1, N=3.0)):
        br = G.best_response(rivals, g)
        assert np.all(br == br[0])
        assert abs(br[0] - G.alpha_nash(g.s, g.ell, g.k, g.N)) < TOL


def test_invariant_pd_conditions_frictionless() -> None:
    # k → 0: α_i = 1 dominant iff s > ℓ/N; joint profit rises in α iff s > ℓ; PD iff both.
    ell, N = 0.35, 7.0
    th = _thresholds(SECTOR, _sector(N), 0.5)  # per wage dollar: x_NE = ℓ/N, x_CO = ℓ
    x_ne, x_co = th.a[0, 0, 0], th.coop_a[0, 0]
    for s in (0.02, 0.06, 0.2, 0.34, 0.36, 0.8):
        g = G.GameParams(w=1.0, c=1.0 - s, k=0.0, lam=0.5, eta=0.3, N=N)
        assert G.best_response(0.3, g) == (1.0 if s > ell / N else 0.0)
        automate = G.best_response(0.3, g) == 1.0
        assert automate == (s >= x_ne)  # the engine automates a task iff σ ≥ x_NE
        joint_up = N * G.profit(1.0, 1.0, g) > N * G.profit(0.0, 0.0, g)
        assert joint_up == (s > ell) == (s > x_co)
        pd = ell / N < s < ell
        assert pd == (automate and not joint_up)


def test_invariant_pd_payoff_order_exactly_in_band_for_two_firms() -> None:
    s, ell = np.meshgrid(np.linspace(-0.5, 1.5, 201), np.linspace(0.0, 1.0, 101))
    # The N = 2 frictionless payoffs per task position, relative to all-restrain, from the
    # profit function of §3.1, are §3.3's T = s − ℓ/2, R = 0, P = s − ℓ, S = −ℓ/2 ...
    spec = (s - ell / 2.0, np.zeros_like(s), s - ell, -ell / 2.0)
    g = G.GameParams(w=1.0, c=1.0 - s, k=0.0, lam=ell / 0.7, eta=0.3, N=2.0, L=3.0)
    base = G.profit(0.0, 0.0, g)
    got = [(G.profit(a, b, g) - base) / 3.0 for a, b in ((1, 0), (0, 0), (1, 1), (0, 1))]
    for payoff, expected in zip(got, spec, strict=True):
        np.testing.assert_allclose(payoff, expected, rtol=0.0, atol=TOL)
    # ... and T > R > P > S holds exactly in the band ℓ/2 < s < ℓ.
    T, R, P, S = spec
    ordered = (T > R) & (R > P) & (P > S)
    band = (ell / 2.0 < s) & (s < ell)
    np.testing.assert_array_equal(ordered, band)
    assert band.any() and (~band).any()


def test_invariant_wedge_increases_in_phi() -> None:
    phi = np.linspace(1.0, 5.0, 81)
    for c in (0.3, 0.5, 0.6):
        g = ILLUSTRATIVE.with_(c=c)
        w = _red_queen_nash(g, phi) - G.alpha_coop(g.s, g.ell, g.k)
        assert np.all(np.diff(w) > 0.0)
    # The engine's reading per wage dollar (`thresholds`): φ lowers the private threshold only,
    # so the gap to the unchanged cooperative threshold widens with φ.
    plain = _thresholds(SECTOR, _sector(7.0), 0.5)
    gaps = []
    for f in phi:
        th = _thresholds(replace(SECTOR, phi=float(f)), _sector(7.0), 0.5)
        assert th.coop_a[0, 0] == plain.coop_a[0, 0]
        gaps.append(th.coop_a[0, 0] - th.a[0, 0, 0])
    assert np.all(np.diff(gaps) > 0.0)


def test_red_queen_table_reproduced() -> None:
    phi = np.array([1.0, 1.25, 1.5, 2.0, 3.0])
    g = ILLUSTRATIVE.with_(c=0.5)
    w = _red_queen_nash(g, phi) - G.alpha_coop(g.s, g.ell, g.k)
    np.testing.assert_array_equal(np.round(w, 3), [0.300, 0.364, 0.407, 0.460, 0.510])


def test_red_queen_root_is_a_nash_equilibrium_of_the_profit_game() -> None:
    g = ILLUSTRATIVE.with_(c=0.5)
    for phi in (1.0, 1.25, 2.0, 3.0):
        a = _red_queen_nash(g, phi)
        assert abs(G.best_response(a, g, phi) - a) < 1e-9
    assert abs(_red_queen_nash(g, 1.0) - G.alpha_nash(g.s, g.ell, g.k, g.N)) < TOL
    # Summed over firms the market-share terms cancel: joint profit does not depend on φ.
    alphas = np.linspace(0.0, 1.0, 11)
    np.testing.assert_allclose(
        G.profit(alphas, alphas, g, phi=3.0), G.profit(alphas, alphas, g), atol=TOL
    )
    # τ*(φ) restores the cooperative rate, and it is the tax that does: a little less leaves
    # the Nash rate above α_CO, a little more below. At φ = 1 it is §3.2's Pigouvian tax.
    phi = np.array([1.0, 1.5, 2.0, 3.0])
    tau = _red_queen_tax(g, phi)
    a_co = G.alpha_coop(g.s, g.ell, g.k)
    assert np.max(np.abs(_red_queen_nash(g.with_(tau=tau), phi) - a_co)) < 1e-9
    assert np.all(_red_queen_nash(g.with_(tau=tau - 1e-6), phi) > a_co)
    assert np.all(_red_queen_nash(g.with_(tau=tau + 1e-6), phi) < a_co)
    assert abs(tau[0] - G.pigouvian_tax(g.ell, g.N)) < TOL


def test_invariant_activation_cost_advantage_increases_in_rho() -> None:
    rho = np.linspace(0.0, 0.95, 96)
    x = np.array([_x_star(r) for r in rho])
    assert np.all(np.diff(x) > 0.0)
    # §3.5's x* = λ(1−η)w0/[N(1−ρ) + ρλ(1−η)]
    np.testing.assert_allclose(x, 0.35 / (7.0 * (1.0 - rho) + rho * 0.35), rtol=0.0, atol=TOL)


def test_activation_cost_advantage_values_and_meaning() -> None:
    rho = np.array([0.0, 0.25, 0.5, 0.75])
    x = np.array([_x_star(r) for r in rho])
    np.testing.assert_array_equal(np.round(x, 3), [0.050, 0.066, 0.095, 0.174])
    # Automation starts exactly at x*: inactive just below, active just above, in the engine
    # (a task whose saving rate σ = x clears the threshold) and in the profit game.
    for r, xs in zip(rho, x, strict=True):
        for c, active in ((1.0 - xs * 0.999, False), (1.0 - xs * 1.001, True)):
            assert (1.0 - c >= xs) == active
            g = _conceded(c, r)
            assert (G.alpha_nash(g.s, g.ell, 1.0, 7.0) > 0.0) == active
            assert (G.best_response(0.0, g) > 0.0) == active
        # Once active the wedge is > 0: equal to α_NE while α_CO is still 0, and to
        # λ(1−η)w(c)(1−1/N)/k once the cooperative rate is interior too (x = 0.9 here).
        g = _conceded(1.0 - 2.0 * xs, r)
        assert G.alpha_coop(g.s, g.ell, 1.0) == 0.0
        assert G.wedge(g.s, g.ell, 1.0, 7.0) == G.alpha_nash(g.s, g.ell, 1.0, 7.0) > 0.0
        g = _conceded(0.1, r)
        assert 0.0 < G.alpha_coop(g.s, g.ell, 1.0) and G.alpha_nash(g.s, g.ell, 1.0, 7.0) < 1.0
        assert abs(G.wedge(g.s, g.ell, 1.0, 7.0) - 0.35 * g.w * (6.0 / 7.0)) < TOL


def test_invariant_equity_wedge_decreasing_in_eps_and_positive_up_to_one() -> None:
    eps = np.linspace(0.0, 1.0, 101)
    for lam, N in ((0.5, 7.0), (0.8, 3.0), (0.95, 50.0)):
        ell = G.demand_loss(lam, ETA)
        s = ell + 0.1  # α_CO = 0.1 with k = 1: interior

        def private(e: float, lam: float = lam, N: float = N) -> float:
            policy = replace(SECTOR, worker_equity=float(e))
            return float(_thresholds(policy, _sector(N), lam).a[0, 0, 0])

        x = np.array([private(e) for e in eps])
        # §3.6: x_NE = ℓ/N_eff with N_eff = N(1 − λε) + λε
        np.testing.assert_allclose(x, ell / (N * (1.0 - lam * eps) + lam * eps), rtol=0.0,
                                   atol=TOL)
        w = _share(s, 1.0, x) - _share(s, 1.0, ell)
        assert np.all(np.diff(w) < 0.0)
        assert np.all(w > 0.0)
        # It closes only at ε = 1/λ > 1.
        assert abs(_share(s, 1.0, private(1.0 / lam)) - _share(s, 1.0, ell)) < TOL


def test_invariant_task_supply_reproduces_closed_forms() -> None:
    n = 200_000
    q = (np.arange(n) + 0.5) / n  # quantiles of a uniform distribution
    cases = [  # (s, k, λ, η, N, τ) with w = 1
        (0.7, 1.0, 0.5, 0.3, 7.0, 0.0),
        (0.5, 0.8, 0.8, 0.7, 3.0, 0.0),
        (0.7, 1.0, 0.5, 0.3, 7.0, 0.1),
        (0.9, 0.5, 0.4, 0.2, 20.0, 0.0),  # Nash at the corner 1
        (0.2, 1.0, 0.9, 0.1, 2.0, 0.0),  # cooperative at the corner 0
    ]
    for s, k, lam, eta, N, tau in cases:
        sigma = (s - k * q)[None, :]  # σ on [s − k, s]
        policy = replace(SECTOR, automation_tax="fixed", tax_rate=tau)
        a_ne, a_co = _engine_shares(_thresholds(policy, _sector(N), lam, eta), sigma, np.ones(n))
        ell = G.demand_loss(lam, eta)
        assert abs(a_ne[0, 0] - G.alpha_nash(s, ell, k, N, tau)) < 1e-5
        assert abs(a_co[0, 0] - G.alpha_coop(s, ell, k)) < 1e-5


def test_invariant_economy_mode_tax_gives_total_loss_rate() -> None:
    lam_tot, eta, w = 0.8, 0.3, 1.0
    lam_j = lam_tot * np.array([0.05, 0.12, 0.3, 0.02])  # λ_tot × PCE share of the sector
    N_j = np.array([1.0, 4.5, 30.0, 1000.0])
    s, k = 0.9, 1.0
    ell_tot = G.demand_loss(lam_tot, eta, w)
    # Economy mode (§3.8): a firm internalises the fraction λ_j/(λ_tot·N_j) of ℓ_tot, and all
    # the lost spending counts for the optimum (cooperative share 1).
    pce = lam_j / lam_tot
    economy = Demand(n_firms=N_j, share=pce, internalised=pce / N_j, cooperative=np.ones(4))
    plain = _thresholds(Policy(), economy, lam_tot, eta)
    # Reading of "internalised fraction λ_j/N_j of ℓ_tot", made consistent with the tax.
    np.testing.assert_allclose(plain.a[0, :, 0] * w, G.demand_loss(lam_j, eta, w) / N_j,
                               atol=TOL)
    taxed = _thresholds(Policy(automation_tax="pigouvian"), economy, lam_tot, eta)
    # t_j = λ_tot(1−η) − λ_j(1−η)/N_j
    np.testing.assert_allclose(taxed.tax[0], (1.0 - eta) * (lam_tot - lam_j / N_j), rtol=0.0,
                               atol=TOL)
    a = _share(s, k, taxed.a[0, :, 0])
    np.testing.assert_allclose(a, (s - ell_tot) / k, rtol=0.0, atol=TOL)


# ------------------------------------------------------------------ further checks of §3


def test_illustrative_case() -> None:
    g = ILLUSTRATIVE
    assert abs(G.alpha_nash(g.s, g.ell, g.k, g.N) - 0.65) < TOL
    assert abs(G.alpha_coop(g.s, g.ell, g.k) - 0.35) < TOL
    assert abs(G.wedge(g.s, g.ell, g.k, g.N) - 0.30) < TOL
    assert abs(G.pigouvian_tax(g.ell, g.N) - 0.30) < TOL


def test_wedge_does_not_depend_on_c_in_the_interior() -> None:
    c = np.linspace(0.3, 0.6, 31)
    w = G.wedge(G.saving(1.0, c), 0.35, 1.0, 7.0)
    np.testing.assert_allclose(w, 0.35 * 6.0 / 7.0, atol=TOL)


def test_activation_threshold() -> None:
    s, ell = 0.1, 0.35
    n_star = 3.5  # N* = ℓ/s (§3.2, τ = 0)
    N = np.array([1.0, 2.0, 3.4, 3.6, 7.0])
    np.testing.assert_array_equal(G.alpha_nash(s, ell, 1.0, N) > 0.0, N > n_star)
    # The engine: a task saving s per wage dollar clears the private threshold ℓ/N exactly then.
    x_ne = _thresholds(SECTOR, _sector(N), 0.5).a[0, :, 0]
    np.testing.assert_array_equal(s >= x_ne, N > n_star)
    # Where s ≤ 0 automation never pays, however many firms (N* = +∞).
    many = np.array([1.0, 7.0, 1e6])
    assert not np.any(-0.1 >= _thresholds(SECTOR, _sector(many), 0.5).a[0, :, 0])
    assert not np.any(G.alpha_nash(-0.1, ell, 1.0, many) > 0.0)


def test_planner_rate_and_welfare_loss() -> None:
    g = ILLUSTRATIVE.with_(L=2.0)
    N, L, lam, eta, w = 7.0, 2.0, 0.5, 0.3, 1.0

    def planner(mu: float) -> float:
        """The engine's planner share: `thresholds`' planner tax (§3.2 Prop 2), §3.7 form."""
        policy = replace(SECTOR, automation_tax="planner", planner_mu=mu)
        with np.errstate(divide="ignore"):  # μ = 1: workers only, the tax is infinite
            return float(_share(g.s, g.k, _thresholds(policy, _sector(N), lam, eta).a[0, 0, 0]))

    assert abs(planner(0.0) - G.alpha_coop(g.s, g.ell, g.k)) < TOL
    a_ne = float(_share(g.s, g.k, _thresholds(SECTOR, _sector(N), lam, eta).a[0, 0, 0]))
    assert abs(a_ne - G.alpha_nash(g.s, g.ell, g.k, N)) < TOL
    alphas = np.linspace(0.0, 1.0, 100_001)
    for mu in (0.0, 0.1, 0.3):
        # Welfare: (1−μ)·joint profit + μ·workers' income, displaced workers recovering η.
        def welfare(a: np.ndarray, mu: float = mu) -> np.ndarray:
            workers = w * L * N * (1.0 - (1.0 - eta) * a)
            return (1.0 - mu) * N * G.profit(a, a, g) + mu * workers

        a_sp = planner(mu)
        assert abs(alphas[np.argmax(welfare(alphas))] - a_sp) < 2e-5
        # α_SP = (s − ℓ)/k − μℓ/(λ(1−μ)k), interior here
        assert abs(a_sp - ((g.s - g.ell) / g.k - mu * g.ell / (lam * (1.0 - mu) * g.k))) < TOL
        # welfare loss = (1−μ)(NLk/2)(α_NE − α_SP)²
        loss = (1.0 - mu) * 0.5 * N * L * g.k * (a_ne - a_sp) ** 2
        assert abs(loss - (welfare(a_sp) - welfare(a_ne))) < 1e-9
    assert planner(1.0) == 0.0


def test_coalition_rate_and_deviation_gain() -> None:
    g = ILLUSTRATIVE
    M = np.arange(1.0, 8.0)
    # The engine's coalition (§3.2 Prop 4, P6): a second firm group whose members internalise
    # the demand loss of all M members.
    a_m = np.array([
        float(_share(g.s, g.k, _thresholds(replace(SECTOR, coalition_size=int(m)), _sector(7.0),
                                           0.5).a[0, 0, 1]))
        for m in M
    ])
    np.testing.assert_allclose(a_m, np.clip((g.s - g.ell * M / g.N) / g.k, 0.0, 1.0), rtol=0.0,
                               atol=TOL)  # α_M = clip((s − ℓM/N)/k)
    a_ne = G.alpha_nash(g.s, g.ell, g.k, g.N)
    assert abs(a_m[0] - a_ne) < TOL
    assert abs(a_m[-1] - G.alpha_coop(g.s, g.ell, g.k)) < TOL
    assert np.all(np.diff(a_m) < 0.0)
    # Not self-enforcing: with the other M − 1 members at α_M and the N − M outsiders at α_NE,
    # a member gains π_i(α_NE) − π_i(α_M) = (Lk/2)(α_NE − α_M)² > 0 by deviating to its
    # dominant strategy (from the profit function), including in the grand coalition.
    rivals = ((M - 1.0) * a_m + (g.N - M) * a_ne) / np.maximum(g.N - 1.0, 1.0)
    gain = G.profit(a_ne, rivals, g) - G.profit(a_m, rivals, g)
    assert abs(gain[0]) < TOL
    assert np.all(gain[1:] > 0.0)
    np.testing.assert_allclose(gain, 0.5 * g.k * (a_ne - a_m) ** 2, atol=TOL)


def test_eta_above_one_under_automates() -> None:
    ell = G.demand_loss(0.5, 1.4)
    assert ell < 0.0
    assert G.wedge(0.5, ell, 1.0, 7.0) < 0.0


def test_heterogeneous_thresholds_and_pigouvian_rate() -> None:
    lam, eta, N = np.array([0.1, 0.5, 0.9]), 0.3, np.array([1.0, 7.0, 200.0])
    demand = _sector(N, lam)  # λ_tot = 1: each sector's λ_j is its share
    plain = _thresholds(SECTOR, demand, 1.0, eta)
    # §3.7: x_NE = λ_j(1−η)/N_j, x_CO = λ_j(1−η), t*_j = λ_j(1−η)(1 − 1/N_j)
    np.testing.assert_allclose(plain.a[0, :, 0], lam * (1.0 - eta) / N, rtol=0.0, atol=TOL)
    np.testing.assert_allclose(plain.coop_a[0], lam * (1.0 - eta), rtol=0.0, atol=TOL)
    np.testing.assert_allclose(plain.tax_star[0], lam * (1.0 - eta) * (1.0 - 1.0 / N), rtol=0.0,
                               atol=TOL)
    taxed = _thresholds(replace(SECTOR, automation_tax="pigouvian"), demand, 1.0, eta)
    np.testing.assert_allclose(taxed.a[0, :, 0], taxed.coop_a[0], rtol=0.0, atol=TOL)
    # a fixed ad-valorem rate t_j adds to the private threshold
    fixed = _thresholds(replace(SECTOR, automation_tax="fixed", tax_rate=0.05), demand, 1.0, eta)
    np.testing.assert_allclose(fixed.a[0, :, 0], plain.a[0, :, 0] + 0.05, rtol=0.0, atol=TOL)


def test_sector_share_weights_and_broadcasting() -> None:
    sigma = np.array([0.1, 0.3, 0.5, 0.7])
    omega = np.array([1.0, 1.0, 2.0, 4.0])  # raw wage bills, normalised inside
    x = np.array([[0.0, 0.2], [0.6, 0.9]])  # thresholds: draws × sectors
    zero = np.zeros_like(x)
    th = Thresholds(a=x[..., None], c=zero[..., None], weight=np.ones_like(x)[..., None],
                    coop_a=x, coop_c=zero, tax=zero, tax_star=zero)
    a_ne, a_co = _engine_shares(th, np.tile(sigma, (2, 1)), omega)
    np.testing.assert_allclose(a_ne, [[1.0, 7.0 / 8.0], [0.5, 0.0]], atol=TOL)
    np.testing.assert_allclose(a_co, a_ne, atol=TOL)
    # a task whose deployment gate is still closed at the horizon does not count
    gate = np.tile([True, True, True, False], (2, 1))
    a_ne, _ = _engine_shares(th, np.tile(sigma, (2, 1)), omega, gate)
    assert abs(a_ne[0, 1] - 3.0 / 8.0) < TOL


def test_vectorised_over_sectors_and_draws() -> None:
    rng = np.random.default_rng(RNG_SEED)
    N = np.array([2.0, 7.0, 40.0])[:, None]  # sectors
    eta = rng.uniform(0.2, 0.9, (1, 500))  # draws
    g = ILLUSTRATIVE.with_(N=N, eta=eta)
    assert G.alpha_nash(g.s, g.ell, g.k, g.N).shape == (3, 500)
    rq = _red_queen_nash(g, 1.5)
    assert rq.shape == (3, 500)
    tau = _red_queen_tax(g, 1.5)
    gap = _red_queen_nash(g.with_(tau=tau), 1.5) - G.alpha_coop(g.s, g.ell, g.k)
    assert np.max(np.abs(gap)) < 1e-9
    # The engine's thresholds cover draws × sectors × firm groups in one call; with φ the
    # Pigouvian rate still moves every private threshold onto the cooperative one.
    policy = replace(SECTOR, phi=1.5, automation_tax="pigouvian")
    th = thresholds(policy, _sector(N[:, 0]), np.full(500, 0.5), eta[0])
    assert th.a.shape == (500, 3, 1) and th.coop_a.shape == (500, 3)
    assert np.max(np.abs(th.a[:, :, 0] - th.coop_a)) < 1e-9
    # §3.4 has φ ≥ 1: a scenario cannot set less
    with pytest.raises(ValidationError):
        GameSection(phi=0.9)


# ------------------------------------------------------------------ §3.8 effective firms


def test_effective_firms_from_hhi() -> None:
    assert SC.effective_firms(hhi50=500.0) == 20.0
    assert SC.effective_firms(hhi50=10_000.0) == 1.0
    # Published HHI wins over the concentration ratios.
    assert SC.effective_firms(hhi50=2_500.0, cr4=40.0, cr8=60.0, cr20=80.0, cr50=90.0) == 4.0


def test_effective_firms_from_concentration_ratios() -> None:
    # 40²/4 + 20²/4 + 20²/12 + 10²/30 = 400 + 100 + 33.333… + 3.333… = 536.666…
    n = SC.effective_firms(cr4=40.0, cr8=60.0, cr20=80.0, cr50=90.0)
    assert abs(n - 10_000.0 / (400.0 + 100.0 + 400.0 / 12.0 + 100.0 / 30.0)) < 1e-9
    assert abs(n - 18.633540372670808) < 1e-9
    # 100²/4 = 2500 → 4 firms (four equal firms hold everything).
    assert SC.effective_firms(cr4=100.0, cr8=100.0, cr20=100.0, cr50=100.0) == 4.0
    # A missing ratio is bridged: 40²/4 + (80−40)²/16 = 500 → 20.
    assert abs(SC.effective_firms(cr4=40.0, cr20=80.0) - 20.0) < 1e-12


def test_effective_firms_cap_and_missing_values() -> None:
    # 1²/4 + 1²/4 + 1²/12 + 1²/30 = 0.6166… → 16,216 firms, capped at 1,000.
    assert SC.effective_firms(cr4=1.0, cr8=2.0, cr20=3.0, cr50=4.0) == 1000.0
    assert SC.effective_firms(hhi50=5.0) == 1000.0
    assert SC.effective_firms(hhi50=5.0, cap=500.0) == 500.0
    out = SC.effective_firms(
        hhi50=np.array([500.0, np.nan, np.nan]),
        cr4=np.array([np.nan, 40.0, np.nan]),
        cr8=np.array([np.nan, 60.0, np.nan]),
        cr20=np.array([np.nan, 80.0, np.nan]),
        cr50=np.array([np.nan, 90.0, np.nan]),
    )
    assert out[0] == 20.0 and abs(out[1] - 18.633540372670808) < 1e-9 and np.isnan(out[2])
    with pytest.raises(ValueError):
        SC.effective_firms(cr4=60.0, cr8=50.0)
    with pytest.raises(ValueError):
        SC.effective_firms(cr4=120.0)
    with pytest.raises(ValueError):
        SC.effective_firms(hhi50=12_000.0)

"""Deployment gate, Bass diffusion and data dynamics (MODEL_SPEC §2.3-§2.4).

Every invariant of §2 that involves diffusion is its own test. The published figures (6.19 yr,
0.33, 0.81, 39.4%) are checks only; the code computes them from p and q. The data dynamics are
checked where the engine applies them, `montecarlo.data_erosion` and the capability kernel.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.special import logit

from exposure.forecast.model import capability as C
from exposure.forecast.model import diffusion as D
from exposure.forecast.simulation import kernels as K
from exposure.forecast.simulation.montecarlo import data_erosion

RNG_SEED = 20250201
CAP = C.CapabilityParams()
DIF = D.DiffusionParams()
T0 = float(CAP.t0)
YEARS = np.arange(2025.0, 2036.0)  # the forecast's annual outputs, 2025-2035


def _random_tasks(n: int = 3000, seed: int = RNG_SEED) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "h_minutes": np.exp(rng.uniform(np.log(2.0), np.log(2000.0), n)),
        "da": rng.uniform(0.0, 1.0, n),
        "v": rng.uniform(0.0, 1.0, n),
        "m": rng.uniform(0.0, 0.4, n),
        "g": rng.uniform(0.0, 1.0, n),
        "f2f": rng.uniform(0.0, 1.0, n),
    }


def _automation_path(
    tasks: dict[str, np.ndarray],
    cap: C.CapabilityParams = CAP,
    dif: D.DiffusionParams = DIF,
    cbi: float = 0.0,
    t_game: np.ndarray | float = -np.inf,
) -> np.ndarray:
    """§2 chain: t_cap → t_eval → t_act = max(t_eval, t_game) → F(t − t_act) with q_i, years ×
    tasks (the engine finds t_act with `kernels.cost_crossing` from t_eval)."""
    t_cap = C.capability_year(tasks["h_minutes"], tasks["da"], tasks["v"], tasks["m"], cap)
    t_eval = D.deployment_year(t_cap, tasks["v"], tasks["g"], cbi, dif)
    t_act = np.maximum(t_eval, t_game)
    q_i = D.social_imitation(dif.bass_q, tasks["f2f"], dif.f_soc)
    return D.bass_cdf(YEARS[:, None] - t_act, dif.bass_p, q_i)


def _erosion(tasks: dict[str, np.ndarray], exposure: float = 1.0, cbi: float = 0.0,
             t_end: float = 2035.5) -> np.ndarray:
    """The engine's §2.4 erosion rate e_i of each task's data stock over [t0, t_end]."""
    arrays = SimpleNamespace(h_minutes=tasks["h_minutes"], da=tasks["da"], v=tasks["v"],
                             m=tasks["m"], g=tasks["g"],
                             exposure=np.full(tasks["da"].size, exposure))
    return data_erosion(arrays, SimpleNamespace(capability=CAP, diffusion=DIF, cbi=cbi), t_end)


# ------------------------------------------------------------------ §2 invariants


def test_invariant_f_in_unit_interval() -> None:
    rng = np.random.default_rng(RNG_SEED)
    u = np.concatenate([rng.uniform(-50, 200, 5000), [-np.inf, np.inf, 0.0, 1e-300, 1e6]])
    p = rng.uniform(1e-4, 1.0, u.size)
    q = rng.uniform(0.0, 5.0, u.size)
    f = D.bass_cdf(u, p, q)
    assert np.all((f >= 0.0) & (f <= 1.0))
    assert np.all(np.isfinite(f))


def test_invariant_f_of_zero_is_zero() -> None:
    assert D.bass_cdf(0.0) == 0.0
    assert np.all(D.bass_cdf(np.array([-10.0, -1e-9, -np.inf])) == 0.0)


def test_invariant_f_peaks_at_ln_q_over_p_over_p_plus_q() -> None:
    u = np.linspace(0.0, 30.0, 300_001)
    peak_numeric = u[np.argmax(np.diff(D.bass_cdf(u, 0.03, 0.38)))]  # from F alone
    assert peak_numeric == pytest.approx(np.log(0.38 / 0.03) / 0.41, abs=1e-3)
    assert round(float(peak_numeric), 2) == 6.19


def test_invariant_pure_horizon_times_bass_when_da_v_g_switched_off() -> None:
    """κ_D = κ_V = 0, no evaluation lag, no holdout, no manual work: only h_i and Td matter."""
    tasks = {**_random_tasks(), "m": np.zeros(3000), "f2f": np.zeros(3000)}
    cap, dif = CAP.without_features(), DIF.without_gates()
    path = _automation_path(tasks, cap, dif, cbi=1.0)
    # the horizon reaches h_i after log2(h_i/H0) doublings of Td months each
    t_cross = T0 + CAP.Td_months / 12.0 * np.log2(tasks["h_minutes"] / CAP.H0_minutes)
    expected = D.bass_cdf(YEARS[:, None] - t_cross, DIF.bass_p, DIF.bass_q)
    np.testing.assert_allclose(path, expected, rtol=0.0, atol=1e-12)
    # and DA, V, G no longer matter at all
    shuffled = {**tasks, "da": tasks["da"][::-1], "v": tasks["v"][::-1], "g": tasks["g"][::-1]}
    np.testing.assert_array_equal(_automation_path(shuffled, cap, dif, cbi=1.0), path)


def test_invariant_no_automation_when_capability_never_grows() -> None:
    """Td = ∞ (and, for the game threshold, no cost decline): nothing new is ever automated.

    Tasks out of reach at t0 stay at 0; tasks already within reach (t_cap = −∞) are part of
    the status quo and do not change either.
    """
    tasks = _random_tasks()
    frozen = CAP.with_(Td_months=np.inf, g_c=0.0)
    path = _automation_path(tasks, frozen)
    assert np.all(path == path[0])
    p0 = C.success_probability(T0, tasks["h_minutes"], tasks["da"], tasks["v"], tasks["m"], frozen)
    assert np.all(path[:, p0 < 0.5] == 0.0)
    # with the game threshold as well (σ ≥ x first passed at ±∞ when nothing changes)
    rng = np.random.default_rng(RNG_SEED)
    r0 = rng.lognormal(0.0, 1.25, p0.size)
    t_game = C.cost_effective_year(
        0.1, r0, tasks["h_minutes"], tasks["da"], tasks["v"], tasks["m"], frozen
    )
    assert not np.any(np.isfinite(t_game))
    gated = _automation_path(tasks, frozen, t_game=t_game)
    assert np.all(gated == gated[0])


# ------------------------------------------------------------------ §2.3 Bass figures


def test_firm_bass_defaults_give_published_shares_at_5_and_10_years() -> None:
    assert round(float(D.bass_cdf(5.0, DIF.bass_p, DIF.bass_q)), 2) == 0.33
    assert round(float(D.bass_cdf(10.0, DIF.bass_p, DIF.bass_q)), 2) == 0.81


def test_worker_imitation_fits_genai_use_two_years_after_launch() -> None:
    assert round(float(D.bass_cdf(2.0, DIF.bass_p, DIF.bass_q_worker)), 3) == 0.394


def test_bass_is_non_decreasing_and_tends_to_one() -> None:
    u = np.linspace(-5.0, 200.0, 10_001)
    f = D.bass_cdf(u)
    assert np.all(np.diff(f) >= 0.0)
    assert f[-1] == pytest.approx(1.0, abs=1e-12)


def test_peak_is_at_zero_when_imitation_does_not_exceed_innovation() -> None:
    # q ≤ p: adoption is fastest at once (u = 0; F' is 0 for u < 0), its increments only shrink
    u = np.linspace(0.0, 10.0, 1001)
    increments = np.diff(D.bass_cdf(u, 0.3, 0.1))
    assert np.argmax(increments) == 0
    assert np.all(np.diff(increments) < 0.0)


def test_social_frictions_slow_imitation() -> None:
    f2f = np.linspace(0.0, 1.0, 11)
    q_i = D.social_imitation(0.38, f2f, 0.5)
    np.testing.assert_allclose(q_i, 0.38 * (1.0 - 0.5 * f2f))
    assert np.all(np.diff(q_i) < 0.0)
    later = D.bass_cdf(5.0, DIF.bass_p, D.social_imitation(DIF.bass_q, f2f, DIF.f_soc))
    assert np.all(np.diff(later) < 0.0)


# ------------------------------------------------------------------ §2.3 deployment gate


def test_deployment_gate_formula_and_never_before_capability() -> None:
    tasks = _random_tasks()
    t_cap = C.capability_year(tasks["h_minutes"], tasks["da"], tasks["v"], tasks["m"])
    for cbi in (0.0, 0.5, 1.0):
        t_eval = D.deployment_year(t_cap, tasks["v"], tasks["g"], cbi)
        expected = t_cap + 1.0 * (1.0 - tasks["v"]) + tasks["g"] * cbi * 2.0
        np.testing.assert_allclose(t_eval, expected)
        assert np.all(t_eval >= t_cap)


def test_holdout_is_monotone_in_cbi_and_absent_at_zero() -> None:
    tasks = _random_tasks()
    t_cap = C.capability_year(tasks["h_minutes"], tasks["da"], tasks["v"], tasks["m"])
    gates = [D.deployment_year(t_cap, tasks["v"], tasks["g"], c) for c in (0.0, 0.3, 0.7, 1.0)]
    np.testing.assert_array_equal(gates[0], D.deployment_year(t_cap, tasks["v"], 0.0, 1.0))
    assert all(np.all(b >= a) for a, b in itertools.pairwise(gates))


def test_raising_v_never_delays_deployment() -> None:
    tasks = _random_tasks()
    t_cap = C.capability_year(tasks["h_minutes"], tasks["da"], tasks["v"], tasks["m"])
    v_up = np.minimum(tasks["v"] + 0.2, 1.0)
    t_cap_up = C.capability_year(tasks["h_minutes"], tasks["da"], v_up, tasks["m"])
    before = D.deployment_year(t_cap, tasks["v"], tasks["g"], 0.5)
    assert np.all(D.deployment_year(t_cap_up, v_up, tasks["g"], 0.5) <= before)


# ------------------------------------------------------------------ §2.4 data dynamics


def test_data_stock_recursion_by_hand() -> None:
    hours = np.array([[10.0, 10.0, 8.0]])
    s_ai = np.array([[0.0, 0.5, 1.0]])
    path = D.data_stock_path(50.0, hours, s_ai, withheld=0.2)
    d1 = 0.9 * 50.0 + 1.0 * 10.0 * 0.8 * 1.0
    d2 = 0.9 * d1 + 1.0 * 10.0 * 0.8 * (1.0 - 0.67 * 0.5)
    d3 = 0.9 * d2 + 1.0 * 8.0 * 0.8 * (1.0 - 0.67)
    np.testing.assert_allclose(path, [[50.0, d1, d2, d3]])


def test_steady_state_is_kept_without_ai() -> None:
    hours = np.array([1.0, 5.0, 20.0])
    d0 = D.steady_state_stock(hours)
    path = D.data_stock_path(d0, np.repeat(hours[:, None], 10, axis=1))
    np.testing.assert_allclose(path, np.repeat(d0[:, None], 11, axis=1))
    # in the engine: no AI use and nothing withheld, no erosion of DA(t) = DA(0)·D(t)/D(0)
    assert np.all(_erosion(_random_tasks(), exposure=0.0) == 0.0)


def test_ai_takeover_and_withholding_shrink_data_availability() -> None:
    hours = np.ones((1, 10))
    d0 = D.steady_state_stock(1.0)
    s_ai = np.linspace(0.0, 0.9, 10)[None, :]
    stocks = [D.data_stock_path(d0, hours, s_ai, withheld=o) for o in (0.0, 0.3, 0.6)]
    assert np.all(np.diff(stocks[0], axis=-1) <= 0.0) and stocks[0][0, -1] < d0
    assert np.all(stocks[1] <= stocks[0]) and np.all(stocks[2] <= stocks[1])
    # in the engine: the yearly rate e_i at which DA falls over the window (§2.4) is positive
    # where AI takes tasks over, grows with the data withheld (P7: CBI × organised share) and
    # keeps DA in [0, DA(0)] (0 ≤ e_i·span ≤ 1)
    tasks = _random_tasks()
    span = 2035.5 - T0
    rates = [_erosion(tasks, cbi=c) for c in (0.0, 0.5, 1.0)]
    assert np.any(rates[0] > 0.0)
    assert np.all(rates[1] >= rates[0]) and np.all(rates[2] >= rates[1])
    assert np.any(rates[2] > rates[0])
    assert all(np.all((r >= 0.0) & (r * span <= 1.0)) for r in rates)
    assert np.all(_erosion(tasks, exposure=0.0, cbi=1.0) >= 0.0)


def test_lower_data_availability_delays_capability() -> None:
    """§2.4 feeds §2.1: the engine slows each task's horizon growth after t0 by κ_D·DA_i(0)·e_i
    doublings a year (`simulate.shared_block`), which can only delay t_cap."""
    tasks = _random_tasks()
    b0 = 12.0 / CAP.Td_months
    b = np.maximum(b0 - CAP.kappa_D * tasks["da"] * _erosion(tasks, cbi=0.5), 0.0)
    gap0 = (np.log2(CAP.H0_minutes) - np.log2(tasks["h_minutes"])
            + CAP.kappa_D * (tasks["da"] - 0.5) + CAP.kappa_V * (tasks["v"] - 0.5))
    half = 0.5 / np.asarray(C.manual_factor(tasks["m"], CAP))  # p = ½ at logistic(β·gap) = half
    need = np.where(half < 1.0, logit(np.where(half < 1.0, half, 0.5)) / CAP.beta, np.inf)
    t_fix = K.capability_time(gap0, b0, b0, need, T0)
    t_dyn = K.capability_time(gap0, b, b0, need, T0)
    assert np.all(t_dyn >= t_fix) and np.any(t_dyn > t_fix)
    # without erosion it is §2.1's t_cap
    ref = np.asarray(C.capability_year(tasks["h_minutes"], tasks["da"], tasks["v"], tasks["m"]))
    finite = np.isfinite(ref)
    np.testing.assert_array_equal(np.isinf(t_fix), np.isinf(ref))
    np.testing.assert_allclose(t_fix[finite], ref[finite], rtol=0.0, atol=1e-9)

"""Capability and cost (MODEL_SPEC §2.1-§2.2): every invariant, one per test.

Spec figures (the 23% / 30% shares, the Job Zone minutes, METR's doubling) are checks here;
the code computes them from its inputs.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from exposure.features.components import manual_intensity
from exposure.forecast.model import capability as C

RNG_SEED = 20250201
DEFAULT = C.CapabilityParams()
T0 = float(DEFAULT.t0)


def _random_tasks(n: int = 5000, seed: int = RNG_SEED) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "h_minutes": np.exp(rng.uniform(np.log(1.0), np.log(4000.0), n)),
        "da": rng.uniform(0.0, 1.0, n),
        "v": rng.uniform(0.0, 1.0, n),
        "m": rng.uniform(0.0, 1.0, n) * (rng.uniform(size=n) < 0.7),
    }


# ------------------------------------------------------------------ §2 invariants


def test_invariant_p_in_unit_interval() -> None:
    tasks = _random_tasks()
    t = np.array([1900.0, T0 - 5.0, T0, T0 + 3.0, T0 + 50.0, 2500.0])[:, None]
    for params in (DEFAULT, DEFAULT.with_(Td_months=C.TD_MONTHS_FAST, beta=3.0, gamma_m=0.5)):
        p = C.success_probability(t, **tasks, params=params)
        assert np.all(np.isfinite(p))
        assert np.all((p >= 0.0) & (p <= 1.0))


def test_invariant_p_rises_with_t_when_capability_grows() -> None:
    tasks = _random_tasks(1000)
    t = np.linspace(T0 - 5.0, T0 + 15.0, 241)[:, None]
    for td in (C.TD_MONTHS_FAST, C.TD_MONTHS_BASE, C.TD_MONTHS_SLOW, 100.0):
        p = C.success_probability(t, **tasks, params=DEFAULT.with_(Td_months=td))
        assert np.all(np.diff(p, axis=0) >= 0.0)
        # strictly, for tasks without manual work, wherever p has not saturated in float64
        live = (tasks["m"] == 0.0)[None, :] & (p[:-1] > 1e-9) & (p[:-1] < 1.0 - 1e-9)
        assert live.sum() > 1000
        assert np.all(np.diff(p, axis=0)[live] > 0.0)


def test_invariant_raising_da_never_delays_t_cap() -> None:
    tasks = _random_tasks()
    base = C.capability_year(**tasks)
    for bump in (0.01, 0.2, 1.0):
        higher = C.capability_year(**{**tasks, "da": np.minimum(tasks["da"] + bump, 1.0)})
        assert np.all(higher <= base)


def test_invariant_raising_v_never_delays_t_cap() -> None:
    tasks = _random_tasks()
    base = C.capability_year(**tasks)
    for bump in (0.01, 0.2, 1.0):
        higher = C.capability_year(**{**tasks, "v": np.minimum(tasks["v"] + bump, 1.0)})
        assert np.all(higher <= base)


def test_invariant_no_capability_growth_when_td_infinite() -> None:
    """Td = ∞: p is frozen, so no task crosses ½ during the forecast (t_cap is ±∞)."""
    tasks = _random_tasks()
    frozen = DEFAULT.with_(Td_months=np.inf)
    t = np.arange(T0, T0 + 11.0)[:, None]
    p = C.success_probability(t, **tasks, params=frozen)
    assert np.all(p == p[0])
    t_cap = C.capability_year(**tasks, params=frozen)
    assert not np.any(np.isfinite(t_cap))
    assert np.all((t_cap == np.inf) == (p[0] < 0.5))


# ------------------------------------------------------------------ §2.1 formulas


def test_horizon_doubles_every_td_months() -> None:
    for td in (C.TD_MONTHS_FAST, C.TD_MONTHS_BASE, C.TD_MONTHS_SLOW):
        params = DEFAULT.with_(Td_months=td)
        step = C.log2_horizon(T0 + td / 12.0, params=params) - C.log2_horizon(T0, params=params)
        assert step == pytest.approx(1.0, abs=1e-12)


def test_horizon_at_t0_is_h0_and_data_poor_tasks_lag_by_kappa() -> None:
    assert 2.0 ** C.log2_horizon(T0) == pytest.approx(60.0)
    lag = C.log2_horizon(T0) - C.log2_horizon(T0, da=0.0, v=0.0)
    assert lag == pytest.approx(0.5 * 2.0 + 0.5 * 2.0)


def test_task_as_long_as_the_horizon_succeeds_half_the_time() -> None:
    assert C.success_probability(T0, 60.0) == pytest.approx(0.5, abs=1e-15)
    assert C.capability_year(60.0) == pytest.approx(T0, abs=1e-12)


def test_job_zone_minutes_and_task_time_override() -> None:
    np.testing.assert_array_equal(C.human_minutes([1, 2, 3, 4, 5]), [15, 30, 60, 120, 240])
    got = C.human_minutes([1, 5, np.nan, 3], task_minutes=[42.0, np.nan, 7.0, 0.0])
    np.testing.assert_array_equal(got, [42.0, 240.0, 7.0, 60.0])
    assert np.isnan(C.human_minutes(np.nan))
    with pytest.raises(ValueError, match="Job Zone"):
        C.human_minutes([0, 6])


def test_manual_intensity_is_hands_times_not_computers() -> None:
    # m_i = pr(hands)·(1 − pr(computers)) where the pipeline computes it (task features), on
    # three occupations of equal employment whose percentile ranks are 1/6, 1/2 and 5/6
    occ = ["A", "B", "C"]
    x = SimpleNamespace(
        occupations=pl.DataFrame({"onet_soc_code": occ, "employment": [1.0, 1.0, 1.0]}),
        measures=pl.DataFrame({"onet_soc_code": occ, "wc_hands": [0.9, 0.1, 0.5],
                               "wa_computers": [0.1, 0.9, 0.5]}),
        tasks=pl.DataFrame({"task_id": [1, 2, 3], "weight": [1.0, 1.0, 1.0]}),
        activity=pl.DataFrame({"task_id": [1, 2, 3], "onet_soc_code": occ,
                               "physical": [0.0, 0.0, 0.0], "digital": [0.0, 0.0, 0.0]}))
    got = dict(manual_intensity(x).iter_rows())
    assert got == pytest.approx({"A": 5 / 6 * (1 - 1 / 6), "B": 1 / 6 * (1 - 5 / 6), "C": 0.25})


def test_manual_ceiling_below_half_means_never_capable() -> None:
    # γ_m = 2: the ceiling (1 − m)² is 0.25, 0.49 and 0.64; only the last can reach ½
    t_cap = C.capability_year(np.full(3, 15.0), m=np.array([0.5, 0.3, 0.2]))
    assert t_cap[0] == np.inf and t_cap[1] == np.inf and np.isfinite(t_cap[2])
    assert C.success_probability(T0 + 1e3, 15.0, m=0.3) < 0.5


def test_closed_form_t_cap_matches_monthly_grid() -> None:
    tasks = _random_tasks(2000)
    t_cap = C.capability_year(**tasks)
    grid = T0 + np.arange(-30 * 12, 60 * 12 + 1) / 12.0
    p = C.success_probability(grid[:, None], **tasks).T
    reached = p >= 0.5  # the first month of the grid with p ≥ ½, +∞ where there is none
    on_grid = np.where(reached.any(axis=1), grid[np.argmax(reached, axis=1)], np.inf)
    inside = np.isfinite(t_cap) & (t_cap > grid[0]) & (t_cap < grid[-1])
    assert inside.sum() > 500
    # the grid answer is the first month at or after the exact crossing
    gap = on_grid[inside] - t_cap[inside]
    assert np.all((gap >= -1e-9) & (gap <= 1.0 / 12.0 + 1e-9))
    assert np.all(on_grid[~np.isfinite(t_cap) & (t_cap > 0)] == np.inf)


# ------------------------------------------------------------------ §2.2 cost


def test_cost_ratio_and_saving_rate_formula() -> None:
    r = C.cost_ratio(T0 + 2.0, r0=0.5, p=0.8)
    assert r == pytest.approx(0.5 * 0.9**2 / 0.8 + 0.1)
    assert C.saving_rate(T0 + 2.0, 0.5, 0.8) == pytest.approx(1.0 - r)
    assert C.saving_rate(T0, 0.5, 0.0) == -np.inf


def test_cost_effective_year_is_first_time_saving_reaches_threshold() -> None:
    rng = np.random.default_rng(RNG_SEED)
    tasks = _random_tasks(500)
    r0 = rng.lognormal(0.0, 1.25, 500)  # §7.1's dispersion around a cost at the wage
    x = rng.uniform(0.0, 0.5, 500)
    year = C.cost_effective_year(x, r0, **tasks)
    finite = np.isfinite(year)
    assert finite.sum() > 50
    p_at = C.success_probability(year[finite], **{k: v[finite] for k, v in tasks.items()})
    p_before = C.success_probability(
        year[finite] - 1e-6, **{k: v[finite] for k, v in tasks.items()}
    )
    assert np.all(C.saving_rate(year[finite], r0[finite], p_at) >= x[finite] - 1e-9)
    assert np.all(C.saving_rate(year[finite] - 1e-6, r0[finite], p_before) < x[finite])



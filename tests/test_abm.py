"""The agent-based simulation (MODEL_SPEC §4 invariants) on the real mirror, small samples."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from exposure.abm import AbmOptions, prepared, run_trace, simulate
from exposure.abm.population import draw_population, sample_cells

SHARE = 0.0005
MONTHS = 60


@pytest.fixture(scope="module")
def prep(reference_tables: dict):
    return prepared(reference_tables, "P0")


def _variant(prep, **points):
    setup = prep.setups[0]
    return replace(prep, setups=(replace(setup, points={**setup.points, **points}),))


def _emergent(**kw) -> AbmOptions:
    return AbmOptions(share=SHARE, months=MONTHS, mode="emergent", **kw)


def test_labour_force_is_conserved_every_turn(reference_tables: dict, prep) -> None:
    trace, pop = run_trace(reference_tables, prep, _emergent(), None)
    total = np.add(np.add(trace.employed, trace.unemployed), trace.reemployed)
    assert np.all(total == pop.size)
    assert trace.displaced[-1] > 0
    assert np.all(np.diff(trace.displaced) >= 0)


def test_no_ai_displacement_when_ai_never_improves(reference_tables: dict, prep) -> None:
    frozen = _variant(prep, Td_months=np.inf, g_c=0.0)
    trace, _ = run_trace(reference_tables, frozen, _emergent(), None)
    assert trace.displaced[-1] == 0


def test_same_seed_same_results(reference_tables: dict, prep) -> None:
    a = simulate(reference_tables, "P0", _emergent(), prep=prep)
    b = simulate(reference_tables, "P0", _emergent(), prep=prep)
    for name in a:
        assert a[name].equals(b[name]), name
    c = simulate(reference_tables, "P0", _emergent(seed=3), prep=prep)
    assert not a["abm_displacement"].equals(c["abm_displacement"])


def test_displacement_non_decreasing_as_capability_grows_faster(reference_tables: dict,
                                                                 prep) -> None:
    means = []
    for td in (14.0, 7.0, 4.3):
        fast = _variant(prep, Td_months=td)
        ends = [run_trace(reference_tables, fast, _emergent(seed=s), None)[0].displaced[-1]
                for s in (1, 2, 3)]
        means.append(np.mean(ends))
    assert means[0] <= means[1] <= means[2]
    assert means[2] > means[0]


def test_scaled_sample_matches_oews_sector_employment(reference_tables: dict, prep) -> None:
    employment = reference_tables["employment"]
    share = 0.01
    pop = draw_population(employment, prep.tasks.occupations, prep.tasks.sectors, share, 5)
    cells = sample_cells(employment, prep.tasks.sectors)
    oews = cells.group_by("naics_sector").agg(pl.col("employment").sum())
    scaled = np.bincount(pop.sector, minlength=len(pop.sectors)) * pop.weight
    for sector, total in oews.iter_rows():
        got = scaled[pop.sectors.index(sector)]
        assert abs(got - total) <= max(0.01 * total, 5 * pop.weight), sector
    assert len(set(pop.state.tolist())) >= 50


def test_coupled_share_equals_the_cap_within_one_agent(reference_tables: dict, prep) -> None:
    fast = _variant(prep, Td_months=4.3, g_c=0.2)
    opts = AbmOptions(share=0.002, months=36, social_ties=False, skill_dispersion=False)
    sectors = prep.tasks.sectors
    grid = np.array([2025.5, 2026.5, 2027.5])
    caps = np.tile([0.0005, 0.002, 0.004], (len(sectors), 1))
    trace, pop = run_trace(reference_tables, fast, opts, (grid, caps))
    n = np.bincount(pop.sector, minlength=len(sectors))
    share, cap = trace.sector_automated[-1], trace.caps[-1]
    assert np.all(share <= cap + 1.0 / np.maximum(n, 1) + 1e-12)
    binding = np.abs(share - cap) <= 1.0 / np.maximum(n, 1)
    assert binding.sum() >= 15, (share, cap)


def test_coupled_mode_needs_the_forecast(reference_tables: dict, prep) -> None:
    with pytest.raises(ValueError, match="coupled mode"):
        simulate(reference_tables, "P0", AbmOptions(share=SHARE, months=6), prep=prep)


def test_headcount_cuts_are_theta_sub_of_the_automated_time(reference_tables: dict,
                                                             prep) -> None:
    """§4.3: only θ_sub of automated time becomes headcount cuts, and it does: firms
    consolidate the time AI frees into whole jobs, even where no single worker has lost
    most of their tasks (the forecast's displaced FTE = Emp·α·θ_sub)."""
    fast = _variant(prep, Td_months=4.3, g_c=0.2)
    sectors = prep.tasks.sectors
    grid = np.array([2025.5, 2026.5, 2027.5])
    caps = np.tile([0.01, 0.03, 0.05], (len(sectors), 1))
    opts = AbmOptions(share=0.002, months=36)
    trace, pop = run_trace(reference_tables, fast, opts, (grid, caps))
    theta_sub = fast.setups[0].points["theta_sub"]
    target = theta_sub * trace.automated[-1] * pop.size
    assert target > 1000
    assert abs(trace.displaced[-1] - target) <= 0.05 * target, (trace.displaced[-1], target)


def test_each_simulated_month_is_reported_for_the_progress_bar(reference_tables: dict,
                                                                prep) -> None:
    from exposure.abm.engine import MONTH_PROGRESS

    seen: list[tuple[int, int]] = []
    token = MONTH_PROGRESS.set(lambda done, of: seen.append((done, of)))
    try:
        run_trace(reference_tables, prep, AbmOptions(share=SHARE, months=12,
                                                     mode="emergent"), None)
    finally:
        MONTH_PROGRESS.reset(token)
    assert seen == [(m, 12) for m in range(1, 13)]


def _alternatives(**kw) -> AbmOptions:
    return _emergent(domestic=True, offshoring=True, **kw)


def test_labour_force_is_conserved_with_domestic_hires_and_offshoring(reference_tables: dict,
                                                                     prep) -> None:
    """§4 invariant with §4.2 (a)-(b) on: a domestic hire enters the labour force as its
    incumbent leaves the job, so employed + unemployed + re-employed = agents + entrants.
    The negative offshore penalty makes some hires lose their tasks abroad."""
    trace, pop = run_trace(reference_tables, prep, _alternatives(offshore_penalty=-1.0), None)
    total = np.add(np.add(trace.employed, trace.unemployed), trace.reemployed)
    assert np.all(total == pop.size + np.asarray(trace.entrants))
    assert trace.replaced[-1] > 0 and trace.offshored[-1] > 0 and trace.displaced[-1] > 0
    for series in (trace.displaced, trace.replaced, trace.offshored):
        assert np.all(np.diff(series) >= 0)
    assert np.all(np.asarray(trace.employed) <= pop.size)


def test_no_offshoring_without_offshorable_tasks_or_with_the_switch_off(
        reference_tables: dict, prep) -> None:
    plain, _ = run_trace(reference_tables, prep, _emergent(), None)
    none, _ = run_trace(reference_tables, prep, _emergent(offshoring=True,
                                                          offshorable_above=1.0), None)
    assert none.offshored[-1] == 0
    assert none.displaced == plain.displaced and none.automated == plain.automated
    # the status quo: tasks offshore providers already win at t0 are not AI's to take
    some, _ = run_trace(reference_tables, prep, _emergent(offshoring=True), None)
    assert some.automated[-1] < plain.automated[-1]
    assert some.unemployed[0] == 0 and some.offshored[-1] == 0  # nobody leaves at t0


def test_domestic_replacements_rise_as_the_switching_margin_falls(reference_tables: dict,
                                                                  prep) -> None:
    ends = [run_trace(reference_tables, prep, _emergent(domestic=True, m_switch=m),
                      None)[0].replaced[-1] for m in (1.0, 0.5, 0.1)]
    assert ends[0] < ends[1] < ends[2]


def test_hires_face_new_applicants_at_the_next_review(reference_tables: dict, prep) -> None:
    """A hire (the best of 5, judged about 1.2 σ above the mean, at the mean wage) clears
    the next best of 5 by the margin and its tie with probability about 1 − Φ(1.7)^5 ≈ 0.2."""
    trace, _ = run_trace(reference_tables, prep, _emergent(domestic=True), None)
    first, second = trace.replaced[0], trace.replaced[3] - trace.replaced[2]
    assert 0.1 * first < second < 0.4 * first, (first, second)


def test_outputs_keep_ai_displacement_apart_from_the_other_causes(reference_tables: dict,
                                                                  prep) -> None:
    out = simulate(reference_tables, "P0", _alternatives(offshore_penalty=-1.0), prep=prep)
    last = out["abm_monthly"].tail(1)
    duration = out["abm_duration"]
    for column in ("displaced", "replaced_domestic", "offshored"):
        assert duration[column].sum() == pytest.approx(last[column].item()), column
    assert last["replaced_domestic"].item() > last["displaced"].item() > 0
    assert last["entrants"].item() == last["replaced_domestic"].item()
    by_sector = out["abm_displacement"].filter(pl.col("dimension") == "sector")
    assert by_sector["displaced"].sum() == pytest.approx(last["displaced"].item())


def test_step_candidates_match_a_running_sum_over_every_agent() -> None:
    """`_candidate` sums C_w over the steps only (two per task) and spreads them over the
    agents: the same additions in the same order as a running sum over every agent, so the
    same C_w, runs of beaten agents that start or stop together or at the end included."""
    from exposure.abm.backend import namespace
    from exposure.abm.engine import _candidate

    rng = np.random.default_rng(0)
    n, n_occ = 20_000, 40
    start_occ = np.concatenate([[0], np.sort(rng.choice(np.arange(1, n), n_occ - 1,
                                                        replace=False)), [n]])
    t_occ = np.repeat(np.arange(n_occ), rng.integers(1, 30, n_occ))
    t_start = start_occ[t_occ]
    stop = t_start + (rng.random(t_occ.shape[0]) * (start_occ[t_occ + 1] - t_start)
                      ).astype(np.int64)
    stop[::7] = start_occ[t_occ[::7] + 1]  # beats the whole occupation (the last: n)
    stop[::11] = t_start[::11]  # beats nobody
    weight = rng.random(t_occ.shape[0])
    weight /= np.bincount(t_occ, weights=weight)[t_occ]  # ω E sums to 1 per occupation
    full = np.bincount(np.concatenate([t_start, stop]),
                       weights=np.concatenate([weight, -weight]), minlength=n + 1)
    expected = np.clip(np.cumsum(full)[:n], 0.0, 1.0)
    got = _candidate(namespace("cpu"), stop, t_start, weight, n)
    assert np.array_equal(got, expected)


def test_agent_order_is_the_stable_order_with_or_without_ties() -> None:
    from exposure.abm.engine import _sort_order

    rng = np.random.default_rng(1)
    distinct = rng.standard_normal(50_000)
    tied = np.round(distinct, 1)
    for key in (distinct, tied):
        assert np.array_equal(_sort_order(key), np.argsort(key, kind="stable"))

"""The forecast engine on the real mirror (MODEL_SPEC §6-§7 invariants, reproducibility).

Most tests read one run of every shipped scenario plus test variants, all on the same draws
(common random numbers), so comparisons between scenarios are paired.
"""

from __future__ import annotations

import math
import pickle
from itertools import pairwise
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from exposure.features import build_task_features
from exposure.forecast.engine import (
    TABLES,
    _centre_setup,
    combine,
    expected_share,
    forecast,
    prepare,
)
from exposure.forecast.io.baseline import baseline_employment
from exposure.forecast.io.calibration import sector_calibration
from exposure.forecast.io.scenarios import SCENARIO_DIR, load_scenario
from exposure.forecast.model.capability import (
    CapabilityParams,
    capability_year,
    cost_effective_year,
    manual_factor,
    saving_rate,
    success_probability,
)
from exposure.forecast.model.diffusion import bass_cdf
from exposure.forecast.model.labour import population
from exposure.forecast.model.macro import PLAUSIBLE_TFP_BAND_PCT
from exposure.forecast.runners import chunk_ranges
from exposure.forecast.simulation import kernels as K
from exposure.forecast.simulation.montecarlo import draw_generator
from exposure.forecast.simulation.simulate import run_chunk
from exposure.forecast.simulation.tasks import task_time_shares

DRAWS = 40
SEED = 20250501
YEARS = range(2025, 2036)
QUANTS = ("displaced_p10", "displaced_p50", "displaced_p90")
SHIPPED = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
# Results are stored in single precision: comparisons between scenarios allow one float32
# rounding step (about 6e-8 of the value).
RTOL = 1e-6
VARIANTS = {
    "P0twin": "",
    "Td14": "[capability]\nTd_months = 14.0", "Td7": "[capability]\nTd_months = 7.0",
    "Td4": "[capability]\nTd_months = 4.3",
    "gc05": "[cost]\ng_c = 0.05", "gc10": "[cost]\ng_c = 0.10", "gc20": "[cost]\ng_c = 0.20",
    "whole": "[labour]\nreemployment_hazard = 1.0\n[game]\neta = 1.0",
    "frozen": "[capability]\nTd_months = inf\n[cost]\ng_c = 0.0",
}


def _scenario(folder: Path, name: str, body: str):
    path = folder / f"{name}.toml"
    path.write_text(f'id = "{name}"\ntitle = "{name}"\ndescription = "test"\n{body}\n')
    return load_scenario(path)


@pytest.fixture(scope="module")
def task_feature(reference_tables: dict) -> pl.DataFrame:
    return build_task_features(reference_tables)


@pytest.fixture(scope="module")
def inputs(reference_tables: dict) -> dict:
    return {"calibration": sector_calibration(reference_tables),
            "baseline": baseline_employment(reference_tables, YEARS)}


@pytest.fixture(scope="module")
def suite(reference_tables: dict, task_feature: pl.DataFrame, inputs: dict,
          tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every shipped scenario and the variants above, one run, the same draws."""
    folder = tmp_path_factory.mktemp("scenarios")
    scenarios = [load_scenario(SCENARIO_DIR / f"{s}.toml") for s in SHIPPED]
    scenarios += [_scenario(folder, name, body) for name, body in VARIANTS.items()]
    return forecast(task_feature, None, reference_tables, scenarios, draws=DRAWS, seed=SEED,
                    **inputs)


def _of(out: dict, name: str, scenario: str) -> pl.DataFrame:
    return out[name].filter(pl.col("scenario") == scenario)


def _cells(out: dict, scenario: str, column: str = "displaced_p50") -> np.ndarray:
    return _of(out, "displacement_forecast", scenario).get_column(column).to_numpy()


def _total(out: dict, scenario: str, column: str = "displaced_p50") -> np.ndarray:
    return _of(out, "displacement_total", scenario).sort("year").get_column(column).to_numpy()


def _labour(out: dict, scenario: str, measure: str, column: str = "p50") -> np.ndarray:
    frame = _of(out, "labour_market_forecast", scenario).filter(
        (pl.col("scope") == "national") & (pl.col("measure") == measure))
    return frame.sort("year").get_column(column).to_numpy()


# ------------------------------------------------------------------ tables


def test_every_table_is_built_with_the_warehouse_columns(suite: dict) -> None:
    assert set(suite) == set(TABLES)
    assert suite["displacement_forecast"].columns[:8] == [
        "scenario", "year", "soc_code", "naics_sector", "baseline_employment", *QUANTS]
    assert suite["sector_equilibrium"].columns[:8] == [
        "scenario", "naics_sector", "n_firms", "alpha_nash", "alpha_coop", "wedge",
        "pigouvian_tax", "tax_applied"]
    assert suite["labour_market_forecast"].columns == [
        "scenario", "year", "scope", "measure", "unit", "p10", "p50", "p90"]
    titles = dict(suite["forecast_scenario"].select("scenario", "title").iter_rows())
    assert titles["P1"] == load_scenario(SCENARIO_DIR / "P1.toml").title
    assert _of(suite, "sector_equilibrium", "P0").height == 20
    assert _of(suite, "forecast_draws", "P0").height == DRAWS
    years = sorted(_of(suite, "displacement_forecast", "P0")["year"].unique().to_list())
    assert years == list(YEARS)


def test_every_baseline_cell_is_forecast(suite: dict, inputs: dict) -> None:
    d = _of(suite, "displacement_forecast", "P0")
    base = inputs["baseline"]
    assert d.height == base.height
    joined = d.join(base, on=["soc_code", "naics_sector", "year"], suffix="_b")
    assert (joined["baseline_employment"] == joined["baseline_employment_b"]).all()


# ------------------------------------------------------------------ reproducibility


@pytest.fixture(scope="module")
def small(reference_tables: dict, task_feature: pl.DataFrame, inputs: dict):
    def go(**kw) -> dict:
        args = {"draws": 12, "seed": SEED, **inputs, **kw}
        return forecast(task_feature, None, reference_tables, ["P0", "P1"], **args)
    return go


def test_same_seed_same_tables_however_the_draws_are_chunked(small) -> None:
    base = small()
    for chunk_size, workers in ((5, 2), (12, 1)):
        split = small(chunk_size=chunk_size, workers=workers)
        for name, frame in base.items():
            assert frame.equals(split[name]), (name, chunk_size, workers)
    one_at_a_time = small(scenario_batch=1)  # each scenario's draws held alone
    for name, frame in base.items():
        assert frame.equals(one_at_a_time[name]), name
    other = small(seed=SEED + 1)
    assert not np.array_equal(_cells(other, "P0"), _cells(base, "P0"))


def test_chunks_run_anywhere_in_any_order_combine_identically(small, reference_tables: dict,
                                                              task_feature: pl.DataFrame,
                                                              inputs: dict) -> None:
    # what a Dask runner does: ship the prepared inputs, run ranges out of order, combine
    (prep,) = prepare(task_feature, None, reference_tables, ["P0", "P1"], seed=SEED, **inputs)
    shipped = pickle.loads(pickle.dumps(prep))
    chunks = [run_chunk(shipped, a, b) for a, b in chunk_ranges(12, 5)[::-1]]
    out = combine(prep, chunks, reference_tables)
    for name, frame in small().items():
        assert frame.equals(out[name]), name


def test_the_package_exports_the_public_api() -> None:
    import exposure.forecast as api

    assert api.forecast is forecast and api.prepare is prepare and api.combine is combine
    assert api.chunk_ranges is chunk_ranges and api.TABLES == TABLES
    for name in api.__all__:
        assert getattr(api, name) is not None
    with pytest.raises(AttributeError):
        api.no_such_name  # noqa: B018


def test_draws_are_seeded_by_spawned_seed_sequences() -> None:
    children = np.random.SeedSequence(SEED).spawn(5)
    for d in (0, 3, 4):
        assert np.array_equal(draw_generator(SEED, d).random(4),
                              np.random.default_rng(children[d]).random(4))


def test_a_prefix_of_draws_is_the_smaller_run(small, suite: dict) -> None:
    a = _of(small(), "forecast_draws", "P0").drop("scenario")
    b = _of(suite, "forecast_draws", "P0").drop("scenario").head(12)
    assert a.equals(b)


def test_common_random_numbers_a_copy_of_p0_gives_identical_figures(suite: dict) -> None:
    for name in TABLES:
        if name in ("forecast_sensitivity", "forecast_scenario"):
            continue
        a = _of(suite, name, "P0").drop("scenario")
        b = _of(suite, name, "P0twin").drop("scenario")
        assert a.equals(b), name


# ------------------------------------------------------------------ intervals and bounds


def test_intervals_are_ordered_and_bounded(suite: dict) -> None:
    d = suite["displacement_forecast"]
    assert (d["displaced_p10"] <= d["displaced_p50"]).all()
    assert (d["displaced_p50"] <= d["displaced_p90"]).all()
    assert (d["displaced_p10"] >= 0).all()
    assert (d["displaced_p90"] <= d["baseline_employment"]).all()
    assert d["automated_share_mean"].max() <= 1.0
    lm = suite["labour_market_forecast"]
    assert ((lm["p10"] <= lm["p50"]) & (lm["p50"] <= lm["p90"])).all()


def test_national_total_has_its_own_interval(suite: dict) -> None:
    total = _of(suite, "displacement_total", "P0").sort("year")
    cells = (_of(suite, "displacement_forecast", "P0").group_by("year")
             .agg(pl.col("displaced_mean").sum()).sort("year"))
    assert np.allclose(total["displaced_mean"], cells["displaced_mean"], rtol=1e-6)
    assert np.allclose(_labour(suite, "P0", "displaced"), total["displaced_p50"])


def test_automation_only_accumulates_over_the_years(suite: dict) -> None:
    d = _of(suite, "displacement_forecast", "P0").sort("soc_code", "naics_sector", "year")
    share = d.get_column("automated_share_mean").to_numpy().reshape(-1, len(YEARS))
    assert np.all(np.diff(share, axis=1) >= -1e-6)
    assert _total(suite, "P0")[-1] > 0


# ------------------------------------------------------------------ §7 invariants


def test_pigouvian_tax_restores_the_cooperative_share_exactly(suite: dict) -> None:
    p1 = _of(suite, "sector_equilibrium", "P1")
    assert (p1["alpha_nash"] == p1["alpha_coop"]).all()
    assert np.allclose(p1["x_nash"], p1["x_coop"], rtol=1e-12)
    p0 = _of(suite, "sector_equilibrium", "P0")
    assert (p0["wedge"] >= 0).all() and p0["wedge"].max() > 0
    assert np.allclose(p1["tax_applied"], p0["pigouvian_tax"], rtol=1e-9)


def test_the_pigouvian_tax_bites_and_never_raises_displacement(suite: dict) -> None:
    for column in (*QUANTS, "displaced_mean"):
        assert np.all(_cells(suite, "P1", column) <= _cells(suite, "P0", column) * (1 + RTOL)
                      + 1e-6), column
        assert np.all(_total(suite, "P1", column) <= _total(suite, "P0", column) * (1 + RTOL))
    p0, p1 = _total(suite, "P0")[-1], _total(suite, "P1")[-1]
    assert p1 < 0.95 * p0  # the policy makes a visible difference


def test_displacement_rises_as_ai_doubles_faster(suite: dict) -> None:
    by_td = [_total(suite, name, column)[-1] for name in ("Td14", "Td7", "Td4")
             for column in ("displaced_p50",)]
    assert by_td == sorted(by_td) and by_td[0] < by_td[-1]
    assert (_of(suite, "forecast_draws", "Td4")["Td_months"] == 4.3).all()


def test_displacement_rises_with_the_cost_decline(suite: dict) -> None:
    by_gc = [_total(suite, name)[-1] for name in ("gc05", "gc10", "gc20")]
    assert by_gc == sorted(by_gc) and by_gc[0] < by_gc[-1]


def test_no_displacement_when_ai_never_improves(suite: dict) -> None:
    d = _of(suite, "displacement_forecast", "frozen")
    for column in (*QUANTS, "displaced_mean", "automated_share_mean"):
        assert d[column].max() == 0.0, column
    assert (_of(suite, "forecast_draws", "frozen")["Td_months"] == math.inf).all()


def test_capital_tax_and_ubi_change_demand_but_not_automation(suite: dict,
                                                              reference_tables: dict) -> None:
    for sid in ("P2", "P3"):
        assert np.array_equal(_cells(suite, sid, "displaced_mean"),
                              _cells(suite, "P0", "displaced_mean")), sid
        assert np.all(_labour(suite, sid, "demand_change")
                      > _labour(suite, "P0", "demand_change")), sid
    # the UBI adds λ_tot·b·Pop to demand in every draw: the median moves by about that much
    lam = _of(suite, "forecast_draws", "P3")["lam_tot"].median()
    shift = _labour(suite, "P3", "demand_change") - _labour(suite, "P0", "demand_change")
    people = population(reference_tables)
    assert 3.0e8 < people < 3.6e8  # CE consumer units × persons per unit
    assert shift[-1] == pytest.approx(lam * 12000.0 * people, rel=0.05)


def test_upskilling_shortens_unemployment(suite: dict) -> None:
    def rate(sid: str) -> np.ndarray:
        return _labour(suite, sid, "unemployed")[2:] / _labour(suite, sid, "displaced")[2:]
    assert np.all(rate("P4") < rate("P0"))


def test_with_full_recovery_and_instant_reemployment_income_is_unchanged(suite: dict) -> None:
    for measure in ("labour_income_loss", "demand_change", "unemployed"):
        for column in ("p10", "p50", "p90"):
            assert np.allclose(_labour(suite, "whole", measure, column), 0.0, atol=1e-3)
    assert _labour(suite, "whole", "displaced")[-1] > 0


def test_game_extensions_move_automation_the_way_the_spec_says(suite: dict) -> None:
    p0 = _total(suite, "P0", "displaced_mean")
    assert np.all(_total(suite, "P9", "displaced_mean") >= p0)  # Red Queen: more
    assert _total(suite, "P9", "displaced_mean")[-1] > p0[-1]
    assert np.all(_total(suite, "P10", "displaced_mean") <= p0 * (1 + RTOL))  # wages adjust
    assert np.all(_total(suite, "P11", "displaced_mean")  # the planner weighs workers too
                  <= _total(suite, "P1", "displaced_mean") * (1 + RTOL))
    assert _total(suite, "P11", "displaced_mean")[-1] < _total(suite, "P1", "displaced_mean")[-1]
    red = _of(suite, "sector_equilibrium", "P9")
    assert (red["wedge"] >= _of(suite, "sector_equilibrium", "P0")["wedge"]).all()


def test_the_upper_bound_scenario_turns_every_automated_hour_into_a_job(suite: dict) -> None:
    high = _cells(suite, "P0-high", "displaced_mean")
    hours = _cells(suite, "P0", "automated_share_mean") * _cells(suite, "P0",
                                                                  "baseline_employment")
    assert np.allclose(high, hours, rtol=1e-5, atol=1e-3)
    assert _total(suite, "P0-high")[-1] > 1.5 * _total(suite, "P0")[-1]


@pytest.fixture(scope="module")
def organised(task_feature: pl.DataFrame) -> pl.DataFrame:
    """Task features where legal and health-practitioner occupations are well organised."""
    major = pl.col("onet_soc_code").str.slice(0, 2)
    return task_feature.with_columns(
        pl.when(major.is_in(["23", "29"])).then(0.9).when(major == "13").then(0.4)
        .otherwise(0.0).alias("gatekeeping"))


def test_p7_is_monotone_in_its_dial_and_p0_at_zero(reference_tables: dict, inputs: dict,
                                                   organised: pl.DataFrame,
                                                   tmp_path: Path) -> None:
    dials = (0.0, 0.25, 0.5, 1.0)
    scenarios = [load_scenario(SCENARIO_DIR / "P0.toml")] + [
        _scenario(tmp_path, f"cbi{int(d * 100)}", f"[policy]\ncbi = {d}\ndata_dividend_eta = 0.05")
        for d in dials]
    out = forecast(organised, None, reference_tables, scenarios, draws=16, seed=SEED, **inputs)
    names = [f"cbi{int(d * 100)}" for d in dials]
    assert np.array_equal(_cells(out, names[0]), _cells(out, "P0"))
    for low, high in pairwise(names):
        for column in (*QUANTS, "displaced_mean"):
            assert np.all(_cells(out, high, column) <= _cells(out, low, column) * (1 + RTOL)
                          + 1e-6)
    covered = _of(out, "displacement_forecast", "P0")["soc_code"].str.slice(0, 2).is_in(
        ["23", "29"]).to_numpy()
    assert (_cells(out, names[-1], "displaced_mean")[covered].sum()
            < _cells(out, names[0], "displaced_mean")[covered].sum())


# ------------------------------------------------------------------ cost calibration (§7.1)


def test_expected_adopted_share_at_the_centres_equals_a10(reference_tables: dict,
                                                          task_feature: pl.DataFrame,
                                                          inputs: dict) -> None:
    (prep,) = prepare(task_feature, None, reference_tables, ["P0"], **inputs)
    centre = _centre_setup(prep.setups[0], prep.demand)
    for a10 in (0.03, 0.046, 0.08):
        share = expected_share(prep, centre, prep.mu_of(np.array([a10])))[0]
        assert share == pytest.approx(a10, abs=1e-3)
    assert prep.mu_of.residual < 1e-4
    assert 0.046 < prep.mu_of.a10_cap < prep.mu_of.reachable < 1.0
    draws = _of_draws(prep)
    assert draws.max() <= prep.mu_of.a10_cap


def _of_draws(prep) -> np.ndarray:
    from exposure.forecast.simulation.montecarlo import draw_uniforms
    un = draw_uniforms(SEED, 0, 200, 1)
    return prep.setups[0].value("a10", un.of("a10"), cap=prep.mu_of.a10_cap)


def test_sensitivity_moves_each_parameter_in_its_natural_direction(suite: dict) -> None:
    sens = suite["forecast_sensitivity"]
    rows = {r["parameter"]: r for r in sens.iter_rows(named=True)}
    assert {"Td_months", "a10", "g_c", "theta_sub", "r0_sigma"} <= set(rows)
    assert rows["Td_months"]["low_value"] < rows["Td_months"]["high_value"]
    assert rows["Td_months"]["displaced_low"] >= rows["Td_months"]["displaced_high"]
    for name in ("a10", "g_c", "theta_sub"):
        assert rows[name]["displaced_high"] > rows[name]["displaced_low"], name
    swing = (sens["displaced_high"] - sens["displaced_low"]).abs().to_list()
    assert swing == sorted(swing, reverse=True)


# ------------------------------------------------------------------ macro check (§7.8)


def test_macro_check_has_both_modes_and_flags_the_band(suite: dict) -> None:
    macro = suite["macro_check"]
    rep = macro.filter(pl.col("mode") == "replication")
    assert rep.height == 4  # kept once however many scenarios
    values = dict(zip(rep["case"], rep["tfp_gain_pct"], strict=True))
    assert round(values["baseline"], 2) == 0.66 and round(values["easy_hard"], 2) == 0.53
    bottom = macro.filter((pl.col("mode") == "bottom_up") & (pl.col("scenario") == "P0"))
    assert bottom["case"].to_list() == ["p10", "p50", "p90"]
    lo, hi = PLAUSIBLE_TFP_BAND_PCT
    p50 = bottom.filter(pl.col("case") == "p50").row(0, named=True)
    assert p50["outside_band"] == (not lo <= p50["tfp_gain_pct"] <= hi
                                   or not 0.10 <= p50["pi_bar"] <= 0.35)
    tfp = bottom["tfp_gain_pct"].to_list()
    assert tfp == sorted(tfp) and tfp[0] > 0
    assert _labour(suite, "P0", "tfp_gain_pct")[-1] == pytest.approx(tfp[1], rel=1e-9)


# ------------------------------------------------------------------ inputs


def test_exposure_ceiling_caps_automation(reference_tables: dict, task_feature: pl.DataFrame,
                                         inputs: dict) -> None:
    scores = task_feature.select("onet_soc_code", "task_id", pl.lit(0.0).alias("score"))
    none = forecast(task_feature, scores, reference_tables, "P0", draws=4, seed=SEED, **inputs)
    assert none["displacement_forecast"]["displaced_p90"].max() == 0.0


def test_calibration_override_reaches_the_game(reference_tables: dict,
                                               task_feature: pl.DataFrame,
                                               inputs: dict) -> None:
    cal = inputs["calibration"]
    column = "internalised" if "internalised" in cal.columns else "spending_share"
    changed = cal.with_columns(pl.when(pl.col("naics_sector") == "52").then(
        pl.col(column) * 50).otherwise(pl.col(column)).alias(column))
    args = {"draws": 4, "seed": SEED, "baseline": inputs["baseline"]}
    a = forecast(task_feature, None, reference_tables, "P0", calibration=cal, **args)
    b = forecast(task_feature, None, reference_tables, "P0", calibration=changed, **args)
    row = {k: f["sector_equilibrium"].filter(pl.col("naics_sector") == "52").row(0, named=True)
           for k, f in (("a", a), ("b", b))}
    assert row["b"]["x_nash"] > row["a"]["x_nash"]


def test_time_shares_sum_to_one_and_use_ratings_when_present(reference_tables: dict) -> None:
    task = reference_tables["task"]
    shares = task_time_shares(task)
    sums = shares.group_by("onet_soc_code").agg(pl.col("time_share").sum())
    assert np.allclose(sums["time_share"], 1.0)
    occ = shares.filter(pl.col("onet_soc_code") == "15-1252.00")
    typed = task.filter(pl.col("onet_soc_code") == "15-1252.00").get_column("task_type")
    expected = np.where(typed == "Core", 2.0, 1.0)
    assert np.allclose(occ["time_share"], expected / expected.sum())
    ids = task.filter(pl.col("onet_soc_code") == "15-1252.00").get_column("task_id").to_list()
    rating = pl.DataFrame({
        "onet_soc_code": ["15-1252.00"] * 4, "task_id": [ids[0], ids[0], ids[0], ids[1]],
        "scale_id": ["IM", "FT", "FT", "IM"], "category": [None, 1, 7, None],
        "data_value": [4.0, 50.0, 50.0, 2.0]})
    rated = task_time_shares(task, rating).filter(pl.col("onet_soc_code") == "15-1252.00")
    first = rated.filter(pl.col("task_id") == ids[0]).row(0, named=True)
    assert first["share_source"] == "importance_frequency"
    assert set(rated["share_source"].to_list()) >= {"importance_frequency", "imputed"}
    assert first["time_share"] == pytest.approx(16.0 / (16.0 * len(ids)))


# ------------------------------------------------------------------ kernels


@pytest.fixture(scope="module")
def tasks() -> dict:
    rng = np.random.default_rng(7)
    n = 3000
    h = rng.choice([15.0, 30.0, 60.0, 120.0, 240.0], n)
    da, v, m = rng.random(n), rng.random(n), 0.7 * rng.random(n)
    td, kappa = rng.uniform(4.3, 14.0, n), rng.uniform(1.0, 3.0, n)
    cap = CapabilityParams(Td_months=td, kappa_D=kappa, kappa_V=kappa, beta=1.0)
    ceiling = np.asarray(manual_factor(m, cap))
    half = 0.5 / ceiling
    safe = np.where(half < 1, half, 0.5)
    need = np.where(half < 1, np.log(safe / (1 - safe)), np.inf)
    gap0 = np.log2(60.0) - np.log2(h) + kappa * (da - 0.5) + kappa * (v - 0.5)
    return {"h": h, "da": da, "v": v, "m": m, "cap": cap, "gap0": gap0, "b": 12.0 / td,
            "ln_m": np.log(ceiling), "need": need, "t0": float(cap.t0),
            "r0": np.exp(rng.normal(1.0, 2.0, n)), "rng": rng}


def test_kernel_capability_time_matches_capability_year(tasks: dict) -> None:
    t = tasks
    got = K.capability_time(t["gap0"], t["b"], t["b"], t["need"], t["t0"])
    ref = np.asarray(capability_year(t["h"], t["da"], t["v"], t["m"], t["cap"]))
    assert np.array_equal(np.isinf(got), np.isinf(ref))
    finite = np.isfinite(ref)
    assert np.allclose(got[finite], ref[finite], rtol=0, atol=1e-9)


def test_kernel_saving_matches_saving_rate(tasks: dict) -> None:
    t = tasks
    when = 2031.25
    p = success_probability(when, t["h"], t["da"], t["v"], t["m"], t["cap"])
    ref = np.asarray(saving_rate(when, t["r0"], p, t["cap"]))
    got = K.saving(when, np.log(t["r0"]), math.log1p(-0.1), t["ln_m"],
                   t["gap0"] + t["b"] * (when - t["t0"]), 1.0, t["t0"], 0.1)
    finite = np.isfinite(ref)
    assert np.allclose(got[finite], ref[finite], rtol=1e-10, atol=1e-12)


def test_kernel_cost_crossings_match_the_bisection(tasks: dict) -> None:
    t = tasks
    t_end, kc = 2035.5, math.log1p(-0.1)
    x = t["rng"].uniform(0.0, 0.05, t["h"].size)
    sig_end = K.saving(t_end, np.log(t["r0"]), kc, t["ln_m"],
                       t["gap0"] + t["b"] * (t_end - t["t0"]), 1.0, t["t0"], 0.1)
    sel = np.nonzero(sig_end >= x + 0.04)[0]
    assert sel.size > 100
    start = np.full(sel.size, t["t0"] - 5.0)
    # the cost decline per pair, as the engine passes it (g_c is drawn)
    args = (np.log(t["r0"][sel]), np.full(sel.size, kc), t["ln_m"][sel], t["gap0"][sel],
            t["b"][sel], t["b"][sel], 1.0, t["t0"], t_end)
    got = K.cost_crossing(start, np.log(0.9 - x[sel]), *args)

    def reference(level: np.ndarray, rows: np.ndarray) -> np.ndarray:
        cap = CapabilityParams(Td_months=np.asarray(t["cap"].Td_months)[sel][rows],
                               kappa_D=np.asarray(t["cap"].kappa_D)[sel][rows],
                               kappa_V=np.asarray(t["cap"].kappa_V)[sel][rows], beta=1.0)
        ref = cost_effective_year(level, t["r0"][sel][rows], t["h"][sel][rows],
                                  t["da"][sel][rows], t["v"][sel][rows], t["m"][sel][rows], cap)
        return np.maximum(ref, t["t0"] - 5.0)

    assert np.allclose(got, reference(x[sel], np.arange(sel.size)), rtol=0, atol=1e-8)
    higher = x[sel] + t["rng"].uniform(0.0, 0.04, sel.size)
    pair = np.arange(sel.size)
    refined = K.refine_crossing(got, np.log(0.9 - x[sel]), np.log(0.9 - higher), pair, start,
                                *args)
    assert np.allclose(refined, reference(higher, pair), rtol=0, atol=1e-8)
    assert np.all(refined >= got)


def test_kernel_activation_waits_for_both_gate_and_game(tasks: dict) -> None:
    """§2.3: t_act = max(t_eval, first t at which the task passes the game threshold); the engine
    searches the crossing from t_eval on."""
    t = tasks
    rng = np.random.default_rng(11)  # the fixture's generator is left to the other tests
    t_end, kc, x = 2035.5, math.log1p(-0.1), 0.02
    sig_end = K.saving(t_end, np.log(t["r0"]), kc, t["ln_m"],
                       t["gap0"] + t["b"] * (t_end - t["t0"]), 1.0, t["t0"], 0.1)
    sel = np.nonzero(sig_end >= x + 0.04)[0]
    t_eval = rng.uniform(t["t0"] - 3.0, t_end - 1.0, sel.size)
    got = K.cost_crossing(t_eval, np.full(sel.size, np.log(0.9 - x)), np.log(t["r0"][sel]),
                          np.full(sel.size, kc), t["ln_m"][sel], t["gap0"][sel], t["b"][sel],
                          t["b"][sel], 1.0, t["t0"], t_end)
    cap = CapabilityParams(Td_months=np.asarray(t["cap"].Td_months)[sel],
                           kappa_D=np.asarray(t["cap"].kappa_D)[sel],
                           kappa_V=np.asarray(t["cap"].kappa_V)[sel], beta=1.0)
    t_game = cost_effective_year(x, t["r0"][sel], t["h"][sel], t["da"][sel], t["v"][sel],
                                 t["m"][sel], cap)
    assert np.allclose(got, np.maximum(t_eval, t_game), rtol=0, atol=1e-8)
    assert np.any(t_game > t_eval + 0.1) and np.any(t_eval > t_game + 0.1)  # both bind
    # a task never deployable (t_act = +∞) is never adopted, one always deployable (−∞) is
    assert bass_cdf(2040.0 - np.inf) == 0.0 and bass_cdf(2040.0 + np.inf) == 1.0


def test_kernel_bass_increment_matches_bass_cdf(tasks: dict) -> None:
    rng = tasks["rng"]
    t_act = np.concatenate([rng.uniform(2015.0, 2040.0, 500), [-np.inf, np.inf]])
    pq = 0.03 + rng.uniform(0.19, 0.38, t_act.size)
    grid = np.arange(2025, 2036) + 0.5
    got = K.bass_increment(grid, tasks["t0"], t_act, 0.03, pq)
    with np.errstate(invalid="ignore"):
        ref = (np.asarray(bass_cdf(grid[:, None] - t_act[None, :], 0.03, pq - 0.03))
               - np.asarray(bass_cdf(tasks["t0"] - t_act, 0.03, pq - 0.03))[None, :])
    assert got.dtype == np.float32
    assert np.allclose(got, np.maximum(ref, 0.0), rtol=0, atol=1e-6)
    assert np.all(got[:, -2:] == 0.0)  # fully adopted before the start, or never

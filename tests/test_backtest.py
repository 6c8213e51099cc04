"""The backtest: exposure against the change of employment since May 2021.

Constructed frames where the answer is known (the most exposed fifth shrinks by 20% while
the rest grows by 10%; log employment change falls by 0.3 per unit of exposure), the HC1
standard errors against a closed form and their coverage, and the real refresh's table,
report section and command."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from exposure.backtest.quintiles import exposure_quintiles
from exposure.backtest.regression import weighted_least_squares
from exposure.backtest.table import backtest
from exposure.settings import Settings
from exposure.warehouse import read_frame
from tests.cli_runs import env_for, exposure

N = 100  # scored occupations of the constructed data


def _cells(year: int, codes: list[str], employment: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame({
        "year": year, "area_type": "national", "naics_sector": "all", "soc_code": codes,
        "o_group": "detailed", "employment": employment,
        "annual_mean_wage": [40_000.0 + 500 * k for k in range(len(codes))],
        "hourly_mean_wage": None,
    }, schema_overrides={"year": pl.Int16, "employment": pl.Float64,
                         "hourly_mean_wage": pl.Float64})


def constructed(base: np.ndarray, end: np.ndarray, exposure: np.ndarray,
                projected: np.ndarray) -> dict[str, pl.DataFrame]:
    """Tables of N occupations 15-1000 ... 15-1099 published in 2021 and 2024, plus one code
    of each other kind: 15-2001 only in 2021, 15-2002 only in 2024, 15-2003 suppressed in
    2024, 15-2004 without an exposure, 15-2005 (exposure 0.5, +10%) without a projection
    (no control)."""
    codes = [f"15-{1000 + k}" for k in range(N)]
    extra = ["15-2001", "15-2003", "15-2004", "15-2005"]
    employment = pl.concat([
        _cells(2021, codes + extra, [*base, 500.0, 700.0, 900.0, 1100.0]),
        _cells(2024, [*codes, "15-2002", "15-2003", "15-2004", "15-2005"],
               [*end, 600.0, None, 800.0, 1210.0]),
    ])
    scored = [*codes, "15-2005"]
    exposures = pl.DataFrame({"scorer": "test", "soc_code": [*codes, "15-2004", "15-2005"],
                              "exposure": [*exposure, None, 0.5]})
    occupation = pl.DataFrame({"onet_soc_code": [f"{c}.00" for c in scored],
                               "job_zone": [1 + k % 5 for k in range(len(scored))]},
                              schema_overrides={"job_zone": pl.Int8})
    crosswalk = pl.DataFrame({"onet_soc_code": [f"{c}.00" for c in scored], "soc_code": scored,
                              "split_weight": 1.0})
    projection = pl.DataFrame({"soc_code": codes, "change_pct": 100 * projected})
    return {"exposure": exposures, "employment": employment, "projection": projection,
            "occupation": occupation, "crosswalk": crosswalk}


def rows(frame: pl.DataFrame, kind: str) -> dict[str, dict]:
    return {r["term"]: r for r in frame.filter(pl.col("kind") == kind).iter_rows(named=True)}


@pytest.fixture()
def shrinking() -> pl.DataFrame:
    """Equal occupations; the 20 most exposed (exposure >= 0.8) lose 20% of their jobs, the
    others gain 10%."""
    exposure = np.arange(N) / (N - 1)
    base = np.full(N, 1000.0)
    end = np.where(np.arange(N) >= 80, 800.0, 1100.0)
    projected = np.random.default_rng(1).normal(0.03, 0.05, N)
    return backtest(**constructed(base, end, exposure, projected))


def test_the_most_exposed_quintile_shrinks_and_the_gap_is_recovered(
        shrinking: pl.DataFrame) -> None:
    quintiles = rows(shrinking, "quintile")
    assert list(quintiles) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    # 15-2005 (exposure 0.5) is the 21st occupation of the middle fifth
    assert [q["n_occupations"] for q in quintiles.values()] == [20, 20, 21, 20, 20]
    assert quintiles["Q5"]["growth"] == pytest.approx(-0.20)
    for term in ("Q1", "Q2", "Q3", "Q4"):
        assert quintiles[term]["growth"] == pytest.approx(0.10)
    assert quintiles["Q5"]["exposure_low"] == pytest.approx(80 / 99)
    (gap,) = rows(shrinking, "gap").values()
    assert gap["estimate"] == pytest.approx(-0.30)


def test_the_regression_finds_the_negative_exposure_coefficient(
        shrinking: pl.DataFrame) -> None:
    coefficients = rows(shrinking, "coefficient")
    assert list(coefficients) == ["intercept", "exposure", "job_zone", "log_mean_wage",
                                  "projected_change"]
    slope = coefficients["exposure"]
    assert slope["n_occupations"] == N  # 15-2005 has no projection, so no control
    assert slope["ci_high"] < 0 < slope["std_error"]
    assert slope["ci_low"] < slope["estimate"] < slope["ci_high"]
    assert 0 < slope["r_squared"] <= 1


def test_a_known_slope_is_recovered_within_its_interval() -> None:
    """log change = 0.05 - 0.3 exposure + 0.8 projected + noise, unequal employment."""
    rng = np.random.default_rng(7)
    exposure = rng.uniform(0, 1, N)
    projected = rng.normal(0.03, 0.05, N)
    base = rng.uniform(1_000, 50_000, N)
    end = base * np.exp(0.05 - 0.3 * exposure + 0.8 * projected + rng.normal(0, 0.03, N))
    coefficients = rows(backtest(**constructed(base, end, exposure, projected)), "coefficient")
    for term, truth in (("exposure", -0.3), ("projected_change", 0.8)):
        assert coefficients[term]["ci_low"] < truth < coefficients[term]["ci_high"], term
    assert coefficients["exposure"]["ci_high"] < 0


def test_codes_in_one_year_only_are_counted_not_dropped_silently(
        shrinking: pl.DataFrame) -> None:
    coverage = rows(shrinking, "coverage")
    assert {t: r["n_occupations"] for t, r in coverage.items()} == {
        "matched": N + 2, "base_only": 1, "end_only": 1, "suppressed": 1, "unscored": 1,
        "no_controls": 1}
    assert coverage["base_only"]["employment_base"] == 500
    assert coverage["base_only"]["employment_end"] is None
    assert coverage["end_only"]["employment_end"] == 600
    assert coverage["suppressed"]["employment_base"] == 700
    matched = coverage["matched"]
    assert matched["employment_base"] == pytest.approx(N * 1000 + 900 + 1100)
    # the quintiles hold the matched codes with an exposure, the unscored one left out
    quintiles = rows(shrinking, "quintile").values()
    assert sum(q["n_occupations"] for q in quintiles) == N + 1
    assert sum(q["employment_base"] for q in quintiles) == pytest.approx(
        matched["employment_base"] - coverage["unscored"]["employment_base"])


def test_quintiles_are_employment_weighted() -> None:
    """More exposed occupations are bigger here, so quintiles of equal counts would not
    hold equal employment."""
    rng = np.random.default_rng(3)
    exposure = rng.uniform(0, 1, N)
    frame = pl.DataFrame({"soc_code": [f"15-{1000 + k}" for k in range(N)],
                          "exposure": exposure,
                          "employment_base": rng.uniform(100, 1_000, N) * (1 + 20 * exposure)})
    ranked = exposure_quintiles(frame)
    shares = (ranked.group_by("quintile").agg(pl.col("employment_base").sum()).sort("quintile")
              ["employment_base"] / frame["employment_base"].sum())
    largest = frame["employment_base"].max() / frame["employment_base"].sum()
    assert ((shares - 0.2).abs() <= largest).all(), shares.to_list()
    bounds = ranked.group_by("quintile").agg(pl.col("exposure").min().alias("low"),
                                             pl.col("exposure").max().alias("high"))
    bounds = bounds.sort("quintile")
    assert (bounds["high"].head(4) <= bounds["low"].tail(4)).all()


def test_no_base_year_gives_an_empty_table() -> None:
    tables = constructed(np.full(N, 1.0), np.full(N, 1.0), np.zeros(N), np.zeros(N))
    tables["employment"] = tables["employment"].filter(pl.col("year") == 2024)
    assert backtest(**tables).height == 0


def test_hc1_of_a_weighted_mean_matches_its_closed_form() -> None:
    rng = np.random.default_rng(0)
    y, w = rng.normal(size=30), rng.uniform(1, 5, 30)
    fit = weighted_least_squares(y, np.ones((30, 1)), w, ("intercept",))
    mean = np.average(y, weights=w)
    variance = 30 / 29 * ((w * (y - mean)) ** 2).sum() / w.sum() ** 2
    assert fit.estimate[0] == pytest.approx(mean)
    assert fit.std_error[0] == pytest.approx(np.sqrt(variance))


def test_integer_weights_give_the_coefficients_of_repeated_rows() -> None:
    rng = np.random.default_rng(2)
    x = np.column_stack([np.ones(20), rng.normal(size=20)])
    y, w = rng.normal(size=20), rng.integers(1, 4, 20)
    fit = weighted_least_squares(y, x, w.astype(float), ("intercept", "x"))
    repeated, *_ = np.linalg.lstsq(np.repeat(x, w, axis=0), np.repeat(y, w), rcond=None)
    assert fit.estimate == pytest.approx(repeated)


def test_the_robust_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    """Errors whose spread grows with x, as do the weights: the classical interval covers
    the true slope 88% of the time here, the HC1 one 96%."""
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(400):
        x = rng.uniform(0, 1, 200)
        w = 1 + 9 * x * rng.uniform(0.5, 1.5, 200)
        y = 1 - 0.5 * x + rng.normal(0, 0.05 + x**2, 200)
        fit = weighted_least_squares(y, np.column_stack([np.ones(200), x]), w,
                                     ("intercept", "x"))
        covered += fit.ci_low[1] < -0.5 < fit.ci_high[1]
    assert 0.92 <= covered / 400 <= 0.98


def test_the_report_section_has_a_chart_and_the_tables(shrinking: pl.DataFrame) -> None:
    from exposure.reporting.backtest import backtest_section
    from exposure.reporting.document import Chart, Table, Text

    (section,) = backtest_section(shrinking.with_columns(pl.lit("r1").alias("run_id")))
    kinds = [type(b) for b in section.blocks]
    assert kinds == [Text, Chart, Table, Table, Text]
    growth = section.blocks[2].frame.row(0, named=True)
    assert growth["Q5"] == "-20.0%" and growth["Q5 minus Q1–Q4"] == "-30.0 pp"
    assert "<svg" in section.blocks[1].svg
    assert "1 codes are in the base year only, 1 in the end year only" in section.blocks[4].text


def test_a_warehouse_without_the_table_says_which_command_writes_it(tmp_path) -> None:
    import duckdb

    from exposure.errors import WarehouseError
    from exposure.queries import backtest as query

    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(WarehouseError, match=r"no table backtest yet.*exposure refresh"):
        query(path)


# the real data


def test_the_refreshed_backtest_is_sane(refreshed: Settings) -> None:
    frame = read_frame(refreshed.warehouse, "SELECT * FROM latest_backtest")
    published = read_frame(refreshed.warehouse,
                           "SELECT year, sum(employment) AS employment FROM employment "
                           "WHERE area_type = 'national' AND naics_sector = 'all' "
                           "AND o_group = 'detailed' GROUP BY year")
    national = dict(published.iter_rows())
    assert set(frame["scorer"]) == set(refreshed.scorer_list)
    assert set(frame["base_year"]) == {2021} and set(frame["end_year"]) == {max(national)}
    for (scorer,), part in frame.group_by("scorer"):
        coverage, quintiles = rows(part, "coverage"), rows(part, "quintile")
        coefficients = rows(part, "coefficient")
        matched = coverage["matched"]
        assert matched["n_occupations"] > 700, scorer
        # every published detailed code is compared or counted as left out
        assert (matched["employment_base"] + (coverage["base_only"]["employment_base"] or 0)
                + (coverage["suppressed"]["employment_base"] or 0)) == pytest.approx(
            national[2021])
        assert -0.1 < matched["growth"] < 0.3
        scored = matched["employment_base"] - (coverage["unscored"]["employment_base"] or 0)
        assert sum(q["employment_base"] for q in quintiles.values()) == pytest.approx(scored)
        for q in quintiles.values():
            assert 0.15 < q["employment_base"] / scored < 0.25, (scorer, q)
        highs = [q["exposure_high"] for q in quintiles.values()]
        lows = [q["exposure_low"] for q in quintiles.values()]
        assert all(h <= lo for h, lo in zip(highs[:-1], lows[1:], strict=True))
        n_scored = sum(q["n_occupations"] for q in quintiles.values())
        assert list(coefficients) == ["intercept", "exposure", "job_zone", "log_mean_wage",
                                      "projected_change"]
        for c in coefficients.values():
            assert c["n_occupations"] == n_scored - coverage["no_controls"]["n_occupations"]
            assert 0 < c["r_squared"] < 1 and c["std_error"] > 0
            assert c["ci_low"] < c["estimate"] < c["ci_high"]
        # BLS projected change is itself partly a trend: it predicts the recent change
        assert coefficients["projected_change"]["estimate"] > 0


def test_the_report_and_the_command_show_the_backtest(refreshed: Settings) -> None:
    report = (refreshed.reports_dir / "latest" / "report.md").read_text(encoding="utf-8")
    assert "## Backtest: exposure and employment, May 2021 to May" in report
    assert (refreshed.reports_dir / "latest" / "backtest_quintiles.svg").is_file()
    done = exposure("backtest", "--warehouse", str(refreshed.warehouse), "--kind", "quintile",
                    env=env_for())
    assert done.returncode == 0, done.stderr
    assert "Growth" in done.stdout and "Q5" in done.stdout and "coefficient" not in done.stdout


def test_the_command_writes_every_row_to_a_file(refreshed: Settings, tmp_path) -> None:
    out = tmp_path / "backtest.csv"
    done = exposure("backtest", "--warehouse", str(refreshed.warehouse), "-o", str(out),
                    env=env_for())
    assert done.returncode == 0, done.stderr
    written = pl.read_csv(out)
    assert written.height == read_frame(refreshed.warehouse,
                                        "SELECT count(*) AS n FROM latest_backtest")["n"][0]
    assert {"run_id", "employment_source", "estimate", "std_error"} <= set(written.columns)
    bad = exposure("backtest", "--warehouse", str(refreshed.warehouse), "--scorer", "nope",
                   env=env_for())
    assert bad.returncode == 2 and "no backtest rows match --scorer nope" in bad.stderr

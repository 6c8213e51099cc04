"""`exposure simulate`: the agent-based simulation as the refresh's `abm` stage, through the
real command, with its tables published under the run's id."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from exposure import warehouse
from exposure.settings import Settings
from tests.cli_runs import env_for, exposure, warm_cache


def test_simulate_publishes_the_abm_tables_of_its_scenario(ingested: Settings,
                                                          tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    env = env_for(warm_cache(ingested, tmp_path / "cache"))
    done = exposure("simulate", "--warehouse", str(target), "--reports-dir",
                    str(tmp_path / "reports"), "--raw-dir", str(ingested.raw_dir),
                    "--scorer", "rubric:human:beta", "--scenario", "P1", "--draws", "6",
                    "--share", "0.002", "--mode", "emergent", env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "forecast" in done.stderr and "abm" in done.stderr
    monthly = warehouse.read_frame(target, "SELECT * FROM latest_abm_monthly ORDER BY month")
    assert set(monthly["scenario"]) == {"P1"} and monthly.height == 132
    people = monthly["employed"] + monthly["unemployed"] + monthly["reemployed"]
    assert (people - people[0]).abs().max() < 1e-6 * people[0]  # nobody appears or vanishes
    assert monthly["displaced"].is_sorted() and monthly["displaced"][-1] > 0
    comparison = warehouse.read_frame(target, "SELECT * FROM latest_abm_comparison")
    assert comparison["year"].to_list() == list(range(2025, 2036))
    quintiles = warehouse.read_frame(target, "SELECT quintile FROM latest_abm_earnings")
    assert sorted(quintiles["quintile"]) == ["q1", "q2", "q3", "q4", "q5"]

    refused = exposure("simulate", "--warehouse", str(target), "--share", "2", env=env)
    assert refused.returncode == 2 and "simulate option" in refused.stderr


def test_the_run_report_shows_unemployment_by_wage_quintile(refreshed: Settings) -> None:
    (folder,) = (Path(refreshed.reports_dir) / "runs").iterdir()
    text = (folder / "report.md").read_text()
    section = text.split("## Who is displaced (agent-based simulation)", 1)[1]
    section = section.split("\n## ", 1)[0]
    assert "![unemployment by wage quintile](abm_quintiles.svg)" in section
    assert (folder / "abm_quintiles.svg").read_text().lstrip().startswith("<svg")
    rows = [line for line in section.splitlines() if re.match(r"\| q\d ", line)]
    assert [row.split("|")[1].strip() for row in rows] == ["q1", "q2", "q3", "q4", "q5"]
    duration = warehouse.read_frame(refreshed.warehouse, "SELECT * FROM latest_abm_duration "
                                    "ORDER BY quintile")
    assert duration["scenario"].unique().to_list() == ["P0"]
    assert f"{duration['mean_months_unemployed'][0]:.1f}" in rows[0]
    assert "the forecast's 80% interval" in section


def test_coupled_simulation_lies_within_the_forecasts_interval(refreshed: Settings) -> None:
    """MODEL_SPEC §4's coupling test: the refresh's coupled ABM (1% of the workforce) ends
    each year inside the aggregate forecast's 80% interval for the same scenario."""
    comparison = warehouse.read_frame(refreshed.warehouse, "SELECT * FROM "
                                      "latest_abm_comparison ORDER BY year")
    assert comparison["abm_displaced"][-1] > 0
    outside = comparison.filter(~pl.col("inside_80"))
    assert outside.height == 0, outside


def test_simulate_refuses_an_unknown_alternative(tmp_path: Path) -> None:
    done = exposure("simulate", "--warehouse", str(tmp_path / "w.duckdb"), "--alternatives",
                    "domestic,robots", env=env_for(tmp_path / "cache"))
    assert done.returncode == 2 and "simulate option" in done.stderr, done.stderr

"""`exposure simulate`: the agent-based simulation as the refresh's `abm` stage, through the
real command, with its tables published under the run's id."""

from __future__ import annotations

from pathlib import Path

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

"""`exposure forecast-table`: cells, labour-market measures and the sensitivity table, on a
small real DuckDB warehouse with the engine's published tables.

Most cases run the command in-process (Typer's runner: a subprocess costs ~2 s of imports
each); one runs the installed command to check the exit code and the one-line error.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from exposure.cli import app
from exposure.errors import ConfigError
from exposure.forecast.io.anchors import ENTRY_LEVEL_DEFINITION
from tests import forecast_warehouse as fw

EXPOSURE = str(Path(sys.executable).with_name("exposure"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fw.build(tmp_path_factory.mktemp("forecast_table") / "exposure.duckdb")


def cli(warehouse: Path, *args: str):  # -> click.testing.Result
    env = {"EXPOSURE_WAREHOUSE": str(warehouse), "COLUMNS": "200"}
    return CliRunner().invoke(app, ["forecast-table", *args], env=env)


def csv(done) -> pl.DataFrame:
    assert done.exit_code == 0, done.exception
    return pl.read_csv(io.StringIO(done.stdout), schema_overrides={
        "naics_sector": pl.String, "scope": pl.String})


def test_cells_by_default_with_the_scenario_title(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--scenario", "P1", "--year", "2030", "--sector", "52", "-f",
                    "csv"))
    assert frame.columns[:3] == ["run_id", "scenario", "scenario_title"]
    assert set(frame["scenario_title"]) == {"Pigouvian automation tax"}
    assert sorted(frame["soc_code"]) == ["43-4051", "43-9061"]
    table = cli(warehouse, "--scenario", "P1", "--year", "2030")
    assert table.exit_code == 0 and "Pigouvian automation tax" in table.stdout


def test_a_labour_market_measure(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--measure", "unemployed", "--year", "2035", "-f", "csv"))
    assert frame["scenario"].to_list() == ["P0", "P1", "P4"]
    assert set(frame["scope"]) == {"national"} and set(frame["measure"]) == {"unemployed"}
    assert frame.filter(pl.col("scenario") == "P0")["p50"][0] == pytest.approx(900_000)
    by_sector = csv(cli(warehouse, "--measure", "displaced", "--sector", "62", "--scenario",
                        "P0", "--year", "2030", "-f", "csv"))
    assert by_sector.select("scope", "p50").rows() == [("62", pytest.approx(0.2 * 750_000))]


def test_entry_level_measure_carries_its_definition(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--measure", "entry_level_wc_displaced_share", "--year", "2030",
                    "-f", "csv"))
    assert set(frame["definition"]) == {ENTRY_LEVEL_DEFINITION}
    table = cli(warehouse, "--measure", "entry_level_wc_displaced_share", "--year", "2030")
    assert "Job Zone <= 3" in table.stdout


def test_the_sensitivity_table(warehouse: Path) -> None:
    frame = csv(cli(warehouse, "--sensitivity", "-f", "csv"))
    assert frame["parameter"].to_list() == ["a_10", "Td_months", "theta_sub", "eta"]
    assert frame.filter(pl.col("parameter") == "a_10").select(
        "low_value", "high_value", "displaced_low", "displaced_high").row(0) == pytest.approx(
        (0.036, 0.075, 2.2e6, 4.6e6))
    top = csv(cli(warehouse, "--sensitivity", "--top", "2", "-f", "csv"))
    assert top.height == 2
    table = cli(warehouse, "--sensitivity")
    assert table.exit_code == 0 and "AI doubling time" in table.stdout


@pytest.mark.parametrize(("args", "says"), [
    (("--measure", "jobs_lost"), "unknown measure 'jobs_lost'"),
    (("--scenario", "P9"), "no displacement_forecast rows match --scenario P9"),
    (("--measure", "unemployed", "--sector", "52"), "unemployed is published for scopes "
                                                    "national"),
    (("--measure", "unemployed", "--occupation", "43-"), "--occupation does not apply"),
    (("--sensitivity", "--measure", "unemployed"), "cannot be combined"),
    (("--sensitivity", "--sector", "52"), "--sector does not apply"),
    (("--sensitivity", "--scenario", "P4"), "no forecast_sensitivity rows match"),
])
def test_filters_that_match_nothing_are_a_clear_error(warehouse: Path, args: tuple[str, ...],
                                                      says: str) -> None:
    done = cli(warehouse, *args)
    assert isinstance(done.exception, ConfigError) and done.exception.exit_code == 2
    assert says in str(done.exception)
    assert done.stdout == ""


def test_unknown_measure_exits_2_with_one_sentence(warehouse: Path) -> None:
    env = {**os.environ, "EXPOSURE_WAREHOUSE": str(warehouse)}
    done = subprocess.run([EXPOSURE, "forecast-table", "--measure", "jobs_lost"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().startswith("error: unknown measure 'jobs_lost'; use "
                                          "displaced-cells or one of ")
    assert "unemployed" in done.stderr

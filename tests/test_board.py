"""What a workforce board sees: the board commands on a fully refreshed warehouse."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from exposure import warehouse
from exposure.runs import latest_run_id
from exposure.settings import Settings
from tests.cli_runs import env_for, exposure, warm_cache

EXPOSURE = str(Path(sys.executable).with_name("exposure"))


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EXPOSURE_WAREHOUSE": str(settings.warehouse), "COLUMNS": "200"}
    return subprocess.run([EXPOSURE, *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_sectors_csv_names_its_sources(refreshed: Settings) -> None:
    done = cli(refreshed, "sectors", "--year", "2024", "--format", "csv")
    assert done.returncode == 0, done.stderr
    frame = pl.read_csv(io.StringIO(done.stdout))
    assert frame.height == 20 and set(frame["year"]) == {2024}
    assert set(frame["onet_release"]) == {"O*NET 29.2"}
    assert set(frame["employment_source"]) == {"OEWS May 2024"}
    assert frame["employment"].sum() == pytest.approx(154_187_400)
    assert frame["exposure"].is_sorted(descending=True)


def test_sector_filters(refreshed: Settings) -> None:
    done = cli(refreshed, "sectors", "--sector", "52", "--scorer", "rubric:gpt4:beta",
               "--format", "json")
    frame = pl.read_json(io.StringIO(done.stdout))
    assert set(frame["naics_sector"]) == {"52"} and set(frame["scorer"]) == {"rubric:gpt4:beta"}
    assert sorted(frame["year"]) == [2022, 2023, 2024]
    big = pl.read_csv(io.StringIO(cli(refreshed, "sectors", "--year", "2024",
                                      "--min-employment", "10000000", "-f", "csv").stdout))
    assert big.height >= 1 and (big["employment"] >= 10_000_000).all()


def test_occupations_top_and_search(refreshed: Settings) -> None:
    top = pl.read_csv(io.StringIO(cli(refreshed, "occupations", "--top", "5", "-f", "csv").stdout))
    assert top.height == 5 and top["exposure"].is_sorted(descending=True)
    found = pl.read_csv(io.StringIO(
        cli(refreshed, "occupations", "--search", "Software Developers", "-f", "csv").stdout))
    assert found["soc_code"].to_list() == ["15-1252"]  # BLS codes by default
    detail = pl.read_csv(io.StringIO(cli(refreshed, "occupations", "--search", "software",
                                         "--detail", "-f", "csv").stdout))
    assert "15-1252.00" in detail["onet_soc_code"].to_list()
    assert {"split_rule", "split_weight"} <= set(detail.columns)


def test_table_output_carries_caption_with_sources(refreshed: Settings) -> None:
    done = cli(refreshed, "occupations", "--top", "3")
    assert done.returncode == 0
    assert "O*NET 29.2" in done.stdout and "OEWS May 2024" in done.stdout
    assert "not a probability of job loss" in done.stdout and "CC BY 4.0" in done.stdout


def test_a_state_next_to_the_nation(refreshed: Settings) -> None:
    done = cli(refreshed, "areas", "--area", "California", "-f", "csv")
    frame = pl.read_csv(io.StringIO(done.stdout), schema_overrides={"area_code": pl.String})
    assert set(frame["area_code"]) == {"06", "US"}
    nation = frame.filter(pl.col("area_code") == "US")["exposure"][0]
    assert (frame["national_exposure"] == nation).all()
    by_group = pl.read_csv(io.StringIO(cli(refreshed, "areas", "--area", "06", "--major",
                                           "15-0000", "-f", "csv").stdout),
                           schema_overrides={"area_code": pl.String})
    assert set(by_group["soc_major"]) == {"15-0000"}


def test_unknown_filters_are_a_clear_error(refreshed: Settings) -> None:
    done = cli(refreshed, "sectors", "--sector", "77")
    assert done.returncode != 0
    assert done.stderr.strip().startswith("error: no sector rows match")
    for args, says in ((("occupations", "--search", "zzyzx"), "no occupation rows match"),
                       (("areas", "--area", "OH2"), "unknown area 'OH2'"),
                       (("occupations", "--major", "15-1252"), "not a major SOC group"),
                       (("occupations", "--detail", "--area", "39"), "--detail lists")):
        done = cli(refreshed, *args)
        assert done.returncode == 2 and says in done.stderr, (args, done.stderr)


def test_latest_views_hold_one_run(refreshed: Settings) -> None:
    frame = warehouse.read_frame(refreshed.warehouse,
                                 "SELECT count(DISTINCT run_id) n FROM latest_sector_exposure")
    assert frame["n"][0] == 1


def test_forecast_table_filters_and_sources(refreshed: Settings) -> None:
    done = cli(refreshed, "forecast-table", "--scenario", "P1", "--sector", "52",
               "--year", "2030", "-f", "csv")
    assert done.returncode == 0, done.stderr
    frame = pl.read_csv(io.StringIO(done.stdout), schema_overrides={"naics_sector": pl.String})
    assert set(frame["scenario"]) == {"P1"} and set(frame["naics_sector"]) == {"52"}
    assert (frame["displaced_p10"] <= frame["displaced_p50"]).all()
    assert (frame["displaced_p50"] <= frame["displaced_p90"]).all()
    assert (frame["displaced_p90"] <= frame["baseline_employment"]).all()
    assert "Employment Projections 2024-34" in frame["employment_source"][0]


def test_forecast_tables_follow_the_contract(refreshed: Settings) -> None:
    equilibrium = warehouse.read_frame(refreshed.warehouse,
                                       "SELECT * FROM latest_sector_equilibrium")
    assert {"run_id", "scenario", "naics_sector", "n_firms", "alpha_nash", "alpha_coop",
            "wedge", "pigouvian_tax"} <= set(equilibrium.columns)
    assert equilibrium.filter(pl.col("scenario") == "P0").height == 20
    assert (equilibrium["alpha_nash"] >= equilibrium["alpha_coop"] - 1e-12).all()
    totals = warehouse.read_frame(refreshed.warehouse, """
        SELECT year, scenario, displaced_p50 FROM latest_displacement_total""")
    wide = totals.pivot(on="scenario", index="year", values="displaced_p50")
    assert (wide["P1"] <= wide["P0"] * (1 + 1e-6)).all()
    macro = warehouse.read_frame(refreshed.warehouse, "SELECT * FROM latest_macro_check")
    replication = dict(macro.filter(pl.col("mode") == "replication")
                       .select("case", "tfp_gain_pct").rows())
    assert round(replication["baseline"], 2) == 0.66


def test_each_run_writes_a_report_with_charts(refreshed: Settings) -> None:
    run_id = latest_run_id(refreshed.warehouse)
    folder = Path(refreshed.reports_dir) / "runs" / run_id
    text = (folder / "report.md").read_text()
    assert "O*NET 29.2" in text and "OEWS May 2024" in text and "CC BY 4.0" in text
    assert "not a probability of job loss" in text and "not an official forecast" in text
    for chart in ("sectors.svg", "forecast.svg"):
        assert (folder / chart).read_text().lstrip().startswith("<svg")
    done = cli(refreshed, "report", run_id, "--reports-dir", str(Path(refreshed.reports_dir)))
    assert done.returncode == 0 and "report.md" in done.stderr


def test_a_run_prints_the_report_it_wrote(refreshed: Settings, tmp_path: Path) -> None:
    """`exposure rollup` (like `exposure refresh`) ends by naming the report it wrote."""
    cache = warm_cache(refreshed, tmp_path / "cache")  # every stage is reused
    target, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    done = exposure("rollup", "--raw-dir", str(refreshed.raw_dir), "--warehouse", str(target),
                    "--reports-dir", str(reports), env=env_for(cache))
    assert done.returncode == 0, done.stderr
    run_id = latest_run_id(target)
    report = reports / "runs" / run_id / "report.md"
    assert f"wrote {report}" in done.stderr.replace("\n", "")
    assert report.read_text().startswith(f"# Run {run_id}")

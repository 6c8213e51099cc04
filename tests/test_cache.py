"""The stage cache: an unchanged refresh recomputes nothing, one changed file recomputes only
the stages that depend on it, and --no-cache recomputes everything. Assertions read the
stage states each run records in the warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exposure import warehouse
from exposure.ingest import INGEST_STAGES
from exposure.refresh import all_cached, run_refresh
from exposure.settings import Settings
from tests.helpers import raw_copy


def states(settings: Settings, run_id: str) -> dict[str, str]:
    frame = warehouse.read_frame(settings.warehouse,
                                 "SELECT stage, state FROM stage_run WHERE run_id = ?", [run_id])
    return dict(frame.rows())


@pytest.fixture()
def setup(raw_dir: Path, tmp_path: Path) -> Settings:
    readme = "census_concentration/EC2200SIZECONCEN_README.txt"
    raw = raw_copy(raw_dir, tmp_path / "raw",
                   {readme: lambda out: out.write_bytes((raw_dir / readme).read_bytes())})
    return Settings(raw_dir=raw, warehouse=tmp_path / "w.duckdb",
                    reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache")


def test_cache_reuse_partial_recompute_and_no_cache(setup: Settings) -> None:
    first = run_refresh(setup, INGEST_STAGES)
    assert set(states(setup, first.run_id).values()) == {"computed"}
    tasks_before = warehouse.read_frame(setup.warehouse, "SELECT * FROM task ORDER BY task_id")

    second = run_refresh(setup, INGEST_STAGES)
    assert set(states(setup, second.run_id).values()) == {"cached"} and all_cached(second)
    assert warehouse.read_frame(setup.warehouse,
                                "SELECT * FROM task ORDER BY task_id").equals(tasks_before)

    # Touching a file without changing its bytes is not a change.
    changed = Path(setup.raw_dir) / "census_concentration/EC2200SIZECONCEN_README.txt"
    changed.touch()
    assert all_cached(run_refresh(setup, INGEST_STAGES))

    changed.write_text(changed.read_text() + "\nlocal note\n")
    third = run_refresh(setup, INGEST_STAGES)
    recomputed = {s for s, state in states(setup, third.run_id).items() if state == "computed"}
    assert recomputed == {"read_concentration"}

    fourth = run_refresh(setup, INGEST_STAGES, use_cache=False)
    assert set(states(setup, fourth.run_id).values()) == {"computed"}
    runs = warehouse.read_frame(setup.warehouse, "SELECT run_id FROM run")
    assert runs.height == 5


def test_a_changed_input_recomputes_downstream_stages(setup: Settings) -> None:
    run_refresh(setup, INGEST_STAGES)
    manifest = Path(setup.raw_dir) / "bls_oews_state/manifest.json"
    text = manifest.read_text()
    manifest.unlink()
    manifest.write_text(json.dumps(json.loads(text), indent=4))  # same content, new bytes
    run = run_refresh(setup, INGEST_STAGES)
    recomputed = {s for s, st in states(setup, run.run_id).items() if st == "computed"}
    assert recomputed == {"read_oews_state", "employment", "data_check"}


def small_refresh(raw_dir: Path, tmp_path: Path) -> Settings:
    """Settings of a quick full refresh (one rubric scorer, one scenario, 10 draws), run once."""
    settings = Settings(raw_dir=raw_dir, warehouse=tmp_path / "w.duckdb",
                        reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache",
                        scorers="rubric:human:beta", scenarios="P0", draws=10)
    run_refresh(settings)
    return settings


def test_changing_the_scorer_recomputes_scoring_and_everything_after(
        raw_dir: Path, tmp_path: Path) -> None:
    settings = small_refresh(raw_dir, tmp_path)
    other = settings.model_copy(update={"scorers": "rubric:gpt4:beta"})
    run = run_refresh(other)
    recomputed = {s for s, st in states(other, run.run_id).items() if st == "computed"}
    assert recomputed == {"score", "rollup", "backtest", "forecast", "area_forecast", "abm"}


def test_a_failure_in_a_later_stage_keeps_the_published_warehouse(
        raw_dir: Path, tmp_path: Path) -> None:
    from exposure.errors import ConfigError
    from exposure.runs import list_runs

    settings = small_refresh(raw_dir, tmp_path)
    before = settings.warehouse.read_bytes()
    broken = settings.model_copy(update={"scenarios": "P0,no_such_scenario"})
    with pytest.raises(ConfigError, match="no scenario 'no_such_scenario'"):
        run_refresh(broken)
    assert settings.warehouse.read_bytes() == before
    runs = list_runs(settings.warehouse, settings.reports_dir)
    assert runs["status"].to_list() == ["failed", "succeeded"]
    assert runs["failed_stage"][0] == "forecast"
    assert "no_such_scenario" in runs["error"][0]


def test_a_calibration_file_replaces_sector_rows(raw_dir: Path, tmp_path: Path) -> None:
    settings = small_refresh(raw_dir, tmp_path)
    override = tmp_path / "calibration.csv"
    override.write_text("naics_sector,n_firms,spending_share\n52,3,0.2\n")
    custom = settings.model_copy(update={"calibration_file": override})
    run = run_refresh(custom)
    recomputed = {s for s, st in states(custom, run.run_id).items() if st == "computed"}
    assert recomputed == {"calibration", "forecast", "area_forecast", "abm"}
    row = warehouse.read_frame(custom.warehouse, "SELECT * FROM latest_sector_calibration "
                                                 "WHERE naics_sector = '52'").row(0, named=True)
    assert (row["n_firms"], row["spending_share"], row["n_firms_source"]) == (3.0, 0.2, "override")
    equilibrium = warehouse.read_frame(custom.warehouse, "SELECT n_firms FROM "
                                       "latest_sector_equilibrium WHERE naics_sector = '52'")
    assert equilibrium["n_firms"].to_list() == [3.0]

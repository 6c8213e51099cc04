"""The refresh flow runs under a real (temporary) Prefect server and publishes the warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from exposure import warehouse
from exposure.errors import InputError
from exposure.settings import Settings
from flows.refresh import refresh


@pytest.fixture(autouse=True)
def small_forecast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flow runs read their settings from the environment: keep their forecasts small."""
    monkeypatch.setenv("EXPOSURE_SCENARIOS", "P0")
    monkeypatch.setenv("EXPOSURE_DRAWS", "20")
    monkeypatch.setenv("EXPOSURE_SCORERS", "rubric:human:beta,leverage")


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.mark.flow
def test_refresh_flow_publishes_a_warehouse(prefect_server, raw_dir: Path,
                                            tmp_path: Path) -> None:
    settings = Settings(raw_dir=raw_dir, warehouse=tmp_path / "w.duckdb",
                        reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache")
    run = refresh(str(raw_dir), str(settings.warehouse), str(settings.reports_dir),
                  str(settings.cache_dir))
    assert run.status == "succeeded"
    runs = warehouse.read_frame(settings.warehouse, "SELECT run_id, status, stages FROM run")
    assert runs["run_id"].to_list() == [run.run_id]
    assert runs["status"].to_list() == ["succeeded"]
    assert stage_tasks_of_latest_flow_run() >= {
        "read_onet", "read_oews", "features", "score", "rollup", "calibration", "forecast",
        "report"}


def stage_tasks_of_latest_flow_run() -> set[str]:
    """Names of the Prefect task runs of the newest flow run (each stage is one task)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        latest = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)[0]
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[latest.id])))
    return {task.name.rsplit("-", 1)[0] for task in tasks}


@pytest.mark.flow
def test_refresh_flow_surfaces_bad_input_without_retrying(prefect_server, tmp_path: Path) -> None:
    empty = tmp_path / "raw"
    empty.mkdir()
    settings = Settings(raw_dir=empty, warehouse=tmp_path / "w.duckdb",
                        reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache")
    with pytest.raises(InputError, match="missing from the raw directory"):
        refresh(str(empty), str(settings.warehouse), str(settings.reports_dir),
                str(settings.cache_dir))
    assert not settings.warehouse.exists()
    assert (tmp_path / "reports" / "runs.jsonl").read_text().count('"failed"') == 1


@pytest.mark.flow
def test_schedule_registers_a_cron_deployment(prefect_server) -> None:
    from prefect.client.orchestration import get_client

    from exposure.schedule import register

    deployment_id = register("0 6 1 * *", "test-monthly")
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment(deployment_id)
    assert deployment.name == "test-monthly"
    assert [s.schedule.cron for s in deployment.schedules] == ["0 6 1 * *"]


@pytest.mark.flow
def test_schedule_stores_the_paths_as_deployment_parameters(prefect_server,
                                                             tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from typer.testing import CliRunner

    from exposure.cli import app

    paths = {"raw_dir": tmp_path / "raw", "warehouse": tmp_path / "w.duckdb",
             "reports_dir": tmp_path / "reports"}
    done = CliRunner().invoke(app, [
        "schedule", "--register-only", "--name", "test-paths", "--cron", "0 7 2 * *",
        "--raw-dir", str(paths["raw_dir"]), "--warehouse", str(paths["warehouse"]),
        "--reports-dir", str(paths["reports_dir"])])
    assert done.exit_code == 0, done.output
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("exposure-refresh/test-paths")
    assert str(deployment.id) in done.stderr.replace("\n", "")
    assert [s.schedule.cron for s in deployment.schedules] == ["0 7 2 * *"]
    assert deployment.parameters == {name: str(path) for name, path in paths.items()}


def test_schedule_refuses_prefects_temporary_server(tmp_path: Path) -> None:
    """Without PREFECT_API_URL Prefect would register the deployment with a temporary
    server that is gone when the command ends."""
    from tests.cli_runs import assert_one_sentence, env_for, exposure

    env = env_for(PREFECT_HOME=str(tmp_path / "prefect"))  # no profile naming a server
    env.pop("PREFECT_API_URL", None)
    done = exposure("schedule", "--register-only", "--warehouse", str(tmp_path / "w.duckdb"),
                    env=env)
    message = assert_one_sentence(done, 2)
    assert "set PREFECT_API_URL to a running server" in message


def test_schedule_rejects_a_bad_cron_expression() -> None:
    from exposure.errors import ConfigError
    from exposure.schedule import register

    with pytest.raises(ConfigError, match="not a valid cron expression"):
        register("0 25 * * *", "bad")


@pytest.mark.flow
def test_runs_lists_successful_and_failed_runs(prefect_server, raw_dir: Path,
                                               tmp_path: Path) -> None:
    from exposure.runs import list_runs

    settings = Settings(raw_dir=raw_dir, warehouse=tmp_path / "w.duckdb",
                        reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache")
    good = refresh(str(raw_dir), str(settings.warehouse), str(settings.reports_dir),
                   str(settings.cache_dir))
    with pytest.raises(InputError):
        refresh(str(tmp_path), str(settings.warehouse), str(settings.reports_dir),
                str(settings.cache_dir))
    listed = list_runs(settings.warehouse, settings.reports_dir)
    assert listed["status"].to_list() == ["failed", "succeeded"]
    assert listed["run_id"][1] == good.run_id
    assert listed["failed_stage"][0] == "read_onet"

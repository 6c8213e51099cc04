"""kill -9 of a run at three points (while its stages run, while it builds the new
warehouse, right after it publishes), then a normal run: no stray processes, no temporary
files, no lock, and a readable warehouse whose history holds exactly the runs that
published (issue 9)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from exposure import warehouse
from exposure.lock import lock_path, read_holder
from exposure.settings import Settings
from tests.cli_runs import EXPOSURE, env_for, exposure, warm_cache


def _ingest(target: Path, reports: Path, cache: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([EXPOSURE, "ingest", "--warehouse", str(target), "--reports-dir",
                             str(reports), *extra], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env_for(cache),
                            start_new_session=True)


def _kill_when(run: subprocess.Popen, ready: Callable[[], bool]) -> bool:
    """SIGKILL `run` as soon as `ready()`; False if it finished first."""
    while not ready():
        if run.poll() is not None:
            return False
        time.sleep(0.001)
    run.kill()
    run.wait(timeout=30)
    return True


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_kill_9_at_three_points_then_a_normal_run(ingested: Settings, tmp_path: Path) -> None:
    target, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    cache = warm_cache(ingested, tmp_path / "cache")
    assert exposure("ingest", "--warehouse", str(target), "--reports-dir", str(reports),
                    env=env_for(cache)).returncode == 0
    first = warehouse.read_frame(target, "SELECT run_id FROM run")["run_id"].to_list()

    def holds_lock(run: subprocess.Popen) -> Callable[[], bool]:
        return lambda: (h := read_holder(lock_path(target))) is not None and h.pid == run.pid

    def building(run: subprocess.Popen) -> Callable[[], bool]:
        return lambda: any(tmp_path.glob(f".{target.name}.*.tmp"))

    def published(run: subprocess.Popen) -> Callable[[], bool]:
        inode = target.stat().st_ino
        return lambda: target.exists() and target.stat().st_ino != inode

    for point in (holds_lock, building, published):
        run = _ingest(target, reports, cache, "--no-cache")
        if not _kill_when(run, point(run)):
            pytest.fail(f"the run ended before the kill point '{point.__name__}'")
    published_by_kill = [r for r in warehouse.read_frame(
        target, "SELECT run_id FROM run")["run_id"].to_list() if r not in first]

    done = exposure("ingest", "--warehouse", str(target), "--reports-dir", str(reports),
                    env=env_for(cache))
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.glob(f".{target.name}.*")), "temporary files were left"
    assert not lock_path(target).exists()
    runs = warehouse.read_frame(target, "SELECT run_id, status FROM run ORDER BY run_id")
    # the run killed after its publish is kept whole; the others left nothing
    assert len(published_by_kill) <= 1
    assert runs.height == len(first) + len(published_by_kill) + 1
    assert set(runs["status"]) == {"succeeded"}
    for table in ("stage_run", "source_file"):
        ids = set(warehouse.read_frame(target, f"SELECT DISTINCT run_id FROM {table}")
                  ["run_id"])
        assert ids == set(runs["run_id"]), table
    occupations = warehouse.read_frame(target, "SELECT count(*) AS n FROM occupation")
    assert occupations["n"][0] > 900

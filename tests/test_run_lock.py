"""One run at a time per warehouse: real `exposure` writers on one warehouse wait for each
other (or, with --no-wait, are refused at once), and what a killed run leaves behind (its
lock file, its temporary files) is cleared by the next run."""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from exposure import warehouse
from exposure.ingest import INGEST_STAGES
from exposure.lock import lock_path, read_holder, warehouse_lock
from exposure.refresh import run_refresh
from exposure.settings import Settings
from tests.cli_runs import EXPOSURE, PYTHON, assert_one_sentence, env_for, exposure, warm_cache

# A process that holds the lock until its stdin closes (argv: warehouse, and optionally the
# pid to write into the lock file instead of its own, as a forked orphan would leave it).
HOLDER = """
import json, os, sys
from exposure.lock import lock_path, warehouse_lock
with warehouse_lock(sys.argv[1], "holder-run", command="lock holder"):
    if len(sys.argv) > 2:
        path = lock_path(sys.argv[1])
        data = json.loads(path.read_text())
        data["pid"], data["run_id"] = int(sys.argv[2]), "orphaned-run"
        with open(path, "r+") as fh:
            fh.truncate(0)
            fh.write(json.dumps(data))
    print("held", flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def held(target: Path, recorded_pid: int | None = None) -> Iterator[subprocess.Popen]:
    args = [PYTHON, "-c", HOLDER, str(target)]
    args += [str(recorded_pid)] if recorded_pid is not None else []
    holder = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def leftovers(target: Path) -> list[Path]:
    """Temporary files as a publish killed mid-way leaves them, and one that is not ours."""
    files = [target.with_name(f".{target.name}.0badc0de.tmp"),
             target.with_name(f".{target.name}.0badc0de.tmp.wal"),
             target.with_name(".another.duckdb.0badc0de.tmp")]
    target.parent.mkdir(parents=True, exist_ok=True)
    for path in files:
        path.write_bytes(b"half a warehouse")
    return files


def runs_log(reports: Path) -> pl.DataFrame:
    return pl.read_ndjson(reports / "runs.jsonl")


@pytest.fixture(scope="module")
def cache(ingested: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return warm_cache(ingested, tmp_path_factory.mktemp("lock") / "cache")


def test_no_wait_refuses_at_once_naming_the_run_in_the_way(cache: Path, tmp_path: Path) -> None:
    target, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    temporary = leftovers(target)
    with held(target) as holder:
        done = exposure("ingest", "--warehouse", str(target), "--reports-dir", str(reports),
                        "--no-wait", env=env_for(cache))
    message = assert_one_sentence(done, 3)
    assert f"is in use by run holder-run (pid {holder.pid}, `lock holder`, since " in message
    assert "rerun without --no-wait" in message
    assert not target.exists()
    assert all(path.exists() for path in temporary), "only the lock holder may clean up"
    log = runs_log(reports)
    assert log["status"].to_list() == ["failed"] and log["failed_stage"].to_list() == ["lock"]
    assert "holder-run" in log["error"][0]


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def test_a_second_run_waits_for_the_first_then_runs(cache: Path, tmp_path: Path) -> None:
    target, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    with held(target) as holder:
        assert read_holder(lock_path(target)).pid == holder.pid
        second = subprocess.Popen(
            [EXPOSURE, "ingest", "--warehouse", str(target), "--reports-dir", str(reports)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_for(cache))
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_lines, args=(second.stderr, lines), daemon=True).start()
        while (first := lines.get(timeout=120)) is not None and "waiting" not in first:
            pass
        assert first is not None and first.startswith(
            f"waiting for run holder-run (pid {holder.pid}, `lock holder`, since "), first
        assert second.poll() is None, "the second run must wait while the lock is held"
        assert not target.exists()
    assert second.wait(timeout=180) == 0
    rest = []
    while (line := lines.get(timeout=30)) is not None:
        rest.append(line)
    assert not any("waiting" in line for line in rest), "the wait is announced once"
    assert warehouse.read_frame(target, "SELECT count(*) AS n FROM run")["n"][0] == 1
    assert runs_log(reports)["status"].to_list() == ["succeeded"]
    assert not lock_path(target).exists()


def test_two_writers_at_once_both_publish(cache: Path, tmp_path: Path) -> None:
    """Without the lock the later publish would copy the history of a warehouse that lacks
    the other run, and one run would vanish from the `run` table."""
    target, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    args = [EXPOSURE, "ingest", "--warehouse", str(target), "--reports-dir", str(reports)]
    writers = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env_for(cache)) for _ in range(2)]
    outputs = [writer.communicate(timeout=300) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], outputs
    assert all(err.count("waiting for run") <= 1 for _, err in outputs)
    published = warehouse.read_frame(target, "SELECT run_id FROM run ORDER BY run_id")
    log = runs_log(reports)
    assert sorted(log["run_id"]) == published["run_id"].to_list()
    assert log["status"].to_list() == ["succeeded", "succeeded"]


def test_a_stale_lock_of_a_dead_run_is_cleared(cache: Path, tmp_path: Path) -> None:
    target, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    pid = dead_pid()
    lock_path(target).write_text(json.dumps({
        "pid": pid, "host": socket.gethostname(), "run_id": "killed-run",
        "started_at": "2026-01-01 06:00:00 UTC", "command": "exposure refresh"}))
    done = exposure("ingest", "--warehouse", str(target), "--reports-dir", str(reports),
                    "--no-wait", env=env_for(cache))
    assert done.returncode == 0, done.stderr
    assert f"cleared a stale lock of run killed-run (pid {pid}, " in done.stderr
    assert runs_log(reports)["status"].to_list() == ["succeeded"]
    assert not lock_path(target).exists()


def test_a_lock_kept_by_an_orphan_of_a_dead_run_is_cleared(tmp_path: Path) -> None:
    """The flock is still held (a forked child kept the descriptor) but the recorded run's
    process is gone: the file is cleared and a new lock taken."""
    target = tmp_path / "w.duckdb"
    notes: list[str] = []
    with held(target, recorded_pid=dead_pid()):
        with warehouse_lock(target, "next-run", wait=False, notice=notes.append):
            assert read_holder(lock_path(target)).run_id == "next-run"
        assert not lock_path(target).exists()
    assert len(notes) == 1 and "the lock of run orphaned-run" in notes[0]
    assert "no longer exists" in notes[0]


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    with warehouse_lock(target, "outer", wait=False):
        with warehouse_lock(target, "inner", wait=False):
            assert read_holder(lock_path(target)).run_id == "outer"
        assert read_holder(lock_path(target)).run_id == "outer"
    assert not lock_path(target).exists()
    with held(target):  # another process can take it now
        pass


def test_temporary_files_of_a_killed_publish_are_removed(ingested: Settings,
                                                         tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    ours, wal, theirs = leftovers(target)
    settings = ingested.model_copy(update={
        "warehouse": target, "reports_dir": tmp_path / "reports",
        "cache_dir": warm_cache(ingested, tmp_path / "cache")})
    notes: list[str] = []
    run = run_refresh(settings, INGEST_STAGES, notice=notes.append)
    assert not ours.exists() and not wal.exists()
    assert theirs.exists(), "files of another warehouse are left alone"
    assert run.parameters["removed_leftovers"] == [ours.name, wal.name]
    assert notes == [f"removed 2 temporary file(s) of an interrupted publish: {ours.name}, "
                     f"{wal.name}"]


def test_sigterm_records_an_interrupted_run_and_frees_the_lock(cache: Path,
                                                                 tmp_path: Path) -> None:
    target, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    run = subprocess.Popen([EXPOSURE, "ingest", "--no-cache", "--warehouse", str(target),
                            "--reports-dir", str(reports)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env_for(cache))
    while (holder := read_holder(lock_path(target))) is None or holder.pid != run.pid:
        assert run.poll() is None, run.communicate()
        time.sleep(0.05)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 128 + signal.SIGTERM, err
    log = runs_log(reports)
    assert log["status"].to_list() == ["failed"]
    assert log["error"][0].startswith("interrupted (SystemExit)")
    assert not lock_path(target).exists() and not target.exists()

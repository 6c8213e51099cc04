"""Prefect's temporary server dies with the `exposure refresh` that started it: when the run
ends (here: on bad input, which also shows Prefect's console without tracebacks) and when
it is killed with SIGKILL, which runs no cleanup code at all (the watchdog's job)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from exposure.lock import lock_path, read_holder
from exposure.settings import Settings
from exposure.watchdog import TOKEN_ENV, tagged
from tests.cli_runs import EXPOSURE, env_for, warm_cache

SERVER_START_SECONDS = 120  # Prefect's temporary server takes 5-15 s on a busy machine


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan may wait a while for init to reap it)."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def prefect_server_of(parent: subprocess.Popen) -> int:
    """The pid of the Prefect server child of `parent`, once it has started."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            stat = _stat(int(entry.name)) if entry.name.isdigit() else None
            if stat is None or int(stat[1]) != parent.pid:
                continue
            with_args = (entry / "cmdline").read_bytes().split(b"\0")
            if b"uvicorn" in with_args and any(b"prefect" in arg for arg in with_args):
                return int(entry.name)
        assert parent.poll() is None, parent.communicate()
        time.sleep(0.1)
    raise AssertionError("the Prefect temporary server did not start")


def token_of(pid: int) -> str:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    prefix = f"{TOKEN_ENV}=".encode()
    return next(item[len(prefix):].decode() for item in environ if item.startswith(prefix))


def gone_within(seconds: float, *pids: int) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(running(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture()
def refresh_env(ingested: Settings, tmp_path: Path) -> dict[str, str]:
    return env_for(warm_cache(ingested, tmp_path / "cache"), EXPOSURE_SCENARIOS="P0",
                   EXPOSURE_DRAWS="20", EXPOSURE_SCORERS="rubric:human:beta")


@pytest.mark.flow
def test_sigkill_mid_run_leaves_no_prefect_server(refresh_env: dict[str, str],
                                                 tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    run = subprocess.Popen([EXPOSURE, "refresh", "--warehouse", str(target),
                            "--reports-dir", str(tmp_path / "reports")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=refresh_env)
    try:
        server = prefect_server_of(run)
        token = token_of(server)
    finally:
        run.kill()
        run.wait(timeout=30)
    assert gone_within(15, server), "the Prefect server outlived its killed parent"
    deadline = time.monotonic() + 15
    while tagged(token) and time.monotonic() < deadline:  # the watchdog exits too
        time.sleep(0.1)
    assert tagged(token) == []
    # The killed run's lock file is left behind, and it is stale.
    holder = read_holder(lock_path(target))
    assert holder is not None and holder.pid == run.pid and not holder.alive()


@pytest.mark.flow
def test_a_failed_refresh_says_one_sentence_and_stops_its_server(
        refresh_env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "raw"
    empty.mkdir()
    run = subprocess.Popen([EXPOSURE, "refresh", "--raw-dir", str(empty), "--warehouse",
                            str(tmp_path / "w.duckdb"), "--reports-dir",
                            str(tmp_path / "reports")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=refresh_env)
    server = prefect_server_of(run)
    _, err = run.communicate(timeout=300)
    assert run.returncode == 2, err
    assert "Traceback" not in err
    # Prefect logs "Stopping temporary server" after it, from its exit hook.
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(
        "error: onet_29_2/Occupation Data.xlsx: the file is missing from the raw directory")
    assert gone_within(15, server)
    assert not os.path.exists(lock_path(tmp_path / "w.duckdb"))

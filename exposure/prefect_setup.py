"""Prefect's settings, defaulted before Prefect is first imported.

Prefect reads its settings at import time, so `configure_prefect` must run first: it keeps
Prefect's state in a project-local folder, turns telemetry off (nothing may reach the
network from here) and gives its temporary server time to start on a 2-core machine.
Values the user already set win.

The commands that start Prefect also call `guard_children`, so that its temporary server
never outlives the run, and `quiet_tracebacks`, so that a failing stage is one sentence on
the console rather than Prefect's traceback.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

from exposure.settings import get_settings
from exposure.watchdog import TOKEN_ENV


def prefect_defaults(home: Path) -> dict[str, str]:
    return {
        "PREFECT_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_CLI_PROMPT": "false",
        "PREFECT_UI_ENABLED": "false",
    }


def configure_prefect(home: Path | None = None) -> None:
    home = Path(home or get_settings().prefect_home)
    for key, value in prefect_defaults(home).items():
        os.environ.setdefault(key, value)
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


def guard_children() -> None:
    """Make sure the Prefect temporary server (and any other child) dies with this process.

    Prefect stops its server from an atexit hook; SIGTERM is turned into SystemExit by the
    CLI so that hook runs, and for SIGKILL, which runs nothing, a watchdog process
    (`exposure.watchdog`) terminates every process that inherited this run's token once
    this process is gone. Call it before Prefect starts anything; calling it again is a
    no-op.
    """
    if _guard["token"]:
        return
    token = uuid.uuid4().hex
    os.environ[TOKEN_ENV] = token  # inherited by every child started from now on
    _guard["token"] = token
    if not Path("/proc/self/environ").exists():  # the watchdog reads /proc (Linux)
        return
    # Its own session: Ctrl-C or a kill of the run's process group must not reach it.
    _guard["watchdog"] = subprocess.Popen(
        [sys.executable, "-m", "exposure.watchdog", str(os.getpid()), token],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True)


_guard: dict[str, object] = {"token": None, "watchdog": None}


class _NoTraceback(logging.Filter):
    """Prefect logs a failed task's traceback on the console; the CLI says what went wrong
    in one sentence instead (`--verbose` shows the traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        if isinstance(record.msg, str) and "Traceback (most recent call last)" in record.msg:
            record.msg, record.args = record.msg.split("\n", 1)[0], ()
        return True


def quiet_tracebacks() -> None:
    """Drop tracebacks from the console handlers Prefect has installed (its API log keeps
    them)."""
    for name in (None, "prefect", "prefect.flow_runs", "prefect.task_runs"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler) and not any(
                    isinstance(f, _NoTraceback) for f in handler.filters):
                handler.addFilter(_NoTraceback())

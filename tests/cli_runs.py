"""Helpers for tests that run the real `exposure` command in a subprocess.

A subprocess costs about 2 s of imports, so the writers among them start from a copy of a
stage cache that already holds the ingest (`warm_cache`): an `exposure ingest` then takes a
few seconds and only the stages a test changes are computed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from exposure.settings import Settings

EXPOSURE = str(Path(sys.executable).with_name("exposure"))
PYTHON = sys.executable


def env_for(cache_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """The test process's environment, wide output, and the given settings."""
    env = {**os.environ, "COLUMNS": "250"}
    for name in ("EXPOSURE_WAREHOUSE", "EXPOSURE_REPORTS_DIR", "EXPOSURE_CACHE_DIR"):
        env.pop(name, None)
    if cache_dir is not None:
        env["EXPOSURE_CACHE_DIR"] = str(cache_dir)
    return {**env, **extra}


def exposure(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
             timeout: float = 180) -> subprocess.CompletedProcess:
    """Run `exposure ARGS` to the end, capturing its output."""
    return subprocess.run([EXPOSURE, *args], capture_output=True, text=True,
                          env=env or env_for(), cwd=cwd, timeout=timeout)


def warm_cache(ingested: Settings, dest: Path) -> Path:
    """A private copy of the stage cache of the session's ingest."""
    shutil.copytree(ingested.cache_dir, dest)
    return dest


def error_line(stderr: str) -> str:
    """The one-sentence error of a failed command (its last stderr line)."""
    lines = stderr.strip().splitlines()
    assert lines, "the command printed nothing on stderr"
    return lines[-1]


def assert_one_sentence(done: subprocess.CompletedProcess, code: int) -> str:
    """The command failed with `code`, one `error:` sentence and no traceback."""
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    message = error_line(done.stderr)
    assert message.startswith("error: ") and message.endswith("."), done.stderr
    assert done.stderr.count("error: ") == 1, done.stderr
    return message

"""Run `exposure serve` as a separate process on a free loopback port, for the tests and the
benchmark: the real command, the real server, a real socket."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from exposure.errors import ExposureError


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("exposure")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from exposure.cli import run; run()"]


@contextlib.contextmanager
def running_server(warehouse: Path, cache_dir: Path | None = None,
                   reports_dir: Path | None = None, ready_path: str = "/api/scorers",
                   timeout: float = 180.0) -> Iterator[str]:
    """Start `exposure serve` on `warehouse`; yield its base URL once `ready_path` answers;
    stop it afterwards."""
    port = free_port()
    env = dict(os.environ)
    if cache_dir is not None:
        env["EXPOSURE_CACHE_DIR"] = str(cache_dir)
    if reports_dir is not None:
        env["EXPOSURE_REPORTS_DIR"] = str(reports_dir)
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"exposure-serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*_command(), "serve", "--warehouse", str(warehouse), "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base + ready_path, timeout, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.unlink(missing_ok=True)


def _wait_ready(process: subprocess.Popen, url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ExposureError(f"exposure serve exited with code {process.returncode}: "
                                f"{log.read_text(errors='replace').strip()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise ExposureError(f"exposure serve did not answer {url} within {timeout:.0f} s")


__all__ = ["free_port", "running_server"]

"""Kill what a killed run leaves behind: `python -m exposure.watchdog PARENT_PID TOKEN`.

Prefect starts its temporary API server as a child process and stops it from an atexit
hook, which never runs when the run is killed with SIGKILL (or dies of the OOM killer).
`exposure.prefect_setup.guard_children` tags the run's environment with a token, which
every child inherits, whichever thread of Prefect starts it, and starts this watchdog in
its own session. The watchdog waits for the run to end, then terminates every process
that still carries the token: SIGTERM, then SIGKILL after a grace period. After a normal
exit Prefect has already stopped its server and there is nothing left to do.

PR_SET_PDEATHSIG is not used: it fires when the *thread* that started a child exits,
and Prefect starts its server from whichever thread first needs the API. Linux only (it
reads /proc); elsewhere the watchdog exits at once.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

TOKEN_ENV = "EXPOSURE_RUN_TOKEN"
POLL_SECONDS = 0.25
GRACE_SECONDS = 5.0


def tagged(token: str) -> list[int]:
    """Live processes (other than this one) whose environment carries `token`."""
    marker = f"{TOKEN_ENV}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone already, or another user's
            continue
        if marker in environ.split(b"\0") and not _gone(int(entry.name)):
            found.append(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    """True for a process that no longer exists or is a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def clean_up(token: str, grace: float = GRACE_SECONDS) -> list[int]:
    """Terminate every process tagged with `token`; return their pids."""
    victims = tagged(token)
    _signal_all(victims, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(not _gone(pid) for pid in victims):
        time.sleep(0.1)
    _signal_all([pid for pid in victims if not _gone(pid)], signal.SIGKILL)
    return victims


def watch(parent: int, token: str) -> None:
    """Wait until `parent` is gone (this process is re-parented), then clean up."""
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    clean_up(token)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not Path("/proc/self/environ").exists():
        return 0
    # Ctrl-C reaches the whole foreground group; the watchdog must outlive the run.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(int(argv[0]), argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""One run at a time per warehouse: an advisory lock file beside it, `<warehouse>.lock`.

Every command that writes the warehouse or the stage cache holds the lock while it runs.
The lock is an `flock` on that file, so the kernel releases it when its holder exits for
any reason, SIGKILL included: a lock file whose flock is free is stale by definition and
the next run simply takes it. The file also says who holds it (pid, host, run id, start
time, command), so a run that waits or is refused can name the run in its way. A file whose
flock is still held although the recorded process is dead on this host (a forked child of
a killed run kept the descriptor) is stale too: it is unlinked and a fresh one is taken.

The holder unlinks the file before it lets go of the flock; a waiter that wins the flock
of an unlinked file notices (the path names another inode, or none) and tries again, so
two runs can never both believe they hold the lock. Within one process the lock is
re-entrant: the `refresh` command takes it before Prefect starts, and the run inside the
flow takes it again without waiting for itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from exposure.errors import WarehouseError
from exposure.failures import os_reason

POLL_SECONDS = 0.5
Notice = Callable[[str], None]


def to_stderr(text: str) -> None:
    """The default `Notice`: one line on stderr."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def lock_path(warehouse: Path) -> Path:
    """`<warehouse>.lock`, beside the warehouse (absolute, so re-entry matches)."""
    warehouse = Path(os.path.abspath(warehouse))
    return warehouse.with_name(warehouse.name + ".lock")


def default_command() -> str:
    """The command line of this process, as the lock file records it."""
    words = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else ["python"]
    text = " ".join(words)
    return text if len(text) <= 200 else text[:197] + "..."


@dataclass(frozen=True)
class Holder:
    """What the lock file says about the run that holds it."""

    pid: int
    host: str
    run_id: str
    started_at: str
    command: str

    def describe(self) -> str:
        if not self.pid:
            return "another run (it has not written its details yet)"
        host = "" if self.host == socket.gethostname() else f" on {self.host}"
        return (f"run {self.run_id} (pid {self.pid}{host}, `{self.command}`, "
                f"since {self.started_at})")

    def alive(self) -> bool:
        """False only when the process is certainly gone (same host, no such pid)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # another user's live process
            return True
        return not _is_zombie(self.pid)


UNKNOWN = Holder(0, "", "", "", "")


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in the lock file at `path` (None: no file, empty or unreadable)."""
    try:
        return _parse(Path(path).read_text(encoding="utf-8"))
    except OSError:
        return None


def _parse(text: str) -> Holder | None:
    try:
        data = json.loads(text)
        return Holder(int(data["pid"]), str(data["host"]), str(data["run_id"]),
                      str(data["started_at"]), str(data["command"]))
    except (ValueError, KeyError, TypeError):
        return None


def _read_fd(fd: int) -> Holder | None:
    try:
        return _parse(os.pread(fd, 65536, 0).decode("utf-8", "replace"))
    except OSError:
        return None


def _unreachable(path: Path, exc: OSError) -> WarehouseError:
    return WarehouseError(
        f"the lock file {path} beside the warehouse cannot be created ({os_reason(exc)})",
        "point --warehouse / EXPOSURE_WAREHOUSE at a file in a writable folder")


@dataclass
class _Held:
    fd: int
    inode: tuple[int, int]
    count: int = 1


_held: dict[Path, _Held] = {}


def _same_file(fd: int, path: Path) -> tuple[int, int] | None:
    """(device, inode) of `fd` when `path` still names it, else None."""
    mine = os.fstat(fd)
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return None
    same = (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)
    return (mine.st_dev, mine.st_ino) if same else None


def _unlink_if(path: Path, inode: tuple[int, int]) -> None:
    with contextlib.suppress(FileNotFoundError):
        there = os.stat(path)
        if (there.st_dev, there.st_ino) == inode:
            os.unlink(path)


def _try_acquire(path: Path, me: Holder, notice: Notice) -> Holder | None:
    """Take the lock, or return the holder that has it (a placeholder when unknown)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _unreachable(path, exc) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_fd(fd)
        stat = os.fstat(fd)
        os.close(fd)
        if holder is not None and not holder.alive():
            # The recorded run is dead but its flock lives on in an orphan: clear the file.
            _unlink_if(path, (stat.st_dev, stat.st_ino))
            notice(f"cleared the lock of {holder.describe()}: that process no longer exists")
            return _try_acquire(path, me, notice)
        return holder or UNKNOWN
    inode = _same_file(fd, path)
    if inode is None:  # the previous holder unlinked this file as we waited: start over
        os.close(fd)
        return _try_acquire(path, me, notice)
    stale = _read_fd(fd)
    if stale is not None:
        notice(f"cleared a stale lock of {stale.describe()}: that run is no longer running")
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(asdict(me)).encode(), 0)
    _held[path] = _Held(fd, inode)
    return None


def _release(path: Path) -> None:
    held = _held[path]
    held.count -= 1
    if held.count:
        return
    del _held[path]
    try:
        _unlink_if(path, held.inode)  # before the flock goes, so no one takes a dead file
    finally:
        os.close(held.fd)


@contextlib.contextmanager
def warehouse_lock(warehouse: Path, run_id: str, wait: bool = True,
                   command: str | None = None, notice: Notice = to_stderr,
                   poll: float = POLL_SECONDS) -> Iterator[Path]:
    """Hold `<warehouse>.lock` for the block; yield the lock file's path.

    A run already holding it waits (saying so once through `notice`) or, with
    `wait=False`, gets a `WarehouseError` naming that run. Re-entrant within a process.
    """
    path = lock_path(warehouse)
    if path in _held:
        _held[path].count += 1
        try:
            yield path
        finally:
            _release(path)
        return
    me = Holder(os.getpid(), socket.gethostname(), run_id,
                datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                command or default_command())
    announced = False
    while (holder := _try_acquire(path, me, notice)) is not None:
        if not wait:
            raise WarehouseError(
                f"the warehouse {warehouse} is in use by {holder.describe()}",
                "wait for that run to finish, or rerun without --no-wait to wait for it")
        if not announced:
            notice(f"waiting for {holder.describe()} to finish with the warehouse "
                   f"{warehouse} (Ctrl-C stops)")
            announced = True
        time.sleep(poll)
    try:
        yield path
    finally:
        _release(path)

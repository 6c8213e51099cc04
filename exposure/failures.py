"""Unexpected exceptions as one-sentence errors: which stage, whose fault, which exit code.

An `ExposureError` already says what went wrong and what to do. Anything else (a bug, a
scorer's own exception, a full disk) reaches the user through `unexpected_error`, which
keeps the exit codes' meaning: 2 for input, settings and scorer problems, 3 for the
warehouse and the disk, 1 for a bug outside any stage. The traceback stays on the
exception's `__cause__` for `--verbose`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from exposure.errors import ExposureError, InputError, StageError, StorageError, WarehouseError

DISK_HINT = ("free some disk space or make the folder writable, or point --warehouse, "
             "--reports-dir or EXPOSURE_CACHE_DIR at a writable folder")


SCHEMA_HINT = ("the warehouse was written by a version whose tables differ: move the file "
               "aside (its runs stay readable there) and refresh to start a new history")


def summary(exc: BaseException, limit: int = 200) -> str:
    """`Type: first line of the message`, short enough for one sentence."""
    lines = str(exc).strip().splitlines()
    first = lines[0].strip().rstrip(".") if lines else ""
    if len(first) > limit:
        first = first[: limit - 3] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def os_reason(exc: OSError) -> str:
    """What went wrong with a file operation, in words: a path that runs through a regular
    file says so (the system's own words, "File exists" or "Not a directory", mislead)."""
    # mkdir of a folder that is a file fails with EEXIST on the file itself.
    itself = isinstance(exc, FileExistsError | NotADirectoryError)
    for name in (exc.filename, exc.filename2):
        if isinstance(name, str | Path) and str(name):
            path = Path(name)
            for folder in ([path] if itself else []) + list(path.parents):
                if folder.exists():
                    if not folder.is_dir():
                        return f"{folder} is a regular file, not a folder"
                    break
    return exc.strerror or summary(exc)


def os_target(exc: OSError) -> str:
    """The path a failed file operation was about: the destination of a rename, else the
    file itself ("" when the system did not say)."""
    name = exc.filename2 or exc.filename
    return f" {name}" if name else ""


def _inside(filename: object, folder: Path) -> str | None:
    """`filename` relative to `folder` when it lies inside it, else None."""
    if not isinstance(filename, str | Path) or not str(filename):
        return None
    # abspath, not resolve: raw files may be symlinks into another folder.
    try:
        return Path(os.path.abspath(filename)).relative_to(os.path.abspath(folder)).as_posix()
    except ValueError:
        return None


def unexpected_error(exc: BaseException, stage: str | None = None,
                     raw_dir: Path | None = None) -> ExposureError:
    """The `ExposureError` a user sees for `exc`, raised in `stage` (None: outside a run)."""
    where = f"stage {stage}" if stage else "the command"
    if isinstance(exc, OSError):
        reason = os_reason(exc)
        raw = _inside(exc.filename, raw_dir) if raw_dir is not None else None
        if raw is not None:
            # Reading a raw file is the input's problem (exit 2), not the disk's.
            return InputError(raw, f"{where} could not read the file ({reason})",
                              "check that the file is readable, or download it again")
        return StorageError(f"{where} could not write{os_target(exc)} ({reason})", DISK_HINT)
    if stage == "publish" and isinstance(exc, duckdb.BinderException | duckdb.ConversionException
                                          | duckdb.CatalogException):
        # the rows of earlier runs do not fit this version's tables (a column changed type)
        return WarehouseError(f"{where} could not add this run to the warehouse's history "
                              f"({summary(exc)})", SCHEMA_HINT)
    if isinstance(exc, duckdb.IOException) or stage == "publish":
        return StorageError(f"{where} could not write the warehouse ({summary(exc)})",
                            DISK_HINT)
    if stage:
        return StageError(f"{where} failed with {summary(exc)}",
                          "rerun with --verbose for the traceback; if the raw files are the "
                          "official ones, this is a bug to report")
    return ExposureError(f"unexpected {summary(exc)}",
                         "rerun with --verbose for the traceback and report it")

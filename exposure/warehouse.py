"""The DuckDB warehouse: build a new file beside the old one, publish it by atomic rename.

Readers open the published file read-only. A build that fails leaves the previous file
untouched: the new file is written under a temporary name in the same folder and only
`os.replace`d over the old one once it is complete and closed. A reader that has the old
file open keeps reading the old inode.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path

import duckdb
import polars as pl

from exposure.errors import ConfigError, WarehouseError
from exposure.tables import BY_NAME, TABLES

# From the table registry: results that carry a run_id and keep every run (boards read them
# through `latest_<name>`), and every table whose rows accumulate across runs (a new build
# copies their rows from the published file).
RUN_RESULTS = tuple(t.name for t in TABLES if t.result)
HISTORY_TABLES = tuple(t.name for t in TABLES if t.history)


# Users' SQL runs on these connections (`exposure query`, the board commands), so it may
# read the warehouse's own tables and nothing else: no files (read_csv, COPY ... TO, glob),
# no other databases (ATTACH), no extensions (INSTALL, LOAD), and no SET that could undo
# this. DuckDB applies the settings at connect time, before any user SQL.
SAFE_READ_CONFIG = {"enable_external_access": False, "lock_configuration": True}
REFUSED_HINT = ("queries may read only the warehouse's own tables (see `exposure tables`): "
                "files, other databases, extensions and settings are off limits")


# (resolved path, open connection) inside `one_connection`
_SHARED: ContextVar[tuple[Path, duckdb.DuckDBPyConnection] | None] = ContextVar(
    "shared_connection", default=None)


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only and sandboxed (`SAFE_READ_CONFIG`), with a
    clear error when there is none; inside `one_connection(path)`, a cursor of its
    connection."""
    shared = _SHARED.get()
    if shared is not None and shared[0] == Path(path).resolve():
        return shared[1].cursor()
    if not Path(path).is_file():
        raise WarehouseError(
            f"there is no warehouse at {path}",
            "run `exposure ingest` (or `exposure refresh`) first, or point --warehouse / "
            "EXPOSURE_WAREHOUSE at an existing file",
        )
    try:
        return duckdb.connect(str(path), read_only=True, config=dict(SAFE_READ_CONFIG))
    except duckdb.Error as exc:
        raise WarehouseError(
            f"the warehouse {path} could not be opened ({str(exc).splitlines()[0]})",
            "check that the file is a DuckDB 1.5 database and not being written by another "
            "program",
        ) from exc


@contextlib.contextmanager
def one_connection(path: Path) -> Iterator[None]:
    """Inside this block every read-only connection to `path` is a cursor of one connection.

    Opening the file costs 40-160 ms on the 2-core machine; a workbook asks some forty
    questions of the same published file, each through a function that opens its own."""
    con = connect_read_only(path)
    token = _SHARED.set((Path(path).resolve(), con))
    try:
        yield
    finally:
        _SHARED.reset(token)
        con.close()


@contextlib.contextmanager
def pandas_unimported() -> Iterator[None]:
    """DuckDB 1.5 imports pandas (with numpy and pyarrow: 0.5-1 s of a 2 s board command on
    the 2-core machine) the first time a Python value is bound to a query parameter, only to
    test whether the value is a pandas object. The board commands and the warm refresh's
    check bind values but never use pandas (polars reads rows through Arrow), so inside this
    block pandas reads as not installed to whatever tries to import it. When pandas is
    already imported, nothing changes; afterwards it imports as usual."""
    if "pandas" in sys.modules:
        yield
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # `import pandas` fails fast
    try:
        yield
    finally:
        if "pandas" in sys.modules and sys.modules["pandas"] is None:
            del sys.modules["pandas"]


def table_names(con: duckdb.DuckDBPyConnection, database: str | None = None) -> set[str]:
    """Tables and views of one attached database (default: the connection's own)."""
    database = database or con.execute("SELECT current_database()").fetchone()[0]
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ?", [database]
    ).fetchall()
    return {r[0] for r in rows}


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Create (or replace) `name` from a polars frame through Arrow, without copies in Python."""
    arrow = frame.to_arrow()
    con.register("__incoming", arrow)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM __incoming')
    finally:
        con.unregister("__incoming")


def append_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Append rows to `name`, creating it from the frame's schema if it does not exist.

    A column that a newer version of the code adds is added to the table, empty (NULL) for
    the older runs' rows, so that an upgrade does not break the next refresh's publish."""
    if name not in table_names(con):
        write_table(con, name, frame)
        return
    con.register("__incoming", frame.to_arrow())
    try:
        have = {row[0] for row in con.execute(f'DESCRIBE "{name}"').fetchall()}
        for column, kind, *_ in con.execute("DESCRIBE __incoming").fetchall():
            if column not in have:
                con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{column}" {kind}')
        con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM __incoming')
    finally:
        con.unregister("__incoming")


def _copy_history(con: duckdb.DuckDBPyConnection, previous: Path) -> None:
    con.execute(f"ATTACH '{previous.as_posix()}' AS previous (READ_ONLY)")
    try:
        present = table_names(con, "previous")
        for name in HISTORY_TABLES:
            if name in present:
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM previous."{name}"')
    finally:
        con.execute("DETACH previous")


def create_latest_views(con: duckdb.DuckDBPyConnection,
                        complete: Sequence[str] = ()) -> None:
    """`latest_<table>`: the rows of the newest *complete* run that produced each result table
    — a run whose `stages` include every stage named in ``complete`` (a full refresh) — or,
    while no complete run has rows there, of the newest run that did.

    So a researcher's `exposure rollup --scorer X` or a one-scenario `exposure forecast` is
    kept under its run id without moving what the boards read.
    """
    present = table_names(con)
    wanted = ", ".join(f"'{name}'" for name in complete)
    complete_runs = ("SELECT run_id FROM run WHERE "
                     f"list_has_all(string_split(stages, ','), [{wanted}]::VARCHAR[])"
                     if complete and "run" in present else "SELECT NULL")
    for name in RUN_RESULTS:
        if name in present:
            (run_id,) = con.execute(
                f'SELECT coalesce((SELECT max(run_id) FROM "{name}" WHERE run_id IN '
                f'({complete_runs})), (SELECT max(run_id) FROM "{name}"))').fetchone()
            # The run id is written into the view as a literal: a published file never
            # changes, and a board query then filters on a constant (DuckDB skips the
            # other runs' row groups) instead of finding the latest run on every read.
            match = "false" if run_id is None else "run_id = '{}'".format(
                str(run_id).replace("'", "''"))
            con.execute(f'CREATE OR REPLACE VIEW "latest_{name}" AS SELECT * FROM "{name}" '
                        f"WHERE {match}")


def _temporary_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")


def remove_leftovers(target: Path) -> list[Path]:
    """Delete the temporary files of builds that were killed before they could clean up
    (`building` removes its own on any exception, but not on SIGKILL or power loss).

    Call it only while holding the warehouse's lock: otherwise a build in progress would
    lose its file.
    """
    target = Path(target)
    if not target.parent.is_dir():
        return []
    name = glob.escape(target.name)
    found = [*target.parent.glob(f".{name}.*.tmp"), *target.parent.glob(f".{name}.*.tmp.wal")]
    for path in found:
        path.unlink(missing_ok=True)
    return sorted(found)


@contextlib.contextmanager
def building(target: Path, carry_history: bool = True
             ) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a fresh warehouse file; publish it only if the block succeeds.

    History tables of the currently published file are carried over first (unless
    ``carry_history`` is false: the block copies what it wants), so `run` and `source_file`
    keep every past run.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_name(target)
    con = duckdb.connect(str(tmp))
    try:
        if carry_history and target.is_file():
            _copy_history(con, target)
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, target)
    except BaseException:
        con.close()
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise


def _in_order(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` in the physical order the registry declares for table `name` (`Table.order`;
    a stable sort, so rows keep their order within a key)."""
    order = BY_NAME[name].order if name in BY_NAME else ()
    return frame.sort(list(order), maintain_order=True) if order else frame


def publish(
    target: Path,
    tables: Mapping[str, pl.DataFrame],
    history: Mapping[str, pl.DataFrame] | None = None,
    complete: Sequence[str] = (),
) -> None:
    """Build a new warehouse holding `tables` (replaced) and `history` (appended), publish it
    (``complete``: the stages of a complete run, see `create_latest_views`)."""
    with building(target) as con:
        for name, frame in tables.items():
            write_table(con, name, _in_order(name, frame))
        for name, frame in (history or {}).items():
            append_table(con, name, _in_order(name, frame))
        create_latest_views(con, complete)


def _refused(exc: duckdb.Error) -> bool:
    """True when DuckDB refused the statement because of `SAFE_READ_CONFIG` or the read-only
    mode, as opposed to a mistake in the SQL."""
    text = str(exc)
    return isinstance(exc, duckdb.PermissionException) or any(marker in text for marker in (
        "configuration has been locked", "disabled by configuration",
        "disabled through configuration", "read-only mode"))


def read_frame(path: Path, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """Run one read-only query against the published warehouse and return a polars frame."""
    con = connect_read_only(path)
    try:
        return con.execute(sql, params or []).pl()
    except duckdb.Error as exc:
        if _refused(exc):
            raise ConfigError(f"the query was refused ({str(exc).splitlines()[0]})",
                              REFUSED_HINT) from exc
        raise WarehouseError(
            f"the query failed: {str(exc).splitlines()[0]}",
            "check the table and column names with `exposure query \"SHOW TABLES\"`",
        ) from exc
    finally:
        con.close()

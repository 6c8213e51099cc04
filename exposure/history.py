"""Keeping the warehouse's history bounded: `exposure runs prune --keep N`.

Every run appends its rows to the history tables (`warehouse.HISTORY_TABLES`: the run log,
the sources read, the results of each run), so the file grows with every refresh, cached
or not. Pruning keeps the rows of the newest N successful runs, plus the run each
`latest_<table>` view shows (so the board commands answer as before even when the newest
forecasts are older than the newest N runs), and deletes the rest.

The pruned warehouse is written the way every other write is: a new file beside the
published one, renamed over it only when complete, under the warehouse's lock. Only the
kept rows are copied into it (deleting rows from a copy would leave the file as large as
before); the reference tables and the views are copied as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from exposure.errors import ConfigError
from exposure.lock import Notice, to_stderr, warehouse_lock
from exposure.runs import latest_run_id, new_run_id, successful_run_ids
from exposure.warehouse import (
    HISTORY_TABLES,
    RUN_RESULTS,
    building,
    connect_read_only,
    remove_leftovers,
    table_names,
)

# A monthly refresh keeps a year of history.
DEFAULT_KEEP = 12


@dataclass(frozen=True)
class PruneResult:
    kept: tuple[str, ...]  # run ids whose rows remain, newest first
    removed: tuple[str, ...]  # run ids whose rows were deleted, newest first
    rows_removed: int
    bytes_before: int
    bytes_after: int

    def describe(self) -> str:
        if not self.removed:
            return (f"nothing to prune: the warehouse holds {len(self.kept)} run(s), "
                    "all of them kept")
        return (f"kept {len(self.kept)} run(s), removed the {self.rows_removed:,} rows of "
                f"{len(self.removed)} older run(s); {self.bytes_before / 1e6:,.1f} MB -> "
                f"{self.bytes_after / 1e6:,.1f} MB")


def runs_to_keep(con: duckdb.DuckDBPyConnection, keep: int) -> list[str]:
    """The newest `keep` successful runs and the run of every `latest_` view, newest first."""
    kept = set(successful_run_ids(con)[:keep])
    present = table_names(con)
    kept |= {latest_run_id(con, name) for name in RUN_RESULTS if name in present} - {None}
    return sorted(kept, reverse=True)


def _history_runs(con: duckdb.DuckDBPyConnection, kept: list[str]
                  ) -> tuple[list[str], int]:
    """(run ids found in the history tables but not kept, newest first; their row count)."""
    removed: set[str] = set()
    rows = 0
    for name in sorted(set(HISTORY_TABLES) & table_names(con)):
        found = con.execute(f'SELECT run_id, count(*) FROM "{name}" WHERE run_id IS NULL '
                            "OR NOT list_contains(?, run_id) GROUP BY run_id",
                            [kept]).fetchall()
        removed |= {run_id for run_id, _ in found if run_id is not None}
        rows += sum(n for _, n in found)
    return sorted(removed, reverse=True), rows


def prune_history(warehouse: Path, keep: int = DEFAULT_KEEP, *, wait: bool = True,
                  notice: Notice = to_stderr) -> PruneResult:
    """Delete the history rows of all but the newest `keep` successful runs (and the runs
    the `latest_` views show) and publish the smaller warehouse."""
    if keep < 1:
        raise ConfigError(f"--keep {keep} would delete every run",
                          "keep at least 1 run (12 keeps a year of monthly refreshes)")
    target = Path(warehouse)
    connect_read_only(target).close()  # no warehouse: say so before taking its lock
    with warehouse_lock(target, new_run_id(), wait=wait, notice=notice):
        remove_leftovers(target)
        con = connect_read_only(target)
        try:
            kept = runs_to_keep(con, keep)
            # No successful run at all (a warehouse of another tool?): nothing to judge by.
            removed, rows = _history_runs(con, kept) if kept else ([], 0)
        finally:
            con.close()
        before = target.stat().st_size
        if removed:
            _rewrite(target, kept)
        return PruneResult(tuple(kept), tuple(removed), rows, before, target.stat().st_size)


def _rewrite(target: Path, kept: list[str]) -> None:
    """Publish a copy of `target` whose history tables hold only the rows of `kept`."""
    with building(target, carry_history=False) as con:
        previous = target.as_posix().replace("'", "''")
        con.execute(f"ATTACH '{previous}' AS previous (READ_ONLY)")
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'previous' "
            "ORDER BY table_name").fetchall()]
        for name in names:
            source = f'previous."{name}"'
            if name in HISTORY_TABLES:
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {source} '
                            "WHERE list_contains(?, run_id)", [kept])
            else:
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {source}')
        # The views as they were, word for word: which run a `latest_` view shows is the
        # warehouse's rule (`warehouse.create_latest_views`), and pruning must not change it.
        views = [r[0] for r in con.execute(
            "SELECT sql FROM duckdb_views() WHERE database_name = 'previous' "
            "AND NOT internal ORDER BY view_name").fetchall()]
        con.execute("DETACH previous")
        for sql in views:
            con.execute(sql)

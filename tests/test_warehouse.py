"""The warehouse contract: atomic publish, history carried over, read-only readers unharmed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pytest

from exposure import warehouse
from exposure.errors import WarehouseError
from tests.helpers import duckdb_cli


def _frame(n: int) -> pl.DataFrame:
    return pl.DataFrame({"id": list(range(n)), "name": [f"r{i}" for i in range(n)]})


def test_publish_replaces_tables_and_appends_history(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    warehouse.publish(target, {"t": _frame(3)}, {"run": pl.DataFrame({"run_id": ["a"]})})
    warehouse.publish(target, {"t": _frame(5)}, {"run": pl.DataFrame({"run_id": ["b"]})})
    con = warehouse.connect_read_only(target)
    assert con.execute("SELECT count(*) FROM t").fetchone() == (5,)
    assert [r[0] for r in con.execute("SELECT run_id FROM run ORDER BY 1").fetchall()] == ["a", "b"]
    con.close()
    assert [p.name for p in tmp_path.iterdir()] == ["w.duckdb"], "no temporary file is left"


def test_history_gains_a_column_that_newer_code_adds(tmp_path: Path) -> None:
    """An upgrade that adds a column to a history table must not break the next publish:
    the older runs' rows get NULL there."""
    target = tmp_path / "w.duckdb"
    warehouse.publish(target, {}, {"run": pl.DataFrame({"run_id": ["a"]})})
    warehouse.publish(target, {}, {"run": pl.DataFrame({"run_id": ["b"], "score_sd": [0.5]})})
    con = warehouse.connect_read_only(target)
    rows = con.execute("SELECT run_id, score_sd FROM run ORDER BY 1").fetchall()
    con.close()
    assert rows == [("a", None), ("b", 0.5)]


def test_a_table_is_written_in_the_order_the_registry_declares(tmp_path: Path) -> None:
    """`displacement_forecast` is stored by scenario and year, so that a board's question
    about one scenario and year reads few row groups; rows keep their order within a key."""
    target = tmp_path / "w.duckdb"
    rows = pl.DataFrame({"run_id": ["r"] * 4, "scenario": ["P1", "P0", "P1", "P0"],
                         "year": [2026, 2026, 2025, 2025], "soc_code": ["b", "a", "c", "d"]})
    warehouse.publish(target, {}, {"displacement_forecast": rows})
    con = warehouse.connect_read_only(target)
    stored = con.execute("SELECT scenario, year, soc_code FROM displacement_forecast").fetchall()
    con.close()
    assert stored == [("P0", 2025, "d"), ("P0", 2026, "a"), ("P1", 2025, "c"),
                      ("P1", 2026, "b")]


def test_failed_build_leaves_published_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    warehouse.publish(target, {"t": _frame(3)})
    before = target.read_bytes()
    with pytest.raises(RuntimeError), warehouse.building(target) as con:
        warehouse.write_table(con, "t", _frame(10))
        raise RuntimeError("stage failed")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.duckdb"]


def test_reader_with_file_open_keeps_working_during_publish(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    warehouse.publish(target, {"t": _frame(3)})
    reader = warehouse.connect_read_only(target)
    warehouse.publish(target, {"t": _frame(7)})
    # The open connection still reads the file it opened; a new one sees the new file.
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (3,)
    reader.close()
    assert warehouse.read_frame(target, "SELECT count(*) AS n FROM t")["n"][0] == 7


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="run `exposure ingest`"):
        warehouse.connect_read_only(tmp_path / "absent.duckdb")


def test_bad_query_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    warehouse.publish(target, {"t": _frame(1)})
    with pytest.raises(WarehouseError, match="query failed"):
        warehouse.read_frame(target, "SELECT nope FROM t")


def test_read_only_connection_refuses_writes(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    warehouse.publish(target, {"t": _frame(1)})
    con = warehouse.connect_read_only(target)
    with pytest.raises(duckdb.Error):
        con.execute("CREATE TABLE x (a INT)")
    con.close()




def test_duckdb_15_cli_opens_the_file_read_only(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    warehouse.publish(target, {"t": _frame(4)})
    version = subprocess.run([duckdb_cli(), "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert version.startswith("v1.5"), version
    out = subprocess.run([duckdb_cli(), "-readonly", "-csv", str(target), "-c",
                          "SELECT count(*) AS n FROM t"],
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["n", "4"]


def test_latest_views_move_only_on_a_complete_run(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"

    def run(run_id: str, stages: str, value: int) -> list[int]:
        warehouse.publish(target, {}, {
            "run": pl.DataFrame({"run_id": [run_id], "stages": [stages]}),
            "headline": pl.DataFrame({"run_id": [run_id], "value": [value]}),
        }, complete=["ingest", "rollup"])
        return warehouse.read_frame(target, "SELECT value FROM latest_headline")["value"].to_list()

    assert run("r1", "ingest", 1) == [1]  # no complete run yet: the newest
    assert run("r2", "ingest,rollup", 2) == [2]
    assert run("r3", "rollup", 3) == [2]  # a partial run leaves the views alone
    kept = warehouse.read_frame(target, "SELECT value FROM headline WHERE run_id = 'r3'")
    assert kept["value"].to_list() == [3]
    assert run("r4", "rollup,ingest,report", 4) == [4]

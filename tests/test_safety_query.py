"""Users' SQL reads the warehouse's tables and nothing else: every escape is refused through
the real `exposure query` command, while ordinary queries and the board commands work."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import polars as pl
import pytest

from exposure.errors import ConfigError
from exposure.refresh import run_refresh, stages_through
from exposure.settings import Settings
from exposure.warehouse import connect_read_only, read_frame
from tests.cli_runs import assert_one_sentence, exposure, warm_cache


@pytest.fixture(scope="module")
def board(ingested: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A warehouse through the roll-ups, with one cheap scorer."""
    root = tmp_path_factory.mktemp("safe_query")
    settings = ingested.model_copy(update={
        "warehouse": root / "w.duckdb", "reports_dir": root / "reports",
        "cache_dir": warm_cache(ingested, root / "cache"), "scorers": "rubric:human:beta"})
    run_refresh(settings, stages_through("rollup"))
    return settings


ESCAPES = {
    "read a file": "SELECT * FROM read_csv('/etc/passwd')",
    "write a file": "COPY (SELECT 1) TO '/tmp/x.sh'",
    "attach a database": "ATTACH '/tmp/other.duckdb'",
    "list a folder": "SELECT * FROM glob('/root/*')",
    "install an extension": "INSTALL httpfs",
    "undo the sandbox": "SET enable_external_access = true",
}


@pytest.mark.parametrize("escape", list(ESCAPES))
def test_an_escape_is_refused_in_one_sentence(board: Settings, escape: str) -> None:
    existed = Path("/tmp/x.sh").exists()
    done = exposure("query", ESCAPES[escape], "--warehouse", str(board.warehouse))
    message = assert_one_sentence(done, 2)
    assert message.startswith("error: the query was refused (")
    assert "may read only the warehouse's own tables" in message
    assert done.stdout == ""
    if not existed:
        assert not Path("/tmp/x.sh").exists()


def test_no_file_is_written_or_attached(board: Settings, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    for sql in (f"COPY (SELECT 42 AS a) TO '{tmp_path / 'x.csv'}'",
                f"ATTACH '{other}' AS other", f"EXPORT DATABASE '{tmp_path / 'dump'}'",
                "LOAD httpfs", "RESET lock_configuration"):
        with pytest.raises(ConfigError, match="the query was refused"):
            read_frame(board.warehouse, sql)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.duckdb"]


def test_every_read_only_connection_is_sandboxed(board: Settings) -> None:
    """The board commands (exposure/queries.py), the report and the change summary all open
    the warehouse through connect_read_only."""
    con = connect_read_only(board.warehouse)
    try:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('enable_external_access', 'lock_configuration')").fetchall())
        assert settings == {"enable_external_access": "false", "lock_configuration": "true"}
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET lock_configuration = false")
        assert con.execute("SELECT count(*) FROM task").fetchone() == (18_796,)
    finally:
        con.close()


def test_ordinary_queries_and_the_board_commands_still_work(board: Settings) -> None:
    at = ("--warehouse", str(board.warehouse))
    done = exposure("query", "SELECT count(*) AS n FROM task", *at, "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", "18796"]

    done = exposure("sectors", *at, "--year", "2024", "-f", "csv")
    assert done.returncode == 0, done.stderr
    sectors = pl.read_csv(io.StringIO(done.stdout))
    assert sectors.height == 20 and set(sectors["scorer"]) == {"rubric:human:beta"}

    done = exposure("occupations", *at, "--search", "15-1252", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert pl.read_json(io.StringIO(done.stdout))["soc_code"].to_list() == ["15-1252"]

    done = exposure("areas", *at, "--area", "06")
    assert done.returncode == 0, done.stderr
    assert "California" in done.stdout

    done = exposure("tables", *at)
    assert done.returncode == 0, done.stderr
    assert "sector_exposure" in done.stdout


def test_markup_in_data_is_printed_as_it_is(board: Settings) -> None:
    at = ("--warehouse", str(board.warehouse))
    done = exposure("query", "SELECT '[/red]' AS cell, '[bold]b[/bold]' AS \"[/red] name\"",
                    *at)
    assert done.returncode == 0, done.stderr
    assert "[/red]" in done.stdout and "[bold]b[/bold]" in done.stdout
    assert "[/red] name" in done.stdout

    failed = exposure("query", 'SELECT * FROM "[/red]"', *at)
    message = assert_one_sentence(failed, 3)
    assert "[/red]" in message

"""Which run is "the latest", a run's own report, and pruning old runs, on small real DuckDB
warehouses holding several runs (tests.run_history) and through the real commands."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from exposure import warehouse
from exposure.cli import app
from exposure.errors import ConfigError
from exposure.history import prune_history
from exposure.lock import warehouse_lock
from exposure.runs import latest_run_id
from tests.cli_runs import assert_one_sentence, env_for, exposure
from tests.run_history import ROLLUP, publish_run, run_id, run_ids

OLD, NEW, INGEST = run_id(1), run_id(2), run_id(3)


def cli(path: Path, *args: str):  # -> click.testing.Result
    return CliRunner().invoke(app, [*args, "--warehouse", str(path)],
                              env={"COLUMNS": "200", "EXPOSURE_SCORERS": "rubric:human:beta"})


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An older full run (figures halved, O*NET 29.1), a newer full run, and a newest run
    that only ingested (no results, O*NET 30.0)."""
    path = tmp_path_factory.mktemp("history") / "exposure.duckdb"
    publish_run(path, OLD, factor=0.5, release="O*NET 29.1")
    publish_run(path, NEW, factor=1.0, release="O*NET 29.2")
    publish_run(path, INGEST, release="O*NET 30.0", results=())
    return path


def test_the_latest_run_of_the_warehouse_and_of_each_table(two_runs: Path) -> None:
    assert latest_run_id(two_runs) == INGEST
    assert latest_run_id(two_runs, "sector_exposure") == NEW
    assert latest_run_id(two_runs, "displacement_total") == NEW
    assert latest_run_id(two_runs, "headline") is None  # no such table


def test_a_board_names_the_run_and_sources_of_the_rows_it_shows(two_runs: Path) -> None:
    done = cli(two_runs, "sectors", "-f", "csv")
    assert done.exit_code == 0, done.output
    frame = pl.read_csv(io.StringIO(done.stdout), schema_overrides={"naics_sector": pl.String})
    assert set(frame["run_id"]) == {NEW} and set(frame["onet_release"]) == {"O*NET 29.2"}
    assert frame.filter(pl.col("naics_sector") == "52")["exposure"][0] == pytest.approx(0.3)


def report_text(path: Path, reports: Path, *run: str) -> str:
    done = cli(path, "report", *run, "--reports-dir", str(reports))
    assert done.exit_code == 0, done.output
    written = Path(done.stderr.strip().removeprefix("wrote "))
    assert written.parent.name == (run[0] if run else INGEST)
    return written.read_text()


def sources(report: str) -> str:
    return next(line for line in report.splitlines() if line.startswith("Sources: "))


def test_a_report_shows_its_own_runs_figures_and_sources(two_runs: Path,
                                                         tmp_path: Path) -> None:
    old = report_text(two_runs, tmp_path, OLD)
    new = report_text(two_runs, tmp_path, NEW)
    assert sources(old) == "Sources: Employment Projections 2024-34; O*NET 29.1; OEWS May 2024."
    assert sources(new) == "Sources: Employment Projections 2024-34; O*NET 29.2; OEWS May 2024."
    # sector exposure 0.3 in the newer run, halved in the older one
    assert "| 52 | Finance and Insurance | 1,000,000 | 15.0% |" in old
    assert "| 52 | Finance and Insurance | 1,000,000 | 30.0% |" in new
    assert "30.0%" not in old.split("## Sectors", 1)[1].split("##", 1)[0]
    # the forecast sections too: the scenario table's 2035 P0 median (30,000 x 10^2)
    assert "## Forecasts" in old and "## Forecasts" in new
    assert "| P0 | No policy | 0.38M | 1.50M | 0.90M to 2.25M | reference |" in old
    assert "| P0 | No policy | 0.75M | 3.00M | 1.80M to 4.50M | reference |" in new
    assert "Settings: scorers rubric:human:beta." in old


def test_the_default_report_is_the_latest_runs(two_runs: Path, tmp_path: Path) -> None:
    text = report_text(two_runs, tmp_path)  # the ingest-only run: sources, no figures
    assert "O*NET 30.0" in sources(text) and "## Sectors" not in text and "## Forecasts" not in text


def test_a_report_of_an_unknown_run_is_a_clear_error(two_runs: Path, tmp_path: Path) -> None:
    done = cli(two_runs, "report", "20200101T000000Z-ffffff", "--reports-dir", str(tmp_path))
    assert isinstance(done.exception, ConfigError)
    assert "no successful run 20200101T000000Z-ffffff" in str(done.exception)
    assert not (tmp_path / "runs").exists()


# --- exposure runs prune ----------------------------------------------------------------

R1, R2, R3, R4 = (run_id(m) for m in (4, 5, 6, 7))


@pytest.fixture()
def four_runs(tmp_path: Path) -> Path:
    """R1 a complete run (the only one with forecasts), R2 and R3 researchers' roll-ups
    (not complete: the `latest_` views stay on R1), R4 an ingest."""
    path = tmp_path / "exposure.duckdb"
    publish_run(path, R1, factor=0.5, task_rows=200_000)
    publish_run(path, R2, factor=0.7, results=ROLLUP, task_rows=200_000)
    publish_run(path, R3, factor=1.0, results=ROLLUP, task_rows=200_000)
    publish_run(path, R4, results=())
    return path


def test_prune_keeps_the_newest_runs_and_what_the_boards_show(four_runs: Path) -> None:
    assert latest_run_id(four_runs, "sector_exposure") == R1
    size = four_runs.stat().st_size
    done = cli(four_runs, "runs", "prune", "--keep", "2")
    assert done.exit_code == 0, done.output
    # R4 and R3 are the newest two; R1 holds what the boards show (the last complete run)
    assert "kept 3 run(s), removed the 200,0" in done.stderr
    assert run_ids(four_runs, "run") == {R1, R3, R4}
    assert run_ids(four_runs, "source_file") == {R1, R3, R4}
    assert run_ids(four_runs, "task_exposure") == {R1, R3}
    assert run_ids(four_runs, "displacement_total") == {R1}
    assert four_runs.stat().st_size < size - 1_000_000  # R2's 200,000 rows are gone
    # the views keep their rule (the last complete run, not the newest) and the boards
    # answer as before
    for view in ("latest_sector_exposure", "latest_task_exposure",
                 "latest_displacement_total"):
        shown = warehouse.read_frame(four_runs, f"SELECT DISTINCT run_id FROM {view}")
        assert shown["run_id"].to_list() == [R1], view
    sectors = cli(four_runs, "sectors", "-f", "csv")
    assert sectors.exit_code == 0, sectors.output
    assert set(pl.read_csv(io.StringIO(sectors.stdout))["run_id"]) == {R1}
    cells = cli(four_runs, "forecast-table", "--scenario", "P1", "--year", "2030", "-f", "csv")
    assert cells.exit_code == 0, cells.output
    assert set(pl.read_csv(io.StringIO(cells.stdout))["run_id"]) == {R1}
    # R3's own rows can still be read by its run id
    assert warehouse.read_frame(four_runs, "SELECT count(*) n FROM sector_exposure WHERE "
                                           "run_id = ?", [R3])["n"][0] == 3
    assert sorted(p.name for p in four_runs.parent.iterdir()) == ["exposure.duckdb"]
    again = cli(four_runs, "runs", "prune", "--keep", "2")
    assert again.exit_code == 0 and "nothing to prune" in again.stderr


def test_prune_keep_one_and_the_runs_listing(four_runs: Path) -> None:
    result = prune_history(four_runs, keep=1)
    assert result.kept == (R4, R1) and result.removed == (R3, R2)
    listed = CliRunner().invoke(app, ["runs", "--warehouse", str(four_runs), "--reports-dir",
                                      str(four_runs.parent / "reports"), "-f", "csv"])
    assert listed.exit_code == 0, listed.output
    assert pl.read_csv(io.StringIO(listed.stdout))["run_id"].to_list() == [R4, R1]


def test_prune_refuses_to_keep_nothing(four_runs: Path) -> None:
    with pytest.raises(ConfigError, match="--keep 0 would delete every run"):
        prune_history(four_runs, keep=0)
    assert run_ids(four_runs, "run") == {R1, R2, R3, R4}


def test_prune_waits_for_no_run_with_no_wait(four_runs: Path) -> None:
    holder = run_id(9)
    with warehouse_lock(four_runs, holder, command="exposure refresh"):
        done = exposure("runs", "prune", "--keep", "1", "--no-wait", "--warehouse",
                        str(four_runs), env=env_for())
    message = assert_one_sentence(done, 3)
    assert holder in message and "in use by" in message
    assert run_ids(four_runs, "run") == {R1, R2, R3, R4}


def test_prune_of_a_missing_warehouse_exits_3(tmp_path: Path) -> None:
    done = exposure("runs", "prune", "--warehouse", str(tmp_path / "none.duckdb"),
                    env=env_for())
    assert "there is no warehouse" in assert_one_sentence(done, 3)
    assert not list(tmp_path.iterdir())  # not even a lock file

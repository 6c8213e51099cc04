"""Every failure is one sentence, a meaningful exit code and a recorded run: a researcher's
scorer that raises, a stage that raises, a warehouse, cache or reports folder that cannot
be written, and text from the data that looks like Rich markup."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from exposure.errors import ExposureError, InputError, StageError, StorageError
from exposure.failures import unexpected_error
from exposure.pipeline import Stage
from exposure.refresh import holding_lock, run_refresh
from exposure.settings import Settings
from tests.cli_runs import assert_one_sentence, env_for, exposure, warm_cache
from tests.helpers import edit_lines, raw_copy

SCORER = '''
import numpy as np
from exposure.scorers import Scorer


class Exploding(Scorer):
    """A scorer whose own code raises, with text that looks like Rich markup."""

    def fit(self, X, y=None):
        if "{method}" == "fit":
            raise RuntimeError("the model exploded [/red] at row 3")
        return self

    def predict(self, X):
        if "{method}" == "predict":
            raise RuntimeError("the model exploded [/red] at row 3")
        return np.full(X.height, 0.5)
'''


@pytest.fixture(scope="module")
def cache(ingested: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return warm_cache(ingested, tmp_path_factory.mktemp("failures") / "cache")


def runs_log(reports: Path) -> pl.DataFrame:
    return pl.read_ndjson(reports / "runs.jsonl")


@pytest.mark.parametrize(("method", "verbose"), [("fit", False), ("predict", True)])
def test_a_scorer_that_raises_names_the_stage_and_the_scorer(
        cache: Path, tmp_path: Path, method: str, verbose: bool) -> None:
    module = f"exploding_{method}"
    (tmp_path / f"{module}.py").write_text(SCORER.replace("{method}", method))
    target, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    args = ["score", "--scorer", f"{module}:Exploding", "--warehouse", str(target),
            "--reports-dir", str(reports)]
    done = exposure(*(["--verbose", *args] if verbose else args), cwd=tmp_path,
                    env=env_for(cache, PYTHONPATH=str(tmp_path)))

    expected = (f"error: in stage score, scorer {module}:Exploding failed in {method} with "
                "RuntimeError: the model exploded [/red] at row 3; fix the scorer's code")
    if verbose:
        assert done.returncode == 2
        assert "Traceback" in done.stderr and f"{module}.py" in done.stderr
        assert done.stderr.strip().splitlines()[-1].startswith(expected)
    else:
        assert assert_one_sentence(done, 2).startswith(expected)
    log = runs_log(reports)
    assert log["status"].to_list() == ["failed"] and log["failed_stage"].to_list() == ["score"]
    assert log["error"][0].startswith(expected.removeprefix("error: "))
    assert not target.exists()


def _boom(tables: dict) -> dict:
    return {"nothing": pl.DataFrame({"x": [1 / len(tables)]})}


def test_a_stage_that_raises_is_a_stage_error_and_a_failed_run(ingested: Settings,
                                                               tmp_path: Path) -> None:
    settings = ingested.model_copy(update={"warehouse": tmp_path / "w.duckdb",
                                           "reports_dir": tmp_path / "reports",
                                           "cache_dir": tmp_path / "cache"})
    stages = (Stage("boom", ("nothing",), ("exposure.ingest",), func=_boom),)
    with pytest.raises(StageError) as caught:
        run_refresh(settings, stages)
    assert str(caught.value).startswith(
        "stage boom failed with ZeroDivisionError: division by zero; rerun with --verbose")
    assert caught.value.exit_code == 2
    assert isinstance(caught.value.__cause__, ZeroDivisionError)
    log = runs_log(tmp_path / "reports")
    assert log["failed_stage"].to_list() == ["boom"]
    assert log["error"].to_list() == [str(caught.value)]


DISK_CASES = {
    # name: (warehouse, cache, reports, failed stage, words of the message) relative to tmp
    "warehouse is a folder": ("wdir", "cache", "reports", "publish",
                              "stage publish could not write {tmp}/wdir (Is a directory)"),
    "warehouse under a regular file": (
        "file.txt/w.duckdb", "cache", "reports", "lock",
        "the lock file {tmp}/file.txt/w.duckdb.lock beside the warehouse cannot be created "
        "({tmp}/file.txt is a regular file, not a folder)"),
    "cache under a regular file": ("w.duckdb", "file.txt/cache", "reports", "read_onet",
                                   "stage read_onet could not write {tmp}/file.txt/cache/"),
    "reports under a regular file": ("w.duckdb", "cache", "file.txt/reports", None,
                                     "stage change_report could not write {tmp}/file.txt/"),
}


@pytest.mark.parametrize("case", list(DISK_CASES))
def test_a_warehouse_cache_or_reports_that_cannot_be_written_exits_3(
        case: str, cache: Path, tmp_path: Path) -> None:
    target, cache_dir, reports, stage, words = DISK_CASES[case]
    (tmp_path / "wdir").mkdir()
    (tmp_path / "file.txt").write_text("not a folder")
    if cache_dir == "cache":
        warm_cache_dir = tmp_path / "cache"
        warm_cache_dir.symlink_to(cache, target_is_directory=True)
    done = exposure("ingest", "--warehouse", str(tmp_path / target),
                    "--reports-dir", str(tmp_path / reports),
                    env=env_for(tmp_path / cache_dir))
    message = assert_one_sentence(done, 3)
    assert words.format(tmp=tmp_path) in message
    if stage is not None:
        log = runs_log(tmp_path / reports)
        assert log["status"].to_list() == ["failed"]
        assert log["failed_stage"].to_list() == [stage]
        assert log["error"][0] == message.removeprefix("error: ")
    assert sorted(p.name for p in tmp_path.iterdir()
                  if p.name.startswith(".")) == [], "no temporary file is left"


def test_a_raw_value_that_looks_like_markup_is_printed_as_it_is(
        cache: Path, raw_dir: Path, tmp_path: Path) -> None:
    occ_level = "gpts_are_gpts/occ_level.csv"

    def broken(out: Path) -> None:
        out.symlink_to(raw_dir / occ_level)
        edit_lines(out.parent.parent, occ_level,
                   lambda lines: [lines[0], lines[1].replace(",0.1,", ",[/red],", 1), *lines[2:]])

    raw = raw_copy(raw_dir, tmp_path / "raw", {occ_level: broken})
    done = exposure("ingest", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "w.duckdb"),
                    "--reports-dir", str(tmp_path / "reports"), env=env_for(cache))
    message = assert_one_sentence(done, 2)
    assert message.startswith(f"error: {occ_level}, row 2, column 'dv_rating_alpha': "
                              "'[/red]' is not a number")


def test_unexpected_exceptions_map_to_exit_codes(raw_dir: Path, tmp_path: Path) -> None:
    unreadable = PermissionError(13, "Permission denied", str(raw_dir / "bls_ep/x.xlsx"))
    error = unexpected_error(unreadable, "read_projections", raw_dir)
    assert isinstance(error, InputError) and error.exit_code == 2
    assert error.file == "bls_ep/x.xlsx"

    full = OSError(28, "No space left on device", str(tmp_path / "w.duckdb"))
    error = unexpected_error(full, "publish", raw_dir)
    assert isinstance(error, StorageError) and error.exit_code == 3
    assert str(error).startswith(f"stage publish could not write {tmp_path / 'w.duckdb'} "
                                 "(No space left on device)")

    error = unexpected_error(duckdb.IOException("IO Error: disk full"), "publish")
    assert isinstance(error, StorageError) and error.exit_code == 3

    # history rows of an older version that do not fit: not a disk problem
    mismatch = duckdb.ConversionException("Conversion Error: Could not convert 'a' to INT64")
    error = unexpected_error(mismatch, "publish")
    assert not isinstance(error, StorageError) and error.exit_code == 3
    assert "could not add this run to the warehouse's history" in str(error)
    assert "move the file aside" in str(error)

    error = unexpected_error(KeyError("soc_code"), "rollup")
    assert isinstance(error, StageError) and error.exit_code == 2
    assert str(error).startswith("stage rollup failed with KeyError: 'soc_code'")

    error = unexpected_error(TypeError("bad\nsecond line"))
    assert type(error) is ExposureError and error.exit_code == 1
    assert str(error).startswith("unexpected TypeError: bad; rerun with --verbose")


def test_an_output_file_that_cannot_be_written_exits_3(tmp_path: Path,
                                                       ingested: Settings) -> None:
    """Outside a run too: the error is one sentence naming the file, not a traceback."""
    (tmp_path / "file.txt").write_text("not a folder")
    out = tmp_path / "file.txt" / "out.csv"
    done = exposure("query", "SELECT 1 AS a", "--warehouse", str(ingested.warehouse),
                    "-f", "csv", "-o", str(out))
    message = assert_one_sentence(done, 3)
    assert message.startswith("error: the command could not write") and str(out) in message


def test_failures_around_the_run_are_recorded_once(ingested: Settings, tmp_path: Path) -> None:
    """The `refresh` command holds the lock while Prefect starts: a failure there (Prefect's
    server not starting) is a recorded run too, and a failure inside the run is not recorded
    a second time on its way out."""
    settings = ingested.model_copy(update={"warehouse": tmp_path / "w.duckdb",
                                           "reports_dir": tmp_path / "reports",
                                           "cache_dir": tmp_path / "cache"})
    with pytest.raises(StageError, match="stage prefect failed with RuntimeError: no server"):
        with holding_lock(settings, "run-1", notice=print):
            raise RuntimeError("no server")
    stages = (Stage("boom", ("nothing",), ("exposure.ingest",), func=_boom),)
    with pytest.raises(StageError, match="stage boom failed"):
        with holding_lock(settings, "run-2", notice=print):
            run_refresh(settings, stages, run_id="run-2")
    log = runs_log(tmp_path / "reports")
    assert log.select("run_id", "failed_stage").rows() == [("run-1", "prefect"),
                                                           ("run-2", "boom")]

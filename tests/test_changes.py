"""Every run says what changed since the previous successful one."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from exposure import warehouse
from exposure.changes import markdown, summarize_changes
from exposure.cli.runs import print_run
from exposure.refresh import run_refresh, stages_through
from exposure.runs import RunRecord
from exposure.settings import Settings
from tests.helpers import raw_copy
from tests.run_history import publish_run, run_id

LABELS = "gpts_are_gpts/full_labelset.tsv"


def test_change_summary_after_an_altered_input(raw_dir: Path, tmp_path: Path) -> None:
    raw = raw_copy(raw_dir, tmp_path / "raw",
                   {LABELS: lambda out: out.write_bytes((raw_dir / LABELS).read_bytes())})
    settings = Settings(raw_dir=raw, warehouse=tmp_path / "w.duckdb",
                        reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache",
                        scorers="rubric:human:beta")
    stages = stages_through("rollup")
    first = run_refresh(settings, stages)
    assert "First successful run" in (tmp_path / f"reports/changes/{first.run_id}.md").read_text()

    # The human label of one Chief Executives task goes from E0 to E1.
    lines = (raw / LABELS).read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("0\t11-1011.00\t8823.0") and "\tChief Executives\tE0\t" in lines[1]
    lines[1] = lines[1].replace("\tChief Executives\tE0\t", "\tChief Executives\tE1\t")
    lines[1] = lines[1][: lines[1].rindex("\t")] + "\tE1"
    (raw / LABELS).write_text("\n".join(lines), encoding="utf-8")

    second = run_refresh(settings, stages)
    changes = warehouse.read_frame(settings.warehouse,
                                   "SELECT * FROM change_summary WHERE run_id = ?",
                                   [second.run_id])
    assert set(changes["previous_run_id"]) == {first.run_id}
    inputs = changes.filter(changes["kind"] == "input")
    assert inputs["key"].to_list() == [LABELS]
    moved = changes.filter(changes["kind"] == "occupation_exposure")
    top = moved.row(0, named=True)
    assert top["key"] == "rubric:human:beta 11-1011.00" and top["delta"] > 0
    sectors = changes.filter(changes["kind"] == "sector_exposure")
    assert sectors.height > 0 and (sectors["delta"] > 0).all()
    report = (tmp_path / f"reports/changes/{second.run_id}.md").read_text()
    assert LABELS in report and "11-1011.00" in report

    third = run_refresh(settings, stages)
    assert "Nothing changed" in (tmp_path / f"reports/changes/{third.run_id}.md").read_text()


# --- settings: recorded per run, listed first, part of "nothing changed" -----------------

FILES = pl.DataFrame({"path": ["onet/Task Statements.xlsx", "bls/national.xlsx",
                               "bls_ep/occupation.xlsx"],
                      "sha256": ["0" * 64, "1" * 64, "2" * 64]})
SETTINGS = {"scorers": ["rubric:human:beta"], "draws": None, "seed": 7, "runner": "local"}


@pytest.fixture()
def published(tmp_path: Path) -> Path:
    """A warehouse with a full run that recorded SETTINGS, then an ingest that recorded
    only the OEWS year (an ingest uses no scorer, draws or runner)."""
    path = tmp_path / "exposure.duckdb"
    publish_run(path, run_id(1), results=(), options=SETTINGS)
    publish_run(path, run_id(2), results=(), options={"employment_year": 2024})
    return path


def test_same_settings_and_inputs_is_nothing_changed(published: Path) -> None:
    previous, changes = summarize_changes(published, {}, FILES,
                                          {**SETTINGS, "employment_year": 2024})
    assert previous == run_id(2) and changes.height == 0
    assert "Nothing changed" in markdown(run_id(3), previous, changes)


def test_settings_changes_are_listed_first(published: Path) -> None:
    files = FILES.with_columns(pl.when(pl.col("path") == "bls/national.xlsx")
                               .then(pl.lit("9" * 64)).otherwise("sha256").alias("sha256"))
    settings = {**SETTINGS, "scorers": ["rubric:human:beta", "leverage"], "seed": 8,
                "employment_year": 2024}
    _, changes = summarize_changes(published, {}, files, settings)
    assert changes["kind"].to_list() == ["setting", "setting", "input"]
    # each setting is compared with the run that last recorded it (run 1, not the ingest)
    assert changes["detail"][0] == ("scorers: rubric:human:beta -> rubric:human:beta,leverage "
                                    f"(as of run {run_id(1)})")
    assert changes["detail"][1] == f"seed: 7 -> 8 (as of run {run_id(1)})"
    text = markdown(run_id(3), run_id(2), changes)
    assert "Nothing changed" not in text
    assert text.index("## settings (2)") < text.index("## input (1)")


def test_a_setting_alone_is_a_change(published: Path) -> None:
    _, changes = summarize_changes(published, {}, FILES, {**SETTINGS, "runner": "dask"})
    assert changes.select("kind", "key").rows() == [("setting", "runner")]
    assert "Nothing changed" not in markdown(run_id(3), run_id(2), changes)


def finished_run(run: str, options: dict, report: str | None = None) -> RunRecord:
    record = RunRecord(run, raw_dir="raw", parameters={
        "options": options, "stage_states": {"read_onet": "cached", "forecast": "cached"}})
    if report:
        record.parameters["report"] = report
    record.finish("succeeded")
    return record


def test_the_command_says_nothing_changed_only_when_nothing_did(
        published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # every stage reused, but the runner (which no stage key holds) changed
    publish_run(published, run_id(3), results=(), options={**SETTINGS, "runner": "dask"})
    print_run(finished_run(run_id(3), {**SETTINGS, "runner": "dask"}, "r/report.md"),
              published)
    said = capsys.readouterr().err
    assert "settings changed: runner: local -> dask" in said
    assert "nothing changed" not in said and "all 2 stages reused" in said
    assert "wrote r/report.md" in said
    publish_run(published, run_id(4), results=(), options={**SETTINGS, "runner": "dask"})
    print_run(finished_run(run_id(4), {**SETTINGS, "runner": "dask"}), published)
    said = capsys.readouterr().err
    assert "nothing changed: all 2 stages reused" in said and "settings changed" not in said
    assert "wrote" not in said

"""GPTs-are-GPTs reader: the real files, and bad copies in tmp_path edited line by line."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from exposure.sources.base import IngestContext
from exposure.sources.gpts import (
    AUTOMATION,
    BASIC_SKILLS,
    LABELSET,
    OCC_LEVEL,
    RELEASE,
    WORK_CONTEXT,
    read_gpts,
)
from exposure.task_weights import type_weight
from tests.helpers import edit_lines, link_files, raises_input_error, truncate_file

FILES = (LABELSET, AUTOMATION, OCC_LEVEL, WORK_CONTEXT, BASIC_SKILLS)
MEASURES = ("alpha", "beta", "gamma")


@pytest.fixture(scope="session")
def gpts_read(raw_dir: Path) -> tuple[dict[str, pl.DataFrame], IngestContext]:
    ctx = IngestContext(raw_dir)
    return read_gpts(ctx), ctx


@pytest.fixture(scope="session")
def tasks(gpts_read: tuple[dict[str, pl.DataFrame], IngestContext]) -> pl.DataFrame:
    return gpts_read[0]["task_label"]


@pytest.fixture(scope="session")
def occupations(gpts_read: tuple[dict[str, pl.DataFrame], IngestContext]) -> pl.DataFrame:
    return gpts_read[0]["occupation_label"]


@pytest.fixture(scope="session")
def context(gpts_read: tuple[dict[str, pl.DataFrame], IngestContext]) -> pl.DataFrame:
    return gpts_read[0]["occupation_context"]


# --- the real files -----------------------------------------------------------------------

def test_task_label_real(tasks: pl.DataFrame) -> None:
    scores = [f"{rater}_{m}" for rater in ("human", "gpt4") for m in MEASURES]
    assert dict(tasks.schema) == {
        "task_id": pl.Int64, "onet_soc_code": pl.String, "title": pl.String, "task": pl.String,
        "task_type": pl.String, "human_label": pl.String, "gpt4_label": pl.String,
        "gpt4_label_alt_rubric": pl.String, **dict.fromkeys(scores, pl.Float64),
        "automation_gpt4_labelset": pl.String, "automation_gpt4": pl.String,
        "automation_human": pl.String,
    }
    assert tasks.height == 19265 and tasks.get_column("task_id").is_unique().all()
    assert tasks.get_column("onet_soc_code").n_unique() == 923
    assert dict(tasks.get_column("human_label").value_counts().rows()) == {
        "E0": 10256, "E1": 2862, "E2": 6147}
    assert dict(tasks.get_column("gpt4_label").value_counts().rows()) == {
        "E0": 8561, "E1": 2702, "E2": 8002}
    assert dict(tasks.get_column("task_type").value_counts().rows()) == {
        "Core": 13225, "Supplemental": 4728, None: 1312}
    assert tasks.get_column("automation_human").is_not_null().sum() == 100
    assert dict(tasks.get_column("automation_gpt4").value_counts().rows()) == {
        "T0": 5528, "T1": 2937, "T2": 7796, "T3": 2646, "T4": 358}
    # the two published GPT-4 automation labellings disagree on a third of the tasks
    assert (tasks.get_column("automation_gpt4")
            != tasks.get_column("automation_gpt4_labelset")).sum() == 6321
    assert tasks.select(pl.col(scores).null_count().sum()).row(0) == (0,) * 6


def test_task_text_unquoted(tasks: pl.DataFrame) -> None:
    """Seven texts were written CSV-style in the tab file; the reader restores them."""
    assert tasks.filter(pl.col("task").str.starts_with('"')).is_empty()
    assert tasks.filter(pl.col("task").str.contains('""', literal=True)).is_empty()
    assert tasks.filter(pl.col("task").str.contains('"', literal=True)).height == 7
    assert "Attach \"out of order\" signs to malfunctioning machines, and notify technicians " \
        "when machines need to be repaired or removed." in set(tasks.get_column("task"))


def test_occupation_label_exact(occupations: pl.DataFrame, raw_dir: Path) -> None:
    """Every published value survives to the last bit (Python's float of the text)."""
    assert occupations.height == 923
    with (raw_dir / OCC_LEVEL).open(newline="") as handle:
        published = {row["O*NET-SOC Code"]: row for row in csv.DictReader(handle)}
    for row in occupations.iter_rows(named=True):
        source = published[row["onet_soc_code"]]
        assert row["title"] == source["Title"]
        for rater, file_rater in (("gpt4", "dv"), ("human", "human")):
            for measure in MEASURES:
                assert row[f"{rater}_{measure}"] == float(source[f"{file_rater}_rating_{measure}"])


def test_occupation_label_reproduced_from_tasks(tasks: pl.DataFrame,
                                                occupations: pl.DataFrame) -> None:
    """The published scores are task means weighting core tasks 2 and the others 1 (the task
    weights' type rule), so the human alpha/beta/gamma the reader derives with the paper's
    rubric are the right ones."""
    weight = type_weight()
    scores = [f"{rater}_{m}" for rater in ("gpt4", "human") for m in MEASURES]
    means = tasks.group_by("onet_soc_code").agg(
        ((pl.col(s) * weight).sum() / weight.sum()).alias(s) for s in scores)
    both = occupations.join(means, on="onet_soc_code", suffix="_tasks")
    assert both.height == 923
    for score in scores:
        assert both.select((pl.col(score) - pl.col(f"{score}_tasks")).abs().max()).item() < 1e-9


def test_occupation_context_real(context: pl.DataFrame, tasks: pl.DataFrame) -> None:
    assert context.height == 873 and context.width == 29
    assert context.columns[:7] == [
        "onet_soc_code", "title", "degree_of_automation_context",
        "importance_of_being_exact_or_accurate_context",
        "importance_of_repeating_same_tasks_context",
        "structured_versus_unstructured_work_context", "job_zone"]
    assert context.schema["job_zone"] == pl.Int8
    assert all(context.schema[c] == pl.Float64 for c in context.columns[2:] if c != "job_zone")
    # every title matches an O*NET 27.2 title exactly, and so gets its code
    assert context.get_column("onet_soc_code").null_count() == 0
    assert context.get_column("onet_soc_code").is_unique().all()
    assert set(context.get_column("onet_soc_code")) <= set(tasks.get_column("onet_soc_code"))
    # 'Not relevant' and 'Not available' levels are null
    nulls = {c: n for c, n in context.null_count().row(0, named=True).items() if n}
    assert nulls == {"learning_strategies_level": 2, "mathematics_level": 8,
                     "programming_level": 272, "science_level": 278}
    travel = context.row(by_predicate=pl.col("title") == "Travel Agents", named=True)
    assert (travel["degree_of_automation_context"], travel["job_zone"],
            travel["active_listening_importance"]) == (0.7, 3, 78.0)


def test_gpts_provenance(gpts_read: tuple[dict[str, pl.DataFrame], IngestContext]) -> None:
    assert [(f.table_name, f.path, f.rows) for f in gpts_read[1].files] == [
        ("task_label", LABELSET, 19265), ("task_label", AUTOMATION, 19265),
        ("occupation_label", OCC_LEVEL, 923), ("occupation_context", WORK_CONTEXT, 873),
        ("occupation_context", BASIC_SKILLS, 873), ("occupation_context", LABELSET, 873)]
    assert {f.release for f in gpts_read[1].files} == {RELEASE}


# --- bad copies ---------------------------------------------------------------------------



def _replace(line: int, old: str, new: str) -> Callable[[list[str]], list[str]]:
    """Edit the 1-based `line` of a file (line 1 is the header)."""
    def edit(lines: list[str]) -> list[str]:
        assert old in lines[line - 1], (old, lines[line - 1])
        return [*lines[:line - 1], lines[line - 1].replace(old, new, 1), *lines[line:]]
    return edit


def _fields(line: int, keep: int, separator: str = "\t") -> Callable[[list[str]], list[str]]:
    """Cut `line` after its first `keep` fields (a short, ragged line)."""
    def edit(lines: list[str]) -> list[str]:
        short = separator.join(lines[line - 1].split(separator)[:keep]) + "\n"
        return [*lines[:line - 1], short, *lines[line:]]
    return edit


@pytest.mark.parametrize(("file", "edit", "row", "column", "problem"), [
    # full_labelset.tsv line 2: task 8823 of 11-1011.00, labels E0 / E2 / E2, alpha 0.0
    (LABELSET, _fields(2, 12), 2, "beta", "not_nullable"),
    (LABELSET, _fields(2, 9), 2, "alpha", "not_nullable"),
    (LABELSET, _replace(1, "\tgpt4_exposure\t", "\tgpt4_label\t"), 1, "gpt4_exposure",
     "missing"),
    (LABELSET, _replace(2, "\tE0\tE2\tE2\t", "\tE0\tE5\tE2\t"), 2, "gpt4_exposure", "isin"),
    (LABELSET, _replace(2, "8823.0", "8823.5"), 2, "Task ID", "'8823.5' is not a number"),
    (LABELSET, _replace(2, "\t0.0\t0.5\t1.0\t", "\t0.0\t0.75\t1.0\t"), 2, "beta", "rubric"),
    (LABELSET, lambda ls: [*ls[:3], ls[2], *ls[3:]], 4, "Task ID", "duplicated"),
    (AUTOMATION, _replace(2, "\t21527\t", "\tabc\t"), 2, "Task ID", "'abc' is not a number"),
    (AUTOMATION, _replace(2, "T2\t", "T7\t"), 2, "gpt4_automation", "isin"),
    (AUTOMATION, lambda ls: [*ls[:3], ls[2], *ls[3:]], 4, "Task ID", "duplicated"),
    # task 21527 (line 2 of the automation file) is line 1,925 of full_labelset.tsv
    (AUTOMATION, lambda ls: [ls[0], *ls[2:]], 1925, "Task ID", "has no match in"),
    (AUTOMATION, _replace(2, "13-2011.00", "13-2011.01"), 1925, "Task ID", "has no match in"),
    (OCC_LEVEL, _replace(2, ",0.46,", ",0.4x6,"), 2, "dv_rating_beta", "'0.4x6' is not a"),
    (OCC_LEVEL, _replace(3, "11-1011.03", "11-1011.00"), 3, "O*NET-SOC Code", "duplicated"),
    (OCC_LEVEL, _fields(2, 6, ","), 2, "human_rating_beta", "not_nullable"),
    (WORK_CONTEXT, _replace(2, "0.7,", "7,"), 2, "degree_of_automation_context", "in_range"),
    (WORK_CONTEXT, _replace(2, "Travel Agents", "Travel Agent"), 2, "occupation",
     "has no match in"),
    (BASIC_SKILLS, _replace(1, "Job Zone", "JobZone"), 1, "Job Zone", "missing"),
    (BASIC_SKILLS, _replace(2, ",5,75,", ",Not relevant,75,"), 2, "Job Zone", "not_nullable"),
])
def test_gpts_bad_lines(tmp_path: Path, raw_dir: Path, file: str,
                        edit: Callable[[list[str]], list[str]], row: int, column: str,
                        problem: str) -> None:
    root = link_files(tmp_path, raw_dir, *FILES)
    edit_lines(root, file, edit)
    error = raises_input_error(read_gpts, root)
    expected_file = LABELSET if problem == "has no match in" and file == AUTOMATION else file
    assert (error.file, error.row, error.column) == (expected_file, row, column)
    assert problem in str(error)


@pytest.mark.parametrize(("file", "row", "column"), [
    (LABELSET, 9623, "human_exposure_agg"),  # the last line stops inside the title
    (AUTOMATION, 9600, "Task ID"),  # ... inside its first field, so it has no task ID
    # ... inside a quoted title, which the CSV parser rejects without a line number
    (OCC_LEVEL, None, None),
    (WORK_CONTEXT, 426, "importance_of_being_exact_or_accurate_context"),
    (BASIC_SKILLS, 458, "Job Zone"),
])
def test_gpts_truncated(tmp_path: Path, raw_dir: Path, file: str, row: int | None,
                        column: str | None) -> None:
    root = link_files(tmp_path, raw_dir, *FILES)
    truncate_file(root, file)
    error = raises_input_error(read_gpts, root)
    assert (error.file, error.row, error.column) == (file, row, column)


def test_gpts_ragged_long_line(tmp_path: Path, raw_dir: Path) -> None:
    root = link_files(tmp_path, raw_dir, *FILES)
    edit_lines(root, LABELSET, lambda ls: [*ls[:5], ls[5].rstrip("\n") + "\textra\n", *ls[6:]])
    error = raises_input_error(read_gpts, root)
    assert error.file == LABELSET and "could not be parsed" in str(error)


def test_unmatched_title_kept_without_code(tmp_path: Path, raw_dir: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """A title unknown to O*NET 27.2 stays, with no code, and the count is logged."""
    root = link_files(tmp_path, raw_dir, *FILES)
    for file in (WORK_CONTEXT, BASIC_SKILLS):
        edit_lines(root, file, lambda ls: [
            line.replace("Travel Agents", "Travel Consultants") for line in ls])
    with caplog.at_level(logging.WARNING, logger="exposure.sources.gpts"):
        context = read_gpts(IngestContext(root))["occupation_context"]
    assert context.height == 873
    lone = context.filter(pl.col("onet_soc_code").is_null())
    assert lone.get_column("title").to_list() == ["Travel Consultants"]
    assert "1 of 873 occupation titles" in caplog.text

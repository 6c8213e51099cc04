"""The published GPTs-are-GPTs reference data (Eloundou et al. 2023), caveat C4 of SOURCES.md.

Three tables: `task_label` (exposure and automation labels of the 19,265 O*NET 27.2 tasks),
`occupation_label` (the published occupation-level exposure scores) and
`occupation_context` (O*NET work-context items, basic skills and Job Zone per occupation).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.codes import ONET_SOC_PATTERN, TASK_TYPES
from exposure.errors import InputError
from exposure.sources.base import (
    REDOWNLOAD_HINT,
    ROW,
    IngestContext,
    read_delimited,
    to_number,
    validate,
)

log = logging.getLogger(__name__)

RELEASE = "GPTs-are-GPTs (Eloundou et al. 2023), O*NET 27.2 tasks"
LABELSET = "gpts_are_gpts/full_labelset.tsv"
AUTOMATION = "gpts_are_gpts/automation_gpt4_human_labels.tsv"
OCC_LEVEL = "gpts_are_gpts/occ_level.csv"
WORK_CONTEXT = "gpts_are_gpts/occupations_onet_work_contexts.csv"
BASIC_SKILLS = "gpts_are_gpts/occupations_onet_basic_skills.csv"

EXPOSURE = ["E0", "E1", "E2"]
AUTOMATION_LEVELS = ["T0", "T1", "T2", "T3", "T4"]
UNIT = {"min_value": 0, "max_value": 1}
SCORE = {"min_value": 0, "max_value": 100}

# The paper's rubric: alpha counts E1 tasks, beta adds half of E2, gamma all of E2. The file
# publishes GPT-4's alpha/beta/gamma only; the reader checks that they follow this rubric
# and applies it to the human label as well. Averaged over an occupation's tasks (core ones
# weighted 2), these give every published occupation score, human ones included.
RUBRIC = {
    "alpha": {"E0": 0.0, "E1": 1.0, "E2": 0.0},
    "beta": {"E0": 0.0, "E1": 1.0, "E2": 0.5},
    "gamma": {"E0": 0.0, "E1": 1.0, "E2": 1.0},
}

# The unnamed first column (a row index), `automation` (the T-label divided by 4) and
# `human_labels` (equal to `human_exposure_agg` on every row) repeat other columns and are
# not kept; neither is `gpt_3_relevant`, which nothing downstream uses.
LABELSET_COLUMNS = {
    "Task ID": "task_id", "O*NET-SOC Code": "onet_soc_code", "Title": "title", "Task": "task",
    "Task Type": "task_type", "human_exposure_agg": "human_label", "gpt4_exposure": "gpt4_label",
    "gpt4_exposure_alt_rubric": "gpt4_label_alt_rubric", "alpha": "gpt4_alpha",
    "beta": "gpt4_beta", "gamma": "gpt4_gamma", "gpt4_automation": "automation_gpt4_labelset",
}
AUTOMATION_COLUMNS = {"Task ID": "task_id", "O*NET-SOC Code": "onet_soc_code",
                      "gpt4_automation": "automation_gpt4", "human_automation": "automation_human"}
# occ_level.csv calls GPT-4 "dv" (its internal model name).
OCC_LEVEL_COLUMNS = {
    "O*NET-SOC Code": "onet_soc_code", "Title": "title",
    **{f"{file}_rating_{measure}": f"{rater}_{measure}"
       for file, rater in (("dv", "gpt4"), ("human", "human")) for measure in RUBRIC},
}
WORK_CONTEXT_COLUMNS = {"occupation": "title"} | {
    item: item for item in ("degree_of_automation_context",
                            "importance_of_being_exact_or_accurate_context",
                            "importance_of_repeating_same_tasks_context",
                            "structured_versus_unstructured_work_context")
}
SKILLS = ("Active_Learning", "Critical_Thinking", "Learning_Strategies", "Monitoring",
          "Active_Listening", "Mathematics", "Programming", "Reading_Comprehension", "Science",
          "Speaking", "Writing")
BASIC_SKILL_COLUMNS = {"Occupation": "title", "Job Zone": "job_zone"} | {
    f"{skill}_{scale}": f"{skill}_{scale}".lower()
    for skill in SKILLS for scale in ("Importance", "Level")
}
# O*NET's words for a level that was not rated: the skill is not relevant to the occupation
# (importance too low) or the estimate was suppressed. Both become null.
UNRATED = ("Not relevant", "Not available")


class TaskLabelset(pa.DataFrameModel):
    """The full_labelset.tsv part of `task_label`, plus the human alpha/beta/gamma."""

    task_id: pl.Int64 = pa.Field(gt=0)
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    title: str
    task: str
    task_type: str = pa.Field(nullable=True, isin=list(TASK_TYPES))
    human_label: str = pa.Field(isin=EXPOSURE)
    gpt4_label: str = pa.Field(isin=EXPOSURE)
    gpt4_label_alt_rubric: str = pa.Field(isin=EXPOSURE)
    human_alpha: pl.Float64 = pa.Field(in_range=UNIT)
    human_beta: pl.Float64 = pa.Field(in_range=UNIT)
    human_gamma: pl.Float64 = pa.Field(in_range=UNIT)
    gpt4_alpha: pl.Float64 = pa.Field(in_range=UNIT)
    gpt4_beta: pl.Float64 = pa.Field(in_range=UNIT)
    gpt4_gamma: pl.Float64 = pa.Field(in_range=UNIT)
    automation_gpt4_labelset: str = pa.Field(isin=AUTOMATION_LEVELS)

    class Config:
        unique: ClassVar[list[str]] = ["task_id"]


class TaskAutomation(pa.DataFrameModel):
    """The automation_gpt4_human_labels.tsv part of `task_label` (humans labelled 100 tasks)."""

    task_id: pl.Int64 = pa.Field(gt=0)
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    automation_gpt4: str = pa.Field(isin=AUTOMATION_LEVELS)
    automation_human: str = pa.Field(nullable=True, isin=AUTOMATION_LEVELS)

    class Config:
        unique: ClassVar[list[str]] = ["task_id"]


class OccupationLabel(pa.DataFrameModel):
    """`occupation_label`: the published occupation-level scores, at full precision."""

    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    title: str
    gpt4_alpha: pl.Float64 = pa.Field(in_range=UNIT)
    gpt4_beta: pl.Float64 = pa.Field(in_range=UNIT)
    gpt4_gamma: pl.Float64 = pa.Field(in_range=UNIT)
    human_alpha: pl.Float64 = pa.Field(in_range=UNIT)
    human_beta: pl.Float64 = pa.Field(in_range=UNIT)
    human_gamma: pl.Float64 = pa.Field(in_range=UNIT)

    class Config:
        unique: ClassVar[list[str]] = ["onet_soc_code"]


class WorkContext(pa.DataFrameModel):
    """The work-context part of `occupation_context` (O*NET context items scaled 0-1)."""

    title: str
    degree_of_automation_context: pl.Float64 = pa.Field(in_range=UNIT)
    importance_of_being_exact_or_accurate_context: pl.Float64 = pa.Field(in_range=UNIT)
    importance_of_repeating_same_tasks_context: pl.Float64 = pa.Field(in_range=UNIT)
    structured_versus_unstructured_work_context: pl.Float64 = pa.Field(in_range=UNIT)

    class Config:
        unique: ClassVar[list[str]] = ["title"]


class BasicSkills(pa.DataFrameModel):
    """The Job Zone and basic-skill part of `occupation_context` (O*NET scales 0-100)."""

    title: str
    job_zone: pl.Int8 = pa.Field(in_range={"min_value": 1, "max_value": 5})
    # Importance is rated for every occupation; a level may be unrated (see UNRATED).
    active_learning_importance: pl.Float64 = pa.Field(in_range=SCORE)
    active_learning_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    critical_thinking_importance: pl.Float64 = pa.Field(in_range=SCORE)
    critical_thinking_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    learning_strategies_importance: pl.Float64 = pa.Field(in_range=SCORE)
    learning_strategies_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    monitoring_importance: pl.Float64 = pa.Field(in_range=SCORE)
    monitoring_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    active_listening_importance: pl.Float64 = pa.Field(in_range=SCORE)
    active_listening_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    mathematics_importance: pl.Float64 = pa.Field(in_range=SCORE)
    mathematics_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    programming_importance: pl.Float64 = pa.Field(in_range=SCORE)
    programming_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    reading_comprehension_importance: pl.Float64 = pa.Field(in_range=SCORE)
    reading_comprehension_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    science_importance: pl.Float64 = pa.Field(in_range=SCORE)
    science_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    speaking_importance: pl.Float64 = pa.Field(in_range=SCORE)
    speaking_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)
    writing_importance: pl.Float64 = pa.Field(in_range=SCORE)
    writing_level: pl.Float64 = pa.Field(nullable=True, in_range=SCORE)

    class Config:
        unique: ClassVar[list[str]] = ["title"]


def _convert(df: pl.DataFrame, file: str, columns: dict[str, str],
             model: type[pa.DataFrameModel], markers: tuple[str, ...] = ()) -> pl.DataFrame:
    """Convert the file's `columns` to the numeric types `model` gives their new names, and
    keep them (renamed) with `_row`. None of these files marks suppressed cells, so no text
    counts as a marker unless `markers` says so."""
    schema = model.to_schema().columns
    for column, name in columns.items():
        dtype = schema[name].dtype.type
        if dtype.is_numeric():
            df = to_number(df, column, file, dtype, markers=markers)
    return df.select(ROW, *[pl.col(c).alias(n) for c, n in columns.items()])


def _match(left: pl.DataFrame, right: pl.DataFrame, on: list[str],
           files: tuple[str, str], column: tuple[str, str]) -> pl.DataFrame:
    """Join two files' frames one-to-one on `on`; a key found in only one is an error."""
    joined = left.join(right.rename({ROW: "_row_right"}), on=on, how="full", coalesce=True,
                       maintain_order="left_right")
    sides = ((files[0], column[0], ROW, "_row_right", files[1]),
             (files[1], column[1], "_row_right", ROW, files[0]))
    for file, col, own_row, other_row, other_file in sides:
        alone = joined.filter(pl.col(other_row).is_null())
        if alone.height:
            first = alone.row(0, named=True)
            key = ", ".join(str(first[k]) for k in on)
            raise InputError(
                file, f"{key} has no match in {other_file} ({alone.height} such rows)",
                f"both files come from one release; {REDOWNLOAD_HINT}",
                row=first[own_row], column=col,
            )
    return joined.drop("_row_right")


def _rubric(rater: str, measure: str) -> pl.Expr:
    return pl.col(f"{rater}_label").replace_strict(RUBRIC[measure], default=None,
                                                  return_dtype=pl.Float64)


def _unquote(text: pl.Expr) -> pl.Expr:
    # Tab files are read without quoting, yet 7 task texts were written CSV-style
    # ('"Attach ""out of order"" signs..."'); restore the O*NET text.
    quoted = text.str.starts_with('"') & text.str.ends_with('"') & (text.str.len_chars() > 1)
    inner = text.str.slice(1, text.str.len_chars() - 2).str.replace_all('""', '"', literal=True)
    return pl.when(quoted).then(inner).otherwise(text)


def _labels(path: Path, ctx: IngestContext) -> pl.DataFrame:
    df = read_delimited(path, LABELSET, list(LABELSET_COLUMNS))
    # Task IDs are written as floats ('8823.0'); any other fraction fails the conversion.
    df = df.with_columns(pl.col("Task ID").str.replace(r"\.0$", ""))
    df = _convert(df, LABELSET, LABELSET_COLUMNS, TaskLabelset).with_columns(
        pl.col("task").pipe(_unquote),
        pl.col("human_label", "gpt4_label", "gpt4_label_alt_rubric", "automation_gpt4_labelset")
        .str.strip_chars().str.to_uppercase(),
    )
    for measure in RUBRIC:
        published, expected = pl.col(f"gpt4_{measure}"), _rubric("gpt4", measure)
        off = df.filter(published.is_not_null() & expected.is_not_null() & (published != expected))
        if off.height:
            first = off.row(0, named=True)
            raise InputError(
                LABELSET,
                f"{measure} {first[f'gpt4_{measure}']} does not follow the paper's rubric for "
                f"the GPT-4 label {first['gpt4_label']}",
                f"correct the value or {REDOWNLOAD_HINT}",
                row=first[ROW], column=measure,
            )
    df = df.with_columns(_rubric("human", measure).alias(f"human_{measure}") for measure in RUBRIC)
    validate(df, TaskLabelset, LABELSET, ctx, LABELSET_COLUMNS)
    return df.select(ROW, *TaskLabelset.to_schema().columns)


def _automation(path: Path, ctx: IngestContext) -> pl.DataFrame:
    df = read_delimited(path, AUTOMATION, list(AUTOMATION_COLUMNS))
    df = _convert(df, AUTOMATION, AUTOMATION_COLUMNS, TaskAutomation).with_columns(
        pl.col("automation_gpt4", "automation_human").str.strip_chars().str.to_uppercase()
    )
    validate(df, TaskAutomation, AUTOMATION, ctx, AUTOMATION_COLUMNS)
    return df


def _occupation_label(path: Path, ctx: IngestContext) -> pl.DataFrame:
    # Read as text and cast once: the values must equal the published ones to the last bit.
    df = read_delimited(path, OCC_LEVEL, list(OCC_LEVEL_COLUMNS), ",")
    df = _convert(df, OCC_LEVEL, OCC_LEVEL_COLUMNS, OccupationLabel)
    return validate(df, OccupationLabel, OCC_LEVEL, ctx, OCC_LEVEL_COLUMNS)


def _occupation_context(work_path: Path, skills_path: Path, labels: pl.DataFrame,
                        ctx: IngestContext) -> pl.DataFrame:
    work = read_delimited(work_path, WORK_CONTEXT, list(WORK_CONTEXT_COLUMNS), ",")
    work = _convert(work, WORK_CONTEXT, WORK_CONTEXT_COLUMNS, WorkContext)
    validate(work, WorkContext, WORK_CONTEXT, ctx, WORK_CONTEXT_COLUMNS)
    skills = read_delimited(skills_path, BASIC_SKILLS, list(BASIC_SKILL_COLUMNS), ",")
    skills = _convert(skills, BASIC_SKILLS, BASIC_SKILL_COLUMNS, BasicSkills, UNRATED)
    validate(skills, BasicSkills, BASIC_SKILLS, ctx, BASIC_SKILL_COLUMNS)
    context = _match(work, skills, ["title"], (WORK_CONTEXT, BASIC_SKILLS),
                     ("occupation", "Occupation"))
    # The files name occupations by title only; O*NET 27.2 titles are unique (923 titles for
    # 923 codes in full_labelset.tsv), so an exact title match gives the code. A title with
    # two codes would match neither.
    codes = labels.select("title", "onet_soc_code").unique().unique("title", keep="none")
    context = context.join(codes, on="title", how="left", maintain_order="left")
    unmatched = context.get_column("onet_soc_code").null_count()
    if unmatched:
        log.warning("%d of %d occupation titles in %s match no title in %s; kept with no code",
                    unmatched, context.height, WORK_CONTEXT, LABELSET)
    return context.select("onet_soc_code", pl.exclude("onet_soc_code", ROW))


# Which files each table is built from (for the provenance record).
TABLE_FILES = {
    "task_label": (LABELSET, AUTOMATION),
    "occupation_label": (OCC_LEVEL,),
    "occupation_context": (WORK_CONTEXT, BASIC_SKILLS, LABELSET),
}


def read_gpts(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """`task_label`, `occupation_label` and `occupation_context` from GPTs-are-GPTs (C4)."""
    paths = {file: ctx.locate(file)
             for file in (LABELSET, AUTOMATION, OCC_LEVEL, WORK_CONTEXT, BASIC_SKILLS)}
    labels = _labels(paths[LABELSET], ctx)
    tables = {
        # Task IDs are unique in both files (an O*NET task belongs to one occupation), so the
        # key is the task ID; matching the code as well catches a task filed under another.
        "task_label": _match(labels, _automation(paths[AUTOMATION], ctx),
                             ["task_id", "onet_soc_code"], (LABELSET, AUTOMATION),
                             ("Task ID", "Task ID")).drop(ROW),
        "occupation_label": _occupation_label(paths[OCC_LEVEL], ctx),
        "occupation_context": _occupation_context(paths[WORK_CONTEXT], paths[BASIC_SKILLS],
                                                  labels, ctx),
    }
    for table, files in TABLE_FILES.items():
        for file in files:
            ctx.record(table, paths[file], RELEASE, tables[table].height)
    return tables

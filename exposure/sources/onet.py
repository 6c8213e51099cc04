"""O*NET: occupations, task statements, work activities, technology skills and ratings.

Reads either edition of an O*NET release from `onet_29_2/`: the Excel edition
(`<Name>.xlsx`, what the staged mirror has) or the tab-delimited text edition
(`<Name>.txt`); both use the same column names. The many long-format rating files
(Skills, Knowledge, Work Context, ...) share one layout, so one helper reads them all into
the single long table `occupation_descriptor`. Work Activities, Work Context, Abilities and
Task Ratings are not in the staged mirror (SOURCES.md caveat C2): they are read when a user
has the official download, and without it `task_rating` is empty rather than absent so that
later stages always find the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
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
    read_sheet,
    require_columns,
    to_number,
    validate,
)

ONET_DIR = "onet_29_2"
DEFAULT_RELEASE = "O*NET 29.2"
CODE = "O*NET-SOC Code"

# domain in occupation_descriptor -> O*NET file name (without extension).
DESCRIPTOR_FILES = {
    "skills": "Skills", "knowledge": "Knowledge",
    "education_training": "Education, Training, and Experience",
    "work_activities": "Work Activities", "work_context": "Work Context", "abilities": "Abilities",
}
# Every file the reader may use, in the order it reads them.
ALL_FILES = ("Occupation Data", "Job Zones", "Task Statements", "IWA Reference", "DWA Reference",
             "Tasks to DWAs", "Technology Skills", "Content Model Reference",
             *DESCRIPTOR_FILES.values(), "Task Ratings")
# Files a complete download has but the staged mirror lacks (caveat C2).
OPTIONAL_FILES = frozenset({"Work Activities", "Work Context", "Abilities", "Task Ratings"})

# Header -> warehouse column, numbers and Y/N flags of the columns all rating files share.
RATING_COLUMNS = {
    CODE: "onet_soc_code", "Scale ID": "scale_id", "Category": "category",
    "Data Value": "data_value", "N": "n", "Standard Error": "standard_error",
    "Recommend Suppress": "recommend_suppress", "Not Relevant": "not_relevant",
}
RATING_NUMBERS = {"Category": pl.Int64, "Data Value": pl.Float64, "N": pl.Int64,
                  "Standard Error": pl.Float64}
RATING_FLAGS = ("Recommend Suppress", "Not Relevant")
NON_NEGATIVE = {"ge": 0}

# (file header -> column, frame holding the known keys, the file it came from)
Reference = tuple[dict[str, str], pl.DataFrame, str]


class OccupationDataModel(pa.DataFrameModel):
    """Occupation Data alone: checked before any other file is matched against its codes."""

    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN, unique=True)
    soc_code: str
    title: str
    description: str


class OccupationModel(OccupationDataModel):
    job_zone: pl.Int8 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 5})
    has_tasks: pl.Boolean


class JobZoneModel(pa.DataFrameModel):
    """Job Zones cover only the occupations with ratings; the rest get a null job zone."""

    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN, unique=True)
    job_zone: pl.Int8 = pa.Field(in_range={"min_value": 1, "max_value": 5})


class TaskModel(pa.DataFrameModel):
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    task_id: pl.Int64 = pa.Field(unique=True)
    task: str
    task_type: str = pa.Field(nullable=True, isin=list(TASK_TYPES))
    incumbents_responding: pl.Int64 = pa.Field(nullable=True, **NON_NEGATIVE)
    date: str
    domain_source: str


class TaskDwaModel(pa.DataFrameModel):
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    task_id: pl.Int64
    dwa_id: str

    class Config:
        unique: ClassVar[list[str]] = ["task_id", "dwa_id"]


class IwaModel(pa.DataFrameModel):
    """Checked on its own so that a duplicated IWA is reported in IWA Reference, not later
    as duplicated DWAs after the join."""

    iwa_id: str = pa.Field(unique=True)
    iwa_title: str
    gwa_id: str
    gwa_title: str


class WorkActivityModel(pa.DataFrameModel):
    dwa_id: str = pa.Field(unique=True)
    dwa_title: str
    iwa_id: str
    iwa_title: str
    gwa_id: str
    gwa_title: str


class TechnologySkillModel(pa.DataFrameModel):
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    example: str
    commodity_code: str = pa.Field(str_matches=r"^\d{8}$")
    commodity_title: str
    hot_technology: pl.Boolean
    in_demand: pl.Boolean

    class Config:
        unique: ClassVar[list[str]] = ["onet_soc_code", "commodity_code", "example"]


class DescriptorModel(pa.DataFrameModel):
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    domain: str = pa.Field(isin=list(DESCRIPTOR_FILES))
    element_id: str
    element_name: str
    scale_id: str
    category: pl.Int64 = pa.Field(nullable=True)
    data_value: pl.Float64 = pa.Field(**NON_NEGATIVE)
    n: pl.Int64 = pa.Field(nullable=True, **NON_NEGATIVE)
    standard_error: pl.Float64 = pa.Field(nullable=True, **NON_NEGATIVE)
    recommend_suppress: pl.Boolean = pa.Field(nullable=True)
    not_relevant: pl.Boolean = pa.Field(nullable=True)

    class Config:
        unique: ClassVar[list[str]] = [
            "onet_soc_code", "domain", "element_id", "scale_id", "category"]


class TaskRatingModel(pa.DataFrameModel):
    onet_soc_code: str = pa.Field(str_matches=ONET_SOC_PATTERN)
    task_id: pl.Int64
    scale_id: str = pa.Field(isin=["IM", "RT", "FT"])
    category: pl.Int64 = pa.Field(nullable=True)
    data_value: pl.Float64 = pa.Field(**NON_NEGATIVE)
    n: pl.Int64 = pa.Field(nullable=True, **NON_NEGATIVE)
    standard_error: pl.Float64 = pa.Field(nullable=True, **NON_NEGATIVE)
    recommend_suppress: pl.Boolean = pa.Field(nullable=True)

    class Config:
        unique: ClassVar[list[str]] = ["onet_soc_code", "task_id", "scale_id", "category"]


class ContentModelModel(pa.DataFrameModel):
    element_id: str = pa.Field(unique=True)
    element_name: str
    description: str


@dataclass(frozen=True)
class _Release:
    """One O*NET release under the raw directory: finds, reads and records its files."""

    ctx: IngestContext
    name: str
    # file -> its header-to-column map, so validation errors name the header a person sees.
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    # Excel workbooks being parsed ahead in threads (the parser releases the GIL).
    prefetched: dict[Path, Future[pl.DataFrame]] = field(default_factory=dict)

    def prefetch(self, pool: ThreadPoolExecutor, names: Iterable[str]) -> None:
        """Start parsing the Excel edition of each present file of `names`."""
        for name in names:
            path = self.ctx.find(self._editions(name)[0])
            if path is not None:
                self.prefetched[path] = pool.submit(read_sheet, path, self.ctx.relative(path), ())

    @staticmethod
    def _editions(name: str) -> tuple[str, str]:
        return f"{ONET_DIR}/{name}.xlsx", f"{ONET_DIR}/{name}.txt"

    def has(self, name: str) -> bool:
        return self.ctx.find(*self._editions(name)) is not None

    def read(self, name: str, table: str, columns: dict[str, str],
             numbers: dict[str, type[pl.DataType]] | None = None, flags: Sequence[str] = (),
             optional: Sequence[str] = ()) -> tuple[pl.DataFrame, str]:
        """File `name` (Excel edition first), recorded for `table`, and its name for errors.

        `columns` maps headers to warehouse names; `numbers` and `flags` (Y/N) are converted
        from text; `optional` headers that some files lack become null columns. The frame
        keeps `_row` for `check`. A missing file is an `InputError`.
        """
        path = self.ctx.locate(*self._editions(name))
        file = self.ctx.relative(path)
        required = [c for c in columns if c not in optional]
        if path in self.prefetched:
            df = self.prefetched.pop(path).result()
            require_columns(df, file, required, header_row=1)
        else:
            df = (read_sheet if path.suffix == ".xlsx" else read_delimited)(path, file, required)
        self.ctx.record(table, path, self.name, df.height)
        self.headers[file] = columns
        df = df.with_columns(pl.lit(None, pl.String).alias(c) for c in optional
                             if c not in df.columns)
        # The text edition writes a missing value as "n/a"; the Excel edition leaves it blank.
        df = df.with_columns(pl.when(pl.col(pl.String) != "n/a").then(pl.col(pl.String)))
        for column, dtype in (numbers or {}).items():
            # O*NET flags unreliable values in Recommend Suppress, never by a marker in the cell.
            df = to_number(df, column, file, dtype, markers=())
        for column in flags:
            df = _yes_no(df, column, file)
        return df.select(ROW, *columns).rename(columns), file

    def check(self, df: pl.DataFrame, model: type[pa.DataFrameModel], file: str,
              *references: Reference) -> pl.DataFrame:
        """Validate `df` against `model`, then require its keys to be in other files."""
        checked = validate(df, model, file, self.ctx, file_columns=self.headers.get(file))
        for reference in references:
            _require_known(df, file, *reference)
        return checked


def release_name(ctx: IngestContext) -> str:
    """The release named in `Read Me.txt` (e.g. 'O*NET 29.2'), else the staged release."""
    readme = ctx.find(f"{ONET_DIR}/Read Me.txt")
    text = readme.read_text(errors="replace") if readme else ""
    found = re.search(r"O\*NET\s+\d+(?:\.\d+)?", text)
    return re.sub(r"\s+", " ", found.group(0)) if found else DEFAULT_RELEASE


def _require_known(df: pl.DataFrame, file: str, keys: dict[str, str], known: pl.DataFrame,
                   source: str) -> None:
    """Every key of `df` (header -> column) must be in `known`, which was read from `source`."""
    columns = list(keys.values())
    missing = df.join(known.select(columns).unique(), on=columns, how="anti")
    if missing.height:
        first = missing.sort(ROW).row(0, named=True)
        raise InputError(
            file,
            f"'{' '.join(str(first[c]) for c in columns)}' is not in {source} "
            f"({missing.height} row(s) in all)",
            f"use files of one O*NET release or {REDOWNLOAD_HINT}",
            row=first[ROW], column=", ".join(keys),
        )


def _yes_no(df: pl.DataFrame, column: str, file: str) -> pl.DataFrame:
    """Convert an O*NET Y/N flag to Boolean; blank is null, any other value an error."""
    text = pl.col(column).str.strip_chars()
    bad = df.filter(text.is_not_null() & (text != "") & ~text.is_in(["Y", "N"]))
    if bad.height:
        first = bad.row(0, named=True)
        raise InputError(file, f"'{first[column]}' is not Y or N",
                         f"correct the value or {REDOWNLOAD_HINT}", row=first[ROW], column=column)
    return df.with_columns(pl.when(text == "Y").then(True).when(text == "N").then(False)
                           .alias(column))


def _occupations(rel: _Release) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Occupations with their job zone and whether they have tasks, and the task statements."""
    occ, occ_file = rel.read("Occupation Data", "occupation", {
        CODE: "onet_soc_code", "Title": "title", "Description": "description"})
    occ = rel.check(occ.with_columns(pl.col("onet_soc_code").str.slice(0, 7).alias("soc_code")),
                    OccupationDataModel, occ_file)
    in_occupations: Reference = ({CODE: "onet_soc_code"}, occ, "Occupation Data")

    zones, file = rel.read("Job Zones", "occupation", {
        CODE: "onet_soc_code", "Job Zone": "job_zone"}, {"Job Zone": pl.Int8})
    zones = rel.check(zones, JobZoneModel, file, in_occupations)

    tasks, file = rel.read("Task Statements", "task", {
        CODE: "onet_soc_code", "Task ID": "task_id", "Task": "task", "Task Type": "task_type",
        "Incumbents Responding": "incumbents_responding", "Date": "date",
        "Domain Source": "domain_source",
    }, {"Task ID": pl.Int64, "Incumbents Responding": pl.Int64})
    tasks = rel.check(tasks, TaskModel, file, in_occupations)

    with_tasks = tasks.get_column("onet_soc_code").unique().implode()
    occ = occ.join(zones, on="onet_soc_code", how="left").with_columns(
        pl.col("onet_soc_code").is_in(with_tasks).alias("has_tasks"))
    return rel.check(occ, OccupationModel, occ_file), tasks


def _work_activities(rel: _Release, tasks: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The DWA -> IWA -> GWA hierarchy, and which DWAs each task statement performs."""
    iwa, file = rel.read("IWA Reference", "work_activity", {
        "IWA ID": "iwa_id", "IWA Title": "iwa_title", "Element ID": "gwa_id",
        "Element Name": "gwa_title"})
    iwa = rel.check(iwa, IwaModel, file)

    dwa, file = rel.read("DWA Reference", "work_activity", {
        "DWA ID": "dwa_id", "DWA Title": "dwa_title", "IWA ID": "iwa_id"})
    # Before the join: a DWA whose IWA is unknown would otherwise surface as a null title.
    _require_known(dwa, file, {"IWA ID": "iwa_id"}, iwa, "IWA Reference")
    activities = rel.check(dwa.join(iwa, on="iwa_id", how="left"), WorkActivityModel, file)

    links, file = rel.read("Tasks to DWAs", "task_dwa", {
        CODE: "onet_soc_code", "Task ID": "task_id", "DWA ID": "dwa_id"}, {"Task ID": pl.Int64})
    task_dwa = rel.check(links, TaskDwaModel, file,
                         ({CODE: "onet_soc_code", "Task ID": "task_id"}, tasks, "Task Statements"),
                         ({"DWA ID": "dwa_id"}, activities, "DWA Reference"))
    return activities, task_dwa


def _descriptors(rel: _Release, occ: pl.DataFrame, content: pl.DataFrame) -> pl.DataFrame:
    """Every rating file present, stacked into one long table with its domain."""
    frames = []
    for domain, name in DESCRIPTOR_FILES.items():
        if name in OPTIONAL_FILES and not rel.has(name):
            continue
        df, file = rel.read(name, "occupation_descriptor", {
            **RATING_COLUMNS, "Element ID": "element_id", "Element Name": "element_name",
        }, RATING_NUMBERS, RATING_FLAGS, optional=("Category", "Not Relevant"))
        frames.append(rel.check(df.with_columns(pl.lit(domain).alias("domain")),
                                DescriptorModel, file,
                                ({CODE: "onet_soc_code"}, occ, "Occupation Data"),
                                ({"Element ID": "element_id"}, content,
                                 "Content Model Reference")))
    return pl.concat(frames)


def _task_ratings(rel: _Release, tasks: pl.DataFrame) -> pl.DataFrame:
    """Task importance, relevance and frequency; empty (same schema) when the file is absent."""
    if not rel.has("Task Ratings"):
        schema = TaskRatingModel.to_schema().columns
        return pl.DataFrame(schema={name: col.dtype.type for name, col in schema.items()})
    df, file = rel.read("Task Ratings", "task_rating", {**RATING_COLUMNS, "Task ID": "task_id"},
                        {**RATING_NUMBERS, "Task ID": pl.Int64}, RATING_FLAGS,
                        optional=("Not Relevant",))
    return rel.check(df, TaskRatingModel, file,
                     ({CODE: "onet_soc_code", "Task ID": "task_id"}, tasks, "Task Statements"))


def read_onet(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """Read one O*NET release (Excel or text edition) into validated warehouse tables."""
    rel = _Release(ctx, release_name(ctx))
    with ThreadPoolExecutor(max_workers=2) as pool:
        rel.prefetch(pool, ALL_FILES)
        return _read_all(rel)


def _read_all(rel: _Release) -> dict[str, pl.DataFrame]:
    occupation, task = _occupations(rel)
    work_activity, task_dwa = _work_activities(rel, task)
    tech, file = rel.read("Technology Skills", "technology_skill", {
        CODE: "onet_soc_code", "Example": "example", "Commodity Code": "commodity_code",
        "Commodity Title": "commodity_title", "Hot Technology": "hot_technology",
        "In Demand": "in_demand",
    }, flags=("Hot Technology", "In Demand"))
    technology_skill = rel.check(tech, TechnologySkillModel, file,
                                 ({CODE: "onet_soc_code"}, occupation, "Occupation Data"))
    content, file = rel.read("Content Model Reference", "content_model", {
        "Element ID": "element_id", "Element Name": "element_name", "Description": "description"})
    content_model = rel.check(content, ContentModelModel, file)
    return {
        "occupation": occupation,
        "task": task,
        "task_dwa": task_dwa,
        "work_activity": work_activity,
        "technology_skill": technology_skill,
        "occupation_descriptor": _descriptors(rel, occupation, content_model),
        "task_rating": _task_ratings(rel, task),
        "content_model": content_model,
    }

"""Each feature component of `registry.COMPONENTS` as a small function of the inputs.

A component function takes the prepared `Inputs` and returns a frame keyed by `task_id`
(a task-level component) or `onet_soc_code` (an occupation-level one, the same for all of
the occupation's tasks) with one Float64 column named after the component, in [0, 1] or
null. Occupation-level values are percentile ranks pr(·) across occupations, weighted by
their OEWS employment (`percentile.py`).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from exposure.features import text
from exposure.features.inputs import Inputs
from exposure.features.percentile import percentile_rank

OCC = "onet_soc_code"
TASK = "task_id"
Function = Callable[[Inputs], pl.DataFrame]


def occupation_rank(x: Inputs, frame: pl.DataFrame, value: str, name: str,
                    invert: bool = False) -> pl.DataFrame:
    """pr(`value`) of `frame` (keyed by occupation) across occupations, or 1 − pr."""
    data = x.occupations.select(OCC, "employment").join(
        frame.select(OCC, value), on=OCC, how="left")
    ranked = percentile_rank(data, value, "employment", [OCC], name)
    return ranked.with_columns((1.0 - pl.col(name)).alias(name)) if invert else ranked


def _measure(key: str, name: str, invert: bool = False) -> Function:
    """pr of an O*NET descriptor element of `elements.ELEMENTS` (null when absent)."""
    def component(x: Inputs) -> pl.DataFrame:
        if key not in x.measures.columns:
            return pl.DataFrame(schema={OCC: pl.String, name: pl.Float64})
        return occupation_rank(x, x.measures, key, name, invert)
    component.__name__ = name
    return component


def _activity(key: str, name: str, invert: bool = False) -> Function:
    """Share of the task's DWAs in a GWA set (`inputs.GWA_SETS`), or 1 − that share."""
    def component(x: Inputs) -> pl.DataFrame:
        share = pl.col(key)
        return x.activity.select(TASK, (1.0 - share if invert else share).alias(name))
    component.__name__ = name
    return component


def _work_context(key: str, column: str, name: str, invert: bool = False) -> Function:
    """pr of a Work Context item: O*NET Work Context when the occupation has it, else the
    same item from the GPTs-are-GPTs occupation file (each ranked within its own source)."""
    def component(x: Inputs) -> pl.DataFrame:
        ranked = occupation_rank(x, x.context, column, "_gpts", invert)
        if key in x.measures.columns:
            official = occupation_rank(x, x.measures, key, "_onet", invert)
            ranked = official.join(ranked, on=OCC, how="full", coalesce=True).select(
                OCC, pl.coalesce("_onet", "_gpts").alias("_gpts"))
        return ranked.rename({"_gpts": name})
    component.__name__ = name
    return component


def statements(x: Inputs) -> pl.DataFrame:
    """task_id, verb, information_share of each task statement."""
    return text.classify_statements(x.tasks.select(TASK, "task"), "task").drop("task")


def da_text_verb(x: Inputs, classes: pl.DataFrame | None = None) -> pl.DataFrame:
    classes = statements(x) if classes is None else classes
    return classes.select(TASK, text.text_output(pl.col("verb"), pl.col("information_share"))
                          .alias("da_text_verb"))


def da_text_object(x: Inputs, classes: pl.DataFrame | None = None) -> pl.DataFrame:
    classes = statements(x) if classes is None else classes
    return classes.select(TASK, pl.col("information_share").alias("da_text_object"))


def v_verb(x: Inputs, classes: pl.DataFrame | None = None) -> pl.DataFrame:
    classes = statements(x) if classes is None else classes
    return classes.select(TASK, text.verb_class(pl.col("verb")).alias("v_verb"))


def da_information_iwa(x: Inputs) -> pl.DataFrame:
    return x.activity.select(TASK, pl.col("information").alias("da_information_iwa"))


def _technology(name: str, hot_only: bool) -> Function:
    """pr of the number of Technology Skills examples (hot ones only if `hot_only`); an
    occupation with task statements and no examples counts 0."""
    def component(x: Inputs) -> pl.DataFrame:
        rows = x.technology.filter(pl.col("hot_technology")) if hot_only else x.technology
        counts = rows.group_by(OCC).agg(pl.len().cast(pl.Float64).alias("_n"))
        scored = x.tasks.select(OCC).unique().join(counts, on=OCC, how="left").with_columns(
            pl.col("_n").fill_null(0.0))
        return occupation_rank(x, scored, "_n", name)
    component.__name__ = name
    return component


def da_practitioners(x: Inputs) -> pl.DataFrame:
    """pr(Emp_o · FT_i) over tasks weighted by their employment when Task Ratings has FT,
    else pr(Emp_o) over occupations."""
    if x.has_frequency:
        volume = x.tasks.join(x.occupations.select(OCC, pl.col("employment").alias("_emp")),
                              on=OCC, how="left").select(
            TASK, "employment", (pl.col("_emp") * pl.col("per_year")).alias("_volume"))
        return percentile_rank(volume, "_volume", "employment", [TASK], "da_practitioners")
    return occupation_rank(x, x.occupations, "employment", "da_practitioners")


def v_job_zone(x: Inputs) -> pl.DataFrame:
    return occupation_rank(x, x.occupations, "job_zone", "v_job_zone", invert=True)


def v_benchmark(x: Inputs) -> pl.DataFrame:
    return x.benchmarks.select(OCC, pl.col("benchmark").alias("v_benchmark"))


def _proxy_rank(x: Inputs, key: str, name: str) -> pl.DataFrame:
    """pr of the occupation's task-weighted share of DWAs in GWA set `key`."""
    share = (x.activity.join(x.tasks.select(TASK, "weight"), on=TASK).sort(TASK)
             .group_by(OCC).agg(((pl.col(key) * pl.col("weight")).sum()
                                 / pl.col("weight").sum()).alias("_share")))
    return occupation_rank(x, share, "_share", name)


def _official_or_proxy(x: Inputs, element: str, gwa_set: str, name: str) -> pl.DataFrame:
    """pr of the O*NET element where the occupation has it, else pr of the DWA proxy."""
    ranked = _proxy_rank(x, gwa_set, "_proxy")
    if element in x.measures.columns:
        official = occupation_rank(x, x.measures, element, "_onet")
        ranked = official.join(ranked, on=OCC, how="full", coalesce=True).select(
            OCC, pl.coalesce("_onet", "_proxy").alias("_proxy"))
    return ranked.rename({"_proxy": name})


def manual_intensity(x: Inputs) -> pl.DataFrame:
    """m = pr(hands) · (1 − pr(computers)) (MODEL_SPEC §2.1)."""
    hands = _official_or_proxy(x, "wc_hands", "physical", "_hands")
    computers = _official_or_proxy(x, "wa_computers", "digital", "_computers")
    return hands.join(computers, on=OCC, how="full", coalesce=True).select(
        OCC, (pl.col("_hands") * (1.0 - pl.col("_computers"))).alias("manual_intensity"))


def face_to_face(x: Inputs) -> pl.DataFrame:
    return _official_or_proxy(x, "wc_face_to_face", "face_to_face", "face_to_face")


def gatekeeping(x: Inputs) -> pl.DataFrame:
    """G_o (MODEL_SPEC §7.6 P7): the union representation rate, as a share, of the
    occupation's SOC major group (CPS Table 42, 2016; `union_density`). §1.3's licensing
    share is left out: no licensing-by-occupation table exists in the public data found
    (SOURCES.md, 'Not found'). Null for military (55), which the CPS table does not cover,
    and when the table is absent."""
    return (x.occupations.select(OCC, pl.col("soc_code").str.slice(0, 2).alias("soc_major"))
            .join(x.union, on="soc_major", how="left")
            .select(OCC, pl.col("union_rate").cast(pl.Float64).alias("gatekeeping")))


def job_zone(x: Inputs) -> pl.DataFrame:
    return x.occupations.select(OCC, "job_zone")


# name -> function; the order and names are those of registry.COMPONENTS.
FUNCTIONS: dict[str, Function] = {
    "da_computers_dwa": _activity("computers", "da_computers_dwa"),
    "da_documenting_dwa": _activity("documenting", "da_documenting_dwa"),
    "da_processing_dwa": _activity("processing", "da_processing_dwa"),
    "da_not_physical_dwa": _activity("physical", "da_not_physical_dwa", invert=True),
    "da_information_iwa": da_information_iwa,
    "da_text_verb": da_text_verb,
    "da_text_object": da_text_object,
    "da_tech_skills": _technology("da_tech_skills", hot_only=False),
    "da_hot_tech": _technology("da_hot_tech", hot_only=True),
    "da_programming": _measure("sk_programming", "da_programming"),
    "da_writing": _measure("sk_writing", "da_writing"),
    "da_mathematics": _measure("sk_mathematics", "da_mathematics"),
    "da_computers_knowledge": _measure("kn_computers", "da_computers_knowledge"),
    "da_practitioners": da_practitioners,
    "da_computers_wa": _measure("wa_computers", "da_computers_wa"),
    "da_documenting_wa": _measure("wa_documenting", "da_documenting_wa"),
    "da_processing_wa": _measure("wa_processing", "da_processing_wa"),
    "da_not_hands_wc": _measure("wc_hands", "da_not_hands_wc", invert=True),
    "v_verb": v_verb,
    "v_job_zone": v_job_zone,
    "v_exact": _work_context("wc_exact", "importance_of_being_exact_or_accurate_context",
                             "v_exact"),
    "v_repetition": _work_context("wc_repetition", "importance_of_repeating_same_tasks_context",
                                  "v_repetition"),
    "v_structured": _work_context("wc_structured", "structured_versus_unstructured_work_context",
                                  "v_structured", invert=True),
    "v_automation": _work_context("wc_automation", "degree_of_automation_context",
                                  "v_automation"),
    "v_not_caring_dwa": _activity("caring", "v_not_caring_dwa", invert=True),
    "v_not_face_to_face_dwa": _activity("face_to_face", "v_not_face_to_face_dwa", invert=True),
    "v_not_face_to_face_wc": _measure("wc_face_to_face", "v_not_face_to_face_wc", invert=True),
    "v_not_caring_wa": _measure("wa_caring", "v_not_caring_wa", invert=True),
    "v_benchmark": v_benchmark,
    "gatekeeping": gatekeeping,
    "manual_intensity": manual_intensity,
    "face_to_face": face_to_face,
    "job_zone": job_zone,
}
# Components that read the statement classes; `build` classifies the statements once.
STATEMENT_COMPONENTS = frozenset({"da_text_verb", "da_text_object", "v_verb"})

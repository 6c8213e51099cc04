"""Comparing scorers' occupation exposure with a published occupation-level index.

Our exposure is the roll-up's (`occupation_exposure`: the task-weighted mean score per O*NET
occupation), taken to the reference's codes: O*NET-SOC codes as they are; 7-character codes
of SOC 2018 as BLS (NEM) codes, each the crosswalk-split mean of its O*NET occupations, and
the SOC 2018 codes inside NEM aggregates (13-1020 holds 13-1021 to 13-1023) as the
employment-weighted mean of their O*NET occupations; SOC 2010 codes through the BLS crosswalk
(`exposure.scorers.soc_versions`). Per scorer: Spearman and Pearson correlation over the codes
both score, the overlap of the top lists, and the occupations on which they disagree most,
by percentile rank (the reference's scale need not be ours).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from exposure.codes import ONET_SOC_PATTERN, SOC_PATTERN
from exposure.errors import ConfigError, ExposureError, InputError, WarehouseError
from exposure.scorers.reference import ROW, Reference, read_reference
from exposure.scorers.soc_versions import (
    SPLIT_RULE,
    by_soc_2018,
    detect_version,
    to_soc_2010,
)

TOP = 50
DISAGREE = 20
SHOWN = 10
OURS = ("scorer", "onet_soc_code", "exposure", "employment")
# The tables a comparison reads besides the scores (soc_2010_crosswalk may be absent from a
# warehouse ingested before it was added: then SOC 2010 files cannot be compared).
TABLES = ("occupation", "crosswalk", "soc_structure", "soc_2010_crosswalk")
# (tables, task_feature) of the raw directory, read when a scorer must be scored from it.
Sources = Callable[[], tuple[Mapping[str, pl.DataFrame], pl.DataFrame | None]]


@dataclass
class Comparison:
    """`metrics`: one row per scorer; `matched`: every code both score, per scorer, with
    percentile ranks; `disagreements`: the codes ranked most apart in each direction;
    `unknown`: reference rows whose code names no occupation (soc_code, row, problem);
    `notes`: how codes were read and mapped; `warnings`: scorers fitted on the labels a
    reference may be built from."""

    metrics: pl.DataFrame
    matched: pl.DataFrame
    disagreements: pl.DataFrame = field(default_factory=pl.DataFrame)
    unknown: pl.DataFrame = field(default_factory=pl.DataFrame)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def trained_on(scorer: Any) -> str | None:
    """What `scorer` was fitted on, when that is labels a reference may be built from: its
    attribute `trained_on` (a phrase; built-ins and plug-ins declare it alike)."""
    declared = getattr(scorer, "trained_on", None)
    return str(declared) if declared else None


def training_warning(name: str, labels: str) -> str:
    return (f"{name} was trained on {labels}: against a reference built from them (such as "
            "GPTs-are-GPTs' occ_level.csv) its agreement is in-sample, not a test; "
            "`exposure scorers evaluate` gives its agreement on held-out occupations")


# --- the codes a reference may use ----------------------------------------------------------

def known_codes(tables: Mapping[str, pl.DataFrame], version: str) -> pl.DataFrame:
    """(soc_code, title) of every code of this release at one level: 'onet', '2018' (SOC
    2018 detailed codes and BLS NEM codes) or '2010' (SOC 2010 codes of the crosswalk)."""
    if version == "onet":
        return tables["occupation"].select("onet_soc_code", "title").rename(
            {"onet_soc_code": "soc_code"})
    if version == "2010":
        return tables["soc_2010_crosswalk"].select(
            pl.col("soc_2010_code").alias("soc_code"), pl.col("soc_2010_title").alias("title")
        ).unique("soc_code", keep="first")
    structure = tables["soc_structure"].filter(pl.col("level") == "detailed")
    return pl.concat([
        structure.select("soc_code", "title"),
        tables["crosswalk"].select("soc_code", pl.col("soc_title").alias("title")),
        tables["occupation"].select("soc_code", "title"),
    ]).unique("soc_code", keep="first")


def split_unknown(reference: Reference, known: pl.DataFrame, version: str,
                  strict: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows whose code names a known occupation, with its title; the other rows with what
    is wrong). With `strict`, the first unknown row is an InputError instead."""
    shape = ONET_SOC_PATTERN if version == "onet" else SOC_PATTERN
    system = {"onet": "an O*NET-SOC 2019 occupation", "2018": "a SOC 2018 or BLS (NEM) code",
              "2010": "a SOC 2010 code"}[version]
    example = "15-1252.00" if version == "onet" else "15-1252"
    frame = reference.frame.join(known, on="soc_code", how="left")
    unknown = frame.filter(pl.col("title").is_null()).select(
        "soc_code", ROW,
        pl.when(pl.col("soc_code").str.contains(shape))
        .then(pl.lit(f"not {system}")).otherwise(pl.lit(f"not a code like {example}"))
        .alias("problem")).sort(ROW)
    if strict and unknown.height:
        first = unknown.row(0, named=True)
        raise InputError(reference.file, f"'{first['soc_code']}' is {first['problem']} "
                         f"({unknown.height} such rows)",
                         "correct or remove those rows, or leave out --strict to list them "
                         "and compare the rest", row=first[ROW], column=reference.code_column)
    return frame.filter(pl.col("title").is_not_null()), unknown


def unknown_sentence(unknown: pl.DataFrame, version: str) -> str:
    codes = [f"{c} (row {r})" for c, r in unknown.select("soc_code", ROW).iter_rows()]
    listed = ", ".join(codes[:SHOWN]) + (f" and {len(codes) - SHOWN} more"
                                         if len(codes) > SHOWN else "")
    level = "O*NET-SOC" if version == "onet" else f"SOC {version}"
    return (f"{len(codes)} reference codes name no {level} occupation and are left out: "
            f"{listed}")


# --- our exposure at the reference's codes -------------------------------------------------

def at_bls_codes(ours: pl.DataFrame, crosswalk: pl.DataFrame) -> pl.DataFrame:
    """(scorer, soc_code, exposure): BLS (NEM) codes as the crosswalk splits them, then
    SOC 2018 codes that are not NEM codes (inside a NEM aggregate)."""
    nem = crosswalk.select("onet_soc_code", "soc_code", "split_weight").join(
        ours.drop_nulls("exposure"), on="onet_soc_code").filter(pl.col("split_weight") > 0)
    nem = nem.group_by("scorer", "soc_code").agg(
        ((pl.col("split_weight") * pl.col("exposure")).sum() / pl.col("split_weight").sum())
        .alias("exposure"))
    soc = by_soc_2018(ours).join(nem.select("soc_code").unique(), on="soc_code", how="anti")
    return pl.concat([nem, soc.select("scorer", "soc_code", "exposure")])


def at_codes(ours: pl.DataFrame, tables: Mapping[str, pl.DataFrame], version: str
             ) -> pl.DataFrame:
    """(scorer, soc_code, exposure) at the level of `version` ('onet', '2018', '2010')."""
    if version == "onet":
        return ours.drop_nulls("exposure").select(
            "scorer", pl.col("onet_soc_code").alias("soc_code"), "exposure")
    if version == "2018":
        return at_bls_codes(ours, tables["crosswalk"])
    return to_soc_2010(by_soc_2018(ours), tables["soc_2010_crosswalk"])


# --- figures ----------------------------------------------------------------------------------

def _correlation(fn: Any, a: np.ndarray, b: np.ndarray) -> float:
    enough = len(a) >= 3 and np.ptp(a) > 0 and np.ptp(b) > 0
    return float(fn(a, b).statistic) if enough else math.nan


def compare_occupations(ours: pl.DataFrame, reference: pl.DataFrame, top: int = TOP,
                        ) -> Comparison:
    """Spearman and Pearson correlation of (soc_code, exposure) with (soc_code, reference)
    over the codes both score, and the overlap of their `top` highest codes."""
    matched = ours.select("soc_code", "exposure").drop_nulls().join(
        reference.select("soc_code", "reference").drop_nulls(), on="soc_code", how="inner"
    ).sort("soc_code")
    a = matched.get_column("exposure").to_numpy()
    b = matched.get_column("reference").to_numpy()
    k = min(top, matched.height)
    top_ours = set(matched.sort(["exposure", "soc_code"], descending=[True, False])
                   .head(k).get_column("soc_code"))
    top_ref = set(matched.sort(["reference", "soc_code"], descending=[True, False])
                  .head(k).get_column("soc_code"))
    metrics = pl.DataFrame({
        "n_ours": [ours.drop_nulls("exposure").height], "n_reference": [reference.height],
        "n_matched": [matched.height],
        "spearman": [_correlation(stats.spearmanr, a, b)],
        "pearson": [_correlation(stats.pearsonr, a, b)],
        "top_n": [k], "top_overlap": [len(top_ours & top_ref)],
        "top_overlap_share": [len(top_ours & top_ref) / k if k else math.nan],
    })
    return Comparison(metrics, matched)


def percentile_ranks(matched: pl.DataFrame) -> pl.DataFrame:
    """`pct_ours`, `pct_reference` (0-100, average rank of ties) and `gap` = ours minus the
    reference's, in percentile points: positive where the scorer ranks a code higher."""
    n = pl.len()
    def pct(column: str) -> pl.Expr:
        return (pl.col(column).rank("average") - 1) / pl.max_horizontal(n - 1, 1) * 100
    return matched.with_columns(pct("exposure").alias("pct_ours"),
                                pct("reference").alias("pct_reference")).with_columns(
        (pl.col("pct_ours") - pl.col("pct_reference")).alias("gap"))


def disagreements(matched: pl.DataFrame, n: int = DISAGREE) -> pl.DataFrame:
    """One scorer's `n` codes with the largest positive gap ('scorer higher') and `n` with
    the largest negative gap ('reference higher'), each with its rank."""
    parts = []
    for direction, descending in (("scorer higher", True), ("reference higher", False)):
        side = matched.filter(pl.col("gap") > 0 if descending else pl.col("gap") < 0)
        parts.append(side.sort(["gap", "soc_code"], descending=[descending, False]).head(n)
                     .with_columns(pl.lit(direction).alias("direction"),
                                   pl.int_range(1, pl.len() + 1).alias("rank")))
    return pl.concat(parts).select("scorer", "direction", "rank", "soc_code", "title",
                                   "exposure", "reference", "pct_ours", "pct_reference", "gap")


def compare(reference: Reference, ours: pl.DataFrame, tables: Mapping[str, pl.DataFrame],
            soc_version: str = "auto", strict: bool = False, top: int = TOP,
            n_disagree: int = DISAGREE, training: Mapping[str, str | None] | None = None,
            ) -> Comparison:
    """Compare each scorer of `ours` (columns OURS, one row per scorer and O*NET occupation)
    with `reference`. `soc_version` ('auto', '2010', '2018') says how 7-character codes are
    read; `training` maps a scorer to what it was fitted on (a warning each)."""
    notes: list[str] = []
    if reference.level == "onet":
        version = "onet"
    elif soc_version == "auto":
        version, why = detect_version(reference.frame.get_column("soc_code"),
                                      tables.get("soc_2010_crosswalk"),
                                      known_codes(tables, "2018").get_column("soc_code"))
        notes.append(f"codes {why}")
    else:
        version = soc_version
    if version == "2010":
        if tables.get("soc_2010_crosswalk") is None:
            raise WarehouseError("the warehouse has no soc_2010_crosswalk table, which maps "
                                 "SOC 2010 codes", "run `exposure ingest` (or a refresh) "
                                 "to add it")
        notes.append(SPLIT_RULE)
    known, unknown = split_unknown(reference, known_codes(tables, version), version, strict)
    if unknown.height:
        notes.append(unknown_sentence(unknown, version))
    level = {"onet": "O*NET-SOC 2019", "2018": "SOC 2018 / BLS", "2010": "SOC 2010"}[version]
    ours_at = at_codes(ours.select(OURS), tables, version)
    rows, matched = [], []
    warnings = [training_warning(s, t) for s, t in (training or {}).items() if t]
    for scorer in ours.get_column("scorer").unique(maintain_order=True):
        result = compare_occupations(ours_at.filter(pl.col("scorer") == scorer), known, top)
        rows.append(result.metrics.select(
            pl.lit(scorer).alias("scorer"), pl.lit(level).alias("level"),
            pl.col("n_ours"), pl.lit(reference.frame.height).alias("n_reference"),
            pl.lit(unknown.height).alias("n_unknown"), pl.exclude("n_ours", "n_reference"),
            pl.lit((training or {}).get(scorer), pl.String).alias("trained_on")))
        matched.append(percentile_ranks(result.matched).join(
            known.select("soc_code", "title"), on="soc_code", how="left").select(
            pl.lit(scorer).alias("scorer"), "soc_code", "title",
            pl.exclude("soc_code", "title")))
    return Comparison(pl.concat(rows), pl.concat(matched),
                      pl.concat([disagreements(m, n_disagree) for m in matched]), unknown,
                      notes, warnings)


# --- where our exposure comes from ----------------------------------------------------------

def scored_from_sources(tables: Mapping[str, pl.DataFrame], spec: str,
                        task_feature: pl.DataFrame | None = None) -> tuple[pl.DataFrame, Any]:
    """(OURS frame, the fitted scorer) for scorer `spec`, scoring every task of the raw
    sources' tables: for scorers that are not in the warehouse's latest run."""
    from exposure.rollup import occupation_scores
    from exposure.rollup.employment import occupation_exposure
    from exposure.scorers.base import score_tasks
    from exposure.scorers.inputs import task_inputs, task_targets
    from exposure.scorers.registry import load_scorer
    from exposure.settings import get_settings

    scorer = load_scorer(spec, tables)
    X = task_inputs(tables, task_feature)
    scores = score_tasks(scorer, X, task_targets(tables, X))
    name = scores.get_column("scorer")[0] if scores.height else spec
    occupations = occupation_scores(scores, tables["task"], tables.get("task_rating"))
    rows = occupation_exposure(occupations, tables["occupation"], tables["crosswalk"],
                               tables["employment"], get_settings().oews_year, name)
    return rows.select(OURS), scorer


def compare_with_reference(tables: Mapping[str, pl.DataFrame], spec: str, reference: Path,
                           column: str | None = None, code_column: str | None = None,
                           task_feature: pl.DataFrame | None = None, top: int = TOP,
                           soc_version: str = "auto", strict: bool = False) -> Comparison:
    """Score every task of the raw sources' `tables` with scorer `spec` and compare it with
    the `reference` file: the comparison of a scorer that no warehouse holds yet."""
    frame = read_reference(reference, column, code_column)
    ours, scorer = scored_from_sources(tables, spec, task_feature)
    name = ours.get_column("scorer")[0] if ours.height else spec
    return compare(frame, ours, tables, soc_version, strict, top,
                   training={name: trained_on(scorer)})


def warehouse_inputs(path: Path, scorers: Sequence[str] | None
                     ) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], str]:
    """(OURS frame of the latest run's `occupation_exposure` for `scorers`, default every
    scorer of that run; the reference tables of TABLES the warehouse has; the run id)."""
    from exposure.runs import latest_run_id
    from exposure.warehouse import connect_read_only, table_names

    con = connect_read_only(path)
    try:
        present = table_names(con)
        if "occupation_exposure" not in present:
            raise WarehouseError(f"the warehouse {path} has no occupation_exposure table yet",
                                 "run `exposure refresh` (or `exposure rollup`) first")
        run_id = latest_run_id(con, "occupation_exposure")
        ours = con.execute("SELECT scorer, onet_soc_code, exposure, employment "
                           "FROM latest_occupation_exposure ORDER BY scorer, onet_soc_code"
                           ).pl()
        tables = {t: con.execute(f'SELECT * FROM "{t}"').pl() for t in TABLES if t in present}
    finally:
        con.close()
    if ours.is_empty():
        raise WarehouseError(f"the latest run of {path} has no occupation exposure",
                             "run `exposure refresh` (or `exposure rollup`) first")
    if scorers:
        ours = ours.filter(pl.col("scorer").is_in(list(scorers)))
    return ours, tables, run_id


def compare_with_warehouse(reference: Reference, warehouse: Path,
                           specs: Sequence[str] | None = None,
                           sources: Sources | None = None, soc_version: str = "auto",
                           strict: bool = False, top: int = TOP, n_disagree: int = DISAGREE,
                           ) -> tuple[Comparison, str]:
    """Compare the warehouse's latest run with `reference`: every scorer of the run, or the
    scorers `specs` names. A spec the run lacks is scored from the raw sources:
    `sources()` returns (tables, task_feature) of the raw directory (read only then).
    Returns the comparison and the run id."""
    from exposure.scorers.base import scorer_name
    from exposure.scorers.registry import load_scorer

    stored, tables, run_id = warehouse_inputs(warehouse, None)
    names = stored.get_column("scorer").unique(maintain_order=True).to_list()
    read_once = functools.cache(sources) if sources is not None else None
    parts, training = [], {}
    for spec in (specs or names):
        try:
            scorer = load_scorer(spec)
        except ExposureError:
            if specs:  # asked for by name: say why it cannot be scored
                raise
            scorer = None  # a stored plug-in that no longer imports: its rows still compare
        name = spec if scorer is None else scorer_name(scorer)
        if name in names:
            parts.append(stored.filter(pl.col("scorer") == name))
        else:
            if read_once is None:
                raise ConfigError(f"scorer '{spec}' is not in the warehouse's latest run "
                                  f"({', '.join(names)})", "name one of those, or give the "
                                  "raw directory to score it from the sources")
            source_tables, task_feature = read_once()
            rows, scorer = scored_from_sources(source_tables, spec, task_feature)
            parts.append(rows)
        training[name] = trained_on(scorer) if scorer is not None else None
    return compare(reference, pl.concat(parts), tables, soc_version, strict, top, n_disagree,
                   training), run_id

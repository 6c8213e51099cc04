"""Comparing a scorer's occupation roll-up with a published occupation-level index.

The reference is a CSV with one row per occupation: a code column (O*NET-SOC 2019 codes
such as `15-1252.00`, or BLS SOC codes such as `15-1252`) and a numeric column. Our
occupation exposure is the roll-up stage's (`exposure.rollup`): the task-weighted mean
score per O*NET occupation and, against BLS codes, the crosswalk-split mean of the O*NET
occupations sharing a code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from scipy import stats

from exposure.codes import ONET_SOC_PATTERN, SOC_PATTERN
from exposure.errors import InputError

TOP = 50
SHOWN = 10


@dataclass
class Comparison:
    """Agreement figures (`metrics`, one row) and the matched occupations (`matched`)."""

    metrics: pl.DataFrame
    matched: pl.DataFrame


def _pick(columns: list[str], wanted: str | None, guesses: list[str], file: str,
          role: str) -> str:
    if wanted is not None:
        if wanted not in columns:
            raise InputError(file, f"no column '{wanted}' (its columns: {', '.join(columns)})",
                             f"name the {role} column with one of those", column=wanted)
        return wanted
    if guesses:
        return guesses[0]
    raise InputError(file, f"no {role} column found among {', '.join(columns)}",
                     f"name it with --{'code-' if role == 'code' else ''}column")


def read_reference(path: Path, column: str | None = None,
                   code_column: str | None = None) -> tuple[pl.DataFrame, str]:
    """(soc_code, reference) from a CSV, and the code level ('onet' or 'bls').

    Without `code_column`, the first column named like `soc`/`code` is taken; without
    `column`, one named `exposure`, else the only numeric column besides the code."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError(file, "the reference file does not exist",
                         "give the path of a CSV keyed by SOC code")
    try:
        frame = pl.read_csv(path, infer_schema_length=10000)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise InputError(file, f"cannot be read as CSV ({exc})",
                         "give a comma-separated file with a header row") from exc
    columns = frame.columns
    code = _pick(columns, code_column,
                 [c for c in columns if "soc" in c.lower()]
                 + [c for c in columns if "code" in c.lower()], file, "code")
    numeric = [c for c, t in frame.schema.items() if t.is_numeric() and c != code]
    value = _pick(columns, column,
                  [c for c in columns if c.lower() == "exposure"]
                  or (numeric if len(numeric) == 1 else []), file, "value")
    if not frame.schema[value].is_numeric():
        raise InputError(file, f"column '{value}' is not numeric", "pick a numeric column",
                         column=value)
    out = frame.select(pl.col(code).cast(pl.String).str.strip_chars().alias("soc_code"),
                       pl.col(value).cast(pl.Float64).alias("reference"))
    onet = out.get_column("soc_code").str.contains(ONET_SOC_PATTERN)
    bls = out.get_column("soc_code").str.contains(SOC_PATTERN)
    level = "onet" if onet.sum() >= bls.sum() else "bls"
    good = onet if level == "onet" else bls
    if not good.all():
        row = int((~good).arg_max()) + 2  # header is row 1
        bad = out.get_column("soc_code")[row - 2]
        example = "15-1252.00" if level == "onet" else "15-1252"
        raise InputError(file, f"'{bad}' is not a SOC code like {example}",
                         "use one code system in the whole column", row=row, column=code)
    duplicated = out.filter(pl.col("soc_code").is_duplicated())
    if duplicated.height:
        raise InputError(file, f"code {duplicated.item(0, 'soc_code')} appears more than once",
                         "keep one row per occupation", column=code)
    return out, level


def check_known(reference: pl.DataFrame, known: pl.Series, file: str, level: str) -> None:
    """InputError listing the reference codes that name no known occupation."""
    unknown = reference.filter(~pl.col("soc_code").is_in(known.implode()))
    if unknown.height:
        codes = unknown.get_column("soc_code").to_list()
        listed = ", ".join(codes[:SHOWN]) + (f" and {len(codes) - SHOWN} more"
                                             if len(codes) > SHOWN else "")
        system = "O*NET-SOC 2019 occupations" if level == "onet" else "BLS (NEM) codes"
        raise InputError(file, f"{len(codes)} codes are not {system}: {listed}",
                         "correct or remove those rows")


def compare_occupations(ours: pl.DataFrame, reference: pl.DataFrame, top: int = TOP,
                        ) -> Comparison:
    """Spearman and Pearson correlation of (soc_code, exposure) with (soc_code, reference)
    over the codes both score, and the overlap of their `top` highest codes."""
    matched = ours.select("soc_code", "exposure").drop_nulls().join(
        reference.drop_nulls(), on="soc_code", how="inner").sort("soc_code")
    a = matched.get_column("exposure").to_numpy()
    b = matched.get_column("reference").to_numpy()
    enough = len(a) >= 3 and np.ptp(a) > 0 and np.ptp(b) > 0
    k = min(top, matched.height)
    top_ours = set(matched.sort(["exposure", "soc_code"], descending=[True, False])
                   .head(k).get_column("soc_code"))
    top_ref = set(matched.sort(["reference", "soc_code"], descending=[True, False])
                  .head(k).get_column("soc_code"))
    metrics = pl.DataFrame({
        "n_ours": [ours.drop_nulls("exposure").height], "n_reference": [reference.height],
        "n_matched": [matched.height],
        "spearman": [float(stats.spearmanr(a, b).statistic) if enough else math.nan],
        "pearson": [float(stats.pearsonr(a, b).statistic) if enough else math.nan],
        "top_n": [k], "top_overlap": [len(top_ours & top_ref)],
        "top_overlap_share": [len(top_ours & top_ref) / k if k else math.nan],
    })
    return Comparison(metrics, matched)


def known_codes(tables: dict[str, pl.DataFrame], level: str) -> pl.Series:
    """The O*NET-SOC codes (level 'onet') or BLS codes (level 'bls') of this release."""
    if level == "onet":
        return tables["occupation"].get_column("onet_soc_code")
    return pl.concat([tables["crosswalk"].get_column("soc_code"),
                      tables["occupation"].get_column("soc_code")]).unique()


def compare_with_reference(tables: dict[str, pl.DataFrame], spec: str, reference: Path,
                           column: str | None = None, code_column: str | None = None,
                           task_feature: pl.DataFrame | None = None, top: int = TOP,
                           ) -> Comparison:
    """Score every task with scorer `spec`, roll up to the reference's code level and
    compare; InputError for a bad file, a missing column or unknown codes (checked
    before any scoring)."""
    from exposure.rollup import occupation_scores, soc_scores
    from exposure.scorers.base import score_tasks
    from exposure.scorers.inputs import task_inputs, task_targets
    from exposure.scorers.registry import load_scorer

    frame, level = read_reference(reference, column, code_column)
    check_known(frame, known_codes(tables, level), str(reference), level)
    scorer = load_scorer(spec, tables)
    X = task_inputs(tables, task_feature)
    scores = score_tasks(scorer, X, task_targets(tables, X))
    occupations = occupation_scores(scores, tables["task"], tables.get("task_rating"))
    ours = (occupations.rename({"onet_soc_code": "soc_code"}) if level == "onet"
            else soc_scores(occupations, tables["crosswalk"]))
    result = compare_occupations(ours, frame, top)
    name = scores.get_column("scorer")[0] if scores.height else spec
    result.metrics = result.metrics.select(
        pl.lit(name).alias("scorer"), pl.lit(str(reference)).alias("reference"),
        pl.lit(level).alias("level"), pl.all())
    return result

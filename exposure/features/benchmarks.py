"""Benchmark coverage B_o (MODEL_SPEC §1.2) from the curated `data/benchmarks.csv`.

Each row names an occupation by code with a value of 1 (GDPval occupations, software
developers) or 0.5 (exam-style benchmarks only), its `source` and a `note`; the list and how
it was made are in `data/benchmarks.md`. A code is an O*NET-SOC code (`13-1041.00`, that
occupation only), a SOC 2018 detailed code (`15-1252`, every O*NET occupation under it) or
a BLS NEM code of the crosswalk (`13-1020`, every O*NET occupation mapped to it). When
several rows match one occupation the most specific wins (O*NET-SOC, then SOC, then NEM).
Occupations matched by no row get B_o = 0. A code that matches no occupation is an error, so
a typo cannot silently drop a benchmark.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from exposure.codes import SOC_OR_ONET_SOC_PATTERN
from exposure.errors import InputError
from exposure.settings import PROJECT_ROOT
from exposure.sources.base import read_delimited

BENCHMARKS = PROJECT_ROOT / "data" / "benchmarks.csv"
COLUMNS = ("code", "title", "value", "source", "note")
VALUES = (0.5, 1.0)
HINT = "correct the benchmarks file (EXPOSURE_BENCHMARKS_FILE; see data/benchmarks.md)"


def _check(df: pl.DataFrame, bad: pl.Expr, file: str, column: str, problem: str) -> None:
    """Raise for the first row (in file order) where `bad` holds; `problem` is formatted
    with that row's values."""
    rows = df.filter(bad.fill_null(True)).sort("_row")
    if rows.height:
        row = rows.row(0, named=True)
        raise InputError(file, problem.format(**row), HINT, row=row["_row"], column=column)


def _name(path: Path) -> str:
    """How errors name the file: relative to the project when it is the shipped one."""
    try:
        return Path(path).resolve().relative_to(BENCHMARKS.parents[1]).as_posix()
    except ValueError:
        return str(path)


def read_benchmarks(path: Path = BENCHMARKS) -> pl.DataFrame:
    """The curated rows (code, title, value, source, note), checked."""
    file = _name(path)
    df = read_delimited(path, file, COLUMNS, separator=",")
    df = df.with_columns(pl.col(c).str.strip_chars() for c in COLUMNS).with_columns(
        pl.col("value").cast(pl.Float64, strict=False).alias("_value"))
    _check(df, ~pl.col("code").str.contains(SOC_OR_ONET_SOC_PATTERN), file, "code",
           "'{code}' is not an O*NET-SOC, SOC or NEM code")
    _check(df, ~pl.col("_value").is_in(VALUES), file, "value", "value '{value}' is not 1 or 0.5")
    _check(df, pl.col("source") == "", file, "source", "the source is empty")
    _check(df, pl.col("code").is_duplicated() & ~pl.col("code").is_first_distinct(), file,
           "code", "code {code} is listed twice")
    return df.select("_row", "code", "title", pl.col("_value").alias("value"), "source", "note")


def benchmark_coverage(path: Path, occupation: pl.DataFrame, crosswalk: pl.DataFrame,
                       ) -> pl.DataFrame:
    """onet_soc_code -> benchmark (B_o) for every occupation of `occupation`."""
    benchmarks, file = read_benchmarks(path), _name(path)
    occ = occupation.select("onet_soc_code", "soc_code").join(
        crosswalk.select("onet_soc_code", pl.col("soc_code").alias("nem_code")),
        on="onet_soc_code", how="left")
    keys = pl.concat([
        occ.select("onet_soc_code", pl.col(column).alias("code"), pl.lit(rank).alias("rank"))
        for column, rank in (("onet_soc_code", 3), ("soc_code", 2), ("nem_code", 1))
    ]).drop_nulls("code").unique()
    matched = keys.join(benchmarks.select("_row", "code", "value"), on="code")
    _check(benchmarks, ~pl.col("code").is_in(matched.get_column("code").implode()), file,
           "code", "code {code} matches no O*NET occupation")
    best = (matched.filter(pl.col("rank") == pl.col("rank").max().over("onet_soc_code"))
            .group_by("onet_soc_code").agg(pl.col("value").max().alias("benchmark")))
    return occ.select("onet_soc_code").join(best, on="onet_soc_code", how="left").select(
        "onet_soc_code", pl.col("benchmark").fill_null(0.0))

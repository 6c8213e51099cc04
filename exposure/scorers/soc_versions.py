"""SOC 2010 references: which version a file's 7-character codes are, and our exposure
carried back from SOC 2018 codes to SOC 2010 codes through the BLS crosswalk
(`soc_2010_crosswalk`).

Our exposure is moved to the reference's codes, not the reference to ours: each reference
row then stays one point of the comparison, and no value of a published index is copied or
divided. A SOC 2010 code that BLS split into several SOC 2018 codes gets the mean of their
exposures weighted by their OEWS employment (the warehouse's `occupation_exposure`
employment, summed per SOC 2018 code); where none of them has published employment, the
plain mean. A SOC 2018 code that merges several 2010 codes gives each of them its exposure.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl


class SocVersion(StrEnum):
    """How 7-character codes of a reference are read (`exposure compare --soc-version`)."""

    auto = "auto"
    soc_2010 = "2010"
    soc_2018 = "2018"

SPLIT_RULE = ("SOC 2010 codes split into several SOC 2018 codes take the employment-weighted "
              "mean of their exposures (OEWS employment of each 2018 code; the plain mean "
              "where none has any)")
EXAMPLES = 3


def weighted_mean(value: str, weight: str) -> pl.Expr:
    """Mean of `value` weighted by `weight` (nulls count 0), the plain mean when the
    weights sum to 0: a split is weighted by employment only where BLS publishes it."""
    w = pl.col(weight).fill_null(0.0)
    return (pl.when(w.sum() > 0).then((pl.col(value) * w).sum() / w.sum())
            .otherwise(pl.col(value).mean()))


def detect_version(codes: pl.Series, crosswalk_2010: pl.DataFrame | None,
                   known_2018: pl.Series) -> tuple[str, str]:
    """('2010' or '2018', why): 2010 when more of `codes` exist only in SOC 2010 than only
    in SOC 2018 (most codes are the same in both, so only the changed ones tell)."""
    if crosswalk_2010 is None:
        return "2018", ("taken as SOC 2018: the warehouse has no soc_2010_crosswalk table "
                        "(run `exposure ingest` to compare SOC 2010 files)")
    old = set(crosswalk_2010.get_column("soc_2010_code"))
    new = set(known_2018) | set(crosswalk_2010.get_column("soc_2018_code"))
    given = set(codes)
    only_old, only_new = sorted(given & (old - new)), sorted(given & (new - old))
    version = "2010" if len(only_old) > len(only_new) else "2018"
    shown = only_old if version == "2010" else only_new
    example = f" (e.g. {', '.join(shown[:EXAMPLES])})" if shown else ""
    return version, (f"detected as SOC {version}: {len(only_old)} of its codes exist only in "
                     f"SOC 2010 and {len(only_new)} only in SOC 2018{example}; "
                     "--soc-version overrides")


def by_soc_2018(ours: pl.DataFrame) -> pl.DataFrame:
    """(scorer, onet_soc_code, exposure, employment) -> (scorer, soc_code, exposure,
    employment) per SOC 2018 code: the first 7 characters of the O*NET-SOC code."""
    return ours.drop_nulls("exposure").group_by(
        "scorer", pl.col("onet_soc_code").str.slice(0, 7).alias("soc_code")).agg(
        weighted_mean("exposure", "employment").alias("exposure"),
        pl.col("employment").sum().alias("employment"))


def to_soc_2010(ours_2018: pl.DataFrame, crosswalk_2010: pl.DataFrame) -> pl.DataFrame:
    """(scorer, soc_code [2018], exposure, employment) -> (scorer, soc_code [2010],
    exposure) through the crosswalk, splits weighted as SPLIT_RULE says."""
    pairs = crosswalk_2010.select("soc_2010_code", pl.col("soc_2018_code").alias("soc_code"))
    return pairs.join(ours_2018, on="soc_code", how="inner").group_by(
        "scorer", pl.col("soc_2010_code").alias("code")).agg(
        weighted_mean("exposure", "employment").alias("exposure")
    ).rename({"code": "soc_code"})

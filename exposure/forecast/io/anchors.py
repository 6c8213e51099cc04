"""Published anchors (MODEL_SPEC §7.9) and the model's equivalents of each.

The anchors are reference rows shown beside the model's figures in every report. They are
NEVER used in a computation: their figures are kept as the published text (``"about 7%"``),
not as numbers, so that nothing can calibrate against them by accident.

`model_equivalents` turns the forecast tables into the comparable model figures, per
scenario, with their 80% interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Entry-level white-collar jobs, the population of Amodei's anchor: the cells of the SOC major
# groups 11-43 (inclusive) whose occupation's tasks have a mean Job Zone of at most 3
# (`outcomes.entry_level_cells` selects them; the texts below name them).
ENTRY_LEVEL_MAJOR_GROUPS = (11, 43)
ENTRY_LEVEL_JOB_ZONE = 3
_MAJOR_GROUPS = "SOC major groups {}-{}".format(*ENTRY_LEVEL_MAJOR_GROUPS)
ENTRY_LEVEL_DEFINITION = (
    f"entry-level white-collar jobs = {_MAJOR_GROUPS} (management through office and "
    f"administrative support) with O*NET Job Zone <= {ENTRY_LEVEL_JOB_ZONE}")

# The model measures an anchor can be compared with: (label, unit). Units: `share` (0-1)
# and `percent` (already in percent).
EQUIVALENTS: dict[str, tuple[str, str]] = {
    "displaced_share": ("share of employment displaced (cumulative)", "share"),
    "hours_automated_share": ("share of all hours automated", "share"),
    "tfp_gain_pct": ("bottom-up TFP gain since 2025", "percent"),
    "entry_level_wc_displaced_share": (
        "share of entry-level white-collar jobs displaced "
        f"({_MAJOR_GROUPS}, Job Zone <= {ENTRY_LEVEL_JOB_ZONE})", "share"),
    "ai_unemployment_rate": ("AI-displaced unemployed over the labour force", "share"),
}


@dataclass(frozen=True)
class Anchor:
    """One published claim. `figure` is the published text, on purpose not a number."""

    source: str
    claim: str
    figure: str
    model_measure: str
    model_years: tuple[int, ...]


ANCHORS: tuple[Anchor, ...] = (
    Anchor("Goldman Sachs 2023",
           "about 7% of US workers displaced over about 10 years of wide adoption",
           "about 7%", "displaced_share", (2035,)),
    Anchor("Goldman Sachs 2023", "about a quarter of current work could be automated by AI",
           "about 25%", "hours_automated_share", (2035,)),
    Anchor("McKinsey Global Institute 2023",
           "up to 30% of hours worked automatable by 2030 (midpoint adoption)",
           "up to 30%", "hours_automated_share", (2030,)),
    Anchor("Acemoglu 2024", "TFP +0.66% over 10 years", "+0.66%", "tfp_gain_pct", (2035,)),
    Anchor("Amodei, May 2025, to Axios",
           "half of entry-level white-collar jobs could disappear within 1-5 years",
           "about 50%", "entry_level_wc_displaced_share", (2030,)),
    Anchor("Amodei, May 2025, to Axios", "unemployment could reach 10-20% within 1-5 years",
           "10-20%", "ai_unemployment_rate", (2030, 2035)),
)

_COLUMNS = {"scenario": pl.String, "measure": pl.String, "year": pl.Int64,
            "p10": pl.Float64, "p50": pl.Float64, "p90": pl.Float64, "basis": pl.String}


def _labour(labour: pl.DataFrame | None, measure: str, year: int) -> pl.DataFrame:
    """National rows of one labour-market measure in one year, as equivalents."""
    if labour is None:
        return pl.DataFrame(schema=_COLUMNS)
    return labour.filter((pl.col("measure") == measure) & (pl.col("scope") == "national")
                         & (pl.col("year") == year)).select(
        "scenario", pl.lit(measure).alias("measure"), pl.col("year").cast(pl.Int64),
        *(pl.col(c).cast(pl.Float64) for c in ("p10", "p50", "p90")),
        pl.lit(f"labour_market_forecast.{measure}").alias("basis"))


def _displaced_share(totals: pl.DataFrame | None, year: int) -> pl.DataFrame:
    if totals is None:
        return pl.DataFrame(schema=_COLUMNS)
    base = pl.col("baseline_employment").cast(pl.Float64)
    return totals.filter(pl.col("year") == year).select(
        "scenario", pl.lit("displaced_share").alias("measure"), pl.col("year").cast(pl.Int64),
        *((pl.col(f"displaced_{q}") / base).alias(q) for q in ("p10", "p50", "p90")),
        pl.lit("displacement_total over baseline_employment").alias("basis"))


def _tfp(macro: pl.DataFrame | None, labour: pl.DataFrame | None, year: int) -> pl.DataFrame:
    """The macro check's bottom-up TFP (cases p10/p50/p90); for scenarios the macro check
    lacks, the labour-market table's `tfp_gain_pct` in `year`."""
    from_labour = _labour(labour, "tfp_gain_pct", year)
    if macro is None:
        return from_labour
    bottom_up = macro.filter((pl.col("mode") == "bottom_up") & pl.col("scenario").is_not_null()
                             & pl.col("case").is_in(["p10", "p50", "p90"]))
    if bottom_up.height == 0:
        return from_labour
    wide = bottom_up.pivot(on="case", index="scenario", values="tfp_gain_pct",
                           aggregate_function="first")
    for q in ("p10", "p50", "p90"):  # a missing case stays null rather than failing
        if q not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(q))
    from_macro = wide.select(
        "scenario", pl.lit("tfp_gain_pct").alias("measure"), pl.lit(year, pl.Int64).alias("year"),
        *(pl.col(q).cast(pl.Float64) for q in ("p10", "p50", "p90")),
        pl.lit("macro_check bottom_up").alias("basis"))
    return pl.concat([from_macro, from_labour.filter(
        ~pl.col("scenario").is_in(from_macro["scenario"].implode()))])


def model_equivalents(totals: pl.DataFrame | None, labour: pl.DataFrame | None = None,
                      macro: pl.DataFrame | None = None) -> pl.DataFrame:
    """The model's figures comparable with the anchors, one row per scenario, measure and
    year: `p10`, `p50`, `p90` (shares 0-1, TFP in percent) and the `basis` they come from.

    - displaced_share 2035: displacement_total's p10/p50/p90 over its baseline employment;
    - hours_automated_share 2030 and 2035, entry_level_wc_displaced_share 2030,
      ai_unemployment_rate 2030 and 2035: labour_market_forecast, national scope;
    - tfp_gain_pct (2035, over ten years): macro_check's bottom-up cases, else
      labour_market_forecast's tfp_gain_pct in 2035.

    A measure whose table or year is missing has no row (never a zero).
    """
    parts = [
        _displaced_share(totals, 2035),
        _labour(labour, "hours_automated_share", 2030),
        _labour(labour, "hours_automated_share", 2035),
        _tfp(macro, labour, 2035),
        _labour(labour, "entry_level_wc_displaced_share", 2030),
        _labour(labour, "ai_unemployment_rate", 2030),
        _labour(labour, "ai_unemployment_rate", 2035),
    ]
    order = {m: i for i, m in enumerate(EQUIVALENTS)}
    return (pl.concat([p.cast(_COLUMNS) for p in parts])
            .with_columns(pl.col("measure").replace_strict(order, return_dtype=pl.Int64)
                          .alias("_order"))
            .sort("scenario", "_order", "year").drop("_order"))

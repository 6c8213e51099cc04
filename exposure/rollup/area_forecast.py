"""State forecasts (`area_forecast`): a state's occupation mix times the nation's
occupation-level displacement rates. Not a state model.

For each scenario, year and BLS code the national rate is the code's displaced workers
summed over sectors over its baseline employment summed over sectors
(`displacement_forecast`); each quantile (p10, p50, p90) has its own rate. A state's figure
is the sum over its published detailed cells (OEWS May 2025 state estimates, held at their
May 2025 level in every year) of employment x rate. So
- a state differs from the nation only through its occupation mix: its sectors, local
  demand and adoption are not modelled;
- the p10 and p90 columns apply the national p10 and p90 rates cell by cell and add them
  up: a sum of quantiles, wider than an interval of the state's total would be, and not
  an interval for the state at all;
- the 50 states and DC add up to about the national total; they differ because state
  employment is May 2025's published detailed cells and the national baseline the BLS
  projections of that year.
Only the 50 states and DC get a forecast: the national one does not cover the territories.
"""

from __future__ import annotations

import polars as pl

from exposure.rollup.area import TERRITORIES, state_cells
from exposure.rollup.groups import soc_major
from exposure.rollup.schemas import ALL, AreaForecastModel, conform

QUANTILES = ("displaced_p10", "displaced_p50", "displaced_p90")
ALL_TITLE = "All occupations"
METHOD = ("national occupation displacement rates of the scenario (displaced / baseline "
          "employment per SOC code, summed over sectors) applied to the state's May {year} "
          "occupation mix (published detailed cells, held at May {year}); not a state model. "
          "p10/p90 apply the national p10/p90 rates, so they are not an interval for the "
          "state.")


def national_rates(forecast: pl.DataFrame) -> pl.DataFrame:
    """scenario, year, soc_code -> rate_p10, rate_p50, rate_p90 (0 where the baseline is 0)."""
    totals = forecast.group_by("scenario", "year", "soc_code").agg(
        pl.col("baseline_employment").sum(), *(pl.col(q).sum() for q in QUANTILES))
    base = pl.col("baseline_employment")
    return totals.select(
        "scenario", "year", "soc_code",
        *(pl.when(base > 0).then(pl.col(q) / base).otherwise(0.0).alias(q.replace(
            "displaced", "rate")) for q in QUANTILES))


def area_forecast(employment: pl.DataFrame, forecast: pl.DataFrame,
                  year: int | None = None) -> pl.DataFrame:
    """`area_forecast` of the state estimates of May `year` (the latest when None): one row
    per state, scenario, forecast year and major group ('all' included)."""
    states = state_cells(employment, year).filter(~pl.col("area_code").is_in(TERRITORIES))
    oews_year = int(states.get_column("year").max())
    cells = states.filter((pl.col("o_group") == "detailed")
                          & pl.col("employment").is_not_null()).select(
        "area_code", "area_name", soc_major(), "soc_code", "employment")
    titles = (states.filter(pl.col("o_group") == "major")
              .select(pl.col("soc_code").alias("soc_major"),
                      pl.col("soc_title").alias("soc_major_title"))
              .unique("soc_major", keep="first"))
    displaced = cells.join(national_rates(forecast), on="soc_code", how="inner").with_columns(
        *((pl.col("employment") * pl.col(q.replace("displaced", "rate"))).alias(q)
          for q in QUANTILES))
    keys = ["scenario", "year", "area_code", "area_name"]
    measures = [pl.col("employment").sum(), *(pl.col(q).sum() for q in QUANTILES)]
    by_major = (displaced.group_by(*keys, "soc_major").agg(*measures)
                .join(titles, on="soc_major", how="left"))
    overall = displaced.group_by(keys).agg(*measures).with_columns(
        pl.lit(ALL).alias("soc_major"), pl.lit(ALL_TITLE).alias("soc_major_title"))
    out = pl.concat([overall, by_major], how="diagonal").with_columns(
        pl.when(pl.col("employment") > 0)
        .then(pl.col("displaced_p50") / pl.col("employment")).alias("displaced_share"),
        pl.col("year").cast(pl.Int16),
        pl.lit(METHOD.format(year=oews_year)).alias("method"),
    ).sort("scenario", "year", "area_code", pl.col("soc_major") != ALL, "soc_major")
    return conform(out, AreaForecastModel)

"""Wage bands and education levels of OEWS cells: the keys of `wage_band_exposure` and
`education_exposure`, and the `wage_quintile` / `typical_education` columns of the
occupation tables.

Wage quintiles are cut on the national employment-weighted distribution of the
occupations' mean annual wages of one release: the cut between band k and k+1 is the lowest
wage at or below which k/5 of the nation's employment in published detailed cells sits, and
band k runs from above cut k-1 up to cut k. The cuts are
dollar amounts, so every state's cells are sorted into the same bands by their own wage
(a low-wage state has more of its employment in the bottom bands). Occupations are whole
cells, so a national band holds about, not exactly, a fifth of employment.

Cells without a published wage: a top-coded one (`#`, at or above $239,200 a year) is in
the top band; one OEWS does not publish (`*`) takes the wage of the same occupation in the
release's national cells (`fallback`).

Typical education for entry is BLS Employment Projections' (the `projection` table), ranked
from no formal credential (1) to a doctoral or professional degree (8).
"""

from __future__ import annotations

import polars as pl

from exposure.rollup.employment import annual_wage

QUINTILES = 5
TOP_CODED = "#"
EDUCATION_RANK: dict[str, int] = {
    "No formal educational credential": 1,
    "High school diploma or equivalent": 2,
    "Some college, no degree": 3,
    "Postsecondary nondegree award": 4,
    "Associate's degree": 5,
    "Bachelor's degree": 6,
    "Master's degree": 7,
    "Doctoral or professional degree": 8,
}
NOT_PROJECTED = "Not in the BLS projections"


def band_wage(fallback: bool = False) -> pl.Expr:
    """`band_wage`: the wage a cell is banded by (needs `annual_mean_wage`,
    `hourly_mean_wage`, `wage_flag` and, with `fallback`, a `fallback_wage` column): its own
    annual wage, +inf when top-coded, else the fallback wage."""
    own = annual_wage()
    top = pl.when(pl.col("wage_flag") == TOP_CODED).then(pl.lit(float("inf")))
    parts = [own, top.otherwise(None)]
    if fallback:
        parts.append(pl.col("fallback_wage"))
    return pl.coalesce(*parts).alias("band_wage")


def cuts(cells: pl.DataFrame) -> list[float]:
    """The four dollar cuts of the quintiles of `cells` (band_wage, employment), weighted by
    employment; cells without a wage or employment are left out."""
    known = (cells.filter(pl.col("band_wage").is_not_null() & (pl.col("employment") > 0))
             .sort("band_wage")
             .with_columns((pl.col("employment").cum_sum() / pl.col("employment").sum())
                           .alias("cumulative")))
    out = []
    for k in range(1, QUINTILES):
        at = known.filter(pl.col("cumulative") >= k / QUINTILES).get_column("band_wage")
        out.append(float(at[0]))
    return out


def quintile(bounds: list[float]) -> pl.Expr:
    """`wage_quintile` (1-5) of `band_wage` under the cuts `bounds` (a wage equal to a cut
    is in the band below it: the cell that crosses k/5 of employment ends band k); null
    without a wage."""
    band = pl.lit(1, pl.Int8)
    for cut in bounds:
        band = band + (pl.col("band_wage") > cut).cast(pl.Int8)
    return pl.when(pl.col("band_wage").is_not_null()).then(band).alias("wage_quintile")


def bands(bounds: list[float]) -> pl.DataFrame:
    """One row per quintile: wage_quintile, wage_low (exclusive but for the bottom band's 0),
    wage_high (inclusive; null for the top band) and band_title with the dollar bounds."""
    lows = [0.0, *bounds]
    highs: list[float | None] = [*bounds, None]
    titles = []
    for k, (low, high) in enumerate(zip(lows, highs, strict=True), start=1):
        if high is None:
            span = f"over ${low:,.0f}"
        elif k == 1:
            span = f"up to ${high:,.0f}"
        else:
            span = f"over ${low:,.0f} to ${high:,.0f}"
        titles.append(f"Q{k}: {span}")
    return pl.DataFrame({"wage_quintile": list(range(1, QUINTILES + 1)), "band_title": titles,
                         "wage_low": lows, "wage_high": highs},
                        schema={"wage_quintile": pl.Int8, "band_title": pl.String,
                                "wage_low": pl.Float64, "wage_high": pl.Float64})


def education(projection: pl.DataFrame) -> pl.DataFrame:
    """soc_code -> typical_education and education_rank (BLS projections' line items)."""
    rank = pl.col("typical_education").replace_strict(EDUCATION_RANK, default=None,
                                                      return_dtype=pl.Int8)
    return (projection.filter(pl.col("occupation_type") == "Line item")
            .select("soc_code", "typical_education").unique("soc_code", keep="first")
            .with_columns(rank.alias("education_rank")))


def with_education(cells: pl.DataFrame, projection: pl.DataFrame) -> pl.DataFrame:
    """`cells` with typical_education (NOT_PROJECTED for a code the projections lack) and
    education_rank (null then)."""
    return cells.join(education(projection), on="soc_code", how="left").with_columns(
        pl.col("typical_education").fill_null(NOT_PROJECTED))

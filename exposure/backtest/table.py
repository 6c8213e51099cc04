"""The `backtest` table: every scorer's rows, from the occupations of `panel`, the
quintiles of `quintiles` and the regression of `regression`."""

from __future__ import annotations

import numpy as np
import polars as pl

from exposure.backtest.panel import (
    BASE_YEAR,
    code_job_zones,
    employment_panel,
    national_years,
    with_controls,
)
from exposure.backtest.quintiles import quintile_rows, top_minus_rest
from exposure.backtest.regression import weighted_least_squares
from exposure.backtest.schema import BacktestModel, schema
from exposure.backtest.terms import (
    COEFFICIENT,
    CONTROLS,
    COVERAGE,
    GAP,
    MATCHED,
    NO_CONTROLS,
    QUINTILE,
    REGRESSION_TERMS,
    STATUSES,
    TOP_MINUS_REST,
    UNSCORED,
)
from exposure.rollup.schemas import conform


def _totals(frame: pl.DataFrame, term: str) -> dict[str, object]:
    """A coverage row of the codes of `frame`: their count, published employment in each
    year and, where both years are summed over the same codes, their growth."""
    base, end = frame["employment_base"], frame["employment_end"]
    comparable = base.null_count() == 0 and end.null_count() == 0 and frame.height > 0
    return {"kind": COVERAGE, "term": term, "n_occupations": frame.height,
            "employment_base": base.sum() if base.null_count() < frame.height else None,
            "employment_end": end.sum() if end.null_count() < frame.height else None,
            "growth": float(end.sum() / base.sum() - 1) if comparable else None}


def coverage_rows(codes: pl.DataFrame) -> list[dict[str, object]]:
    """How many codes (and how much employment) each step keeps and leaves out."""
    rows = [_totals(codes.filter(pl.col("status") == status), status)
            for status in STATUSES]
    matched = codes.filter(pl.col("status") == MATCHED)
    scored = matched.filter(pl.col("exposure").is_not_null())
    rows.append(_totals(matched.filter(pl.col("exposure").is_null()), UNSCORED))
    rows.append(_totals(scored.filter(pl.any_horizontal(pl.col(c).is_null()
                                                        for c in CONTROLS)), NO_CONTROLS))
    return rows


def regression_rows(scored: pl.DataFrame) -> list[dict[str, object]]:
    """The coefficient rows of the weighted regression over the scored codes that have
    every control."""
    sample = scored.drop_nulls(["log_change", "exposure", *CONTROLS])
    x = np.column_stack([np.ones(sample.height),
                         *(sample[c].to_numpy() for c in REGRESSION_TERMS[1:])])
    fit = weighted_least_squares(sample["log_change"].to_numpy(), x,
                                 sample["employment_base"].to_numpy(), REGRESSION_TERMS)
    return [{"kind": COEFFICIENT, "term": term, "n_occupations": fit.n,
             "estimate": float(fit.estimate[i]), "std_error": float(fit.std_error[i]),
             "ci_low": float(fit.ci_low[i]), "ci_high": float(fit.ci_high[i]),
             "r_squared": fit.r_squared} for i, term in enumerate(fit.terms)]


def scorer_backtest(codes: pl.DataFrame) -> list[dict[str, object]]:
    """Every row of one scorer from its `with_controls` frame (without the scorer and
    years)."""
    scored = codes.filter((pl.col("status") == MATCHED) & pl.col("exposure").is_not_null())
    quintiles = [{"kind": QUINTILE, **row} for row in quintile_rows(scored).to_dicts()]
    gap = {"kind": GAP, "term": TOP_MINUS_REST, "n_occupations": scored.height,
           "estimate": top_minus_rest(scored)}
    return [*coverage_rows(codes), *quintiles, gap, *regression_rows(scored)]


def backtest(exposure: pl.DataFrame, employment: pl.DataFrame, projection: pl.DataFrame,
             occupation: pl.DataFrame, crosswalk: pl.DataFrame,
             base_year: int = BASE_YEAR) -> pl.DataFrame:
    """The `backtest` table of every scorer of `exposure` (`bls_occupation_exposure` rows):
    May `base_year` against the latest national May year of `employment`. Empty when the
    employment has no national estimates for `base_year` or for a later year (an ingest
    of a raw directory without those workbooks)."""
    years = national_years(employment)
    if base_year not in years or years[-1] <= base_year:
        return pl.DataFrame(schema=schema())
    end_year = years[-1]
    panel = employment_panel(employment, base_year, end_year)
    zones = code_job_zones(occupation, crosswalk)
    rows = []
    for (scorer,), scores in exposure.group_by("scorer", maintain_order=True):
        codes = with_controls(panel, scores, zones, projection)
        rows += [{"scorer": scorer, "base_year": base_year, "end_year": end_year, **row}
                 for row in scorer_backtest(codes)]
    return conform(pl.DataFrame(rows, schema=schema()), BacktestModel)


__all__ = ["backtest", "coverage_rows", "regression_rows", "scorer_backtest"]

"""The names of the `backtest` table's rows, in reading order: its kinds and terms (no
imports, so a board command can order the rows without loading the backtest's libraries)."""

from __future__ import annotations

COVERAGE, QUINTILE, GAP, COEFFICIENT = "coverage", "quintile", "gap", "coefficient"
KINDS = (COVERAGE, QUINTILE, GAP, COEFFICIENT)

# coverage: the status of a code in the two releases (`panel`), then the matched codes left
# out for want of an exposure (of everything) or of a control (of the regression only)
MATCHED, BASE_ONLY, END_ONLY, SUPPRESSED = "matched", "base_only", "end_only", "suppressed"
UNSCORED, NO_CONTROLS = "unscored", "no_controls"
STATUSES = (MATCHED, BASE_ONLY, END_ONLY, SUPPRESSED)

QUINTILES = 5
QUINTILE_TERMS = tuple(f"Q{k}" for k in range(1, QUINTILES + 1))
TOP_MINUS_REST = "top_minus_rest"

CONTROLS = ("job_zone", "log_mean_wage", "projected_change")
REGRESSION_TERMS = ("intercept", "exposure", *CONTROLS)

TERMS = (*STATUSES, UNSCORED, NO_CONTROLS, *QUINTILE_TERMS, TOP_MINUS_REST,
         *REGRESSION_TERMS)

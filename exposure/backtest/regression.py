"""Weighted least squares with heteroskedasticity-robust (HC1) standard errors, in numpy.

Occupations differ in size by four orders of magnitude and small ones have noisy OEWS
estimates, so the backtest weights each by its base-year employment; the errors of such a
cross-section are not homoskedastic, hence White's sandwich with the n / (n - k) small-sample
factor (HC1, what Stata's `, robust` and statsmodels' `cov_type="HC1"` give).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95  # of the confidence intervals


@dataclass(frozen=True)
class Fit:
    """Coefficients (in the order of `terms`) with HC1 standard errors and 95% intervals
    (Student's t with n - k degrees of freedom), the number of observations and the
    weighted R²."""

    terms: tuple[str, ...]
    estimate: np.ndarray
    std_error: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n: int
    r_squared: float


def weighted_least_squares(y: np.ndarray, x: np.ndarray, weights: np.ndarray,
                           terms: tuple[str, ...]) -> Fit:
    """Regress `y` on the columns of `x` (which include the intercept, if one is wanted)
    minimising sum(w * residual²)."""
    n, k = x.shape
    if n <= k:
        raise ValueError(f"a regression on {k} terms needs more than {k} observations, "
                         f"not {n}")
    root = np.sqrt(weights)
    xw, yw = x * root[:, None], y * root
    estimate, *_ = np.linalg.lstsq(xw, yw, rcond=None)
    residual = y - x @ estimate
    bread = np.linalg.inv(xw.T @ xw)
    scores = xw * (root * residual)[:, None]  # rows w_i e_i x_i
    covariance = n / (n - k) * bread @ (scores.T @ scores) @ bread
    std_error = np.sqrt(np.diag(covariance))
    half = stats.t.ppf(0.5 + LEVEL / 2, n - k) * std_error
    mean = np.average(y, weights=weights)
    r_squared = 1 - (weights * residual**2).sum() / (weights * (y - mean) ** 2).sum()
    return Fit(terms, estimate, std_error, estimate - half, estimate + half, n,
               float(r_squared))

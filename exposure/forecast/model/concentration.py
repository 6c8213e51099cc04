"""Effective number of firms per industry from Census concentration (MODEL_SPEC §3.8), as
pure vectorised numpy.

N = 10⁴/HHI on the 0-10,000 scale: the Census HHI of the 50 largest firms where published,
else the lower bound on HHI that the concentration ratios CR4/8/20/50 give with equal shares
inside each bracket; capped at 10³. `io.calibration` and `io.industry_firms` aggregate it to
sectors and BEA industries; the thresholds that use N are in `thresholds`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from exposure.forecast.model._numeric import FloatOrArray, f64

# Cumulative ranks of the Census concentration ratios (top 4, 8, 20, 50 firms).
_CR_RANKS = (0, 4, 8, 20, 50)


def hhi_lower_bound(
    cr4: ArrayLike | None = None,
    cr8: ArrayLike | None = None,
    cr20: ArrayLike | None = None,
    cr50: ArrayLike | None = None,
) -> FloatOrArray:
    """Lower bound on HHI (0-10,000 scale) from concentration ratios in percent (§3.8).

    With equal shares inside each bracket, as the spec writes it:
    ``CR4²/4 + (CR8−CR4)²/4 + (CR20−CR8)²/12 + (CR50−CR20)²/30``. Firms beyond the top 50 are
    spread infinitely thin (contribute 0), which is why this is a lower bound. A missing ratio
    (None or NaN) is bridged: the bracket between the neighbouring known ranks a < b
    contributes (CR_b − CR_a)²/(b − a), the equal-share minimum over the merged bracket, so
    the result is still a lower bound. NaN where no ratio is known.
    """
    values = [np.nan if v is None else v for v in (cr4, cr8, cr20, cr50)]
    crs = np.broadcast_arrays(*(f64(v) for v in values))
    known_any = np.zeros(crs[0].shape, dtype=bool)
    total = np.zeros(crs[0].shape)
    prev_rank = np.zeros(crs[0].shape)
    prev_cr = np.zeros(crs[0].shape)
    for rank, cr in zip(_CR_RANKS[1:], crs, strict=True):
        known = np.isfinite(cr)
        if np.any(known & ((cr < 0.0) | (cr > 100.0))):
            raise ValueError(f"CR{rank} must be a percentage in [0, 100]")
        if np.any(known & (cr < prev_cr - 1e-9)):
            raise ValueError(f"CR{rank} is below a smaller concentration ratio; CRs must rise")
        step = np.where(known, cr - prev_cr, 0.0)
        total = total + np.where(known, step * step / (rank - prev_rank), 0.0)
        prev_rank = np.where(known, rank, prev_rank)
        prev_cr = np.where(known, cr, prev_cr)
        known_any |= known
    return np.where(known_any, total, np.nan)[()]


def effective_firms(
    hhi50: ArrayLike | None = None,
    cr4: ArrayLike | None = None,
    cr8: ArrayLike | None = None,
    cr20: ArrayLike | None = None,
    cr50: ArrayLike | None = None,
    cap: float = 1000.0,
) -> FloatOrArray:
    """Effective number of firms ``N_j = 10⁴/HHI_j``, capped at ``cap`` (§3.8).

    HHI is the Census HHI-50 (0-10,000 scale) where published (not None/NaN), else the
    concentration-ratio lower bound of :func:`hhi_lower_bound` (ratios in percent points).
    A lower bound on HHI gives an upper bound on N, i.e. the conservative side for the trap
    (more firms, bigger wedge); the cap keeps atomistic sectors finite. NaN where nothing is
    known.
    """
    bound = hhi_lower_bound(cr4, cr8, cr20, cr50)
    hhi = f64(np.nan if hhi50 is None else hhi50)
    if np.any(np.isfinite(hhi) & ((hhi < 0.0) | (hhi > 10_000.0))):
        raise ValueError("HHI must lie on the 0-10,000 scale")
    chosen = np.where(np.isfinite(hhi), hhi, bound)
    with np.errstate(divide="ignore"):
        n = 10_000.0 / chosen
    return np.where(np.isnan(chosen), np.nan, np.minimum(n, cap))[()]


__all__ = ["effective_firms", "hhi_lower_bound"]

"""Numeric helpers shared by the forecast modules (MODEL_SPEC §2-§3): pure, vectorised numpy.

Kept apart so that the game, capability and diffusion modules use one bisection and one set
of array conventions: every function accepts floats or numpy arrays and broadcasts them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
FloatOrArray = float | FloatArray

# 64 halvings shrink a unit bracket below 1e-19, finer than float64 spacing on [0, 1].
BISECT_ITERS = 64


def f64(x: ArrayLike) -> FloatArray:
    """``x`` as a float64 array (no copy when it already is one)."""
    return np.asarray(x, dtype=np.float64)


def clip01(x: ArrayLike) -> FloatOrArray:
    """Clip to [0, 1] (shares, probabilities, automation rates α_i ∈ [0,1] of §3.1)."""
    return np.clip(x, 0.0, 1.0)


def bisect_boundary(
    pred: Callable[[FloatArray], NDArray[np.bool_]],
    lo: ArrayLike,
    hi: ArrayLike,
    n_iter: int = BISECT_ITERS,
) -> FloatArray:
    """Vectorised bisection for the point where a monotone predicate turns from False to True.

    ``pred`` must be False at ``lo`` side and True at ``hi`` side of the boundary (elementwise);
    if it is True already at ``lo`` the result converges to ``lo``, if False at ``hi`` to ``hi``.
    Bisection rather than brentq because it runs on whole arrays at once and needs only
    monotonicity, which every caller here has.
    """
    lo = f64(lo)
    hi = f64(hi)
    shape = np.broadcast(lo, hi, pred(lo)).shape
    lo = np.broadcast_to(lo, shape).copy()
    hi = np.broadcast_to(hi, shape).copy()
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        right = np.broadcast_to(pred(mid), shape)
        hi = np.where(right, mid, hi)
        lo = np.where(right, lo, mid)
    return 0.5 * (lo + hi)


def root_on_unit_interval(fun: Callable[[FloatArray], FloatArray]) -> FloatOrArray:
    """Root in [0, 1] of a strictly decreasing function, clipped to the corners.

    Corners are returned exactly (0 where fun(0) ≤ 0, 1 where fun(1) ≥ 0) so that clipped
    equilibria compare equal to the closed forms.
    """
    f0, f1 = fun(f64(0.0)), fun(f64(1.0))
    root = bisect_boundary(lambda a: fun(a) <= 0.0, 0.0, 1.0)
    # root already has the full broadcast shape, so np.where returns a fresh writable array.
    return np.where(f0 <= 0.0, 0.0, np.where(f1 >= 0.0, 1.0, root))[()]


__all__ = [
    "BISECT_ITERS",
    "FloatArray",
    "FloatOrArray",
    "bisect_boundary",
    "clip01",
    "f64",
    "root_on_unit_interval",
]

"""The AI layoff-trap game by sector, primitives (MODEL_SPEC §3.1-§3.2), as pure numpy.

Every function accepts floats or numpy arrays and broadcasts them, so one call can cover all
sectors and all Monte-Carlo draws at once. Nothing here reads data or keeps state.

This is the structural game the forecast's thresholds are derived from: the profit function
of §3.1 (with §3.4's output φ per automated task and §6 P2's capital tax), the numeric best
response, and the closed forms of §3.2 (Nash, cooperative, wedge, Pigouvian tax). The engine
does not call it: it applies the same game per wage dollar and per task (§3.7) in
:mod:`exposure.forecast.model.thresholds`, with §3.4 Red Queen, §3.5 wage adjustment, §3.6
worker equity, the planner, coalitions and economy mode; the tests pin those thresholds to
this module. §3.8's effective number of firms is in :mod:`exposure.forecast.model.concentration`.

Two kinds of signature are used on purpose:

* the closed forms take the primitives they need (``s``, ``ell``, ``k``, ``N``, ...) as plain
  arguments, because the pipeline has those per sector and per draw;
* the structural pieces (the profit function and the numeric best response) take a
  :class:`GameParams`, because they need all the primitives at once (w, c, k, λ, η, N, τ, A,
  L).

Notation follows the spec: ``s = w - c`` is the saving per automated task, ``ell = λ(1-η)w`` the
demand lost per automated task, ``N`` the (possibly non-integer, effective) number of firms,
``k`` the curvature of the adjustment cost and ``tau`` a per-task automation tax.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from exposure.forecast.model._numeric import FloatOrArray, clip01, f64, root_on_unit_interval

# Complex-step width: the derivative Im f(x + ih)/h has no subtractive cancellation, so it is
# exact to rounding for any tiny h (Squire & Trapp 1998).
_COMPLEX_STEP = 1e-20


# ---------------------------------------------------------------------------------------------
# §3.1 primitives
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GameParams:
    """Primitives of the layoff-trap game of one sector (MODEL_SPEC §3.1).

    Fields may be floats or numpy arrays that broadcast together (sectors × draws).
    Defaults are the paper's illustrative case (§3.8: w = 1, c = .3, k = 1, λ = .5, η = .3,
    N = 7) plus A = 0.1 and L = 1, which the spec leaves open and which reproduce the §3.4 Red
    Queen table (0.300, 0.364, 0.407, 0.460, 0.510 at c = 0.5; an [A] reading: any A/(NL) in
    roughly [0.0142, 0.0152] reproduces it, A = 0 does not).

    Attributes:
        w: wage per task position (normalised to 1 in the game).
        c: cost of an automated task.
        k: curvature of the quadratic adjustment cost (k/2)α².
        lam: λ, share of a wage dollar that workers spend in this sector.
        eta: η, share of a displaced worker's income that is recovered.
        N: number of symmetric firms (may be an effective, non-integer count).
        tau: per-task automation tax τ.
        A: autonomous demand of the sector (UBI enters here, §6 P3).
        L: task positions per firm.
    """

    w: ArrayLike = 1.0
    c: ArrayLike = 0.3
    k: ArrayLike = 1.0
    lam: ArrayLike = 0.5
    eta: ArrayLike = 0.3
    N: ArrayLike = 7.0
    tau: ArrayLike = 0.0
    A: ArrayLike = 0.1
    L: ArrayLike = 1.0

    @property
    def s(self) -> FloatOrArray:
        """Saving per automated task, s = w − c (§3.1)."""
        return saving(self.w, self.c)

    @property
    def ell(self) -> FloatOrArray:
        """Demand lost per automated task, ℓ = λ(1−η)w (§3.1)."""
        return demand_loss(self.lam, self.eta, self.w)

    def with_(self, **changes: ArrayLike) -> GameParams:
        """A copy with some primitives changed (the dataclass is frozen)."""
        return replace(self, **changes)


def saving(w: ArrayLike, c: ArrayLike) -> FloatOrArray:
    """Saving per automated task, ``s = w − c`` (§3.1)."""
    return f64(w) - f64(c)


def demand_loss(lam: ArrayLike, eta: ArrayLike, w: ArrayLike = 1.0) -> FloatOrArray:
    """Demand lost per automated task, ``ℓ = λ(1−η)w`` (§3.1).

    The owners' marginal propensity to consume is normalised to 0, so only the worker's lost
    spending λw, net of the recovered share η, leaves the sector. η > 1 gives ℓ < 0.
    """
    return f64(lam) * (1.0 - f64(eta)) * f64(w)


def demand(alpha_i: ArrayLike, alpha_rivals: ArrayLike, g: GameParams) -> FloatOrArray:
    """Sector demand ``D = A + λwL Σ_j [1 − (1−η)α_j]`` (§3.1, Eq. 2).

    Rivals enter only through their sum, so ``alpha_rivals`` is the mean share of the N − 1
    rivals. Works on complex ``alpha_i`` (used for complex-step derivatives).
    """
    one_minus_eta = 1.0 - f64(g.eta)
    workers = (1.0 - one_minus_eta * alpha_i) + (f64(g.N) - 1.0) * (
        1.0 - one_minus_eta * f64(alpha_rivals)
    )
    return f64(g.A) + f64(g.lam) * f64(g.w) * f64(g.L) * workers


def profit(
    alpha_i: ArrayLike,
    alpha_rivals: ArrayLike,
    g: GameParams,
    phi: ArrayLike = 1.0,
    capital_tax: ArrayLike = 0.0,
) -> FloatOrArray:
    """Profit of firm i, ``π_i(α_i, α_−i)`` (§3.1, Eq. 4; §3.4 for φ > 1; §6 P2 for t_K).

    ``π_i = (1 − t_K)·{ D·Y_i/ΣY − L[w(1−α_i) + cα_i + (k/2)α_i² + τα_i] }``

    with ``Y_i = L(1 + (φ−1)α_i)``. At φ = 1 every firm has output L, so ``Y_i/ΣY = 1/N`` and
    this is the spec's ``D/N − L[...]``. ``alpha_rivals`` is the mean share of the N − 1 rivals
    (profit depends on rivals only through their sum). ``capital_tax`` t_K scales profits
    (§6 P2). Written with plain arithmetic so that a complex ``alpha_i`` gives the complex-step
    derivative used by :func:`best_response`.
    """
    L, N = f64(g.L), f64(g.N)
    delta = f64(phi) - 1.0
    y_i = L * (1.0 + delta * alpha_i)
    y_total = y_i + (N - 1.0) * L * (1.0 + delta * f64(alpha_rivals))
    revenue = demand(alpha_i, alpha_rivals, g) * (y_i / y_total)
    cost = L * (
        f64(g.w) * (1.0 - alpha_i)
        + f64(g.c) * alpha_i
        + 0.5 * f64(g.k) * alpha_i * alpha_i
        + f64(g.tau) * alpha_i
    )
    return (1.0 - f64(capital_tax)) * (revenue - cost)


def marginal_profit(
    alpha_i: ArrayLike,
    alpha_rivals: ArrayLike,
    g: GameParams,
    phi: ArrayLike = 1.0,
    capital_tax: ArrayLike = 0.0,
) -> FloatOrArray:
    """∂π_i/∂α_i by complex step on :func:`profit` (numeric; no closed form used).

    The complex step is exact to rounding, so the numeric best response can be compared with
    the closed forms at 1e-12 rather than at the ~1e-8 a value-based optimiser would reach on
    a flat maximum.
    """
    z = f64(alpha_i) + 1j * _COMPLEX_STEP
    return np.imag(profit(z, alpha_rivals, g, phi, capital_tax)) / _COMPLEX_STEP


def best_response(
    alpha_rivals: ArrayLike,
    g: GameParams,
    phi: ArrayLike = 1.0,
    capital_tax: ArrayLike = 0.0,
) -> FloatOrArray:
    """Numeric best response argmax_{α_i∈[0,1]} π_i(α_i, α_−i) from :func:`profit`.

    Solves ∂π_i/∂α_i = 0 by bisection on the complex-step derivative. π_i is concave in α_i
    (the cost is convex, and D·Y_i/ΣY is concave when D > 0 and φ ≥ 1), so the derivative is
    decreasing and the first-order condition picks the maximiser. Used by the tests to check
    the closed forms of §3.2 and the Red Queen root of §3.4 independently.
    """
    return root_on_unit_interval(lambda a: marginal_profit(a, alpha_rivals, g, phi, capital_tax))


# ---------------------------------------------------------------------------------------------
# §3.2 first-order conditions and closed forms
# ---------------------------------------------------------------------------------------------


def alpha_nash(
    s: ArrayLike, ell: ArrayLike, k: ArrayLike, N: ArrayLike, tau: ArrayLike = 0.0
) -> FloatOrArray:
    """Nash automation share ``α_NE = clip((s − τ − ℓ/N)/k)`` (§3.2).

    From the firm's FOC L(s − τ − ℓ/N − kα_i) = 0: a firm bears only 1/N of the demand it
    destroys. The FOC does not involve α_−i, so this is a dominant strategy.
    """
    return clip01((f64(s) - f64(tau) - f64(ell) / f64(N)) / f64(k))


def alpha_coop(s: ArrayLike, ell: ArrayLike, k: ArrayLike) -> FloatOrArray:
    """Cooperative (joint-profit) share ``α_CO = clip((s − ℓ)/k)`` (§3.2).

    From NL(s − ℓ − kα) = 0: jointly, firms internalise the whole demand loss ℓ.
    """
    return clip01((f64(s) - f64(ell)) / f64(k))


def wedge(
    s: ArrayLike, ell: ArrayLike, k: ArrayLike, N: ArrayLike, tau: ArrayLike = 0.0
) -> FloatOrArray:
    """Over-automation wedge ``α_NE − α_CO`` (§3.2), both clipped to [0, 1].

    In the interior it equals ℓ(1 − 1/N)/k: independent of c, increasing in N
    (∂/∂N = ℓ/(kN²)), zero for a monopoly.
    """
    return alpha_nash(s, ell, k, N, tau) - alpha_coop(s, ell, k)


def pigouvian_tax(ell: ArrayLike, N: ArrayLike) -> FloatOrArray:
    """Pigouvian per-task tax ``τ* = ℓ(1 − 1/N)`` (§3.2).

    It charges each firm the demand loss it does not internalise, so the Nash FOC becomes the
    joint one. With the clipping of :func:`alpha_nash` it restores α_CO at the corners too,
    though it need not be the smallest tax that does there.
    """
    return f64(ell) * (1.0 - 1.0 / f64(N))


__all__ = [
    "GameParams",
    "alpha_coop",
    "alpha_nash",
    "best_response",
    "demand",
    "demand_loss",
    "marginal_profit",
    "pigouvian_tax",
    "profit",
    "saving",
    "wedge",
]

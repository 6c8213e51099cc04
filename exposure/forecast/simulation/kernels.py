"""Hot-path kernels of the Monte-Carlo (tasks × draws): §2.1-§2.3 in factored form.

The forecast evaluates capability, cost and adoption for ~19,000 tasks × 1,000 draws, so the
formulas of :mod:`exposure.forecast.model.capability` and
:mod:`exposure.forecast.model.diffusion` are restated here with every per-task constant
hoisted out of the draw loop, in log space and without scipy's ``expit`` or ``power`` on the
big arrays. They are the same formulas: the tests pin each kernel to its reference function
(capability dates and cost crossings to 1e-8 yr, saving rates to 1e-10, the Bass increment to
float32 precision). Notation (arrays broadcast):

* ``gap(t)`` — log2 H_i(t) − log2 h_i in doublings, linear in t with slope ``b0`` (= 12/Td)
  before t0 and ``b`` after it. ``b`` ≤ ``b0`` is the slope net of the data-stock erosion of
  §2.4, which starts at t0; with ``b == b0`` this is exactly `capability.log2_horizon`.
* ``lnM`` — ln (1 − m_i)^γ_m, the manual ceiling; ``need`` — logit(½/(1 − m)^γ)/β, the gap at
  which p = ½.
* ``log_cost(t)`` — ln(r0 (1 − g_c)^(t − t0) / p(t)), so that σ(t) = 1 − ρ_rev − e^log_cost.
"""

from __future__ import annotations

import numpy as np

from exposure.forecast.model._numeric import FloatArray

# Newton iterations: the reference root starts from a tangent at the window's end and
# converges monotonically from the left (the log-cost is convex and decreasing in t);
# per-sector roots start at the reference root, within a few hundredths of a year.
REF_ITERS = 12
SECTOR_ITERS = 2
# Newton steps (years) below which a crossing counts as converged (~1 ms).
STEP_TOL = 1e-10


def softplus(x: FloatArray) -> FloatArray:
    """ln(1 + eˣ), stable for any x (max(x, 0) + log1p(e^−|x|))."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def gap_at(t: FloatArray, gap0: FloatArray, b: FloatArray, b0: FloatArray,
           t0: float) -> FloatArray:
    """Capability gap in doublings at time t: slope b0 before t0, b after."""
    dt = t - t0
    return gap0 + np.where(dt >= 0.0, b, b0) * dt


def capability_time(gap0: FloatArray, b: FloatArray, b0: FloatArray, need: FloatArray,
                    t0: float) -> FloatArray:
    """t_cap: first t with gap(t) ≥ need (p ≥ ½), as `capability.capability_year`.

    Already capable at t0 (gap0 ≥ need): the crossing lies before t0 on the pre-t0 slope b0
    (−∞ when b0 = 0). Otherwise t0 + (need − gap0)/b (+∞ when b = 0). A task the manual
    ceiling keeps below ½ has need = +∞, hence +∞.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        back = t0 - (gap0 - need) / b0
        forward = t0 + (need - gap0) / b
    return np.where(gap0 >= need, back, forward)


def log_cost(t: FloatArray, ln_r0: FloatArray, kc: FloatArray, ln_m: FloatArray, gap: FloatArray,
             beta: float, t0: float) -> FloatArray:
    """ln(r0 (1 − g_c)^(t − t0)/p(t)) with ln p = lnM − softplus(−β·gap); kc = ln(1 − g_c)."""
    return ln_r0 + kc * (t - t0) - ln_m + softplus(-beta * gap)


def saving(t: FloatArray, ln_r0: FloatArray, kc: FloatArray, ln_m: FloatArray, gap: FloatArray,
           beta: float, t0: float, rho_rev: float) -> FloatArray:
    """σ(t) = 1 − ρ_rev − r0 (1 − g_c)^(t − t0)/p(t), as `capability.saving_rate`."""
    return 1.0 - rho_rev - np.exp(log_cost(t, ln_r0, kc, ln_m, gap, beta, t0))


def _slope(dt: FloatArray, b: FloatArray, b0: FloatArray) -> FloatArray:
    return b0 + (b - b0) * (dt >= 0.0)


def _phi(t: FloatArray, const: FloatArray, kc: float, gap0: FloatArray, b: FloatArray,
         b0: FloatArray, beta: float, t0: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """φ(t) = log_cost(t) − ln y (with const = ln r0 − lnM − ln y), φ'(t) and φ''(t)."""
    dt = t - t0
    slope = _slope(dt, b, b0)
    z = beta * (gap0 + slope * dt)
    e = np.exp(-np.abs(z))
    phi = const + kc * dt + np.maximum(-z, 0.0) + np.log1p(e)
    s = np.where(z >= 0.0, e, 1.0) / (1.0 + e)  # expit(−z)
    bs = beta * slope
    return phi, kc - bs * s, bs * bs * s * (1.0 - s)


def _newton(t: FloatArray, const: FloatArray, kc: float, gap0: FloatArray, b: FloatArray,
            b0: FloatArray, beta: float, t0: float, lo: FloatArray, hi: float,
            iters: int) -> FloatArray:
    """Newton steps on φ (convex, decreasing), kept inside [lo, hi]."""
    for _ in range(iters):
        phi, dphi, _ = _phi(t, const, kc, gap0, b, b0, beta, t0)
        t = np.clip(t + phi / np.maximum(-dphi, 1e-300), lo, hi)
    return t


def cost_crossing(t_start: FloatArray, ln_y: FloatArray, ln_r0: FloatArray, kc: float,
                  ln_m: FloatArray, gap0: FloatArray, b: FloatArray, b0: FloatArray,
                  beta: float, t0: float, t_end: float, iters: int = REF_ITERS) -> FloatArray:
    """First t in [t_start, t_end] with σ(t) ≥ x (ln y = ln(1 − ρ_rev − x)), i.e. §2.3's
    "first t at which the task passes the game threshold", restricted to the window.

    The caller guarantees σ(t_end) ≥ x. φ is convex, so the tangent at t_end meets zero left
    of the root; Newton then climbs monotonically to it. t_start is returned where σ already
    passes there. Agrees with `capability.cost_effective_year` (bisection) to ~1e-10 yr.
    """
    const = ln_r0 - ln_m - ln_y
    t = np.broadcast_to(np.asarray(t_end, dtype=np.float64), np.shape(const))
    t = _newton(t, const, kc, gap0, b, b0, beta, t0, t_start, t_end, 1)
    # From the left Newton never overshoots, so the floor only binds at the start. A root
    # whose step fell below STEP_TOL has converged (quadratically: its error is ~step²) and
    # leaves the working set, so each root's steps depend on itself alone.
    todo = np.arange(t.size)
    args = [np.broadcast_to(a, t.shape).ravel() for a in (const, kc, gap0, b, b0)]
    t = t.ravel().copy()
    current = t
    for _ in range(iters):
        phi, dphi, _ = _phi(current, *args, beta, t0)
        step = np.maximum(phi, 0.0) / np.maximum(-dphi, 1e-300)
        current = np.minimum(current + step, t_end)
        t[todo] = current
        going = np.nonzero((step > STEP_TOL) & (current < t_end))[0]
        if going.size == 0:
            break
        if going.size < todo.size:
            todo, current = todo[going], current[going]
            args = [a[going] for a in args]
    return t.reshape(np.shape(const))


def refine_crossing(t_ref: FloatArray, ln_y_ref: FloatArray, ln_y: FloatArray,
                    pair: np.ndarray, t_start: FloatArray, ln_r0: FloatArray, kc: float,
                    ln_m: FloatArray, gap0: FloatArray, b: FloatArray, b0: FloatArray,
                    beta: float, t0: float, t_end: float,
                    iters: int = SECTOR_ITERS) -> FloatArray:
    """Crossings for higher thresholds (ln y ≤ ln y_ref), several per pair.

    Per pair (arrays indexed by pair): the reference crossing t_ref of ln y_ref and the pair's
    constants. Per threshold (arrays indexed like ``ln_y``): ``pair`` says whose. The start is
    the second-order inverse expansion of φ around t_ref, T ≈ t_ref + Δ/|φ'| +
    φ''Δ²/(2|φ'|³) with Δ = φ_ref(t_ref) + ln y_ref − ln y, polished by (signed) Newton
    steps kept inside [t_start, t_end]; ~1e-11 yr after two steps on the real data.
    """
    phi_ref, d1, d2 = _phi(t_ref, ln_r0 - ln_m - ln_y_ref, kc, gap0, b, b0, beta, t0)
    inv = 1.0 / np.maximum(-d1, 1e-300)
    delta = np.maximum(phi_ref[pair] + ln_y_ref[pair] - ln_y, 0.0)
    ip = inv[pair]
    t = np.minimum(t_ref[pair] + delta * ip + 0.5 * d2[pair] * delta * delta * ip * ip * ip,
                   t_end)
    const = (ln_r0 - ln_m)[pair] - ln_y
    lo = t_start[pair]
    kc_pair = kc[pair] if np.ndim(kc) else kc  # g_c may be drawn per (draw, task) pair
    t = _newton(t, const, kc_pair, gap0[pair], b[pair], b0[pair], beta, t0, lo, t_end, iters)
    return np.where(delta > 0.0, t, t_ref[pair])  # φ ≤ 0 at t_ref: the same crossing


def bass_increment(t: FloatArray, t_start: float, t_act: FloatArray, p: float,
                   pq: FloatArray) -> np.ndarray:
    """F(t_y − t_act) − F(t_start − t_act) as float32 (years × rows), F the Bass curve of
    `diffusion.bass_cdf`.

    ``t`` holds the evaluation times; ``t_act`` and ``pq`` = p + q_i are per row (1-D).
    F(u) = p(1 − e)/(p + q e) with e = e^{−(p+q)u⁺}: 0 for u ≤ 0, 1 for u = +∞
    (t_act = −∞). Time differences are taken in float64, the curve is evaluated in float32
    (the precision of the stored results), one year at a time so that the rows stay in
    cache; the start term only for rows that activated before ``t_start``.
    """
    t_act = np.asarray(t_act, dtype=np.float64)
    rate = np.asarray(pq, dtype=np.float32)
    p32, one = np.float32(p), np.float32(1.0)
    q = rate - p32

    def cdf(u: np.ndarray, rate: np.ndarray, q: np.ndarray) -> np.ndarray:
        e = np.maximum(u, 0.0).astype(np.float32)
        e *= -rate
        np.exp(e, out=e)
        return p32 * (one - e) / (p32 + q * e)

    times = np.asarray(t, dtype=np.float64)
    out = np.empty((times.size, t_act.size), dtype=np.float32)
    for y, ty in enumerate(times):
        out[y] = cdf(ty - t_act, rate, q)
    early = np.nonzero(t_act < t_start)[0]
    if early.size:
        out[:, early] -= cdf(t_start - t_act[early], rate[early], q[early])
        np.maximum(out, np.float32(0.0), out=out)
    return out


__all__ = [
    "REF_ITERS",
    "SECTOR_ITERS",
    "bass_increment",
    "capability_time",
    "cost_crossing",
    "gap_at",
    "log_cost",
    "refine_crossing",
    "saving",
    "softplus",
]

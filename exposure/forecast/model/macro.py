"""Macro check against Acemoglu (2024), *The Simple Macroeconomics of AI* (MODEL_SPEC §5).

Hulten's theorem: ``d ln TFP = ∫ χ(z)π(z) dz = π̄ × (GDP share of tasks affected)`` (his eq. 14),
with ``π̄ = s_L × labour-cost saving``. GDP: ``d ln Y = d ln TFP + s_K d ln K``, which is
``d ln TFP/(1 − s_K)`` when K/Y is constant.

Two modes:

* :func:`replicate_acemoglu` plugs in his scalars (the defaults of :class:`AcemogluInputs`) and
  must give TFP 0.66% (0.53% with hard tasks) and GDP 1.16% (0.93%) over ten years, after
  rounding to 2 dp. These published figures are test checks, never used here.
* :func:`bottom_up` computes the same quantities from the pipeline's per-task arrays and flags
  a TFP gain outside the plausible band [0.2%, 2%].

All functions broadcast over numpy arrays (Monte-Carlo draws); tasks lie on the last axis.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
FloatOrArray = float | FloatArray

# §7.8: median TFP over ten years should lie in [0.2%, 3.5%] and π̄ in [0.10, 0.35] (our σ is
# AI cost against the wage, so π̄ sits above Acemoglu's experimental 0.144).
PLAUSIBLE_TFP_BAND_PCT = (0.2, 3.5)
PLAUSIBLE_PI_BAR = (0.10, 0.35)


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


@dataclass(frozen=True)
class AcemogluInputs:
    """Acemoglu's (2024, May / Economic Policy version) scalar inputs (§5). [S]

    Fields may also be numpy arrays (sensitivity draws).

    Attributes:
        exposed_share: wage-bill-weighted share of tasks exposed to AI (Eloundou et al.
            automation index, tasks with > 50% of activities affected), 0.200.
        profitable_share: share of exposed tasks profitably automatable within 10 years
            (Svanberg et al., computer vision), 0.23; so 0.046 of all tasks.
        saving_noy_zhang: labour-cost saving in Noy & Zhang's experiment, 0.40.
        saving_brynjolfsson: labour-cost saving in Brynjolfsson et al., 0.14. The saving used
            is the mean of the two, 0.27.
        labour_share: labour share of the exposed tasks (BEA, 14 NIPA industries), 0.535
            (the unadjusted national figure is 0.576).
        easy_fraction: share of affected tasks that are "easy" to learn, 0.726.
        hard_saving: labour-cost saving on hard tasks, 0.07.
        gdp_multiplier: his ≈ 1/(1 − s_K) with s_K = 0.43 (= 1.754), rounded to 1.75 as he
            uses it. Kept separate from ``capital_share`` because his 1.16% needs the rounded
            value: 0.66 × 1.754 = 1.158 rounds the same, but 0.66447 × 1.754 = 1.166 does not.
        capital_share: s_K = 0.43, for reference and for :func:`bottom_up`.
    """

    exposed_share: ArrayLike = 0.200
    profitable_share: ArrayLike = 0.23
    saving_noy_zhang: ArrayLike = 0.40
    saving_brynjolfsson: ArrayLike = 0.14
    labour_share: ArrayLike = 0.535
    easy_fraction: ArrayLike = 0.726
    hard_saving: ArrayLike = 0.07
    gdp_multiplier: ArrayLike = 1.75
    capital_share: ArrayLike = 0.43

    @property
    def labour_cost_saving(self) -> FloatOrArray:
        """Mean of the two experimental labour-cost savings (0.27 at the defaults)."""
        return 0.5 * (_f(self.saving_noy_zhang) + _f(self.saving_brynjolfsson))


@dataclass(frozen=True)
class ReplicationResult:
    """Output of :func:`replicate_acemoglu`; percentages over ten years.

    Attributes:
        affected_share: GDP share of tasks affected, exposed × profitable (0.046).
        pi_bar: average cost saving on affected tasks, s_L × labour-cost saving (0.144).
        pi_bar_hard: cost saving on hard tasks, s_L × hard saving (0.037).
        easy_share, hard_share: GDP shares of easy and hard affected tasks (3.3%, 1.3%).
        tfp_pct: TFP gain, affected_share × π̄, in percent, unrounded.
        tfp_hard_pct: TFP gain with the easy/hard split, unrounded.
        gdp_pct: GDP gain = multiplier × TFP (rounded to 2 dp first if so asked).
        gdp_hard_pct: the same with the easy/hard split.
    """

    affected_share: FloatOrArray
    pi_bar: FloatOrArray
    pi_bar_hard: FloatOrArray
    easy_share: FloatOrArray
    hard_share: FloatOrArray
    tfp_pct: FloatOrArray
    tfp_hard_pct: FloatOrArray
    gdp_pct: FloatOrArray
    gdp_hard_pct: FloatOrArray


def replicate_acemoglu(
    inputs: AcemogluInputs | None = None, round_tfp_first: bool = True
) -> ReplicationResult:
    """Replication mode of §5: Acemoglu's ten-year TFP and GDP gains from his scalars.

    ``TFP = exposed × profitable × s_L × saving`` (Hulten, his eq. 14) and, with the easy/hard
    split, ``TFP_hard = A·f_easy·π̄ + A·(1 − f_easy)·s_L·saving_hard`` with A the affected share.
    ``GDP = multiplier × TFP``.

    Readings that reproduce his figures:

    * The easy/hard case is computed from the unrounded inputs (0.033396 × 0.14445 +
      0.012604 × 0.03745 = 0.5296%, reported 0.53%). The rounded figures he prints
      (0.033 × 0.144 + 0.013 × 0.037) would give 0.5233%, i.e. 0.52%.
    * GDP multiplies the TFP *rounded to 2 dp* by 1.75 (``round_tfp_first=True``), as he does:
      0.66 × 1.75 = 1.155 → 1.16 and 0.53 × 1.75 = 0.9275 → 0.93.
    """
    p = AcemogluInputs() if inputs is None else inputs
    affected = _f(p.exposed_share) * _f(p.profitable_share)
    s_l = _f(p.labour_share)
    pi_bar = s_l * p.labour_cost_saving
    pi_bar_hard = s_l * _f(p.hard_saving)
    easy = affected * _f(p.easy_fraction)
    hard = affected - easy
    tfp = 100.0 * affected * pi_bar
    tfp_hard = 100.0 * (easy * pi_bar + hard * pi_bar_hard)
    # He scales the TFP figure he reports (2 dp), not the unrounded one.
    base, base_hard = (
        (np.round(tfp, 2), np.round(tfp_hard, 2)) if round_tfp_first else (tfp, tfp_hard)
    )
    mult = _f(p.gdp_multiplier)
    return ReplicationResult(
        affected_share=affected[()],
        pi_bar=pi_bar[()],
        pi_bar_hard=pi_bar_hard[()],
        easy_share=easy[()],
        hard_share=hard[()],
        tfp_pct=tfp[()],
        tfp_hard_pct=tfp_hard[()],
        gdp_pct=(mult * base)[()],
        gdp_hard_pct=(mult * base_hard)[()],
    )


@dataclass(frozen=True)
class BottomUpResult:
    """Output of :func:`bottom_up`; shapes are the leading (draw) shape of the inputs.

    Attributes:
        automated_share: Σ_i χ_i·a_i, GDP share of tasks automated by the horizon (his 0.046).
        pi_bar: average cost saving over the automated tasks,
            Σ_i χ_i a_i s_L,i σ_i / Σ_i χ_i a_i (his 0.144); NaN when nothing is automated.
        tfp_pct: TFP gain in percent, 100·Σ_i χ_i a_i s_L,i σ_i = 100·automated_share·π̄.
        gdp_pct: GDP gain in percent, TFP/(1 − s_K).
        outside_band: True where TFP falls outside the plausible band (default [0.2%, 2%]).
    """

    automated_share: FloatOrArray
    pi_bar: FloatOrArray
    tfp_pct: FloatOrArray
    gdp_pct: FloatOrArray
    outside_band: bool | NDArray[np.bool_]


def bottom_up(
    chi: ArrayLike,
    automated: ArrayLike,
    labour_share: ArrayLike,
    saving: ArrayLike,
    capital_share: ArrayLike = 0.43,
    band: tuple[float, float] = PLAUSIBLE_TFP_BAND_PCT,
    warn: bool = False,
) -> BottomUpResult:
    """Bottom-up mode of §5: Hulten's TFP gain from the pipeline's per-task arrays.

    Args:
        chi: χ_i, GDP share of task i (not renormalised: Σ χ_i is the share of GDP the tasks
            cover, at most 1).
        automated: 1[task i automated by 2035]; a fraction in [0, 1] (e.g. the automated share
            of the task) is accepted too.
        labour_share: s_L,j(i), labour share of the sector of task i.
        saving: σ_i, labour-cost saving rate of automating task i.
        capital_share: s_K for the GDP multiplier 1/(1 − s_K) (unrounded here).
        band: plausible TFP band in percent; ``outside_band`` flags values outside it.
        warn: also emit a ``RuntimeWarning`` when any value is outside the band.

    The spec writes π̄ = Σ_i χ_i s_L σ_i / Σ_i χ_i; the sums are read as running over the
    automated tasks (weights χ_i·a_i), so that TFP = automated_share × π̄ is exactly Hulten's
    Σ_i χ_i a_i s_L,i σ_i, as in Acemoglu (π̄ is his average saving on affected tasks).
    """
    chi_ = _f(chi)
    a = _f(automated)
    if np.any(chi_ < 0.0) or np.any(chi_.sum(axis=-1) > 1.0 + 1e-9):
        raise ValueError("chi must be non-negative GDP shares of tasks summing to at most 1")
    if np.any((a < 0.0) | (a > 1.0)):
        raise ValueError("automated must be an indicator or a fraction in [0, 1]")
    weight = chi_ * a
    automated_share = weight.sum(axis=-1)
    gain = (weight * _f(labour_share) * _f(saving)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pi_bar = np.where(automated_share > 0.0, gain / automated_share, np.nan)
    tfp = 100.0 * gain
    gdp = tfp / (1.0 - _f(capital_share))
    lo, hi = band
    outside = (tfp < lo) | (tfp > hi)
    if warn and np.any(outside):
        warnings.warn(
            f"bottom-up TFP gain outside the plausible band [{lo}%, {hi}%]; "
            "check the saving and automation inputs",
            RuntimeWarning,
            stacklevel=2,
        )
    return BottomUpResult(
        automated_share=automated_share[()],
        pi_bar=pi_bar[()],
        tfp_pct=tfp[()],
        gdp_pct=gdp[()],
        outside_band=outside[()],
    )


__all__ = [
    "PLAUSIBLE_PI_BAR",
    "PLAUSIBLE_TFP_BAND_PCT",
    "AcemogluInputs",
    "BottomUpResult",
    "ReplicationResult",
    "bottom_up",
    "replicate_acemoglu",
]

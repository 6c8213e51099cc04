"""Macro check against Acemoglu (2024) (MODEL_SPEC §5). Published figures are checks only."""

from __future__ import annotations

import numpy as np
import pytest

from exposure.forecast.model import macro as M


def test_replication_reproduces_acemoglu_2024() -> None:
    r = M.replicate_acemoglu()
    assert round(float(r.tfp_pct), 2) == 0.66
    assert round(float(r.tfp_hard_pct), 2) == 0.53
    assert round(float(r.gdp_pct), 2) == 1.16
    assert round(float(r.gdp_hard_pct), 2) == 0.93


def test_replication_intermediates() -> None:
    r = M.replicate_acemoglu()
    assert abs(r.affected_share - 0.046) < 1e-12
    assert round(float(r.pi_bar), 3) == 0.144
    assert round(float(r.pi_bar_hard), 3) == 0.037
    assert round(float(r.easy_share), 3) == 0.033 and round(float(r.hard_share), 3) == 0.013
    assert abs(M.AcemogluInputs().labour_cost_saving - 0.27) < 1e-12


def test_replication_multiplier_is_rounded_capital_share_multiplier() -> None:
    p = M.AcemogluInputs()
    assert abs(p.gdp_multiplier - 1.0 / (1.0 - p.capital_share)) < 0.005
    # GDP scales the TFP he reports (rounded to 2 dp).
    r = M.replicate_acemoglu()
    assert abs(r.gdp_pct - 1.75 * round(float(r.tfp_pct), 2)) < 1e-12
    unrounded = M.replicate_acemoglu(round_tfp_first=False)
    assert abs(unrounded.gdp_pct - 1.75 * unrounded.tfp_pct) < 1e-12


def test_replication_vectorises_over_inputs() -> None:
    r = M.replicate_acemoglu(M.AcemogluInputs(profitable_share=np.array([0.23, 0.30])))
    assert r.tfp_pct.shape == (2,)
    assert r.tfp_pct[1] > r.tfp_pct[0]


def _acemoglu_tasks(n: int = 1000) -> dict[str, np.ndarray]:
    """A task list that carries his scalars: 4.6% of GDP automated, s_L .535, saving .27."""
    chi = np.full(n, 1.0 / n)
    automated = (np.arange(n) < round(0.046 * n)).astype(float)
    return {
        "chi": chi,
        "automated": automated,
        "labour_share": np.full(n, 0.535),
        "saving": np.full(n, 0.27),
    }


def test_bottom_up_matches_hulten_on_acemoglu_inputs() -> None:
    b = M.bottom_up(**_acemoglu_tasks())
    r = M.replicate_acemoglu()
    assert abs(b.automated_share - r.affected_share) < 1e-12
    assert abs(b.pi_bar - r.pi_bar) < 1e-12
    assert abs(b.tfp_pct - r.tfp_pct) < 1e-9
    assert abs(b.gdp_pct - b.tfp_pct / (1.0 - 0.43)) < 1e-12
    assert not b.outside_band


def test_bottom_up_flag_fires_outside_plausible_band() -> None:
    t = _acemoglu_tasks()
    saving = np.array([0.001, 0.05, 0.27, 0.5, 0.9])[:, None] * np.ones_like(t["saving"])
    automated = np.where(np.arange(5)[:, None] == 4, 1.0, t["automated"])  # last: all automated
    b = M.bottom_up(t["chi"], automated, t["labour_share"], saving)
    tfp = np.asarray(b.tfp_pct)
    np.testing.assert_array_equal(b.outside_band, (tfp < 0.2) | (tfp > 3.5))
    assert b.outside_band[0] and not b.outside_band[2] and b.outside_band[4]
    # Just inside the band at both ends is not flagged; just outside is.
    for tfp_target, flagged in ((0.2001, False), (3.499, False), (0.199, True), (3.501, True)):
        s = tfp_target / (100.0 * 0.046 * 0.535)  # saving that yields this TFP gain
        out = M.bottom_up(t["chi"], t["automated"], t["labour_share"], s)
        assert bool(out.outside_band) == flagged
    with pytest.warns(RuntimeWarning):
        M.bottom_up(t["chi"], t["automated"], t["labour_share"], 0.001, warn=True)


def test_bottom_up_rejects_bad_inputs_and_handles_no_automation() -> None:
    t = _acemoglu_tasks()
    with pytest.raises(ValueError):
        M.bottom_up(t["chi"] * 2.0, t["automated"], t["labour_share"], t["saving"])
    with pytest.raises(ValueError):
        M.bottom_up(t["chi"], t["automated"] * 2.0, t["labour_share"], t["saving"])
    none = M.bottom_up(t["chi"], 0.0 * t["automated"], t["labour_share"], t["saving"])
    assert none.tfp_pct == 0.0 and np.isnan(none.pi_bar) and none.outside_band

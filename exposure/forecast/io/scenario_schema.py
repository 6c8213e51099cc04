"""Sections of a scenario file (MODEL_SPEC §6): every parameter a scenario may change.

Each section is a pydantic model whose defaults are the model's defaults (taken from
:class:`~exposure.forecast.model.capability.CapabilityParams` and
:class:`~exposure.forecast.model.diffusion.DiffusionParams` where those hold them, so there is one
source for each number) and whose constraints are the allowed ranges. Unknown keys are
rejected (``extra="forbid"``), numbers must be finite unless said otherwise, and types are
strict (``true`` is not a number, ``"0.5"`` is not a number). :mod:`exposure.forecast.io.scenarios`
loads the files and turns validation errors into one-sentence ``ConfigError``s.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from exposure.forecast.model.capability import CapabilityParams
from exposure.forecast.model.diffusion import DiffusionParams

_CAP = CapabilityParams()
_DIF = DiffusionParams()



class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class CapabilitySection(_Section):
    """[capability]: the task-length horizon of §2.1."""

    H0_minutes: float = Field(float(_CAP.H0_minutes), gt=0.0)
    t0: float = Field(float(_CAP.t0), ge=2000.0, le=2100.0)
    Td_months: float = Field(
        float(_CAP.Td_months),
        gt=0.0,
        allow_inf_nan=True,
        description="a number > 0 (months per doubling; inf freezes capability)",
    )
    beta: float = Field(float(_CAP.beta), gt=0.0)  # [S] 0.6 per doubling (§7.2)
    kappa_D: float = Field(float(_CAP.kappa_D), ge=0.0)
    kappa_V: float = Field(float(_CAP.kappa_V), ge=0.0)
    gamma_m: float = Field(float(_CAP.gamma_m), ge=0.0)
    q_req: float = Field(0.5, gt=0.0, lt=1.0)  # [A] reliability the deployment gate needs
    m_h: float = Field(2.0 ** 0.5, gt=0.0)  # [A] task length at work / Job Zone minutes


class CostSection(_Section):
    """[cost]: AI cost per task (§7.1): log r0 = μ(a_10) + σ_r z − log(w_o/w̄) − ε_s log(S/S̄)
    − ln2·(κ_D(DA − ½) + κ_V(V − ½)); μ is solved from the adopted-share target a_10."""

    g_c: float = Field(0.10, ge=0.0, lt=1.0)  # [S/A] yearly cost decline, Tri(.05, .10, .20)
    rho_rev: float = Field(float(_CAP.rho_rev), ge=0.0)  # [A] human review, share of the wage
    r0_sigma: float = Field(1.25, ge=0.0)  # [A] σ_r, set not fitted, Tri(1.0, 1.25, 1.5)
    a10: float = Field(0.046, gt=0.0, lt=1.0)  # [S/A] adopted share of the wage bill by 2035
    scale_elasticity: float = Field(0.3, ge=0.0)  # [A] ε_s, fixed costs over firm volume


class DiffusionSection(_Section):
    """[diffusion]: deployment gate, Bass diffusion and data dynamics of §2.3-§2.4."""

    L_eval: float = Field(float(_DIF.L_eval), ge=0.0)
    L_hold: float = Field(float(_DIF.L_hold), ge=0.0)
    bass_p: float = Field(float(_DIF.bass_p), gt=0.0, le=1.0)
    bass_q: float = Field(float(_DIF.bass_q), ge=0.0)
    bass_q_worker: float = Field(float(_DIF.bass_q_worker), ge=0.0)
    f_soc: float = Field(float(_DIF.f_soc), ge=0.0, le=1.0)
    delta_D: float = Field(float(_DIF.delta_D), ge=0.0, le=1.0)
    kappa_c: float = Field(float(_DIF.kappa_c), gt=0.0)
    contribution_loss: float = Field(float(_DIF.contribution_loss), ge=0.0, le=1.0)


class GameSection(_Section):
    """[game]: the layoff-trap game (§3, §7.3); economy mode is the default."""

    mode: Literal["sector", "economy"] = "economy"  # where lost spending is counted (§7.3)
    lam_tot: float = Field(0.5, ge=0.0, le=1.0)  # [A] MPC workers − owners, Tri(.3, .5, .7)
    eta: float = Field(0.65, ge=0.0)  # [S/A] income replaced within the year, U[.5, .8]
    phi: float = Field(1.0, ge=1.0, le=3.0)  # §3.4 Red Queen: output of an automated task
    wage_concession: float = Field(0.0, ge=0.0, lt=1.0)  # §3.5 ρ: share of AI's advantage
    labour_share: float = Field(0.535, gt=0.0, le=1.0)  # [S] s_L (Acemoglu), revenue per wage


class LabourSection(_Section):
    """[labour]: from automated tasks to jobs, and the stock-flow of §7.5."""

    theta_sub: float = Field(0.43, ge=0.0, le=1.0)  # [S] AEI automation vs augmentation
    reemployment_hazard: float = Field(0.07, ge=0.0, le=1.0)  # [S/A] monthly h, U[.04, .10]
    ui_replacement: float = Field(0.45, ge=0.0, le=1.0)  # [S] UI share of the old wage
    ui_months: int = Field(6, ge=0, le=36)  # [S] months of UI


class PolicySection(_Section):
    """[policy]: the dials of §6 and §7.6; every default is "no policy" (P0)."""

    automation_tax: Literal["none", "pigouvian", "fixed", "planner"] = "none"
    tax_rate: float = Field(0.0, ge=0.0, le=1.0)  # ad-valorem rate, only with "fixed"
    tax_rebate: Literal["lump_sum", "retraining", "none"] = "lump_sum"  # P1 / P8
    planner_mu: float = Field(0.0, ge=0.0, lt=1.0)  # §3.2 worker weight μ, with "planner"
    capital_tax: float = Field(0.0, ge=0.0, lt=1.0)  # P2 t_K on AI's profit gains, rebated
    ubi: float = Field(0.0, ge=0.0)  # P3 b, dollars per person per year
    upskilling_delta_eta: float = Field(0.0, ge=0.0)  # P4 Δη
    upskilling_h0_factor: float = Field(1.0, ge=1.0)  # P4 multiplier on the hazard h
    retraining_cost: float = Field(10000.0, gt=0.0)  # P8 $ per retraining [A]
    retraining_cap: float = Field(0.2, ge=0.0)  # P8 cap on the funded Δη
    worker_equity: float = Field(0.0, ge=0.0, le=1.0)  # P5 ε
    coalition_size: int | None = Field(None, ge=1)  # P6 M firms
    coalition_share: float | None = Field(None, gt=0.0, le=1.0)  # P6 M as a share of N
    cbi: float = Field(0.0, ge=0.0, le=1.0)  # P7 collective bargaining for information
    data_dividend_eta: float = Field(0.0, ge=0.0)  # P7 Δη at CBI = 1 (scaled by CBI)


def _range(condition: str) -> str:
    return (f"[low, high] (uniform) or [low, mode, high] (triangular), numbers {condition} "
            "in increasing order")


Range = tuple[float, ...]


def _ranged(default: tuple[float, ...], description: str) -> Range:
    return Field(default, strict=False, min_length=2, max_length=3, description=description)


class UncertaintySection(_Section):
    """[uncertainty]: Monte-Carlo ranges (§7.0): [low, high] is uniform, [low, mode, high]
    triangular; m_h is log-uniform on [low, high]."""

    draws: int = Field(1000, ge=1)
    seed: int = Field(20250201, ge=0)
    interval: float = Field(0.8, gt=0.0, lt=1.0)  # central interval reported (80%)
    Td_months: Range = _ranged((4.3, 7.0, 14.0), _range("> 0"))
    kappa: Range = _ranged((1.0, 3.0), _range("≥ 0"))
    r0_sigma: Range = _ranged((1.0, 1.25, 1.5), _range("≥ 0"))
    a10: Range = _ranged((0.03, 0.046, 0.10), _range("in (0, 1)"))
    g_c: Range = _ranged((0.05, 0.10, 0.20), _range("in [0, 1)"))
    q_req: Range = _ranged((0.5, 0.5, 0.8), _range("in (0, 1)"))
    m_h: Range = _ranged((0.5, 4.0), _range("> 0"))
    theta_sub: Range = _ranged((0.3, 0.43, 0.6), _range("in [0, 1]"))
    eta: Range = _ranged((0.5, 0.8), _range("≥ 0"))
    lam_tot: Range = _ranged((0.3, 0.5, 0.7), _range("in [0, 1]"))
    reemployment_hazard: Range = _ranged((0.04, 0.10), _range("in [0, 1]"))


class ScenarioParameters(_Section):
    """Every section, each filled with defaults where the file is silent."""

    capability: CapabilitySection = Field(default_factory=CapabilitySection)
    cost: CostSection = Field(default_factory=CostSection)
    diffusion: DiffusionSection = Field(default_factory=DiffusionSection)
    game: GameSection = Field(default_factory=GameSection)
    labour: LabourSection = Field(default_factory=LabourSection)
    policy: PolicySection = Field(default_factory=PolicySection)
    uncertainty: UncertaintySection = Field(default_factory=UncertaintySection)


class ScenarioFile(ScenarioParameters):
    """A whole scenario file: a header and the sections it changes."""

    id: str = Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_-]*$",
        description="letters, digits, '_' or '-' starting with a letter, equal to the file name",
    )
    title: str = Field(min_length=1, description="a non-empty string")
    description: str = Field(description="a string")


SECTIONS: tuple[str, ...] = tuple(ScenarioParameters.model_fields)

__all__ = [
    "SECTIONS",
    "CapabilitySection",
    "CostSection",
    "DiffusionSection",
    "GameSection",
    "LabourSection",
    "PolicySection",
    "ScenarioFile",
    "ScenarioParameters",
    "UncertaintySection",
]

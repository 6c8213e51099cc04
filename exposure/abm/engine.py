"""The monthly turns of MODEL_SPEC §4 over all agents at once (no Python loop per agent).

Per review (every R turns) each agent's candidate AI share is C_w = Σ_i ω_i E_i 1[s_i > T_w]
over its occupation's tasks, with the agent's fixed threshold
T_w = σ_q θ_w + e_w + (β_soc + f_soc) b_w + m_switch − c_w (1 − x_j):
the incumbent's judged quality above the task mean, social tie in the judgement and in the
switching margin, and its cost c_w = y_w/ȳ (relative wage) net of the firm's threshold x_j.
Agents are sorted once by (occupation, T_w), so for each task the agents it beats are one
contiguous run: one searchsorted of the tasks into the agents, one bincount and one cumsum
give every C_w (linear in agents).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from exposure.abm.ai import AiState
from exposure.abm.backend import Backend, namespace
from exposure.abm.caps import cap_at
from exposure.abm.population import Population

# Told (done, of) after every simulated month: `exposure simulate` draws its bar from it. A
# context variable, not a parameter, because stage parameters make up the cache key.
MONTH_PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "abm_month_progress", default=None)

BINS = 4096  # advantage bins for "largest AI advantage first" under a cap
ADV_RANGE = 40.0  # advantages are binned on [−20, 20] (σ_q units; wider ones clip)


@dataclass(frozen=True)
class AbmOptions:
    """Switches and [A] defaults of §4 (see the package docstring)."""

    share: float = 0.01
    months: int = 132
    seed: int = 20250501
    mode: Literal["coupled", "emergent"] = "coupled"
    device: str = "cpu"
    review_every: int = 3  # R
    ai_every: int = 3  # U
    singularity: bool = False
    social_ties: bool = True
    skill_dispersion: bool = True
    beta_soc: float = 0.3
    m_switch: float = 0.1
    sigma_eps: float = 0.5
    rho_min: float = 0.5
    base_unemployment: float = 0.04  # u0 [A]
    base_vacancies: float = 0.04  # v0 [A]: V/U = 1 before AI


@dataclass(frozen=True)
class Economy:
    """Scenario-level numbers the turns need (from `abm.inputs`)."""

    theta_sub: float
    hazard: float  # h0 per month
    replacement: float  # re-employed wage / old wage
    ui_replacement: float
    ui_months: int
    lam_tot: float
    labour_share: float
    f_soc: float
    threshold: np.ndarray  # x_j per sector
    demand_share: np.ndarray  # λ_k per sector: share of lost spending falling on j
    t0: float


@dataclass
class Trace:
    """Monthly national series and per-agent event months (host NumPy)."""

    months: list[int] = field(default_factory=list)
    employed: list[float] = field(default_factory=list)
    unemployed: list[float] = field(default_factory=list)
    reemployed: list[float] = field(default_factory=list)
    displaced: list[float] = field(default_factory=list)
    automated: list[float] = field(default_factory=list)
    hazard: list[float] = field(default_factory=list)
    income_loss: list[float] = field(default_factory=list)  # $ per month, sample units
    sector_automated: list[np.ndarray] = field(default_factory=list)
    caps: list[np.ndarray] = field(default_factory=list)
    order: np.ndarray | None = None  # agent order used (index into the population)
    disp_month: np.ndarray | None = None  # per sorted agent, −1 if never displaced
    reemp_month: np.ndarray | None = None


def _squash(x):  # monotone map of the reals (and −inf) into [0, 1)
    return 0.5 + np.arctan(x) / np.pi


def run(pop: Population, ai: AiState, tasks_occ: np.ndarray, tasks_weight: np.ndarray,
        eco: Economy, opts: AbmOptions, caps: tuple[np.ndarray, np.ndarray] | None,
        backend: Backend | None = None) -> Trace:
    """Simulate ``opts.months`` turns; return the trace (see `Trace`)."""
    be = backend or namespace(opts.device)
    xp = be.xp
    n, n_occ, n_sec = pop.size, pop.n_occ, len(pop.sectors)
    rng = np.random.default_rng(np.random.SeedSequence([opts.seed, 7]))

    # the evaluator's noise on a review: R months of task-level output noise, averaged
    herf = np.bincount(tasks_occ, weights=tasks_weight**2, minlength=n_occ + 1)
    noise_sd = opts.sigma_eps * np.sqrt(herf / opts.review_every) if opts.skill_dispersion \
        else np.zeros(n_occ + 1)
    noise = rng.standard_normal(n) * noise_sd[pop.occ]
    threshold = (ai.p.sigma_q * pop.skill + noise + (opts.beta_soc + eco.f_soc) * pop.tie
                 + opts.m_switch - pop.rel_wage * (1.0 - eco.threshold[pop.sector]))
    order = np.lexsort((threshold, pop.occ))
    occ_h = pop.occ[order].astype(np.int64)
    key_h = occ_h + _squash(threshold[order]) * (1.0 - 1e-9)
    start_h = np.searchsorted(occ_h, np.arange(n_occ + 1))

    sector = be.asarray(pop.sector[order].astype(np.int64))
    occ = be.asarray(occ_h)
    key = be.asarray(key_h)
    thr = be.asarray(threshold[order])
    substitution = be.asarray(pop.sub_draw[order] < eco.theta_sub)
    pick = be.asarray(rng.random(n))  # who goes from the marginal bin of a consolidation
    clock = pop.clock[order]
    wage_h = pop.wage[order]
    sector_n = np.bincount(pop.sector, minlength=n_sec).astype(np.float64)

    # task side, ordered by occupation
    t_occ = tasks_occ.astype(np.int64)
    t_start = be.asarray(start_h[t_occ])
    t_w = be.asarray(tasks_weight)

    automated = xp.zeros(n, dtype=xp.float64, device=be.device)  # A_w, new since t0
    base = None
    active = xp.ones(n, dtype=xp.bool, device=be.device)  # employed in its job
    disp_month = np.full(n, -1, dtype=np.int16)
    reemp_month = np.full(n, -1, dtype=np.int16)
    # the displaced, compact (host): index, integrated hazard they need, wage, month
    d_idx = np.zeros(0, dtype=np.int64)
    d_need = np.zeros(0)
    d_wage = np.zeros(0)
    d_month = np.zeros(0, dtype=np.int64)
    d_out = np.zeros(0, dtype=bool)  # re-employed
    cum_hazard = 0.0
    income_loss = 0.0
    total_wage = float(pop.wage.sum())
    trace = Trace(order=order)
    report_month = MONTH_PROGRESS.get()
    s = ai.scores(0.0)
    for m in range(opts.months):
        if m and m % opts.ai_every == 0:
            ai.update(float(m), float(opts.ai_every), *_ai_shares(
                be, s, key, start_h, t_occ, tasks_weight, automated, base, occ, n_occ, n))
        new = np.zeros(0, dtype=np.int64)
        if m % opts.review_every == 0:
            s = ai.scores(float(m))
            cand = _candidate(be, s, t_occ, t_start, t_w, key, n)
            if base is None:
                base = cand  # what AI already does at t0 is the status quo, not displacement
            want = xp.where(active, xp.clip(cand - base - automated, 0.0, None), 0.0)
            if opts.mode == "coupled" and caps is not None:
                alpha = cap_at(eco.t0 + m / 12.0, eco.t0, *caps)
                room = be.asarray(np.maximum(alpha * sector_n - be.to_numpy(
                    be.bincount(sector, automated, n_sec)), 0.0))
                smax = _occ_max(s, t_occ, n_occ)
                want = want * _accept(be, want, sector, room, be.asarray(smax)[occ] - thr,
                                      n_sec)
                trace.caps.append(alpha)
            automated = automated + want
            human = 1.0 - base
            out = active & substitution & (human - automated < opts.rho_min * human)
            active = active & ~out
            # §4.3's second rule: θ_sub of the automated time becomes headcount cuts, so
            # firms consolidate the time AI frees across workers into whole jobs
            cuts = (eco.theta_sub * be.bincount(sector, automated, n_sec)
                    - be.bincount(sector, xp.astype(~active, xp.float64), n_sec))
            extra = _consolidate(be, automated, active & substitution, sector, cuts,
                                 pick, n_sec)
            active = active & ~extra
            out = out | extra
            new = np.nonzero(be.to_numpy(out))[0]
            disp_month[new] = m
            trace.sector_automated.append(
                be.to_numpy(be.bincount(sector, automated, n_sec)) / np.maximum(sector_n, 1))
        # labour market: hazard h = h0 (V/U)^0.5, vacancies falling with lost demand
        unemployed = float((~d_out).sum()) + new.shape[0]
        u_rate = opts.base_unemployment + unemployed / n
        demand_loss = eco.lam_tot * income_loss * 12.0 / (total_wage / eco.labour_share)
        v_rate = opts.base_vacancies * max(0.0, 1.0 - demand_loss)
        h = min(1.0, eco.hazard * math.sqrt(v_rate / u_rate))
        cum_hazard += -math.log1p(-h) if h < 1.0 else math.inf
        back = (~d_out) & (d_need <= cum_hazard)
        d_out = d_out | back
        reemp_month[d_idx[back]] = m
        d_idx = np.concatenate([d_idx, new])
        d_need = np.concatenate([d_need, cum_hazard + clock[new]])
        d_wage = np.concatenate([d_wage, wage_h[new]])
        d_month = np.concatenate([d_month, np.full(new.shape[0], m)])
        d_out = np.concatenate([d_out, np.zeros(new.shape[0], dtype=bool)])
        on_ui = (~d_out) & (m - d_month < eco.ui_months) & (d_month < m)
        income_loss = (d_wage[~d_out].sum() - eco.ui_replacement * d_wage[on_ui].sum()
                       + (1.0 - eco.replacement) * d_wage[d_out].sum()) / 12.0
        n_un, n_re = float((~d_out).sum()), float(d_out.sum())
        trace.months.append(m)
        trace.employed.append(n - n_un - n_re)
        trace.unemployed.append(n_un)
        trace.reemployed.append(n_re)
        trace.displaced.append(float(d_idx.shape[0]))
        trace.automated.append(float(xp.sum(automated)) / n)
        trace.hazard.append(h)
        trace.income_loss.append(income_loss)
        if report_month is not None:
            report_month(m + 1, opts.months)
    trace.disp_month, trace.reemp_month = disp_month, reemp_month
    return trace


def _candidate(be: Backend, s: np.ndarray, t_occ: np.ndarray, t_start, t_w, key, n: int):
    """C_w for every (sorted) agent: the task weight whose score beats its threshold."""
    xp = be.xp
    t_key = be.asarray(t_occ + _squash(s) * (1.0 - 1e-9))
    stop = xp.searchsorted(key, t_key, side="left")
    index = xp.concat([t_start, stop])
    diff = be.bincount(index, xp.concat([t_w, -t_w]), n + 1)
    return xp.clip(xp.cumulative_sum(diff)[:n], 0.0, 1.0)


def _occ_max(s: np.ndarray, t_occ: np.ndarray, n_occ: int) -> np.ndarray:
    out = np.full(n_occ + 1, -np.inf)
    np.maximum.at(out, t_occ, s)
    return np.where(np.isfinite(out), out, -ADV_RANGE / 2)


def _accept(be: Backend, want, sector, room, advantage, n_sec: int):
    """Share of each agent's wanted increase that its sector's cap lets through: largest
    advantage first, the marginal advantage bin pro rata, so the cap is met exactly."""
    xp = be.xp
    demand = be.bincount(sector, want, n_sec)
    if bool(xp.all(demand <= room)):
        return xp.ones_like(want)
    b = xp.clip(xp.astype((advantage + ADV_RANGE / 2) * (BINS / ADV_RANGE), xp.int64),
                0, BINS - 1)
    cell = sector * BINS + b
    hist = xp.reshape(be.bincount(cell, want, n_sec * BINS), (n_sec, BINS))
    from_top = xp.flip(xp.cumulative_sum(xp.flip(hist, axis=1), axis=1), axis=1)
    above = from_top - hist
    ok = xp.where(hist > 0, (room[:, None] - above) / xp.where(hist > 0, hist, 1.0), 1.0)
    return xp.reshape(xp.clip(ok, 0.0, 1.0), (-1,))[cell]


def _consolidate(be: Backend, automated, eligible, sector, cuts, pick, n_sec: int):
    """The eligible agents each sector lets go to make `cuts` more job cuts: the most
    automated first (binned by automated share), the marginal bin by each agent's fixed
    draw `pick`, so a sector's cuts match its target in expectation."""
    xp = be.xp
    b = xp.clip(xp.astype(automated * BINS, xp.int64), 0, BINS - 1)
    cell = sector * BINS + b
    candidates = eligible & (automated > 0.0)
    hist = xp.reshape(be.bincount(cell, xp.astype(candidates, xp.float64), n_sec * BINS),
                      (n_sec, BINS))
    from_top = xp.flip(xp.cumulative_sum(xp.flip(hist, axis=1), axis=1), axis=1)
    above = from_top - hist
    need = xp.clip(cuts, 0.0, None)[:, None]
    take = xp.where(hist > 0, (need - above) / xp.where(hist > 0, hist, 1.0), 0.0)
    share = xp.reshape(xp.clip(take, 0.0, 1.0), (-1,))[cell]
    return candidates & (pick < share)


def _ai_shares(be: Backend, s: np.ndarray, key, start_h: np.ndarray, t_occ: np.ndarray,
               weight: np.ndarray, automated, base, occ, n_occ: int, n: int
               ) -> tuple[np.ndarray, float]:
    """s_AI,i: the share of the occupation's agents AI beats on task i, times the share of
    the occupation's candidate take-up that was realised (caps bind); and AI's new share of
    all task time."""
    xp = be.xp
    t_key = be.asarray(t_occ + _squash(s) * (1.0 - 1e-9))
    beaten = (be.to_numpy(xp.searchsorted(key, t_key, side="left")) - start_h[t_occ]
              ).astype(np.float64)
    size = np.maximum(np.diff(start_h), 1)
    candidate = np.bincount(t_occ, weights=weight * beaten, minlength=n_occ + 1)
    realised = be.to_numpy(be.bincount(occ, base + automated, n_occ + 1))
    ratio = np.clip(realised / np.where(candidate > 0, candidate, 1.0), 0.0, 1.0)
    return beaten / size[t_occ] * ratio[t_occ], float(xp.sum(automated)) / n

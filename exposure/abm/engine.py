"""The monthly turns of MODEL_SPEC §4 over all agents at once (no Python loop per agent).

Per review (every R turns) each agent's candidate AI share is C_w = Σ_i ω_i E_i 1[s_i > T_w]
over its occupation's tasks, with the agent's fixed threshold
T_w = σ_q θ_w + e_w + (β_soc + f_soc) b_w + m_switch − c_w (1 − x_j):
the incumbent's judged quality above the task mean, social tie in the judgement and in the
switching margin, and its cost c_w = y_w/ȳ (relative wage) net of the firm's threshold x_j.
Agents are sorted once by (occupation, T_w), so for each task the agents it beats are one
contiguous run: one searchsorted of the tasks into the agents, a running sum over the runs'
ends and one repeat give every C_w (linear in agents). The rest of a review touches only
the jobs AI takes more of (a fifth of them, typically), and the sector, occupation and
consolidation tallies are kept up to date from those jobs rather than summed again, so a
review costs a handful of passes over the agents (issue 13: ≥ 1e8 agent-steps/s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from exposure.abm.ai import AiState
from exposure.abm.alternatives import Incumbents, best_applicant, kept_chance, offshore_wins
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
    domestic: bool = False  # §4.2 (a); off by default: its churn (package docstring)
    applicants: int = 5  # K_d
    offshoring: bool = False  # §4.2 (b); off by default (package docstring)
    offshore_cost: float = 0.4  # × the incumbent's wage
    offshore_penalty: float = 0.2  # σ_q units
    offshorable_above: float = 0.5  # tasks with O_i above it can go abroad
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
    layoff: np.ndarray  # x_j without the automation tax (offshoring is not automation)
    demand_share: np.ndarray  # λ_k per sector: share of lost spending falling on j
    t0: float


@dataclass
class Trace:
    """Monthly national series and one row per leaver (host NumPy).

    A leaver is a person who left a job: AI-displaced (cause `AI`), replaced by a domestic
    hire (`DOMESTIC`) or offshored (`OFFSHORE`); ``leaver_job`` indexes the engine's job
    order, ``leaver_reemp`` is −1 while out of work. Every month employed + unemployed +
    reemployed = the t0 agents + ``entrants`` (the hires, from outside the agents)."""

    months: list[int] = field(default_factory=list)
    employed: list[float] = field(default_factory=list)
    unemployed: list[float] = field(default_factory=list)
    reemployed: list[float] = field(default_factory=list)
    displaced: list[float] = field(default_factory=list)  # AI, cumulative
    replaced: list[float] = field(default_factory=list)  # domestic, cumulative
    offshored: list[float] = field(default_factory=list)  # cumulative
    entrants: list[float] = field(default_factory=list)  # cumulative
    automated: list[float] = field(default_factory=list)
    hazard: list[float] = field(default_factory=list)
    income_loss: list[float] = field(default_factory=list)  # $ per month, sample units
    sector_automated: list[np.ndarray] = field(default_factory=list)
    caps: list[np.ndarray] = field(default_factory=list)
    order: np.ndarray | None = None  # job order used (index into the population)
    leaver_job: np.ndarray | None = None
    leaver_wage: np.ndarray | None = None
    leaver_month: np.ndarray | None = None
    leaver_reemp: np.ndarray | None = None
    leaver_cause: np.ndarray | None = None


AI, DOMESTIC, OFFSHORE = 0, 1, 2  # a leaver's cause


def _sort_order(key: np.ndarray) -> np.ndarray:
    """The stable ascending order of ``key``. Without ties every ascending order is that
    one, so the unstable sort (about twice as fast) serves, checked by one pass; with ties
    (agents without skill dispersion or social ties share their cell's threshold) the
    stable sort keeps them in agent order."""
    order = np.argsort(key)
    ranked = key[order]
    if bool(np.any(ranked[1:] == ranked[:-1])):
        return np.argsort(key, kind="stable")
    return order


def _squash(x):  # monotone map of the reals (and −inf) into [0, 1)
    return 0.5 + np.arctan(x) / np.pi


def _sorted_key(occ: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    return occ + _squash(threshold) * (1.0 - 1e-9)


def _resorted(key: np.ndarray, perm: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """``perm`` (positions → jobs, sorted by their old keys) re-sorted after the keys of
    the jobs ``moved`` changed: the others keep their order and the moved are merged in,
    O(n + k log k) instead of a full sort."""
    out = np.zeros(key.shape[0], dtype=bool)
    out[moved] = True
    stay = perm[~out[perm]]
    moved = moved[np.argsort(key[moved], kind="stable")]
    return np.insert(stay, np.searchsorted(key[stay], key[moved], side="right"), moved)


class _Leavers:
    """Who left which job, when, why, and when they found work again (host, compact)."""

    def __init__(self) -> None:
        self.job = np.zeros(0, dtype=np.int64)
        self.need = np.zeros(0)  # the integrated hazard they need
        self.wage = np.zeros(0)
        self.month = np.zeros(0, dtype=np.int64)
        self.cause = np.zeros(0, dtype=np.int8)
        self.reemp = np.zeros(0, dtype=np.int64)
        self.out = np.zeros(0, dtype=bool)  # re-employed

    def add(self, job: np.ndarray, need: np.ndarray, wage: np.ndarray, month: int,
            cause: int) -> None:
        self.job = np.concatenate([self.job, job])
        self.need = np.concatenate([self.need, need])
        self.wage = np.concatenate([self.wage, wage])
        self.month = np.concatenate([self.month, np.full(job.shape[0], month)])
        self.cause = np.concatenate([self.cause, np.full(job.shape[0], cause, np.int8)])
        self.reemp = np.concatenate([self.reemp, np.full(job.shape[0], -1)])
        self.out = np.concatenate([self.out, np.zeros(job.shape[0], dtype=bool)])

    def find_work(self, cum_hazard: float, month: int) -> None:
        """Re-employ those whose clock the integrated hazard has reached."""
        back = ~self.out & (self.need <= cum_hazard)
        self.out = self.out | back
        self.reemp[back] = month

    @staticmethod
    def joined(*parts: _Leavers) -> _Leavers:
        out = _Leavers()
        for name in ("job", "need", "wage", "month", "cause", "reemp", "out"):
            setattr(out, name, np.concatenate([getattr(p, name) for p in parts]))
        return out


def run(pop: Population, ai: AiState, tasks_occ: np.ndarray, tasks_weight: np.ndarray,
        eco: Economy, opts: AbmOptions, caps: tuple[np.ndarray, np.ndarray] | None,
        backend: Backend | None = None, offshore: np.ndarray | None = None) -> Trace:
    """Simulate ``opts.months`` turns; return the trace (see `Trace`). ``offshore`` is each
    task's offshorable time share (ω_i where O_i > 0.5, else 0)."""
    be = backend or namespace(opts.device)
    xp = be.xp
    n, n_occ, n_sec = pop.size, pop.n_occ, len(pop.sectors)
    rng = np.random.default_rng(np.random.SeedSequence([opts.seed, 7]))

    # the evaluator's noise on a review: R months of task-level output noise, averaged
    herf = np.bincount(tasks_occ, weights=tasks_weight**2, minlength=n_occ + 1)
    noise_sd = opts.sigma_eps * np.sqrt(herf / opts.review_every) if opts.skill_dispersion \
        else np.zeros(n_occ + 1)
    noise = rng.standard_normal(n) * noise_sd[pop.occ]
    beta_f = opts.beta_soc + eco.f_soc
    threshold = (ai.p.sigma_q * pop.skill + noise + beta_f * pop.tie
                 + opts.m_switch - pop.rel_wage * (1.0 - eco.threshold[pop.sector]))
    key_h = _sorted_key(pop.occ.astype(np.int64), threshold)
    order = _sort_order(key_h)
    key_h = key_h[order]
    occ_h = pop.occ[order].astype(np.int64)
    start_h = np.searchsorted(occ_h, np.arange(n_occ + 1))
    # who holds each job; only the human alternatives read it, or change it
    inc = Incumbents((ai.p.sigma_q * pop.skill + noise)[order], pop.tie[order],
                     pop.rel_wage[order], pop.wage[order]) \
        if opts.domestic or opts.offshoring else None

    sector_h = pop.sector[order].astype(np.int64)
    sector = be.asarray(sector_h)
    occ = be.asarray(occ_h)
    key = be.asarray(key_h)
    rank = None  # job → position in `key` once hires have changed the order
    thr = be.asarray(threshold[order])
    substitution = be.asarray(pop.sub_draw[order] < eco.theta_sub)
    pick = be.asarray(rng.random(n))  # who goes from the marginal bin of a consolidation
    clock = pop.clock[order]
    wage_h = pop.wage[order]  # of the jobs' first holders
    sector_n = np.bincount(sector_h, minlength=n_sec).astype(np.float64)

    # task side, ordered by occupation
    t_occ = tasks_occ.astype(np.int64)
    t_start = be.asarray(start_h[t_occ])
    t_w = be.asarray(tasks_weight)

    # §4.2 (a): applicants, judged like incumbents, hired at the cell's mean wage
    hiring = np.random.default_rng(np.random.SeedSequence([opts.seed, 13]))
    if opts.domestic:
        applicant_sd = (np.sqrt(ai.p.sigma_q**2 + noise_sd**2)[occ_h]
                        if opts.skill_dispersion else np.zeros(n))
        market_wage = inc.wage / inc.cost
        x_h = eco.threshold[pop.sector[order]]
        everyone = np.arange(n)
        stay = kept_chance(inc, everyone, applicant_sd, opts.applicants, beta_f,
                           opts.m_switch)  # each job's chance to keep its holder a review
        thr_h = threshold[order]
        perm = everyone  # position in the sorted keys → job
    # §4.2 (b): what each job would lose to an offshore provider; what it wins at t0 is the
    # status quo (already abroad), like AI's
    off_occ = (np.bincount(t_occ, weights=offshore, minlength=n_occ + 1)
               if opts.offshoring and offshore is not None else np.zeros(1))
    offshoring = bool(off_occ.any())
    human = None  # each job's human time at t0
    if offshoring:
        off_job = off_occ[occ_h]
        layoff_h = eco.layoff[pop.sector[order]]

        def offshore_now() -> np.ndarray:
            return (off_job > 0.0) & offshore_wins(inc, layoff_h, opts.beta_soc, eco.f_soc,
                                                   opts.m_switch, opts.offshore_cost,
                                                   opts.offshore_penalty)

        abroad_h = offshore_now()
        abroad = be.asarray(abroad_h)
        off_w = be.asarray(tasks_weight * (offshore > 0.0))
        offtime = xp.zeros(n, dtype=xp.float64, device=be.device)  # offshored since t0

    automated = xp.zeros(n, dtype=xp.float64, device=be.device)  # A_w, new since t0
    # ΣA_w per sector, AI's time per occupation (base + A_w, for the AI update), ΣA_w and
    # the AI cuts per sector (host), each kept up to date from the jobs that change instead
    # of summed over all agents again (sums in another order: the same up to rounding)
    sector_auto = np.zeros(n_sec)
    occ_held = np.zeros(n_occ + 1)
    total_auto = 0.0
    sector_cut = np.zeros(n_sec)
    base = None
    floor = None  # ρ_min × each job's human time at t0: a substitution job below it is cut
    active = xp.ones(n, dtype=xp.bool, device=be.device)  # the job still exists
    live = substitution & active  # active substitution jobs: those AI's rules can cut
    pool = xp.zeros(n, dtype=xp.bool, device=be.device)  # live, with time automated
    # each job's consolidation cell (sector, automated-share bin), redone as A_w changes
    cell = xp.zeros(n, dtype=xp.int64, device=be.device)
    left = _Leavers()  # AI-displaced and offshored: their lost income cuts demand
    churn = _Leavers()  # replaced by domestic hires, whose pay replaces theirs
    counts = np.zeros(3)  # leavers by cause
    cum_hazard = 0.0
    income_loss = 0.0
    total_wage = float(pop.wage.sum())
    trace = Trace(order=order)
    report_month = MONTH_PROGRESS.get()
    s = ai.scores(0.0)
    stop = None  # set by the review of month 0, before the first AI update
    for m in range(opts.months):
        if m and m % opts.ai_every == 0:
            ai.update(float(m), float(opts.ai_every), _ai_shares(
                be, stop, start_h, t_occ, tasks_weight, occ_held, n_occ), total_auto / n)
        new: dict[int, np.ndarray] = {}  # jobs left this month, by cause
        domestic_wage = np.zeros(0)
        if m % opts.review_every == 0:
            s = ai.scores(float(m))
            if opts.domestic:
                u = hiring.random(n)
                jobs = np.nonzero(be.to_numpy(active) & (u > stay))[0]
                new[DOMESTIC] = jobs
                if jobs.shape[0]:
                    domestic_wage = inc.wage[jobs]
                    inc.hire(jobs, best_applicant(u[jobs], applicant_sd[jobs], opts.applicants),
                             hiring.beta(2.0, 2.0, jobs.shape[0]) if opts.social_ties else 0.0,
                             market_wage[jobs])
                    stay[jobs] = kept_chance(inc, jobs, applicant_sd, opts.applicants,
                                             beta_f, opts.m_switch)
                    # the hires' own thresholds, and their places in the sorted keys
                    thr_h[jobs] = inc.threshold(jobs, beta_f, opts.m_switch, x_h)
                    key_h[jobs] = _sorted_key(occ_h[jobs], thr_h[jobs])
                    perm = _resorted(key_h, perm, jobs)
                    pos = np.empty_like(perm)
                    pos[perm] = everyone
                    key, rank, thr = be.asarray(key_h[perm]), be.asarray(pos), be.asarray(thr_h)
            # `stop` (each task's first agent it does not beat) serves the next AI update
            # too: neither the scores nor the order change before it
            stop = _stops(be, s, t_occ, key)
            cand = _candidate(be, stop, t_start, t_w, n)
            if rank is not None:
                cand = cand[rank]
            if offshoring:  # AI cannot take what is already abroad
                away = _candidate(be, stop, t_start, off_w, n)
                cand = cand - xp.where(abroad, away[rank] if rank is not None else away, 0.0)
            if base is None:
                base = cand  # what AI already does at t0 is the status quo, not displacement
                human = 1.0 - base
                if offshoring:  # ≥ 0: ω sums to 1 only up to rounding, and a job with no
                    # human time left is the status quo, not a cut
                    human = xp.clip(human - xp.where(abroad, be.asarray(off_job), 0.0), 0.0,
                                    None)
                floor = opts.rho_min * human
                occ_held = be.to_numpy(be.bincount(occ, base, n_occ + 1))
            # the jobs AI takes more of (a fifth of them in a typical review): only these
            # move, so only these are capped and checked against ρ_min
            grow, want = _growth(xp, cand, base, automated, active)
            if opts.mode == "coupled" and caps is not None:
                alpha = cap_at(eco.t0 + m / 12.0, eco.t0, *caps)
                room = np.maximum(alpha * sector_n - sector_auto, 0.0)
                advantage = be.asarray(_occ_max(s, t_occ, n_occ))[occ[grow]] - thr[grow]
                want = _accepted(be, want, sector[grow], room, advantage, n_sec)
                trace.caps.append(alpha)
            a_grow = automated[grow] + want  # their A_w, gathered once for what follows
            automated[grow] = a_grow
            s_grow = sector[grow]
            cell[grow] = s_grow * BINS + xp.clip(xp.astype(a_grow * BINS, xp.int64), 0,
                                                 BINS - 1)
            sector_auto = sector_auto + be.to_numpy(be.bincount(s_grow, want, n_sec))
            occ_held = occ_held + be.to_numpy(be.bincount(occ[grow], want, n_occ + 1))
            total_auto += float(xp.sum(want))
            off_out = None
            if offshoring and m:
                moved = offshore_now() & ~abroad_h & be.to_numpy(active)
                if moved.any():  # only a new hire can change the comparison
                    abroad_h = abroad_h | moved
                    abroad, gone = be.asarray(abroad_h), be.asarray(moved)
                    rest = xp.clip(human - automated - offtime, 0.0, None)
                    share = rest / xp.where(human > 0.0, human, 1.0)
                    offtime = offtime + xp.where(gone, be.asarray(off_job) * share, 0.0)
                    off_out = active & gone & (human - automated - offtime < floor)
                    active = active & ~off_out
                    live = live & ~off_out
                    pool = pool & ~off_out
            # a job's remaining time changed only if AI took more of it (what offshoring
            # took is `off_out`'s): the others were checked at an earlier review
            remaining = human[grow] - a_grow
            if offshoring:
                remaining = remaining - offtime[grow]
            live_grow = live[grow]
            cut_grow = live_grow & (remaining < floor[grow])
            out = grow[cut_grow]
            active[out] = False
            live[out] = False
            pool[grow] = live_grow & ~cut_grow & (a_grow > 0.0)
            cut = be.to_numpy(out)
            sector_cut += np.bincount(sector_h[cut], minlength=n_sec)
            # §4.3's second rule: θ_sub of the automated time becomes headcount cuts, so
            # firms consolidate the time AI frees across workers into whole jobs
            extra = _consolidate(be, cell, pool, eco.theta_sub * sector_auto - sector_cut,
                                 pick, n_sec)
            if extra.shape[0]:
                active[extra] = False
                live[extra] = False
                pool[extra] = False
                extra = be.to_numpy(extra)
                sector_cut += np.bincount(sector_h[extra], minlength=n_sec)
                cut = np.sort(np.concatenate([cut, extra]))
            new[AI] = cut
            if off_out is not None:
                new[OFFSHORE] = np.nonzero(be.to_numpy(off_out))[0]
            trace.sector_automated.append(sector_auto / np.maximum(sector_n, 1))
        # labour market: hazard h = h0 (V/U)^0.5, vacancies falling with lost demand; a
        # domestic hire came from the unemployed, so a replacement leaves U as it was
        arriving = sum(len(new.get(c, ())) for c in (AI, OFFSHORE))
        unemployed = float((~left.out).sum()) + arriving
        u_rate = opts.base_unemployment + unemployed / n
        demand_loss = eco.lam_tot * income_loss * 12.0 / (total_wage / eco.labour_share)
        v_rate = opts.base_vacancies * max(0.0, 1.0 - demand_loss)
        h = min(1.0, eco.hazard * math.sqrt(v_rate / u_rate))
        cum_hazard += -math.log1p(-h) if h < 1.0 else math.inf
        left.find_work(cum_hazard, m)
        churn.find_work(cum_hazard, m)
        for cause in (AI, OFFSHORE):
            jobs = new.get(cause)
            if jobs is not None and jobs.shape[0]:
                wage = inc.wage[jobs] if inc is not None else wage_h[jobs]
                left.add(jobs, cum_hazard + clock[jobs], wage, m, cause)
                counts[cause] += jobs.shape[0]
        jobs = new.get(DOMESTIC)
        if jobs is not None and jobs.shape[0]:
            churn.add(jobs, cum_hazard + hiring.exponential(1.0, jobs.shape[0]),
                      domestic_wage, m, DOMESTIC)
            counts[DOMESTIC] += jobs.shape[0]
        on_ui = (~left.out) & (m - left.month < eco.ui_months) & (left.month < m)
        income_loss = (left.wage[~left.out].sum() - eco.ui_replacement * left.wage[on_ui].sum()
                       + (1.0 - eco.replacement) * left.wage[left.out].sum()) / 12.0
        n_re = float(left.out.sum() + churn.out.sum())
        n_un = float(left.out.shape[0] + churn.out.shape[0]) - n_re
        trace.months.append(m)
        trace.employed.append(n + counts[DOMESTIC] - n_un - n_re)
        trace.unemployed.append(n_un)
        trace.reemployed.append(n_re)
        trace.displaced.append(float(counts[AI]))
        trace.replaced.append(float(counts[DOMESTIC]))
        trace.offshored.append(float(counts[OFFSHORE]))
        trace.entrants.append(float(counts[DOMESTIC]))
        trace.automated.append(total_auto / n)
        trace.hazard.append(h)
        trace.income_loss.append(income_loss)
        if report_month is not None:
            report_month(m + 1, opts.months)
    every = _Leavers.joined(left, churn)
    trace.leaver_job, trace.leaver_wage, trace.leaver_month = every.job, every.wage, every.month
    trace.leaver_reemp, trace.leaver_cause = every.reemp, every.cause
    return trace


def _growth(xp, cand, base, automated, active):
    """The active jobs whose candidate share C_w − base exceeds A_w, and by how much (a
    function, so that the full-length gap is freed before the review goes on)."""
    gap = cand - base
    gap -= automated
    grow = xp.nonzero(active & (gap > 0.0))[0]
    return grow, gap[grow]


def _stops(be: Backend, s: np.ndarray, t_occ: np.ndarray, key):
    """Each task's first (sorted) agent whose threshold its score does not beat."""
    return be.xp.searchsorted(key, be.asarray(t_occ + _squash(s) * (1.0 - 1e-9)),
                              side="left")


def _candidate(be: Backend, stop, t_start, t_w, n: int):
    """C_w for every (sorted) agent: the task weight whose score beats its threshold.

    C is a step function of the position, stepping only where a task's run of beaten
    agents starts or stops (two per task, ~40,000 against ~1.5 million agents): the running
    sum is taken over the steps and spread over the agents with one repeat (the same
    additions in the same order as a running sum over every agent)."""
    xp = be.xp
    steps = xp.unique_inverse(xp.concat([t_start, stop]))
    diff = be.bincount(steps.inverse_indices, xp.concat([t_w, -t_w]),
                       steps.values.shape[0])
    level = xp.clip(xp.cumulative_sum(diff), 0.0, 1.0)
    zero = xp.zeros(1, dtype=level.dtype, device=be.device)
    edges = xp.concat([xp.zeros(1, dtype=steps.values.dtype, device=be.device),
                       steps.values, xp.full(1, n, dtype=steps.values.dtype,
                                             device=be.device)])
    return be.repeat(xp.concat([zero, level]), edges[1:] - edges[:-1])


def _occ_max(s: np.ndarray, t_occ: np.ndarray, n_occ: int) -> np.ndarray:
    out = np.full(n_occ + 1, -np.inf)
    np.maximum.at(out, t_occ, s)
    return np.where(np.isfinite(out), out, -ADV_RANGE / 2)


def _accepted(be: Backend, want, sector, room: np.ndarray, advantage, n_sec: int):
    """``want`` (of some agents, with their ``sector`` and ``advantage``: best open task
    score − T_w) cut to what each sector's cap lets through: largest advantage first, the
    marginal advantage bin pro rata, so the cap is met exactly."""
    xp = be.xp
    if bool(np.all(be.to_numpy(be.bincount(sector, want, n_sec)) <= room)):
        return want
    b = xp.clip(xp.astype((advantage + ADV_RANGE / 2) * (BINS / ADV_RANGE), xp.int64),
                0, BINS - 1)
    cell = sector * BINS + b
    hist = xp.reshape(be.bincount(cell, want, n_sec * BINS), (n_sec, BINS))
    from_top = xp.flip(xp.cumulative_sum(xp.flip(hist, axis=1), axis=1), axis=1)
    above = from_top - hist
    ok = xp.where(hist > 0, (be.asarray(room)[:, None] - above)
                  / xp.where(hist > 0, hist, 1.0), 1.0)
    return want * xp.reshape(xp.clip(ok, 0.0, 1.0), (-1,))[cell]


def _consolidate(be: Backend, cell, pool, cuts: np.ndarray, pick, n_sec: int):
    """The positions of the agents in ``pool`` (live jobs with time automated) each sector
    lets go to make `cuts` more job cuts: the most automated first (``cell``: sector and
    automated-share bin), the marginal bin by each agent's fixed draw `pick`, so a sector's
    cuts match its target in expectation. Nothing is binned when no sector needs cuts."""
    xp = be.xp
    need = np.clip(cuts, 0.0, None)
    if not need.any():
        return xp.zeros(0, dtype=xp.int64, device=be.device)
    idx = xp.nonzero(pool)[0]
    cells = cell[idx]
    hist = xp.reshape(xp.astype(be.bincount(cells, None, n_sec * BINS), xp.float64),
                      (n_sec, BINS))
    from_top = xp.flip(xp.cumulative_sum(xp.flip(hist, axis=1), axis=1), axis=1)
    above = from_top - hist
    take = xp.where(hist > 0, (be.asarray(need)[:, None] - above)
                    / xp.where(hist > 0, hist, 1.0), 0.0)
    share = xp.reshape(xp.clip(take, 0.0, 1.0), (-1,))[cells]
    return idx[pick[idx] < share]


def _ai_shares(be: Backend, stop, start_h: np.ndarray, t_occ: np.ndarray,
               weight: np.ndarray, realised: np.ndarray, n_occ: int) -> np.ndarray:
    """s_AI,i: the share of the occupation's agents AI beats on task i, times the share of
    the occupation's candidate take-up that was ``realised`` (AI's time in its jobs; less
    when caps bind)."""
    beaten = (be.to_numpy(stop) - start_h[t_occ]).astype(np.float64)
    size = np.maximum(np.diff(start_h), 1)
    candidate = np.bincount(t_occ, weights=weight * beaten, minlength=n_occ + 1)
    ratio = np.clip(realised / np.where(candidate > 0, candidate, 1.0), 0.0, 1.0)
    return beaten / size[t_occ] * ratio[t_occ]

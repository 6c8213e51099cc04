"""One chunk of Monte-Carlo draws for every scenario of a group: tasks × draws × years.

`run_chunk(prepared, start, stop)` is a pure function of its arguments: its random numbers
are seeded per draw (`montecarlo`), every array operation is elementwise per draw and every
sum runs over tasks in task order within one draw, so a draw's results are bit-identical
however the draws are split into chunks or where the chunks run (threads, Dask workers).

The work is split by what depends on the scenario (MODEL_SPEC §7, "scenario-independent work
done once"): `shared_block` computes, once per chunk, each (draw, task) pair's capability gap,
deployment date and AI cost (§2.1, §7.1, §7.2) — identical for every scenario of the group,
so scenario differences are policy effects, not noise; `evaluate` then applies one
scenario's thresholds and policy channels:

1. t_eval = first t with logistic(β·(log2 H_i(t) − log2 h_i)) ≥ q_req (§7.2: reliability on
   the horizon alone; manual intensity stays in p_i and so in the cost), plus L_eval(1 − V)
   and, under P7, G·CBI·L_hold; the saving rate σ_i(t) = 1 − ρ_rev − r_i(t) (§2.2) with
   ln r0 from §7.1;
2. for each sector j and firm group (§3.7, `thresholds`), activation t_act = max(t_eval,
   first t with σ_i(t) ≥ x_j) and the automated share a_ij(t) = E_i·[F(t − t_act) −
   F(t0 − t_act)], the Bass adoption since the forecast start;
3. the automated time share of occupation o in sector j, A_oj(t) = Σ_i ω_i|o a_ij(t), and
   the displaced share θ_sub·A_oj(t).

Also per draw: the static §3.7 shares at the horizon (sector table), the adopted share of the
wage bill and the adoption-dated savings of §7.8 per year (macro check, TFP).

P8 (tax revenue funds retraining, §7.6) is evaluated twice per draw: once with the tax at the
drawn η, whose revenue over the window divided by the displaced × the cost of a retraining
gives Δη (capped), then with η + Δη.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.sparse import coo_matrix
from scipy.special import logit

from exposure.forecast.model.thresholds import Demand, Thresholds, thresholds
from exposure.forecast.simulation import kernels as K
from exposure.forecast.simulation.montecarlo import Setup, Uniforms
from exposure.forecast.simulation.tasks import TaskArrays

# Pairs activating more than this many years before t0 are fully adopted before the window.
FLOOR_YEARS = 100.0
# A pair whose thresholds across sectors differ by at most this (per wage dollar) takes the
# highest of them in every sector: its activation is then at most about a week later (σ
# rises by roughly 0.1 a year near a crossing), and one root replaces one per sector.
X_TOL = 1e-3
LN2 = math.log(2.0)


@dataclass(frozen=True)
class Prepared:
    """Everything a chunk needs for one group of scenarios, picklable (Dask ships it once)."""

    setups: tuple[Setup, ...]
    tasks: TaskArrays
    demand: dict[str, Demand]  # by game mode
    t_grid: np.ndarray  # evaluation times of the years (mid-year)
    wage_share: np.ndarray  # χ_ij, tasks × sectors, share of the total wage bill
    sector_weight: np.ndarray  # E_i·ω_ij/Σ_i ω_ij, tasks × sectors (static §3.7 shares)
    covered_cells: np.ndarray  # cells whose occupation has tasks
    c0: np.ndarray  # log2 H0 − log2 JobZoneMinutes_i
    dac: np.ndarray  # DA_i − ½
    vc: np.ndarray  # V_i − ½
    ln_m: np.ndarray  # ln (1 − m_i)^γ_m
    pq: np.ndarray  # Bass p + q_i with social frictions
    cost_shift: np.ndarray  # −log(w_o/w̄) − ε_s·log(S_o/S̄) (§7.1)
    erosion: dict[str, np.ndarray]  # per scenario: DA_i(0)·e_i (§2.4)
    lag: dict[str, np.ndarray]  # per scenario: L_eval(1 − V) + G·CBI·L_hold
    dividend: dict[str, np.ndarray]  # per scenario: P7 δ_i
    mu_of: Callable[[np.ndarray], np.ndarray] | None  # a_10 → μ (cost.Calibration)
    a10_cap: float
    total_wage_bill: float  # $ per year, every baseline cell at the horizon

    @property
    def t0(self) -> float:
        return float(self.setups[0].capability.t0)

    @cached_property
    def covered_position(self) -> np.ndarray:
        """Each cell's position among the covered cells (−1 where the occupation has no
        tasks: such a cell never receives adoption)."""
        position = np.full(len(self.tasks.cell_occ), -1, dtype=np.int64)
        position[self.covered_cells] = np.arange(self.covered_cells.size)
        return position

    @cached_property
    def covered_occ(self) -> np.ndarray:
        """The occupation of each covered cell."""
        return self.tasks.cell_occ[self.covered_cells]

    @property
    def t_end(self) -> float:
        return float(self.t_grid[-1])


@dataclass(frozen=True)
class SharedParams:
    """Per-draw values of the shared parameters (each (D,))."""

    Td_months: np.ndarray
    kappa_D: np.ndarray
    kappa_V: np.ndarray
    r0_sigma: np.ndarray
    a10: np.ndarray
    mu: np.ndarray
    g_c: np.ndarray
    q_req: np.ndarray
    m_h: np.ndarray


@dataclass(frozen=True)
class Block:
    """The scenario-independent (draw, task) arrays of one chunk (see the module docstring)."""

    gap0: np.ndarray  # (D, N) capability gap at t0, doublings
    b: np.ndarray  # (D, N) growth after t0, net of data erosion
    b0: np.ndarray  # (D,) growth before t0 (12/Td)
    t_eval: np.ndarray  # (D, N)
    ln_r0: np.ndarray  # (D, N)
    kc: np.ndarray  # (D,) ln(1 − g_c)
    sigma_end: np.ndarray  # (D, N) saving rate at the horizon


@dataclass(frozen=True)
class ScenarioChunk:
    """One scenario's results for draws [start, stop)."""

    values: np.ndarray  # float32 (D, n_years * n_covered_cells) θ_sub·A, year-major
    alpha_nash: np.ndarray  # (D, S)
    alpha_coop: np.ndarray
    x_nash: np.ndarray
    x_coop: np.ndarray
    tax: np.ndarray  # the rate applied (D, S)
    tax_star: np.ndarray
    adopted: np.ndarray  # (D,) Σ χ·Δa at the horizon: adopted share of the total wage bill
    dated_saving: np.ndarray  # (D, Y) Σ χ ∫σ dF since t0 (§7.8)
    parameters: dict[str, np.ndarray]  # the draws' parameter values, each (D,)


@dataclass(frozen=True)
class ChunkResult:
    start: int
    stop: int
    scenarios: dict[str, ScenarioChunk]


def shared_params(setup: Setup, un: Uniforms, mu_of, a10_cap: float) -> SharedParams:
    kappa = setup.value("kappa", un.of("kappa"))
    if "kappa" in setup.fixed:
        kd = np.full(kappa.shape, float(setup.capability.kappa_D))
        kv = np.full(kappa.shape, float(setup.capability.kappa_V))
    else:
        kd = kv = kappa
    a10 = setup.value("a10", un.of("a10"), cap=a10_cap)
    return SharedParams(
        Td_months=setup.value("Td_months", un.of("Td_months")), kappa_D=kd, kappa_V=kv,
        r0_sigma=setup.value("r0_sigma", un.of("r0_sigma")), a10=a10, mu=mu_of(a10),
        g_c=setup.value("g_c", un.of("g_c")), q_req=setup.value("q_req", un.of("q_req")),
        m_h=setup.value("m_h", un.of("m_h")))


def shared_block(prep: Prepared, setup: Setup, sp: SharedParams, z: np.ndarray) -> Block:
    """Capability, gate and cost of every (draw, task) pair under ``setup``'s P7 dials."""
    cap = setup.capability
    t0, t_end, beta = prep.t0, prep.t_end, float(cap.beta)
    with np.errstate(divide="ignore"):
        b0 = np.where(np.isinf(sp.Td_months), 0.0, 12.0 / sp.Td_months)
    kd, kv = sp.kappa_D[:, None], sp.kappa_V[:, None]
    shift = kd * prep.dac + kv * prep.vc
    gap0 = prep.c0 - np.log2(sp.m_h)[:, None] + shift
    b = np.maximum(b0[:, None] - kd * prep.erosion[setup.scenario_id], 0.0)
    need = (logit(sp.q_req) / beta)[:, None]
    t_eval = K.capability_time(gap0, b, b0[:, None], need, t0) + prep.lag[setup.scenario_id]
    ln_r0 = sp.mu[:, None] + sp.r0_sigma[:, None] * z + prep.cost_shift - LN2 * shift
    kc = np.log1p(-sp.g_c)
    sigma_end = K.saving(t_end, ln_r0, kc[:, None], prep.ln_m, gap0 + b * (t_end - t0), beta,
                         t0, float(cap.rho_rev))
    return Block(gap0=gap0, b=b, b0=b0, t_eval=t_eval, ln_r0=ln_r0, kc=kc, sigma_end=sigma_end)


def _bins(index: np.ndarray, weights: np.ndarray, inc: np.ndarray, column: np.ndarray,
          size: int, n_draws: int, draw: np.ndarray) -> np.ndarray:
    """Σ weights·inc[:, column] over rows into bins (draw, index, year), in row order.

    One sparse (draw·index × inc-column) by dense (inc-column × year) product: a single pass
    over the rows instead of one per year.
    """
    rows = coo_matrix((weights, (draw * size + index, column)),
                      shape=(n_draws * size, inc.shape[1]))
    return (rows @ inc.T.astype(np.float64)).reshape(n_draws, size, inc.shape[0])


def _bounds(th: Thresholds) -> tuple[np.ndarray, ...]:
    """Per-draw lower/upper bounds of the private thresholds (a + c·δ, δ ≥ 0), and of the
    private and cooperative ones together."""
    a_lo, c_lo = th.a.min(axis=(1, 2)), th.c.min(axis=(1, 2))
    a_hi, c_hi = th.a.max(axis=(1, 2)), th.c.max(axis=(1, 2))
    all_a_lo = np.minimum(a_lo, th.coop_a.min(axis=1))
    all_c_lo = np.minimum(c_lo, th.coop_c.min(axis=1))
    all_a_hi = np.maximum(a_hi, th.coop_a.max(axis=1))
    all_c_hi = np.maximum(c_hi, th.coop_c.max(axis=1))
    return a_lo, c_lo, a_hi, c_hi, all_a_lo, all_c_lo, all_a_hi, all_c_hi


def _static_shares(prep: Prepared, th: Thresholds, sigma_end: np.ndarray, gate: np.ndarray,
                   delta: np.ndarray, bounds: tuple[np.ndarray, ...]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """§3.7 shares at the horizon per draw and sector: (α_NE, α_CO), each (D, S).

    Tasks above every threshold count fully in every sector (one matrix-vector product per
    draw); only those between the lowest and the highest threshold are compared one by one.
    """
    n_draws, n_sectors = th.coop_a.shape
    _, _, _, _, lo_a, lo_c, hi_a, hi_c = bounds
    eligible = gate & (sigma_end >= lo_a[:, None] + lo_c[:, None] * delta)
    full = eligible & (sigma_end >= hi_a[:, None] + hi_c[:, None] * delta)
    ew = prep.sector_weight
    base = np.stack([full[d].astype(np.float64) @ ew for d in range(n_draws)])
    d_b, i_b = np.nonzero(eligible & ~full)
    sig, dl = sigma_end[d_b, i_b], delta[i_b]
    x = th.a[d_b] + th.c[d_b] * dl[:, None, None]
    nash = (th.weight[d_b] * (sig[:, None, None] >= x)).sum(axis=2) * ew[i_b]
    x_co = th.coop_a[d_b] + th.coop_c[d_b] * dl[:, None]
    coop = (sig[:, None] >= x_co) * ew[i_b]
    alpha_ne, alpha_co = base.copy(), base.copy()
    for j in range(n_sectors):
        alpha_ne[:, j] += np.bincount(d_b, weights=nash[:, j], minlength=n_draws)
        alpha_co[:, j] += np.bincount(d_b, weights=coop[:, j], minlength=n_draws)
    return alpha_ne, alpha_co


def _threshold_groups(pair: np.ndarray, x: np.ndarray, x_lo: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group each pair's thresholds ``x`` (rows sorted by pair) into bins of width `X_TOL`
    from the pair's lowest threshold ``x_lo[pair]``: (the pair of each group, the group's
    highest threshold, each row's group), groups ordered by pair."""
    level = np.floor((x - x_lo[pair]) / X_TOL).astype(np.int64)
    key = pair.astype(np.int64) * (int(level.max(initial=0)) + 1) + level
    order = np.argsort(key, kind="stable")
    ranked = key[order]
    first = np.r_[True, ranked[1:] != ranked[:-1]] if ranked.size else np.zeros(0, bool)
    starts = np.nonzero(first)[0]
    member = np.empty(key.size, dtype=np.int64)
    member[order] = np.cumsum(first) - 1
    top = np.maximum.reduceat(x[order], starts) if starts.size else np.zeros(0)
    return pair[order[starts]], top, member


@dataclass(frozen=True)
class _Adoption:
    """Year × draw sums of one evaluation."""

    occ_bins: np.ndarray | None  # (D, occupations, Y)
    cell_bins: np.ndarray | None  # (D, covered cells, Y)
    adopted: np.ndarray  # (D,) at the horizon
    dated_saving: np.ndarray  # (Y, D)


def _dated(prep: Prepared, inc: np.ndarray, t_act: np.ndarray, sig_act: np.ndarray,
           sig_end: np.ndarray, weight: np.ndarray, draw: np.ndarray,
           n_draws: int) -> tuple[np.ndarray, np.ndarray]:
    """Adopted wage-bill share at the horizon and adoption-dated savings per year (§7.8).

    Each year's new adoption is valued at the saving rate of its grid point, read on the
    chord from (t_act, σ(t_act)) to (horizon, σ(horizon)): both ends are known without
    another cost evaluation, and σ rises smoothly in between (a check figure, so the chord's
    small error is accepted for a sixfold cheaper kernel).
    """
    t_end = prep.t_end
    span = np.maximum(t_end - t_act, 1e-9)
    slope = (sig_end - sig_act) / span
    adopted = np.bincount(draw, weights=weight * inc[-1], minlength=n_draws)
    # σ at year y is sig_end − slope·τ_y with τ_y = max(t_end − t_y, 0): two sums per draw
    # and year of the new adoption, one weighted by sig_end and one by slope
    new = np.diff(inc, axis=0, prepend=np.zeros((1, inc.shape[1]), dtype=inc.dtype))
    columns = np.arange(draw.size)
    by_draw = coo_matrix((np.concatenate([weight * sig_end, weight * slope]),
                          (np.concatenate([draw, draw + n_draws]),
                           np.concatenate([columns, columns]))),
                         shape=(2 * n_draws, draw.size))
    sums = (by_draw @ new.T.astype(np.float64)).T  # (Y, 2D)
    tau = np.maximum(t_end - prep.t_grid, 0.0)[:, None]
    saved = sums[:, :n_draws] - tau * sums[:, n_draws:]
    return adopted, np.cumsum(saved, axis=0)


def _adoption(prep: Prepared, block: Block, th: Thresholds, delta: np.ndarray,
              rho: float, beta: float, bins: bool) -> _Adoption:
    """Activation and Bass adoption of every active (draw, task[, sector, group]).

    A pair activates at t_eval in every sector when its saving already clears every
    threshold there; when its thresholds are equal (economy mode with a Pigouvian or planner
    tax) or within `X_TOL`, one crossing, at the highest, serves every sector; only the rest
    get a root per sector and firm group.
    """
    ta = prep.tasks
    t0, t_end = prep.t0, prep.t_end
    n_draws = block.gap0.shape[0]
    n_occ = len(ta.occupations)
    p_bass = float(prep.setups[0].diffusion.bass_p)
    a_lo, c_lo, a_hi, c_hi = _bounds(th)[:4]
    exposed = ta.exposure > 0.0
    active = ((block.t_eval < t_end) & exposed
              & (block.sigma_end >= a_lo[:, None] + c_lo[:, None] * delta))
    d, i = np.nonzero(active)
    te, g0, bb = block.t_eval[d, i], block.gap0[d, i], block.b[d, i]
    lr, sig_end, bb0, kc = block.ln_r0[d, i], block.sigma_end[d, i], block.b0[d], block.kc[d]
    lm, dl = prep.ln_m[i], delta[i]
    t_s = np.maximum(te, t0 - FLOOR_YEARS)
    sig_s = K.saving(t_s, lr, kc, lm, K.gap_at(t_s, g0, bb, bb0, t0), beta, t0, rho)
    x_lo, x_hi = a_lo[d] + c_lo[d] * dl, a_hi[d] + c_hi[d] * dl
    indep = sig_s >= x_hi
    uniform = ~indep & (x_hi - x_lo <= X_TOL) & (sig_end >= x_hi)
    t_act = te.copy()
    sig_act = sig_s.copy()
    k = np.nonzero(uniform)[0]
    ln_y = np.log(1.0 - rho - x_hi[k])
    crossing = K.cost_crossing(t_s[k], ln_y, lr[k], kc[k], lm[k], g0[k], bb[k], bb0[k], beta,
                               t0, t_end)
    t_act[k] = np.where(crossing > t_s[k], crossing, te[k])
    sig_act[k] = np.where(crossing > t_s[k], x_hi[k], sig_s[k])
    chi_task = prep.wage_share.sum(axis=1) * ta.exposure

    # one activation date for every sector
    k = np.nonzero(indep | uniform)[0]
    ik = i[k]
    inc = K.bass_increment(prep.t_grid, t0, t_act[k], p_bass, prep.pq[ik])
    occ_bins = (_bins(ta.occ[ik], (ta.omega * ta.exposure)[ik], inc, np.arange(k.size), n_occ,
                      n_draws, d[k]) if bins else None)
    adopted, saved = _dated(prep, inc, t_act[k], sig_act[k], sig_end[k], chi_task[ik], d[k],
                            n_draws)

    # a root per group of a pair's thresholds within X_TOL of each other (one per sector
    # and firm group at most), at the group's highest, as above
    k = np.nonzero(~indep & ~uniform)[0]
    dk, ik = d[k], i[k]
    ln_y_ref = np.log(1.0 - rho - x_lo[k])
    t_ref = K.cost_crossing(t_s[k], ln_y_ref, lr[k], kc[k], lm[k], g0[k], bb[k], bb0[k], beta,
                            t0, t_end)
    cells = ta.cell_of[ta.occ[ik]]  # (n_dep, S)
    n_groups = th.a.shape[2]
    pair, sector, group = np.nonzero(np.broadcast_to((cells >= 0)[:, :, None],
                                                     (k.size, cells.shape[1], n_groups)))
    dd = dk[pair]
    x = th.a[dd, sector, group] + th.c[dd, sector, group] * dl[k][pair]
    root_pair, root_x, member = _threshold_groups(pair, x, x_lo[k])
    ok = sig_end[k][root_pair] >= root_x
    keep = ok[member]
    pair, sector, group, dd = pair[keep], sector[keep], group[keep], dd[keep]
    member = (np.cumsum(ok) - 1)[member[keep]]
    root_pair, root_x = root_pair[ok], root_x[ok]
    t_root = K.refine_crossing(t_ref, ln_y_ref, np.log(1.0 - rho - root_x), root_pair, t_s[k],
                               lr[k], kc[k], lm[k], g0[k], bb[k], bb0[k], beta, t0, t_end)
    passes = t_root > t_s[k][root_pair]
    t_root = np.where(passes, t_root, te[k][root_pair])  # passes at the start: t_eval
    inc = K.bass_increment(prep.t_grid, t0, t_root, p_bass, prep.pq[ik[root_pair]])
    ip = ik[pair]
    weight = th.weight[dd, sector, group] * ta.exposure[ip]
    cell_bins = (_bins(prep.covered_position[cells[pair, sector]], weight * ta.omega[ip], inc,
                       member, prep.covered_cells.size, n_draws, dd) if bins else None)
    kr = k[root_pair]
    root_weight = np.bincount(member, weights=weight * prep.wage_share[ip, sector],
                              minlength=root_pair.size)
    a2, s2 = _dated(prep, inc, t_root, np.where(passes, root_x, sig_s[kr]), sig_end[kr],
                    root_weight, dk[root_pair], n_draws)
    return _Adoption(occ_bins, cell_bins, adopted + a2, saved + s2)


def evaluate(prep: Prepared, setup: Setup, block: Block, un: Uniforms,
             sp: SharedParams, bins: bool = True, seen: dict | None = None) -> ScenarioChunk:
    """One scenario over the draws of ``block`` (see the module docstring). ``seen`` holds
    the adoption of scenarios already evaluated on this block: one whose game is the same
    (P2, P3 and P0-high move only transfers or θ_sub) reuses it."""
    eta = setup.value("eta", un.of("eta")) + setup.delta_eta
    if setup.tax_rebate == "retraining":
        eta = eta + _retraining(prep, setup, block, un, sp, eta)
    return _evaluate(prep, setup, block, un, sp, eta, bins, seen)


def _evaluate(prep: Prepared, setup: Setup, block: Block, un: Uniforms, sp: SharedParams,
              eta: np.ndarray, bins: bool, seen: dict | None = None) -> ScenarioChunk:
    ta = prep.tasks
    n_draws = block.gap0.shape[0]
    n_years = prep.t_grid.shape[0]
    cap = setup.capability
    beta, rho = float(cap.beta), float(cap.rho_rev)
    lam_tot = setup.value("lam_tot", un.of("lam_tot"))
    theta = setup.value("theta_sub", un.of("theta_sub"))
    th = thresholds(setup.policy, prep.demand[setup.policy.mode], lam_tot, eta)
    delta = prep.dividend[setup.scenario_id]
    key = (id(block), setup.policy, eta.tobytes(), lam_tot.tobytes(), delta.tobytes(), bins)
    if seen is not None and key in seen:
        alpha_ne, alpha_co, got = seen[key]
    else:
        exposed = ta.exposure > 0.0
        alpha_ne, alpha_co = _static_shares(prep, th, block.sigma_end,
                                            (block.t_eval <= prep.t_end) & exposed, delta,
                                            _bounds(th))
        got = _adoption(prep, block, th, delta, rho, beta, bins)
        if seen is not None:
            seen[key] = (alpha_ne, alpha_co, got)
    if bins:
        share = np.take(got.occ_bins, prep.covered_occ, axis=1)  # (D, C, Y)
        share += got.cell_bins
        np.clip(share, 0.0, 1.0, out=share)
        values = np.empty((n_draws, n_years, share.shape[1]), dtype=np.float32)
        np.multiply(share.transpose(0, 2, 1), theta[:, None, None], out=values,
                    casting="same_kind")
        values = values.reshape(n_draws, -1)
    else:
        values = np.zeros((n_draws, 0), dtype=np.float32)
    params = {"Td_months": sp.Td_months, "kappa_D": sp.kappa_D, "kappa_V": sp.kappa_V,
              "r0_sigma": sp.r0_sigma, "a10": sp.a10, "mu": sp.mu, "g_c": sp.g_c,
              "q_req": sp.q_req, "m_h": sp.m_h, "theta_sub": theta, "eta": eta,
              "lam_tot": lam_tot,
              "reemployment_hazard": np.minimum(
                  setup.value("reemployment_hazard", un.of("reemployment_hazard"))
                  * setup.h_factor, 1.0)}
    return ScenarioChunk(values=values, alpha_nash=alpha_ne, alpha_coop=alpha_co,
                         x_nash=(th.a * th.weight).sum(axis=2), x_coop=th.coop_a,
                         tax=th.tax, tax_star=th.tax_star, adopted=got.adopted,
                         dated_saving=got.dated_saving.T, parameters=params)


def _retraining(prep: Prepared, setup: Setup, block: Block, un: Uniforms, sp: SharedParams,
                eta: np.ndarray) -> np.ndarray:
    """P8's Δη per draw: the tax revenue over the window / (displaced at the horizon × the
    cost of one retraining), capped (§7.6)."""
    first = _evaluate(prep, setup, block, un, sp, eta, bins=True)
    ta = prep.tasks
    n_draws = first.values.shape[0]
    n_years = prep.t_grid.shape[0]
    cov = prep.covered_cells
    values = first.values.reshape(n_draws, n_years, -1).astype(np.float64)
    theta = first.parameters["theta_sub"][:, None, None]
    automated = values / np.where(theta > 0, theta, 1.0)  # A per covered cell
    bill = (ta.baseline[cov] * ta.cell_wage[cov, None]).T[None]  # (1, Y, C)
    tax = first.tax[:, ta.cell_sector[cov]][:, None, :]  # (D, 1, C)
    revenue = (automated * bill * tax).sum(axis=(1, 2))
    displaced = (values[:, -1, :] * ta.baseline[cov, -1][None]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(displaced > 0, revenue / (displaced * setup.retraining_cost), 0.0)
    return np.clip(gain, 0.0, setup.retraining_cap)


def run_chunk(prep: Prepared, start: int, stop: int) -> ChunkResult:
    """Simulate draws [start, stop) of every scenario of ``prep`` (see the module docstring)."""
    from exposure.forecast.simulation.montecarlo import draw_uniforms

    lead = prep.setups[0]
    un = draw_uniforms(lead.seed, start, stop, prep.tasks.n_tasks)
    sp = shared_params(lead, un, prep.mu_of, prep.a10_cap)
    blocks: dict[float, Block] = {}  # only P7's dial moves the gate and the data stock
    seen: dict = {}
    out = {}
    for setup in prep.setups:
        if setup.cbi not in blocks:
            blocks[setup.cbi] = shared_block(prep, setup, sp, un.z)
        out[setup.scenario_id] = evaluate(prep, setup, blocks[setup.cbi], un, sp, seen=seen)
    return ChunkResult(start=start, stop=stop, scenarios=out)


__all__ = [
    "FLOOR_YEARS",
    "Block",
    "ChunkResult",
    "Prepared",
    "ScenarioChunk",
    "SharedParams",
    "evaluate",
    "run_chunk",
    "shared_block",
    "shared_params",
]

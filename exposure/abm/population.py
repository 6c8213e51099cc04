"""Agents drawn from the real workforce (MODEL_SPEC §4 "Agents and state").

One agent stands for ``1/share`` workers. Each (occupation, sector) cell of OEWS May 2024
(published detailed rows) gets ``employment × share`` agents, rounded stochastically so that
the scaled-up sample is unbiased for every cell and sector. Agents are host NumPy arrays;
`abm.engine` moves them onto the device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

WAGE_YEAR = 2024
STATE_YEAR = 2025
# [A] log-sd of wages within a cell when its mean does not exceed its median (rare).
FALLBACK_WAGE_SIGMA = 0.1


@dataclass(frozen=True)
class Population:
    """Aligned per-agent arrays and the labels their indexes point to.

    ``occ`` indexes the task occupations (``n_occ`` = an occupation without tasks),
    ``soc`` indexes ``socs``, ``sector`` the forecast's sectors, ``state`` ``states``.
    ``wage`` is the annual wage, ``rel_wage`` the wage over the cell's mean wage (c_w),
    ``skill`` θ_w, ``tie`` b_w, ``sub_draw`` U(0,1) (the job is a substitution job when it
    is below θ_sub), ``clock`` Exp(1) (the integrated re-employment hazard it needs).
    """

    occ: np.ndarray
    soc: np.ndarray
    sector: np.ndarray
    state: np.ndarray
    wage: np.ndarray
    rel_wage: np.ndarray
    skill: np.ndarray
    tie: np.ndarray
    sub_draw: np.ndarray
    clock: np.ndarray
    weight: float
    socs: tuple[str, ...]
    sectors: tuple[str, ...]
    states: tuple[str, ...]
    state_names: tuple[str, ...]
    n_occ: int

    @property
    def size(self) -> int:
        return int(self.occ.shape[0])


def sample_cells(employment: pl.DataFrame, sectors: tuple[str, ...]) -> pl.DataFrame:
    """The OEWS May 2024 detailed (occupation, sector) cells the sample is drawn from, with
    the cell's mean and median wage (falling back to the occupation's national ones)."""
    detailed = employment.filter(pl.col("year") == WAGE_YEAR, pl.col("o_group") == "detailed",
                                 pl.col("employment").is_not_null(),
                                 pl.col("employment") > 0)
    national = detailed.filter(pl.col("source") == "oews_national").select(
        "soc_code", pl.col("annual_mean_wage").alias("nat_mean"),
        pl.col("annual_median_wage").alias("nat_median"))
    cells = detailed.filter(pl.col("source") == "oews_natsector",
                            pl.col("naics_sector").is_in(list(sectors)))
    overall = float((cells["employment"] * cells["annual_mean_wage"]).sum()
                    / cells.filter(pl.col("annual_mean_wage").is_not_null())["employment"].sum())
    return (cells.join(national, on="soc_code", how="left")
            .with_columns(pl.coalesce("annual_mean_wage", "nat_mean", pl.lit(overall))
                          .alias("mean_wage"),
                          pl.coalesce("annual_median_wage", "nat_median", "annual_mean_wage",
                                      "nat_mean", pl.lit(overall)).alias("median_wage"))
            .select("soc_code", "naics_sector", "employment", "mean_wage", "median_wage")
            .sort("naics_sector", "soc_code"))


def _codes(labels: pl.Series, index: dict[str, int]) -> np.ndarray:
    """Each label's position in ``index`` (tens of thousands of rows: not a Python loop)."""
    return labels.replace_strict(index, return_dtype=pl.Int64).to_numpy()


def _state_table(employment: pl.DataFrame, socs: tuple[str, ...]
                 ) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """Cumulative state distribution per occupation (socs × states), May 2025; occupations
    without state rows take every occupation's state distribution."""
    rows = employment.filter(pl.col("year") == STATE_YEAR, pl.col("area_type") == "state",
                             pl.col("o_group") == "detailed",
                             pl.col("employment").is_not_null())
    names = rows.select("area_code", "area_name").unique("area_code").sort("area_code")
    states = tuple(names["area_code"].to_list())
    s_of = {s: i for i, s in enumerate(states)}
    o_of = {s: i for i, s in enumerate(socs)}
    table = np.zeros((len(socs), len(states)))
    known = rows.filter(pl.col("soc_code").is_in(list(socs)))
    np.add.at(table, (_codes(known["soc_code"], o_of), _codes(known["area_code"], s_of)),
              known["employment"].to_numpy())
    everyone = np.bincount(_codes(rows["area_code"], s_of),
                           weights=rows["employment"].to_numpy(), minlength=len(states))
    empty = table.sum(axis=1) == 0
    table[empty] = everyone
    cdf = np.cumsum(table, axis=1)
    return cdf / cdf[:, -1:], states, tuple(names["area_name"].to_list())


def draw_population(employment: pl.DataFrame, occupations: tuple[str, ...],
                    sectors: tuple[str, ...], share: float, seed: int,
                    skill_dispersion: bool = True, ties: bool = True) -> Population:
    """A seeded sample of ``share`` of the OEWS May 2024 workforce (see the module doc).

    Wages are lognormal through the cell's median and mean (σ² = 2 ln(mean/median)); the
    skill θ_w is the agent's standard-normal wage percentile, so better-paid workers are
    the better ones (§4 allows either). Without ``skill_dispersion`` every agent has θ = 0
    and the cell's mean wage; without ``ties`` every b_w is 0.
    """
    if not 0.0 < share <= 1.0:
        raise ValueError("the sample share must be in (0, 1]")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4]))
    cells = sample_cells(employment, sectors)
    expected = cells["employment"].to_numpy() * share
    counts = (np.floor(expected) + (rng.random(expected.shape) < expected % 1.0)).astype(np.int64)
    cell = np.repeat(np.arange(cells.height), counts)
    n = int(cell.shape[0])
    socs = tuple(sorted(set(cells["soc_code"].to_list())))
    soc_of = {s: i for i, s in enumerate(socs)}
    occ_of = {s: i for i, s in enumerate(occupations)}
    n_occ = len(occupations)
    cell_soc = np.array([soc_of[s] for s in cells["soc_code"]], dtype=np.int32)
    cell_occ = np.array([occ_of.get(s, n_occ) for s in cells["soc_code"]], dtype=np.int32)
    sector_of = {s: i for i, s in enumerate(sectors)}
    cell_sector = np.array([sector_of[s] for s in cells["naics_sector"]], dtype=np.int16)
    mean = cells["mean_wage"].to_numpy()
    median = np.minimum(cells["median_wage"].to_numpy(), mean)
    sigma = np.sqrt(2.0 * np.log(mean / median))
    sigma = np.where(sigma > 0.0, sigma, FALLBACK_WAGE_SIGMA)
    mu = np.log(mean) - sigma**2 / 2.0  # the lognormal with the cell's mean

    skill = rng.standard_normal(n) if skill_dispersion else np.zeros(n)
    if skill_dispersion:
        wage = np.exp(mu[cell] + sigma[cell] * skill)
    else:
        wage = mean[cell].copy()
    tie = rng.beta(2.0, 2.0, n) if ties else np.zeros(n)
    sub_draw = rng.random(n)
    clock = rng.exponential(1.0, n)

    soc = cell_soc[cell]
    cdf, states, names = _state_table(employment, socs)
    u = rng.random(n)
    keys = (np.arange(len(socs))[:, None] + cdf * (1.0 - 1e-12)).ravel()
    state = np.searchsorted(keys, soc + u * (1.0 - 1e-12), side="right") - soc * len(states)
    state = np.clip(state, 0, len(states) - 1).astype(np.int16)
    return Population(occ=cell_occ[cell], soc=soc, sector=cell_sector[cell], state=state,
                      wage=wage, rel_wage=wage / mean[cell], skill=skill, tie=tie,
                      sub_draw=sub_draw, clock=clock, weight=1.0 / share, socs=socs,
                      sectors=sectors, states=states, state_names=names, n_occ=n_occ)

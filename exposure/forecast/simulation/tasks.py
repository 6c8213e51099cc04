"""Per-task arrays for the forecast: what each task is, whose time it takes, and where.

`task_arrays(task_feature, task_scores, tables, baseline)` turns the frames into aligned
numpy arrays, one entry per O*NET task whose occupation reaches a BLS occupation with
baseline employment, sorted by (onet_soc_code, task_id) so that a task always gets the same
random numbers. Choices made here (MODEL_SPEC is silent on them):

* **Time shares ω_i|o** (§4, §6 outputs). The task weights of `exposure.task_weights` on the
  importance × frequency basis, on purpose not the roll-ups' importance alone: a time share
  is the share of working time a task takes, so a daily task outweighs an equally important
  yearly one. IM (1-5) times the mean FT category (1 = yearly or less … 7 = hourly or more,
  the ordinal scale O*NET publishes); a task without ratings in a rated occupation takes the
  occupation's mean IM×FT. Without ratings (the mirror): Core = 2, Supplemental = 1,
  untyped = 1, as in the roll-ups. Normalised to sum to 1 within each O*NET occupation.
* **O*NET → BLS.** ω_i|o of a BLS occupation o is the crosswalk split weight of the task's
  O*NET occupation times its time share, so the shares of a BLS code with tasks sum to 1.
  A BLS code none of whose O*NET occupations has tasks gets no task and is never displaced.
* **Exposure ceiling E_i** (§1.4) = the scorer's score; a task the scorer leaves null takes
  the mean score of its occupation's scored tasks, else 1 (the spec's default). Without
  scores E_i = 1 for every task. A task with no `task_feature` row is not automatable
  (E_i = 0); its time still counts in ω.
* **Features with gaps.** gatekeeping null (the mirror has no CPS licensing data) → G = 0;
  manual intensity or face-to-face null → 0; Job Zone null → the occupation's Job Zone,
  else 3. Human task minutes come from the Job Zone (`capability.human_minutes`).
* **Wage bills** (§3.7 weights ω_ij, §5 χ_i): ω_i|o × baseline employment of (o, j) in the
  horizon year × the OEWS May 2024 annual mean wage of (o, j), falling back to the
  occupation's national mean wage, then the EP median wage, then the employment-weighted
  mean of all wages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from exposure.codes import CROSS_INDUSTRY
from exposure.forecast.model.capability import human_minutes
from exposure.sources.oews import SECTORS
from exposure.task_weights import IMPORTANCE_FREQUENCY, task_weights

DEFAULT_JOB_ZONE = 3
WAGE_YEAR = 2024
KEYS = ["onet_soc_code", "task_id"]


def task_time_shares(task: pl.DataFrame, task_rating: pl.DataFrame | None = None) -> pl.DataFrame:
    """onet_soc_code, task_id, time_share (sums to 1 per O*NET occupation), share_source
    ('importance_frequency', 'imputed' or 'task_type': `task_weights`' weight_source)."""
    weight = pl.col("weight")
    return task_weights(task, task_rating, IMPORTANCE_FREQUENCY).select(
        *KEYS, (weight / weight.sum().over("onet_soc_code")).alias("time_share"),
        pl.col("weight_source").alias("share_source"))


@dataclass(frozen=True)
class TaskArrays:
    """Aligned per-task, per-occupation and per-cell arrays (see the module docstring).

    Tasks: ``occ`` indexes ``occupations``; ``omega`` is ω_i|o; ``exposure`` E_i; features
    ``da``, ``v``, ``m`` (manual intensity), ``g`` (gatekeeping), ``f2f``; ``h_minutes``;
    ``wage_bill`` (tasks × sectors) at the horizon. Cells are the (occupation, sector) pairs
    with baseline employment: ``cell_occ``, ``cell_sector``, ``baseline`` (cells × years);
    ``cell_of[o, j]`` is the cell index or −1; ``cell_wage`` the cell's annual mean wage
    (with the fallbacks above); ``occ_job_zone`` the time-weighted mean Job Zone of each
    occupation's tasks (NaN without tasks).
    """

    onet_soc_code: np.ndarray
    task_id: np.ndarray
    occ: np.ndarray
    omega: np.ndarray
    exposure: np.ndarray
    da: np.ndarray
    v: np.ndarray
    m: np.ndarray
    g: np.ndarray
    f2f: np.ndarray
    h_minutes: np.ndarray
    wage_bill: np.ndarray
    occupations: tuple[str, ...]
    sectors: tuple[str, ...]
    years: tuple[int, ...]
    cell_occ: np.ndarray
    cell_sector: np.ndarray
    cell_of: np.ndarray
    baseline: np.ndarray
    cell_wage: np.ndarray
    occ_job_zone: np.ndarray

    @property
    def occ_wage(self) -> np.ndarray:
        """Each occupation's employment-weighted mean wage over its cells at the horizon."""
        emp = self.baseline[:, -1]
        n = len(self.occupations)
        total = np.bincount(self.cell_occ, weights=emp, minlength=n)
        paid = np.bincount(self.cell_occ, weights=emp * self.cell_wage, minlength=n)
        return np.where(total > 0, paid / np.where(total > 0, total, 1.0), np.nan)

    @property
    def n_tasks(self) -> int:
        return int(self.occ.shape[0])

    @property
    def covered(self) -> np.ndarray:
        """Occupations with at least one task (the others are never displaced)."""
        out = np.zeros(len(self.occupations), dtype=bool)
        out[self.occ] = True
        return out


def _exposure(scored: bool) -> pl.Expr:
    """E_i: the score, else the occupation's mean score, else 1 (§1.4 default)."""
    if not scored:
        return pl.lit(1.0)
    return pl.coalesce(pl.col("score"), pl.col("score").mean().over("onet_soc_code"),
                       pl.lit(1.0)).clip(0.0, 1.0)


def _wages(employment: pl.DataFrame,
           projection: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """OEWS May 2024 annual mean wages by cell and nationally, and the EP median wage."""
    cells = employment.filter((pl.col("year") == WAGE_YEAR) & (pl.col("area_type") == "national"))
    by_cell = cells.filter(pl.col("naics_sector") != CROSS_INDUSTRY).select(
        "soc_code", "naics_sector", pl.col("annual_mean_wage").alias("cell_wage"))
    national = cells.filter(pl.col("naics_sector") == CROSS_INDUSTRY).select(
        "soc_code", pl.col("annual_mean_wage").alias("national_wage"))
    ep = projection.select("soc_code", pl.col("median_annual_wage").alias("ep_wage"))
    return by_cell, national, ep


def task_arrays(task_feature: pl.DataFrame, task_scores: pl.DataFrame | None,
                tables: dict[str, pl.DataFrame], baseline: pl.DataFrame) -> TaskArrays:
    """Build :class:`TaskArrays` (see the module docstring for every choice)."""
    years = tuple(sorted(baseline.get_column("year").unique().to_list()))
    horizon = years[-1]
    cells = baseline.select("soc_code", "naics_sector").unique().sort("soc_code", "naics_sector")
    occupations = tuple(cells.get_column("soc_code").unique().sort().to_list())
    occ_index = {c: i for i, c in enumerate(occupations)}
    sector_index = {s: j for j, s in enumerate(SECTORS)}

    shares = task_time_shares(tables["task"], tables.get("task_rating"))
    crosswalk = tables["crosswalk"].select("onet_soc_code", "soc_code", "split_weight")
    job_zone = tables["occupation"].select("onet_soc_code", pl.col("job_zone").alias("occ_zone"))
    feature_cols = ["data_availability", "verifiability", "gatekeeping", "manual_intensity",
                    "face_to_face", "job_zone"]
    feats = task_feature.select(*KEYS, *feature_cols).with_columns(
        pl.lit(True).alias("has_features"))
    frame = (shares.join(crosswalk, on="onet_soc_code", how="inner")
             .filter(pl.col("soc_code").is_in(list(occupations)) & (pl.col("split_weight") > 0))
             .join(feats, on=KEYS, how="left").join(job_zone, on="onet_soc_code", how="left"))
    if task_scores is not None:
        scores = task_scores.select(*KEYS, pl.col("score").cast(pl.Float64))
        frame = frame.join(scores, on=KEYS, how="left")
    frame = frame.with_columns(
        (pl.col("time_share") * pl.col("split_weight")).alias("omega"),
        pl.when(pl.col("has_features").fill_null(False)).then(_exposure(task_scores is not None))
        .otherwise(0.0).alias("exposure"),
        pl.col("data_availability").fill_null(0.5), pl.col("verifiability").fill_null(0.5),
        pl.col("gatekeeping").fill_null(0.0), pl.col("manual_intensity").fill_null(0.0),
        pl.col("face_to_face").fill_null(0.0),
        pl.coalesce("job_zone", "occ_zone", pl.lit(DEFAULT_JOB_ZONE)).alias("job_zone"),
    ).sort(KEYS)

    occ = np.array([occ_index[c] for c in frame.get_column("soc_code").to_list()], dtype=np.int32)
    cell_occ = np.array([occ_index[c] for c in cells.get_column("soc_code").to_list()],
                        dtype=np.int32)
    cell_sector = np.array([sector_index[s] for s in cells.get_column("naics_sector").to_list()],
                           dtype=np.int32)
    cell_of = np.full((len(occupations), len(SECTORS)), -1, dtype=np.int64)
    cell_of[cell_occ, cell_sector] = np.arange(cells.height)
    base = (cells.with_row_index("cell")
            .join(baseline, on=["soc_code", "naics_sector"], how="left")
            .sort("cell", "year").get_column("baseline_employment").fill_null(0.0).to_numpy()
            .reshape(cells.height, len(years)))

    by_cell, national, ep = _wages(tables["employment"], tables["projection"])
    horizon_emp = baseline.filter(pl.col("year") == horizon)
    wages = (horizon_emp.join(by_cell, on=["soc_code", "naics_sector"], how="left")
             .join(national, on="soc_code", how="left").join(ep, on="soc_code", how="left")
             .with_columns(pl.coalesce("cell_wage", "national_wage", "ep_wage").alias("wage")))
    mean_wage = wages.select((pl.col("wage") * pl.col("baseline_employment")).sum()
                             / pl.col("baseline_employment").filter(pl.col("wage").is_not_null())
                             .sum()).item()
    bill = np.zeros((len(occupations), len(SECTORS)))
    w = wages.with_columns(pl.col("wage").fill_null(mean_wage))
    bill[[occ_index[c] for c in w.get_column("soc_code").to_list()],
         [sector_index[s] for s in w.get_column("naics_sector").to_list()]] = (
        w.get_column("baseline_employment").to_numpy() * w.get_column("wage").to_numpy())
    omega = frame.get_column("omega").to_numpy()
    cell_wage = (cells.join(w.select("soc_code", "naics_sector", "wage"),
                            on=["soc_code", "naics_sector"], how="left", maintain_order="left")
                 .get_column("wage").fill_null(mean_wage).to_numpy())
    zone = frame.get_column("job_zone").cast(pl.Float64).to_numpy()
    weight = np.bincount(occ, weights=omega, minlength=len(occupations))
    occ_job_zone = np.where(weight > 0, np.bincount(occ, weights=omega * zone,
                                                    minlength=len(occupations))
                            / np.where(weight > 0, weight, 1.0), np.nan)

    def arr(name: str) -> np.ndarray:
        return frame.get_column(name).cast(pl.Float64).to_numpy().copy()

    return TaskArrays(
        onet_soc_code=frame.get_column("onet_soc_code").to_numpy(),
        task_id=frame.get_column("task_id").to_numpy(),
        occ=occ, omega=omega, exposure=arr("exposure"), da=arr("data_availability"),
        v=arr("verifiability"), m=arr("manual_intensity"), g=arr("gatekeeping"),
        f2f=arr("face_to_face"),
        h_minutes=np.asarray(human_minutes(arr("job_zone")), dtype=np.float64),
        wage_bill=omega[:, None] * bill[occ], occupations=occupations, sectors=tuple(SECTORS),
        years=tuple(int(y) for y in years), cell_occ=cell_occ, cell_sector=cell_sector,
        cell_of=cell_of, baseline=base, cell_wage=cell_wage, occ_job_zone=occ_job_zone,
    )


__all__ = ["TaskArrays", "task_arrays", "task_time_shares"]

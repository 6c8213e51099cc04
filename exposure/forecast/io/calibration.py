"""Sector calibration of the layoff-trap game (MODEL_SPEC §3.8) from the public mirror.

`sector_calibration(tables)` gives one row per OEWS sector (the 20 of
`exposure.sources.oews.SECTORS`, government as '99'):

* ``n_firms`` — the effective number of firms N_j. Each 6-digit industry of the Economic
  Census concentration table (the finest level published; caveat C6) gets
  N_k = 10⁴/HHI_k from :func:`~exposure.forecast.model.concentration.effective_firms`: the
  published HHI of the 50 largest firms where there is one, else the lower bound on HHI from
  CR4-CR50 (an upper bound on N), capped at 10³. The sector's N_j is the receipts-weighted
  harmonic mean of its industries' N_k,

      N_j = Σ_k R_k / Σ_k (R_k / N_k),

  i.e. 10⁴ over the receipts-weighted mean HHI. The harmonic mean is the one the game needs:
  the private threshold x_NE = λ(1−η)/N is linear in 1/N, so averaging 1/N over industries
  (weighted by their share of the sector's sales) keeps the sector's mean threshold.
  ``n_firms_source`` is 'hhi50' when industries with a published HHI carry at least half of
  the sector's receipts, else 'cr_bound'; ``hhi_receipts_share`` gives the exact share.
* ``spending_share`` — the share of all household spending (BEA PCE bridge, caveat C7, via
  `household_spending_by_sector`) that reaches the sector. It is the share of *all* PCE, so
  the '??' remainder (owner-occupied housing, used goods, rest-of-world) reaches no sector and
  the shares sum to about 0.84, not 1: a wage dollar spent on imputed rent feeds no firm.
* ``lam`` — λ_j = λ_tot × spending_share with λ_tot = 0.8 [A]; ``eta`` — η = 0.70 [S]. These
  two are the point values at the scenario defaults: the forecast draws λ_tot and η per
  Monte-Carlo draw and always derives λ_j from ``spending_share``.

Sectors the Economic Census does not cover get documented defaults (`DEFAULTS`):

* 11 agriculture: N = 10³, the cap. The Census of Agriculture counts about 1.9 million farms
  selling into commodity markets; the concentration tables do not cover NAICS 11.
* 55 management of companies: N = the receipts-weighted harmonic mean over every covered
  industry (the economy-wide value), because a head office serves firms in every sector.
  Households buy nothing from NAICS 55 directly (spending share 0), so its λ_j is 0.
* 99 government (OEWS grouping, not NAICS 92): N = 1. A public employer does not compete
  for household spending, so it is treated as a single agent that internalises all of its
  own demand loss: no over-automation wedge.

When the BEA input-output tables are present, the economy-mode columns of MODEL_SPEC §7.3
follow (`exposure.forecast.io.sector_demand`): ``lam_k``, ``n_firms_k``, ``internalised``,
``lam_domestic_total``, ``lam_source``, ``n_firms_k_source``.

A user may replace the table with their own CSV (`load_calibration_override`), e.g. the
exported table with edited values.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl

from exposure.errors import InputError
from exposure.forecast.model.concentration import effective_firms
from exposure.sources.oews import SECTORS
from exposure.sources.pce import household_spending_by_sector

LAM_TOT = 0.8  # [A] workers' marginal propensity to consume (§3.8; range 0.5-0.95)
ETA = 0.70  # [S] short-run income recovered after displacement (§3.8; JLS, vWSM)
N_CAP = 1000.0  # §3.8 cap on N
FINEST_LEVEL = 6
SOURCES = ("hhi50", "cr_bound", "default", "override")
ECONOMY_WIDE = "economy_wide"
DEFAULTS: dict[str, tuple[float | str, str]] = {
    "11": (N_CAP, "not in the Economic Census; ~1.9M farms in commodity markets: N at the cap"),
    "55": (ECONOMY_WIDE, "not in the Economic Census; head offices serve every sector: N is "
                         "the receipts-weighted harmonic mean over all covered industries"),
    "99": (1.0, "government (OEWS grouping): a single public employer that does not compete "
                "for household spending, N = 1 (no wedge)"),
}
COLUMNS = ("naics_sector", "n_firms", "n_firms_source", "spending_share", "lam", "eta", "notes")
REQUIRED = ("naics_sector", "n_firms", "spending_share")
SCHEMA = {"naics_sector": pl.String, "n_firms": pl.Float64, "n_firms_source": pl.String,
          "spending_share": pl.Float64, "lam": pl.Float64, "eta": pl.Float64,
          "notes": pl.String, "hhi_receipts_share": pl.Float64, "n_industries": pl.Int32}


def industry_firms(concentration: pl.DataFrame, census_year: int = 2022) -> pl.DataFrame:
    """Effective firms per 6-digit industry: naics_code, sector, receipts, n_firms, source.

    Industries with neither an HHI nor a concentration ratio, or without receipts, are left
    out (none in the 2022 and 2017 files).
    """
    six = concentration.filter((pl.col("census_year") == census_year)
                               & (pl.col("naics_level") == FINEST_LEVEL))
    if six.is_empty():
        raise InputError("census_concentration", f"no {FINEST_LEVEL}-digit industries for "
                         f"census year {census_year}", "use 2017 or 2022")

    def col(name: str) -> np.ndarray:
        return six.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()

    n = effective_firms(col("hhi50"), col("cr4"), col("cr8"), col("cr20"), col("cr50"), N_CAP)
    return six.select(
        "naics_code", "sector", pl.col("receipts").cast(pl.Float64),
        pl.Series("n_firms", np.asarray(n, dtype=np.float64)),
        pl.when(pl.col("hhi50").is_not_null()).then(pl.lit("hhi50"))
        .otherwise(pl.lit("cr_bound")).alias("source"),
    ).filter(pl.col("n_firms").is_not_nan() & (pl.col("receipts") > 0))


def _harmonic(frame: pl.DataFrame) -> pl.Expr:
    return pl.col("receipts").sum() / (pl.col("receipts") / pl.col("n_firms")).sum()


IO_TABLES = ("io_total_requirements", "io_use", "io_import")


def sector_calibration(tables: dict[str, pl.DataFrame], census_year: int = 2022,
                       lam_tot: float = LAM_TOT, eta: float = ETA,
                       demand: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per OEWS sector: naics_sector, n_firms, n_firms_source, spending_share, lam,
    eta, notes, hhi_receipts_share, n_industries (see the module docstring), and the
    economy-mode columns from `demand` (the `demand_calibration` table, computed here when
    not given and the I-O tables are present)."""
    industries = industry_firms(tables["concentration"], census_year)
    by_sector = industries.group_by("sector").agg(
        _harmonic(industries).alias("n_firms"),
        (pl.col("receipts").filter(pl.col("source") == "hhi50").sum()
         / pl.col("receipts").sum()).alias("hhi_receipts_share"),
        pl.len().cast(pl.Int32).alias("n_industries"),
    ).rename({"sector": "naics_sector"})
    economy = industries.select(_harmonic(industries)).item()
    spending = household_spending_by_sector(tables["pce_bridge"], tables["bea_naics"])
    year = spending.get_column("year").max()
    shares = spending.filter(pl.col("year") == year).select("naics_sector",
                                                            pl.col("share").alias("spending_share"))
    rows = []
    for sector in SECTORS:
        found = by_sector.filter(pl.col("naics_sector") == sector)
        if sector in DEFAULTS:
            value, note = DEFAULTS[sector]
            n_firms = economy if value == ECONOMY_WIDE else float(value)
            row = {"n_firms": n_firms, "n_firms_source": "default", "notes": note,
                   "hhi_receipts_share": None, "n_industries": 0}
        elif found.is_empty():
            raise InputError("census_concentration", f"sector {sector} has no {FINEST_LEVEL}-"
                             f"digit industry in census year {census_year}",
                             "add a default for it or supply a calibration override file")
        else:
            r = found.row(0, named=True)
            share = r["hhi_receipts_share"]
            row = {"n_firms": r["n_firms"], "n_firms_source": "hhi50" if share >= 0.5
                   else "cr_bound", "hhi_receipts_share": share, "n_industries": r["n_industries"],
                   "notes": f"Economic Census {census_year}: receipts-weighted harmonic mean of "
                            f"{r['n_industries']} 6-digit industries ({share:.0%} of receipts "
                            "with a published HHI)"}
        share_row = shares.filter(pl.col("naics_sector") == sector)
        spending_share = float(share_row.item(0, "spending_share")) if share_row.height else 0.0
        rows.append({"naics_sector": sector, **row, "spending_share": spending_share,
                     "lam": lam_tot * spending_share, "eta": eta})
    frame = pl.DataFrame(rows, schema=SCHEMA).select(*COLUMNS, "hhi_receipts_share",
                                                     "n_industries")
    if demand is None and all(name in tables for name in IO_TABLES):
        from exposure.forecast.io.demand import demand_calibration

        demand = demand_calibration(tables)
    if demand is None:
        return frame
    from exposure.forecast.io.sector_demand import with_demand

    return with_demand(frame, demand)


# ---------------------------------------------------------------------------------------------
# user override
# ---------------------------------------------------------------------------------------------

_HINT = ("the file needs the columns naics_sector, n_firms and spending_share (optional: "
         "n_firms_source, lam, eta, notes, and the economy-mode lam_k, n_firms_k, "
         "internalised, lam_domestic_total, lam_source, n_firms_k_source), one row per OEWS "
         "sector")


def _number(value: str | None, file: str, row: int, column: str, low: float,
            high: float = math.inf) -> float:
    text = "" if value is None else value.strip()
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < low or number > high:
        bound = f"at least {low:g}" if math.isinf(high) else f"in [{low:g}, {high:g}]"
        raise InputError(file, f"'{text}' is not a number {bound}", _HINT, row=row, column=column)
    return number


def load_calibration_override(path: str | Path, base: pl.DataFrame | None = None,
                              lam_tot: float = LAM_TOT, eta: float = ETA) -> pl.DataFrame:
    """Read a user's calibration CSV (same columns as `sector_calibration`) and validate it.

    Rows replace the matching sectors of ``base`` (e.g. the derived table) when it is given;
    without ``base`` the file must list all 20 sectors. ``lam`` and ``eta`` are derived
    columns: where the file has them they must equal λ_tot × spending_share and the scenario
    default η (change spending_share, or λ_tot / η in the scenario file, instead). A replaced
    row without ``n_firms_source`` is marked 'override'. Any bad value raises InputError
    naming the file, the row (header = row 1) and the column.

    The economy-mode columns (``lam_k``, ``n_firms_k``, ``internalised``,
    ``lam_domestic_total`` and the two source texts) are optional: a replaced row's n_firms
    is its N in both game modes unless it gives n_firms_k; it keeps the derived lam_k and
    Λ of ``base`` it does not give; a new λ or N without internalised sets internalised =
    lam_k / n_firms_k; a lam_domestic_total applies to every row.
    Without ``base`` the file gives them for every sector or not at all (the table then
    supports sector mode only). See `exposure.forecast.io.sector_demand.apply_override`.
    """
    from exposure.forecast.io.sector_demand import apply_override, parse_override

    path = Path(path)
    file = str(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except FileNotFoundError:
        raise InputError(file, "the calibration file does not exist", _HINT) from None
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError(file, f"not a readable CSV ({str(exc).splitlines()[0]})", _HINT) from None
    raw = raw.rename({c: c.strip() for c in raw.columns})
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(file, f"the column(s) {', '.join(missing)} are missing", _HINT, row=1)
    rows, seen, economy = [], set(), {}
    for offset, rec in enumerate(raw.iter_rows(named=True)):
        row = offset + 2
        sector = (rec["naics_sector"] or "").strip()
        if sector not in SECTORS:
            raise InputError(file, f"'{sector}' is not an OEWS sector", "use one of "
                             + ", ".join(SECTORS), row=row, column="naics_sector")
        if sector in seen:
            raise InputError(file, f"sector {sector} appears twice", "keep one row per sector",
                             row=row, column="naics_sector")
        seen.add(sector)
        share = _number(rec["spending_share"], file, row, "spending_share", 0.0, 1.0)
        out = {"naics_sector": sector,
               "n_firms": _number(rec["n_firms"], file, row, "n_firms", 1.0),
               "spending_share": share, "lam": lam_tot * share, "eta": eta}
        for column, expected in (("lam", out["lam"]), ("eta", eta)):
            given = rec.get(column)
            if given is not None and given.strip():
                value = _number(given, file, row, column, 0.0)
                if abs(value - expected) > 1e-6:
                    raise InputError(
                        file, f"{column} = {value:g} disagrees with the derived value "
                        f"{expected:.6g}", "lam is λ_tot × spending_share and eta is the "
                        "scenario's η: change spending_share here, or [game] lam_tot / eta in "
                        "the scenario file", row=row, column=column)
        source = (rec.get("n_firms_source") or "").strip() or "override"
        if source not in SOURCES:
            raise InputError(file, f"'{source}' is not a known source", "use one of "
                             + ", ".join(SOURCES), row=row, column="n_firms_source")
        out["n_firms_source"] = source
        out["notes"] = (rec.get("notes") or "").strip() or f"user override from {path.name}"
        rows.append(out)
        economy[sector] = (row, parse_override(rec, file, row))
    if base is None and seen != set(SECTORS):
        absent = [s for s in SECTORS if s not in seen]
        raise InputError(file, f"sector(s) {', '.join(absent)} are missing", _HINT)
    override = pl.DataFrame(rows, schema={k: SCHEMA[k] for k in COLUMNS}).with_columns(
        pl.lit(None, pl.Float64).alias("hhi_receipts_share"),
        pl.lit(None, pl.Int32).alias("n_industries"))
    merged = override if base is None else pl.concat([
        base.filter(~pl.col("naics_sector").is_in(list(seen))).select(override.columns),
        override]).sort(pl.col("naics_sector").replace_strict(
            {s: i for i, s in enumerate(SECTORS)}, return_dtype=pl.Int32))
    total = merged.get_column("spending_share").sum()
    if total > 1.0 + 1e-9:
        raise InputError(file, f"the spending shares sum to {total:.4f}, above 1",
                         "a share is of all household spending, so they cannot exceed 1",
                         column="spending_share")
    return apply_override(merged, base, economy, path)


def check_calibration(calibration: pl.DataFrame) -> pl.DataFrame:
    """The calibration in SECTORS order, checked to have every sector once (a bug otherwise)."""
    order = {s: i for i, s in enumerate(SECTORS)}
    frame = calibration.filter(pl.col("naics_sector").is_in(SECTORS)).sort(
        pl.col("naics_sector").replace_strict(order, return_dtype=pl.Int32))
    if frame.get_column("naics_sector").to_list() != list(SECTORS):
        raise ValueError("the calibration must have one row per OEWS sector")
    return frame


__all__ = [
    "DEFAULTS",
    "ETA",
    "LAM_TOT",
    "check_calibration",
    "industry_firms",
    "load_calibration_override",
    "sector_calibration",
]

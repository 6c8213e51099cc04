"""The economy-mode columns of `sector_calibration` (MODEL_SPEC §7.3): λ and N per OEWS
sector from the BEA-industry `demand_calibration`, and how a user's override file sets them.

OEWS publishes no employment by BEA summary industry, so a sector's values are means over
its BEA industries weighted by their compensation of employees (Use table V001), the
closest measure of where the sector's workers are:

* ``lam_k`` = Σ w_k λ_k / Σ w_k;
* ``n_firms_k`` = Σ w_k / Σ (w_k / N_k), the weighted harmonic mean, so that 1/N_j is the
  mean of 1/N_k as for the Census ``n_firms`` (the threshold is linear in 1/N);
* ``internalised`` = Σ w_k (λ_k / N_k) / Σ w_k: the Nash threshold is ℓ_tot·λ_k/N_k, so the
  sector's mean threshold needs the mean of the ratio, not the ratio of the means;
* ``lam_domestic_total`` = Λ = Σ_k λ_k over all 71 industries, the same in every row.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from exposure.errors import InputError
from exposure.sources.oews import SECTORS

NUMBERS = ("lam_k", "n_firms_k", "internalised", "lam_domestic_total")
TEXTS = ("lam_source", "n_firms_k_source")
COLUMNS = (*NUMBERS, *TEXTS)
# column -> (lowest, highest) accepted in an override file
BOUNDS = {"lam_k": (0.0, 1.0), "n_firms_k": (1.0, float("inf")), "internalised": (0.0, 1.0),
          "lam_domestic_total": (0.0, 1.0)}
HINT = ("the economy-mode columns are optional: lam_k and internalised in [0, 1], n_firms_k "
        "at least 1, lam_domestic_total in [0, 1] (one value for every row)")


def sector_demand(demand: pl.DataFrame) -> pl.DataFrame:
    """One row per OEWS sector (SECTORS order) with the `COLUMNS` of the module docstring."""
    weight = pl.col("compensation").clip(lower_bound=0.0)
    total = float(demand.get_column("lam_k").sum())
    io_year, pce_year, census_year = (int(demand.get_column(c)[0])
                                      for c in ("io_year", "pce_year", "census_year"))
    grouped = demand.group_by("naics_sector").agg(
        ((weight * pl.col("lam_k")).sum() / weight.sum()).alias("lam_k"),
        (weight.sum() / (weight / pl.col("n_firms")).sum()).alias("n_firms_k"),
        ((weight * pl.col("lam_k") / pl.col("n_firms")).sum() / weight.sum())
        .alias("internalised"),
        pl.col("bea_code").sort().str.join(", ").alias("_codes"),
        pl.col("bea_code").filter(pl.col("n_firms_source") == "default").sort()
        .str.join(", ").alias("_defaults"))
    missing = sorted(set(SECTORS) - set(grouped.get_column("naics_sector").to_list()))
    if missing:
        raise InputError("bea_pce/PCEBridge_Summary.xlsx", f"no BEA industry maps to the OEWS "
                         f"sector {missing[0]}", "use the bridge's NAICS Codes sheet of the "
                         "same BEA release as the I-O tables")
    order = {s: i for i, s in enumerate(SECTORS)}
    return grouped.filter(pl.col("naics_sector").is_in(SECTORS)).sort(
        pl.col("naics_sector").replace_strict(order, return_dtype=pl.Int32)).select(
        "naics_sector", "lam_k", "n_firms_k", "internalised",
        pl.lit(total).alias("lam_domestic_total"),
        pl.format("BEA {} summary I-O: share of $1 of PCE (bridge {}) returning as domestic "
                  "value added, CxC total requirements less import-matrix shares x VABAS/T018; "
                  "compensation-weighted (Use V001) mean over BEA industries {}",
                  pl.lit(io_year), pl.lit(pce_year), "_codes").alias("lam_source"),
        pl.format("Economic Census {} (NAICS 2017 codes of BEA's list), receipts-weighted "
                  "harmonic mean per BEA industry, defaults for [{}]; compensation-weighted "
                  "harmonic mean over BEA industries {}", pl.lit(census_year), "_defaults",
                  "_codes").alias("n_firms_k_source"))


def with_demand(calibration: pl.DataFrame, demand: pl.DataFrame) -> pl.DataFrame:
    """`calibration` (one row per sector) with the economy-mode columns appended."""
    return calibration.join(sector_demand(demand), on="naics_sector", how="left",
                            maintain_order="left")


def parse_override(record: dict[str, str | None], file: str, row: int) -> dict[str, object]:
    """The economy-mode values one override row gives (absent or empty cells left out)."""
    from exposure.forecast.io.calibration import _number

    out: dict[str, object] = {}
    for column, (low, high) in BOUNDS.items():
        text = record.get(column)
        if text is not None and text.strip():
            out[column] = _number(text, file, row, column, low, high)
    for column in TEXTS:
        text = (record.get(column) or "").strip()
        if text:
            out[column] = text
    return out


def apply_override(merged: pl.DataFrame, base: pl.DataFrame | None,
                   given: dict[str, tuple[int, dict[str, object]]], path: Path) -> pl.DataFrame:
    """The economy-mode columns after an override (see `load_calibration_override`);
    `given` maps a sector to its file row and the values `parse_override` read there.

    A replaced sector's ``n_firms`` is its N in both game modes: without an n_firms_k of
    its own, n_firms_k = n_firms (so an edited N reaches the default economy mode too). It
    keeps the derived lam_k and lam_domestic_total it does not give; a new lam_k or N
    without internalised sets internalised = lam_k / n_firms_k (one industry's ratio), and
    the source texts say 'override'. Without a base that has the columns, every row must
    give lam_k and (in at least one row) lam_domestic_total, or no row any economy column:
    the table then supports sector mode only.
    """
    file, has_base = str(path), base is not None and set(COLUMNS) <= set(base.columns)
    totals = {v["lam_domestic_total"] for _, v in given.values() if "lam_domestic_total" in v}
    if len(totals) > 1:
        raise InputError(file, "lam_domestic_total differs between rows", "Λ is one "
                         "economy-wide value: give the same number in every row",
                         column="lam_domestic_total")
    if not has_base and not any(v for _, v in given.values()):
        return merged
    required = ("lam_k",) if totals else ("lam_k", "lam_domestic_total")
    firms = dict(merged.select("naics_sector", "n_firms").iter_rows())
    rows = []
    for sector in merged.get_column("naics_sector").to_list():
        line, new = given.get(sector, (None, {}))
        if line is not None and "n_firms_k" not in new:
            new = {**new, "n_firms_k": firms[sector]}
        old = (base.filter(pl.col("naics_sector") == sector).select(COLUMNS).row(0, named=True)
               if has_base and base is not None else {})
        absent = [c for c in required if c not in new and c not in old]
        if absent:
            raise InputError(file, f"sector {sector} lacks {absent[0]}", HINT, row=line,
                             column=absent[0])
        row = {**old, **new}
        if ("lam_k" in new or "n_firms_k" in new) and "internalised" not in new:
            row["internalised"] = row["lam_k"] / row["n_firms_k"]
        for text, numbers in (("lam_source", ("lam_k", "internalised")),
                              ("n_firms_k_source", ("n_firms_k",))):
            if text not in new and any(n in new for n in numbers):
                row[text] = f"override from {path.name}"
        if totals:
            row["lam_domestic_total"] = next(iter(totals))
        if row["internalised"] > row["lam_k"] + 1e-9:
            raise InputError(file, f"sector {sector}: internalised = {row['internalised']:g} "
                             f"exceeds lam_k = {row['lam_k']:g}", "a firm internalises at "
                             "most its sector's share (λ_k/N_k with N_k >= 1)", row=line,
                             column="internalised")
        rows.append({"naics_sector": sector, **{c: row.get(c) for c in COLUMNS}})
    frame = pl.DataFrame(rows, schema={"naics_sector": pl.String,
                                       **{c: pl.Float64 for c in NUMBERS},
                                       **{c: pl.String for c in TEXTS}})
    return merged.join(frame, on="naics_sector", how="left", maintain_order="left")


__all__ = ["COLUMNS", "apply_override", "parse_override", "sector_demand", "with_demand"]

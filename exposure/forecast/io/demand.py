"""Demand calibration of the economy-mode layoff-trap game (MODEL_SPEC §7.3) from the BEA
input-output tables, the PCE bridge and the Economic Census.

λ_k, for each of BEA's 71 summary industries, is the share of $1 of household spending
that comes back to industry k as domestic value added, directly and through supply chains:

    λ_k = va_k · [L_dom (f ∘ (1 − m_f))]_k / Σ f,     L_dom = (I − diag(1 − m_i) A)⁻¹

* f, the PCE commodity mix: the PCE bridge's producers' value by BEA commodity (not the Use
  table's F010 column, which is in purchasers' prices in the 2024 supply-use table, margins
  inside the goods rows; caveat C8), plus the margins as the services of their industries:
  wholesale margins to 42, retail margins to the retail industries 441, 445, 452, 4A0 and
  transport costs to the freight carriers 482, 483, 484, 486, each split in proportion to
  the industries' output (T018) since the bridge does not say which store or carrier. Air
  (481) is left out of the freight split: its output is mostly passenger fares, which PCE
  buys directly. Σ f is all PCE at purchasers' value ($19.90 trillion in 2024).
* `Used` (secondhand goods) and `Other` (noncomparable imports, residents' spending abroad
  net of nonresidents' here) are not current domestic production: their PCE stays in the
  denominator and reaches no industry (they leak).
* A = I − L⁻¹ from the 2024 commodity-by-commodity total requirements L (producers' prices).
  Imports leak out through the import matrix's shares by commodity (C8: shares, not levels,
  since it belongs to the producers'-price framework): m_f = imported PCE (F010) over the
  commodity's PCE producers' value, m_i = imported intermediate use (T001) over total
  intermediate use (Use table T001; purchasers' prices there, so m_i is a little low for
  goods), both clipped to [0, 1]. The same share applies to every using commodity.
* va_k = value added at basic prices over industry output (VABAS / T018 of the Use table):
  what an industry keeps of a sale, its purchased inputs falling with it; product taxes
  (VAPRO − VABAS) go to government, not to the firm. Summary commodity codes equal industry
  codes; secondary products are ignored (the 2024 Make table is not staged). General
  government (GFGD, GFGN, GSLG) sells nothing to households or firms in L, so its λ is 0.

Λ = Σ_k λ_k ≤ 1 is the share of spending that returns as domestic value added (the rest
leaks to imports, used goods and the residual). λ_k ≥ 0 (tiny negative values from BEA's
scrap adjustment are set to 0).

`consumption_propensity` (CE Table 1101, §7.3's record beside λ_tot) lives with its reader in
`exposure.sources.cex`, since the ingest publishes it; it is re-exported here.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from exposure.errors import InputError
from exposure.forecast.io.industry_firms import CENSUS_YEAR, bea_industry_firms
from exposure.sources.cex import consumption_propensity
from exposure.sources.pce import commodity_sectors

WHOLESALE = ("42",)
RETAIL = ("441", "445", "452", "4A0")
FREIGHT = ("482", "483", "484", "486")
NOT_PRODUCED = ("Used", "Other")
# commodity_sectors leaves these unallocated ('??'), but as industries they have a sector:
# wholesale trade is 42 and housing (owner- and tenant-occupied) is real estate.
SECTOR_OF = {"42": "42", "HS": "53"}
IO_FILE = "bea_io"


def _cells(table: pl.DataFrame, row: str | None = None, column: str | None = None
           ) -> dict[str, float]:
    """One row (by column code) or one column (by row code) of io_use / io_import, with
    suppressed cells as 0."""
    if row is not None:
        part = table.filter(pl.col("row_code") == row)
        return dict(zip(part["column_code"], part["value"].fill_null(0.0), strict=True))
    part = table.filter(pl.col("column_code") == column)
    return dict(zip(part["row_code"], part["value"].fill_null(0.0), strict=True))


def leontief(total_requirements: pl.DataFrame) -> tuple[list[str], np.ndarray]:
    """The commodity codes (in table order) and L[from, to]."""
    codes = total_requirements.get_column("to_commodity").unique(maintain_order=True).to_list()
    index = {c: i for i, c in enumerate(codes)}
    matrix = np.zeros((len(codes), len(codes)))
    rows = [index[c] for c in total_requirements["from_commodity"]]
    cols = [index[c] for c in total_requirements["to_commodity"]]
    matrix[rows, cols] = total_requirements["coefficient"].to_numpy()
    return codes, matrix


def pce_mix(pce_bridge: pl.DataFrame, output: dict[str, float]) -> tuple[dict[str, float], int]:
    """PCE by BEA commodity at producers' value with the margins as their industries'
    services ($ millions), for the newest bridge year; and that year."""
    year = int(pce_bridge.get_column("year").max())
    bridge = pce_bridge.filter(pl.col("year") == year)
    mix = dict(bridge.group_by("commodity_code").agg(pl.col("producers_value").sum()).iter_rows())
    for margin, codes in (("wholesale_margin", WHOLESALE), ("retail_margin", RETAIL),
                          ("transport_costs", FREIGHT)):
        total = float(bridge.get_column(margin).sum())
        if total == 0.0:
            continue
        weights = np.array([max(output.get(c, 0.0), 0.0) for c in codes])
        if weights.sum() <= 0.0:  # no output recorded: split evenly rather than lose it
            weights = np.ones(len(codes))
        for code, weight in zip(codes, weights / weights.sum(), strict=True):
            mix[code] = mix.get(code, 0.0) + total * float(weight)
    return mix, year


def _share(numerator: float, denominator: float) -> float:
    return float(np.clip(numerator / denominator, 0.0, 1.0)) if denominator > 0 else 0.0


def domestic_value_added(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per BEA commodity of L: bea_code, pce (f, $ millions), pce_share (f / Σ f),
    import_share_pce, import_share_intermediate, va_ratio, lam_k; see the module docstring."""
    codes, big_l = leontief(tables["io_total_requirements"])
    use, imports = tables["io_use"], tables["io_import"]
    output, value_added = _cells(use, row="T018"), _cells(use, row="VABAS")
    mix, _ = pce_mix(tables["pce_bridge"], output)
    unknown = sorted(set(mix) - set(codes))
    if unknown:
        raise InputError(IO_FILE, f"the PCE bridge's commodity {unknown[0]} is not in the "
                         "total requirements table", "use the bridge and the I-O tables of "
                         "the same BEA release", column=unknown[0])
    total = float(tables["pce_bridge"].filter(
        pl.col("year") == tables["pce_bridge"]["year"].max())["purchasers_value"].sum())
    f = np.array([0.0 if c in NOT_PRODUCED else mix.get(c, 0.0) for c in codes])
    pce_imports, mid_imports = _cells(imports, column="F010"), _cells(imports, column="T001")
    mid_use = _cells(use, column="T001")
    m_f = np.array([_share(pce_imports.get(c, 0.0), f[i]) for i, c in enumerate(codes)])
    m_i = np.array([_share(mid_imports.get(c, 0.0), mid_use.get(c, 0.0)) for c in codes])
    direct = np.eye(len(codes)) - np.linalg.inv(big_l)
    domestic = np.linalg.inv(np.eye(len(codes)) - (1.0 - m_i)[:, None] * direct)
    required = domestic @ (f * (1.0 - m_f))
    va = np.array([_share(value_added.get(c, 0.0), output.get(c, 0.0)) for c in codes])
    lam = np.maximum(va * required / total, 0.0)
    return pl.DataFrame({"bea_code": codes, "pce": f, "pce_share": f / total,
                         "import_share_pce": m_f, "import_share_intermediate": m_i,
                         "va_ratio": va, "lam_k": lam})


def industry_sectors(bea_naics: pl.DataFrame) -> dict[str, str]:
    """OEWS sector of each BEA summary industry (government -> 99)."""
    sectors = dict(commodity_sectors(bea_naics).iter_rows())
    return {**sectors, **SECTOR_OF}


def demand_calibration(tables: dict[str, pl.DataFrame], census_year: int = CENSUS_YEAR
                       ) -> pl.DataFrame:
    """One row per BEA summary industry (the Use table's 71 industry columns): bea_code,
    title, naics_sector, pce_share, import_share_pce, import_share_intermediate, va_ratio,
    lam_k, n_firms, n_firms_source, n_firms_note, receipts ($1,000), n_industries,
    compensation and value_added ($ millions), io_year, pce_year, census_year, source."""
    use = tables["io_use"]
    industries = (use.filter(pl.col("row_code") == "V001")
                  .filter(~pl.col("column_code").str.contains(r"^[TF]\d"))
                  .select(pl.col("column_code").alias("bea_code"),
                          pl.col("column_title").alias("title"),
                          pl.col("value").fill_null(0.0).alias("compensation")))
    codes = industries.get_column("bea_code").to_list()
    sectors = industry_sectors(tables["bea_naics"])
    missing = [c for c in codes if c not in sectors]
    if missing:
        raise InputError(IO_FILE, f"the Use table's industry {missing[0]} is not in the PCE "
                         "bridge's NAICS Codes sheet", "use tables of the same BEA release",
                         column=missing[0])
    lam = domestic_value_added(tables)
    firms = bea_industry_firms(tables["concentration"], tables["bea_naics"], codes, census_year)
    io_year = int(use.get_column("year")[0])
    pce_year = int(tables["pce_bridge"].get_column("year").max())
    value_added = _cells(use, row="VABAS")
    return (industries.join(lam, on="bea_code", how="left").join(firms, on="bea_code",
                                                                   how="left")
            .with_columns(
                pl.col("bea_code").replace_strict(sectors).alias("naics_sector"),
                pl.col("bea_code").replace_strict(value_added, default=0.0,
                                                  return_dtype=pl.Float64).alias("value_added"),
                pl.lit(io_year, pl.Int16).alias("io_year"),
                pl.lit(pce_year, pl.Int16).alias("pce_year"),
                pl.lit(census_year, pl.Int16).alias("census_year"),
                pl.lit(f"BEA {io_year} summary I-O (CxC total requirements, import matrix, Use "
                       f"table VABAS/T018), PCE bridge {pce_year}; Economic Census "
                       f"{census_year} concentration").alias("source"))
            .select("bea_code", "title", "naics_sector", "pce_share", "import_share_pce",
                    "import_share_intermediate", "va_ratio", "lam_k", "n_firms",
                    "n_firms_source", "n_firms_note", "receipts", "n_industries",
                    "compensation", "value_added", "io_year", "pce_year", "census_year",
                    "source"))


__all__ = ["consumption_propensity", "demand_calibration", "domestic_value_added",
           "industry_sectors", "leontief", "pce_mix"]

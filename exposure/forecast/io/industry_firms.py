"""Effective number of firms N_k per BEA summary industry (MODEL_SPEC §7.3), from the
Economic Census concentration table (caveat C6) and BEA's industry-to-NAICS list (the PCE
bridge's `NAICS Codes` sheet, table `bea_naics`, caveat C7).

* Census year 2017, not 2022: BEA lists its industries' NAICS codes in NAICS 2017, and the
  2022 Census restructured retail (44-45) and information (51), so 2022 codes such as
  455110 (general merchandise) or 513110 (publishing) would match no BEA industry or the
  wrong one. The 2017 file's 6-digit codes match BEA's list as published.
* Each 6-digit industry gets N = 10⁴/HHI-50, or the CR4-CR50 bound, capped at 10³
  (`calibration.industry_firms`); a BEA industry's N_k is the receipts-weighted harmonic
  mean over the 6-digit industries whose codes start with one of its NAICS codes (the
  longest matching code wins; a tie — NAICS 531 is listed under both housing HS and other
  real estate ORE — counts the industry in both).
* Industries the Census does not cover get `DEFAULTS` (documented there).
"""

from __future__ import annotations

import re

import polars as pl

from exposure.forecast.io.calibration import N_CAP, industry_firms

CENSUS_YEAR = 2017
GOVERNMENT = ("GFGD", "GFGN", "GFE", "GSLG", "GSLE")
ECONOMY_WIDE = "economy_wide"
# BEA industry -> (N or ECONOMY_WIDE, why); used where no Census 6-digit industry matches.
DEFAULTS: dict[str, tuple[float | str, str]] = {
    "111CA": (N_CAP, "farms: not in the Economic Census; ~1.9M farms in commodity markets, "
                     "N at the cap"),
    "113FF": (N_CAP, "forestry, fishing: not in the Economic Census; many small producers in "
                     "commodity markets, N at the cap"),
    "55": (ECONOMY_WIDE, "management of companies: not in the Economic Census; head offices "
                         "serve firms in every industry, N is the economy-wide value"),
    **{code: (1.0, "government: a single public employer that does not compete for "
                   "household spending, N = 1") for code in GOVERNMENT},
}
FALLBACK = (ECONOMY_WIDE, "no Economic Census industry matches its NAICS codes: N is the "
                          "economy-wide value")


def naics_prefixes(codes: str | None) -> list[str]:
    """BEA's NAICS text as code prefixes: '11111-2' -> 11111, 11112; '5174-9' -> 5174 ...
    5179; '23*' -> 23; '1122, 1124-5' -> 1122, 1124, 1125. Null or 'n.a.' -> none."""
    out: list[str] = []
    for token in (codes or "").split(","):
        token = token.strip().rstrip("*")
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", token)
        if not match:
            continue
        base, end = match.groups()
        if end is None:
            out.append(base)
            continue
        width = len(end)
        head, start = base[:-width], int(base[-width:])
        out.extend(f"{head}{i:0{width}d}" for i in range(start, int(end) + 1))
    return out


def naics_to_bea(bea_naics: pl.DataFrame) -> pl.DataFrame:
    """One row per (BEA summary industry, NAICS prefix): bea_code, prefix."""
    rows = [(code, prefix) for code, text in bea_naics.select(
                "bea_summary_code", "naics_codes").iter_rows()
            for prefix in naics_prefixes(text)]
    return pl.DataFrame(rows, schema={"bea_code": pl.String, "prefix": pl.String},
                        orient="row").unique().sort("bea_code", "prefix")


def match_industries(industries: pl.DataFrame, bea_naics: pl.DataFrame) -> pl.DataFrame:
    """Each 6-digit Census industry with the BEA industries of its longest matching prefix."""
    prefixes = naics_to_bea(bea_naics)
    pairs = industries.join(prefixes, how="cross").filter(
        pl.col("naics_code").str.starts_with(pl.col("prefix")))
    longest = pl.col("prefix").str.len_chars()
    return pairs.filter(longest == longest.max().over("naics_code")).drop("prefix").unique(
        ["naics_code", "bea_code"]).sort("bea_code", "naics_code")


def _harmonic() -> pl.Expr:
    return pl.col("receipts").sum() / (pl.col("receipts") / pl.col("n_firms")).sum()


def bea_industry_firms(concentration: pl.DataFrame, bea_naics: pl.DataFrame,
                       codes: list[str], census_year: int = CENSUS_YEAR) -> pl.DataFrame:
    """N_k for each BEA industry of `codes`: bea_code, n_firms, n_firms_source ('hhi50' when
    industries with a published HHI hold at least half the receipts, 'cr_bound', 'default'),
    receipts (Census, $1,000), n_industries, n_firms_note."""
    industries = industry_firms(concentration, census_year)
    matched = match_industries(industries, bea_naics)
    economy = industries.select(_harmonic()).item()
    found = matched.group_by("bea_code").agg(
        _harmonic().alias("n_firms"), pl.col("receipts").sum(),
        (pl.col("receipts").filter(pl.col("source") == "hhi50").sum()
         / pl.col("receipts").sum()).alias("_hhi_share"),
        pl.len().cast(pl.Int32).alias("n_industries"))
    rows = []
    for code in codes:
        hit = found.filter(pl.col("bea_code") == code)
        if hit.height and code not in DEFAULTS:
            r = hit.row(0, named=True)
            rows.append({"bea_code": code, "n_firms": r["n_firms"],
                         "n_firms_source": "hhi50" if r["_hhi_share"] >= 0.5 else "cr_bound",
                         "receipts": r["receipts"], "n_industries": r["n_industries"],
                         "n_firms_note": f"Economic Census {census_year}: receipts-weighted "
                                         f"harmonic mean of {r['n_industries']} 6-digit "
                                         f"industries ({r['_hhi_share']:.0%} of receipts with "
                                         "a published HHI)"})
            continue
        value, note = DEFAULTS.get(code, FALLBACK)
        rows.append({"bea_code": code,
                     "n_firms": economy if value == ECONOMY_WIDE else float(value),
                     "n_firms_source": "default", "receipts": None, "n_industries": 0,
                     "n_firms_note": note})
    return pl.DataFrame(rows, schema={"bea_code": pl.String, "n_firms": pl.Float64,
                                      "n_firms_source": pl.String, "receipts": pl.Float64,
                                      "n_industries": pl.Int32, "n_firms_note": pl.String})


__all__ = ["CENSUS_YEAR", "DEFAULTS", "bea_industry_firms", "match_industries",
           "naics_prefixes", "naics_to_bea"]

"""Demand calibration (MODEL_SPEC §7.3): λ_k and N_k per BEA industry, the sector means, CE
propensities, the calibration stage's tables and the override of the economy columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from exposure.errors import InputError
from exposure.forecast.io.calibration import N_CAP, load_calibration_override
from exposure.forecast.io.demand import consumption_propensity, domestic_value_added
from exposure.forecast.io.industry_firms import DEFAULTS, naics_prefixes
from exposure.forecast.io.sector_demand import COLUMNS, sector_demand
from exposure.sources.oews import SECTORS
from exposure.stages import calibration

GOVERNMENT_GENERAL = ("GFGD", "GFGN", "GSLG")


@pytest.fixture(scope="module")
def stage(reference_tables: dict) -> dict[str, pl.DataFrame]:
    return calibration(reference_tables, None)


@pytest.fixture(scope="module")
def demand(stage: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return stage["demand_calibration"]


# --- λ_k and N_k on the real tables ---------------------------------------------------------

def test_lambda_is_nonnegative_and_sums_to_at_most_one(demand: pl.DataFrame) -> None:
    assert demand.height == 71 and demand.get_column("bea_code").n_unique() == 71
    lam = demand.get_column("lam_k")
    assert lam.min() >= 0.0 and lam.null_count() == 0
    assert 0.8 < lam.sum() <= 1.0  # imports, used goods and the residual leak out
    assert lam.max() < 0.2  # no one industry takes most of a dollar
    for code in GOVERNMENT_GENERAL:  # households and firms buy nothing from them
        assert demand.filter(pl.col("bea_code") == code).item(0, "lam_k") == 0.0
    assert demand.get_column("pce_share").sum() == pytest.approx(1.0, abs=0.01)
    assert demand.get_column("compensation").sum() == pytest.approx(15.05e6, rel=1e-3)


def test_firms_per_industry(demand: pl.DataFrame) -> None:
    n = demand.get_column("n_firms")
    assert n.min() >= 1.0 and n.max() <= N_CAP
    by_code = {r["bea_code"]: r for r in demand.iter_rows(named=True)}
    assert by_code["111CA"]["n_firms"] == N_CAP and by_code["111CA"]["n_firms_source"] == "default"
    assert all(by_code[c]["n_firms"] == 1.0 for c in ("GFGD", "GFGN", "GFE", "GSLG", "GSLE"))
    assert set(DEFAULTS) <= {c for c, r in by_code.items() if r["n_firms_source"] == "default"}
    census = demand.filter(pl.col("n_firms_source") != "default")
    assert census.height >= 55 and (census.get_column("receipts") > 0).all()
    assert set(demand.get_column("naics_sector").to_list()) == set(SECTORS)


def test_naics_prefixes() -> None:
    assert naics_prefixes("11111-2") == ["11111", "11112"]
    assert naics_prefixes("1122, 1124-5, 1129") == ["1122", "1124", "1125", "1129"]
    assert naics_prefixes("5174-9") == ["5174", "5175", "5176", "5177", "5178", "5179"]
    assert naics_prefixes("23*") == ["23"]
    assert naics_prefixes(None) == [] and naics_prefixes("n.a.") == []


# --- tiny frames ------------------------------------------------------------------------------

def _tiny(import_share_a: float = 0.0) -> dict[str, pl.DataFrame]:
    """Two commodities: B uses 0.5 of A per dollar; households buy $100 of B."""
    inverse = np.linalg.inv(np.eye(2) - np.array([[0.0, 0.5], [0.0, 0.0]]))
    total = pl.DataFrame({"year": [2024] * 4, "from_commodity": ["A", "A", "B", "B"],
                          "to_commodity": ["A", "B", "A", "B"],
                          "coefficient": inverse.ravel().tolist()})

    def cells(rows: dict[tuple[str, str], float]) -> pl.DataFrame:
        return pl.DataFrame({"year": [2024] * len(rows),
                             "row_code": [r for r, _ in rows], "row_title": ["t"] * len(rows),
                             "column_code": [c for _, c in rows],
                             "column_title": ["t"] * len(rows), "value": list(rows.values())})

    use = cells({("T018", "A"): 50.0, ("T018", "B"): 100.0, ("VABAS", "A"): 50.0,
                 ("VABAS", "B"): 50.0, ("A", "T001"): 50.0, ("B", "T001"): 0.0})
    imports = cells({("A", "T001"): 50.0 * import_share_a, ("A", "F010"): 0.0})
    bridge = pl.DataFrame({"year": [2024], "nipa_line": [1], "pce_category": ["x"],
                           "commodity_code": ["B"], "commodity_title": ["b"],
                           "producers_value": [100.0], "transport_costs": [0.0],
                           "wholesale_margin": [0.0], "retail_margin": [0.0],
                           "purchasers_value": [100.0]})
    return {"io_total_requirements": total, "io_use": use, "io_import": imports,
            "pce_bridge": bridge}


def test_value_added_through_the_supply_chain() -> None:
    lam = dict(domestic_value_added(_tiny()).select("bea_code", "lam_k").iter_rows())
    # B keeps 0.5 of each sale as value added and buys 0.5 from A, which keeps all of it.
    assert lam == pytest.approx({"A": 0.5, "B": 0.5})
    leaky = dict(domestic_value_added(_tiny(0.5)).select("bea_code", "lam_k").iter_rows())
    assert leaky == pytest.approx({"A": 0.25, "B": 0.5})  # half of A is imported
    assert sum(leaky.values()) == pytest.approx(0.75)


def test_sector_means_weight_by_compensation() -> None:
    frame = pl.DataFrame({"bea_code": ["a", "b"], "naics_sector": ["52", "52"],
                          "lam_k": [0.1, 0.3], "n_firms": [1.0, 4.0],
                          "compensation": [1.0, 3.0], "n_firms_source": ["hhi50", "default"],
                          "io_year": [2024] * 2, "pce_year": [2024] * 2,
                          "census_year": [2017] * 2})
    frame = pl.concat([frame, frame.with_columns(pl.lit("x").alias("bea_code"),
                                                 pl.lit(0.0).alias("lam_k"))
                       .head(1).select(frame.columns).with_columns(
                           pl.lit("11").alias("naics_sector"))])
    with pytest.raises(InputError, match="no BEA industry maps to the OEWS sector"):
        sector_demand(frame)
    full = pl.concat([frame, *[frame.head(1).with_columns(pl.lit(s).alias("naics_sector"))
                               for s in SECTORS if s not in ("52", "11")]])
    row = sector_demand(full).filter(pl.col("naics_sector") == "52").row(0, named=True)
    assert row["lam_k"] == pytest.approx((0.1 * 1 + 0.3 * 3) / 4)
    assert row["n_firms_k"] == pytest.approx(4 / (1 / 1 + 3 / 4))  # harmonic
    assert row["internalised"] == pytest.approx((0.1 * 1 + 0.3 / 4 * 3) / 4)
    assert row["lam_domestic_total"] == pytest.approx(full.get_column("lam_k").sum())


def test_propensity_small() -> None:
    ce = pl.DataFrame({"year": [2023], "quintile": ["q3"], "consumer_units": [1000.0],
                       "persons_per_unit": [2.5], "income_before_taxes": [110.0],
                       "income_after_taxes": [100.0], "spending": [95.0],
                       "insurance_pensions": [5.0]})
    row = consumption_propensity(ce).row(0, named=True)
    assert row["propensity"] == pytest.approx(0.9) and row["population"] == 2500.0


# --- the calibration stage ------------------------------------------------------------------

def test_stage_tables(stage: dict[str, pl.DataFrame]) -> None:
    sectors = stage["sector_calibration"]
    assert sectors.get_column("naics_sector").to_list() == list(SECTORS)
    for column in ("n_firms", "spending_share", "lam", "eta", *COLUMNS):
        assert column in sectors.columns and sectors.get_column(column).null_count() == 0
    assert "union_rate" not in sectors.columns
    assert (sectors.get_column("internalised") <= sectors.get_column("lam_k") + 1e-12).all()
    assert sectors.get_column("n_firms_k").min() >= 1.0
    assert sectors.get_column("lam_domestic_total").n_unique() == 1
    assert sectors.item(0, "lam_domestic_total") == pytest.approx(
        stage["demand_calibration"].get_column("lam_k").sum())
    assert sectors.filter(pl.col("naics_sector") == "99").item(0, "n_firms_k") == 1.0


def test_propensities_at_ingest(reference_tables: dict) -> None:
    ce = reference_tables["consumption_propensity"].filter(pl.col("year") == 2023)
    p = dict(ce.select("quintile", "propensity").iter_rows())
    assert [round(p[q], 2) for q in ("q2", "q3", "q4", "q5")] == [1.14, 0.89, 0.73, 0.59]
    everyone = ce.filter(pl.col("quintile") == "all").row(0, named=True)
    assert everyone["population"] == pytest.approx(134_556_000 * 2.5)


# --- override of the economy columns --------------------------------------------------------

def test_partial_override_of_lambda(tmp_path: Path, stage: dict[str, pl.DataFrame]) -> None:
    base = stage["sector_calibration"]
    path = tmp_path / "cal.csv"
    path.write_text("naics_sector,n_firms,spending_share,lam_k,n_firms_k\n52,10,0.07,0.05,5\n"
                    "54,80,0.013,,\n")
    out = load_calibration_override(path, base=base)
    row = out.filter(pl.col("naics_sector") == "52").row(0, named=True)
    assert (row["lam_k"], row["n_firms_k"], row["internalised"]) == (0.05, 5.0, 0.01)
    assert row["lam_source"] == row["n_firms_k_source"] == "override from cal.csv"
    # An edited n_firms is the sector's N in economy mode too; λ stays derived.
    edited = out.filter(pl.col("naics_sector") == "54").row(0, named=True)
    derived = base.filter(pl.col("naics_sector") == "54").row(0, named=True)
    assert (edited["n_firms_k"], edited["lam_k"]) == (80.0, derived["lam_k"])
    assert edited["internalised"] == pytest.approx(derived["lam_k"] / 80.0)
    assert edited["n_firms_k_source"] == "override from cal.csv"
    assert edited["lam_source"] == derived["lam_source"]
    kept = out.filter(pl.col("naics_sector") == "62").row(0, named=True)
    old = base.filter(pl.col("naics_sector") == "62").row(0, named=True)
    assert {c: kept[c] for c in COLUMNS} == {c: old[c] for c in COLUMNS}
    assert out.get_column("lam_domestic_total").n_unique() == 1


def test_exported_table_reads_back(tmp_path: Path, stage: dict[str, pl.DataFrame]) -> None:
    base = stage["sector_calibration"]
    path = tmp_path / "all.csv"
    base.write_csv(path)
    out = load_calibration_override(path)
    for column in ("lam_k", "n_firms_k", "internalised", "lam_domestic_total"):
        assert out.get_column(column).to_list() == pytest.approx(base.get_column(column).to_list())
    assert out.get_column("lam_source").to_list() == base.get_column("lam_source").to_list()
    plain = tmp_path / "plain.csv"
    base.select("naics_sector", "n_firms", "spending_share").write_csv(plain)
    assert "lam_k" not in load_calibration_override(plain).columns  # sector mode only


@pytest.mark.parametrize(("text", "row", "column"), [
    ("naics_sector,n_firms,spending_share,lam_k\n52,10,0.07,1.5\n", 2, "lam_k"),
    ("naics_sector,n_firms,spending_share,n_firms_k\n52,10,0.07,0.5\n", 2, "n_firms_k"),
    ("naics_sector,n_firms,spending_share,lam_k,internalised\n52,10,0.07,0.01,0.02\n", 2,
     "internalised"),
    ("naics_sector,n_firms,spending_share,lam_domestic_total\n52,10,0.07,0.8\n"
     "54,10,0.01,0.9\n", None, "lam_domestic_total"),
])
def test_bad_economy_override(tmp_path: Path, stage: dict[str, pl.DataFrame], text: str,
                              row: int | None, column: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_calibration_override(path, base=stage["sector_calibration"])
    assert (err.value.row, err.value.column) == (row, column)
    assert str(path) in str(err.value)


def test_override_without_base_needs_every_economy_value(
        tmp_path: Path, stage: dict[str, pl.DataFrame]) -> None:
    base = stage["sector_calibration"]
    frame = base.select("naics_sector", "n_firms", "spending_share", "lam_k")
    path = tmp_path / "half.csv"
    frame.write_csv(path)
    with pytest.raises(InputError, match="sector 11 lacks lam_domestic_total") as err:
        load_calibration_override(path)
    assert (err.value.row, err.value.column) == (2, "lam_domestic_total")

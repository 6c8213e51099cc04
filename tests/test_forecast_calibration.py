"""Sector calibration (MODEL_SPEC §3.8) and the baseline employment path, on the real mirror."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from exposure.errors import InputError
from exposure.forecast.io.baseline import baseline_employment, sector_shares
from exposure.forecast.io.calibration import (
    DEFAULTS,
    ETA,
    LAM_TOT,
    industry_firms,
    load_calibration_override,
    sector_calibration,
)
from exposure.forecast.model.concentration import effective_firms
from exposure.sources.oews import SECTORS

YEARS = range(2025, 2036)


@pytest.fixture(scope="module")
def calibration(reference_tables: dict) -> pl.DataFrame:
    return sector_calibration(reference_tables)


@pytest.fixture(scope="module")
def baseline(reference_tables: dict) -> pl.DataFrame:
    return baseline_employment(reference_tables, YEARS)


# ------------------------------------------------------------------ calibration table


def test_calibration_has_the_20_oews_sectors_in_order(calibration: pl.DataFrame) -> None:
    assert calibration.get_column("naics_sector").to_list() == list(SECTORS)
    assert len(SECTORS) == 20


def test_sectors_outside_the_census_get_documented_defaults(calibration: pl.DataFrame) -> None:
    defaults = calibration.filter(pl.col("n_firms_source") == "default")
    assert sorted(defaults.get_column("naics_sector").to_list()) == sorted(DEFAULTS) == [
        "11", "55", "99"]
    assert all(note and len(note) > 20 for note in defaults.get_column("notes").to_list())
    row = {r["naics_sector"]: r for r in calibration.iter_rows(named=True)}
    assert row["11"]["n_firms"] == 1000.0
    assert row["99"]["n_firms"] == 1.0


def test_covered_sectors_come_from_the_census(calibration: pl.DataFrame) -> None:
    covered = calibration.filter(~pl.col("naics_sector").is_in(list(DEFAULTS)))
    assert set(covered.get_column("n_firms_source").to_list()) <= {"hhi50", "cr_bound"}
    assert covered.get_column("n_industries").min() > 0
    manufacturing = calibration.filter(pl.col("naics_sector") == "31-33").row(0, named=True)
    assert manufacturing["n_firms_source"] == "hhi50"


def test_n_firms_at_least_one_and_at_most_the_cap(calibration: pl.DataFrame) -> None:
    n = calibration.get_column("n_firms").to_numpy()
    assert np.all(np.isfinite(n)) and n.min() >= 1.0 and n.max() <= 1000.0


def test_sector_n_is_the_receipts_weighted_harmonic_mean(reference_tables: dict,
                                                         calibration: pl.DataFrame) -> None:
    ind = industry_firms(reference_tables["concentration"]).filter(pl.col("sector") == "54")
    expected = ind["receipts"].sum() / (ind["receipts"] / ind["n_firms"]).sum()
    got = calibration.filter(pl.col("naics_sector") == "54").item(0, "n_firms")
    assert got == pytest.approx(expected, rel=1e-12)
    # per industry it is effective_firms: 1e4/HHI where published
    one = reference_tables["concentration"].filter(
        (pl.col("census_year") == 2022) & (pl.col("naics_level") == 6)
        & pl.col("hhi50").is_not_null()).row(0, named=True)
    row = industry_firms(reference_tables["concentration"]).filter(
        pl.col("naics_code") == one["naics_code"]).row(0, named=True)
    assert row["n_firms"] == pytest.approx(float(effective_firms(one["hhi50"])))


def test_spending_shares_are_shares_summing_to_at_most_one(calibration: pl.DataFrame) -> None:
    share = calibration.get_column("spending_share")
    assert share.min() >= 0.0
    assert 0.5 < share.sum() <= 1.0
    assert calibration.filter(pl.col("naics_sector") == "55").item(0, "spending_share") == 0.0


def test_lambda_is_lambda_total_times_the_share(calibration: pl.DataFrame) -> None:
    lam = calibration.get_column("lam").to_numpy()
    share = calibration.get_column("spending_share").to_numpy()
    assert np.allclose(lam, LAM_TOT * share, rtol=0, atol=1e-15)
    assert (calibration.get_column("eta") == ETA).all()


def test_census_2017_also_calibrates(reference_tables: dict) -> None:
    old = sector_calibration(reference_tables, census_year=2017)
    assert old.height == 20 and old.get_column("n_firms").min() >= 1.0


# ------------------------------------------------------------------ user override


def _write(path: Path, frame: pl.DataFrame) -> Path:
    frame.write_csv(path)
    return path


def test_override_file_replaces_values(tmp_path: Path, calibration: pl.DataFrame) -> None:
    edited = calibration.select("naics_sector", "n_firms", "spending_share").with_columns(
        pl.when(pl.col("naics_sector") == "52").then(3.0).otherwise(pl.col("n_firms"))
        .alias("n_firms"))
    out = load_calibration_override(_write(tmp_path / "cal.csv", edited))
    row = out.filter(pl.col("naics_sector") == "52").row(0, named=True)
    assert row["n_firms"] == 3.0 and row["n_firms_source"] == "override"
    assert out.height == 20


def test_partial_override_keeps_the_other_sectors(tmp_path: Path,
                                                  calibration: pl.DataFrame) -> None:
    path = tmp_path / "partial.csv"
    path.write_text("naics_sector,n_firms,spending_share,notes\n62,5,0.19,my estimate\n")
    out = load_calibration_override(path, base=calibration)
    assert out.get_column("naics_sector").to_list() == list(SECTORS)
    row = out.filter(pl.col("naics_sector") == "62").row(0, named=True)
    assert (row["n_firms"], row["spending_share"], row["notes"]) == (5.0, 0.19, "my estimate")
    assert row["lam"] == pytest.approx(LAM_TOT * 0.19)
    other = out.filter(pl.col("naics_sector") == "54").row(0, named=True)
    assert other["n_firms"] == calibration.filter(pl.col("naics_sector") == "54").item(
        0, "n_firms")


def test_exported_calibration_reads_back_unchanged(tmp_path: Path,
                                                   calibration: pl.DataFrame) -> None:
    out = load_calibration_override(_write(tmp_path / "all.csv", calibration.select(
        "naics_sector", "n_firms", "n_firms_source", "spending_share", "lam", "eta", "notes")))
    for column in ("naics_sector", "n_firms", "n_firms_source", "spending_share", "notes"):
        assert out.get_column(column).to_list() == calibration.get_column(column).to_list()


@pytest.mark.parametrize(("line", "row", "column"), [
    ("52,many,0.07", 2, "n_firms"),
    ("52,0.5,0.07", 2, "n_firms"),
    ("52,10,1.5", 2, "spending_share"),
    ("52,10,", 2, "spending_share"),
    ("92,10,0.07", 2, "naics_sector"),
])
def test_bad_override_value_names_file_row_and_column(tmp_path: Path, calibration: pl.DataFrame,
                                                      line: str, row: int,
                                                      column: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"naics_sector,n_firms,spending_share\n{line}\n")
    with pytest.raises(InputError) as err:
        load_calibration_override(path, base=calibration)
    assert (err.value.row, err.value.column) == (row, column)
    assert str(path) in str(err.value) and f"row {row}" in str(err.value)


def test_bad_override_structure_is_an_input_error(tmp_path: Path,
                                                  calibration: pl.DataFrame) -> None:
    cases = {
        "missing.csv": "naics_sector,n_firms\n52,10\n",
        "duplicate.csv": "naics_sector,n_firms,spending_share\n52,10,0.1\n52,11,0.1\n",
        "lam.csv": "naics_sector,n_firms,spending_share,lam\n52,10,0.1,0.5\n",
        "eta.csv": "naics_sector,n_firms,spending_share,eta\n52,10,0.1,0.9\n",
        "source.csv": "naics_sector,n_firms,spending_share,n_firms_source\n52,10,0.1,guess\n",
        "sum.csv": "naics_sector,n_firms,spending_share\n52,10,0.9\n62,10,0.9\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(InputError, match=name):
            load_calibration_override(path, base=calibration)
    one = tmp_path / "one.csv"
    one.write_text("naics_sector,n_firms,spending_share\n52,10,0.1\n")
    with pytest.raises(InputError, match=r"sector\(s\) 11, 21"):  # no base: all 20 needed
        load_calibration_override(one)
    with pytest.raises(InputError, match="does not exist"):
        load_calibration_override(tmp_path / "absent.csv")


# ------------------------------------------------------------------ baseline employment


def test_baseline_covers_every_ep_line_item_and_year(reference_tables: dict,
                                                     baseline: pl.DataFrame) -> None:
    ep = reference_tables["projection"].filter(pl.col("occupation_type") == "Line item")
    assert set(baseline.get_column("soc_code").unique()) == set(ep.get_column("soc_code"))
    assert sorted(baseline.get_column("year").unique().to_list()) == list(YEARS)
    assert baseline.get_column("baseline_employment").min() > 0
    assert set(baseline.get_column("naics_sector").unique()) <= set(SECTORS)


def test_sector_cells_add_up_to_the_ep_path(reference_tables: dict,
                                            baseline: pl.DataFrame) -> None:
    ep = reference_tables["projection"].filter(pl.col("occupation_type") == "Line item")
    totals = baseline.group_by("soc_code", "year").agg(pl.col("baseline_employment").sum())
    check = totals.join(ep.select("soc_code", "employment_base", "employment_target"),
                        on="soc_code").with_columns(
        (pl.col("employment_base") * (pl.col("employment_target") / pl.col("employment_base"))
         .pow((pl.col("year").cast(pl.Float64) - 2024.0) / 10.0)).alias("expected"))
    assert np.allclose(check["baseline_employment"], check["expected"], rtol=1e-12)
    by_year = baseline.group_by("year").agg(pl.col("baseline_employment").sum()).sort("year")
    ratio = by_year.get_column("baseline_employment").to_numpy()
    growth = ratio[1:] / ratio[:-1]
    assert np.all(growth > 0.99) and np.all(growth < 1.01)


def test_2034_hits_the_ep_target_and_2035_extends_the_rate(reference_tables: dict,
                                                           baseline: pl.DataFrame) -> None:
    row = reference_tables["projection"].filter(pl.col("soc_code") == "15-1252").row(
        0, named=True)
    path = baseline.filter(pl.col("soc_code") == "15-1252").group_by("year").agg(
        pl.col("baseline_employment").sum()).sort("year")
    values = dict(path.iter_rows())
    assert values[2034] == pytest.approx(row["employment_target"], rel=1e-12)
    rate = (row["employment_target"] / row["employment_base"]) ** 0.1
    assert values[2035] / values[2034] == pytest.approx(rate, rel=1e-12)


def test_sector_shares_sum_to_one_and_fill_suppressed_cells(reference_tables: dict) -> None:
    codes = reference_tables["projection"].filter(
        pl.col("occupation_type") == "Line item").get_column("soc_code").to_list()
    shares = sector_shares(reference_tables["employment"], codes)
    sums = shares.group_by("soc_code").agg(pl.col("share").sum()).get_column("share")
    assert np.allclose(sums, 1.0, atol=1e-12)
    emp = reference_tables["employment"].filter(
        (pl.col("year") == 2024) & (pl.col("naics_sector") != "all")
        & (pl.col("o_group") == "detailed") & pl.col("employment").is_null())
    suppressed = emp.join(shares, on=["soc_code", "naics_sector"], how="inner")
    assert suppressed.height > 0 and suppressed.get_column("share").min() > 0
    # a code OEWS does not survey borrows its parent group's distribution
    fishing = shares.filter(pl.col("soc_code") == "45-3031")
    assert fishing.height > 0 and math.isclose(fishing["share"].sum(), 1.0)

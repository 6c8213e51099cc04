"""The published anchors (MODEL_SPEC §7.9) and the model equivalents computed beside them."""

from __future__ import annotations

import polars as pl
import pytest

from exposure.forecast.io.anchors import ANCHORS, ENTRY_LEVEL_DEFINITION, model_equivalents
from tests import forecast_warehouse as fw


def _value(frame: pl.DataFrame, scenario: str, measure: str, year: int) -> tuple:
    hit = frame.filter((pl.col("scenario") == scenario) & (pl.col("measure") == measure)
                       & (pl.col("year") == year))
    assert hit.height == 1, (scenario, measure, year)
    return hit.select("p10", "p50", "p90").row(0)


def test_anchors_are_reference_text_never_numbers() -> None:
    sources = {a.source for a in ANCHORS}
    assert {"Goldman Sachs 2023", "McKinsey Global Institute 2023", "Acemoglu 2024",
            "Amodei, May 2025, to Axios"} == sources
    # figures are the published text, so no computation can use them
    assert all(isinstance(a.figure, str) for a in ANCHORS)
    assert "Job Zone <= 3" in ENTRY_LEVEL_DEFINITION and "11-43" in ENTRY_LEVEL_DEFINITION


def test_equivalents_from_the_forecast_tables() -> None:
    t = fw.tables()
    eq = model_equivalents(t["displacement_total"].filter(pl.col("run_id") == fw.RUN),
                           t["labour_market_forecast"], t["macro_check"])
    # displacement_total over its baseline: P0 2035 displaces 30,000 x 10^2 of 175M
    assert _value(eq, "P0", "displaced_share", 2035) == pytest.approx(
        (1.8e6 / 175e6, 3e6 / 175e6, 4.5e6 / 175e6))
    assert _value(eq, "P1", "hours_automated_share", 2030)[1] == pytest.approx(0.08)
    assert _value(eq, "P0", "hours_automated_share", 2035)[1] == pytest.approx(0.20)
    # the macro check's bottom-up cases where present, else the labour table's 2035 TFP
    assert _value(eq, "P1", "tfp_gain_pct", 2035) == pytest.approx((0.3, 0.5, 0.8))
    assert _value(eq, "P4", "tfp_gain_pct", 2035) == pytest.approx((0.72, 0.9, 1.125))
    assert _value(eq, "P1", "entry_level_wc_displaced_share", 2030) == pytest.approx(
        (0.048, 0.06, 0.075))
    assert _value(eq, "P0", "ai_unemployment_rate", 2035)[1] == pytest.approx(0.9e6 / 170e6)
    assert _value(eq, "P4", "ai_unemployment_rate", 2030)[1] == pytest.approx(
        0.3 * 0.9 * 30_000 * 25 / 170e6)
    assert set(eq["scenario"]) == {"P0", "P1", "P4"}


def test_equivalents_without_the_labour_table_leave_rows_out() -> None:
    totals = pl.DataFrame({"scenario": ["P0", "P0"], "year": [2030, 2035],
                           "baseline_employment": [100.0, 200.0],
                           "displaced_p10": [1.0, 2.0], "displaced_p50": [2.0, 10.0],
                           "displaced_p90": [3.0, 20.0]})
    macro = pl.DataFrame({"scenario": [None, "P0"], "mode": ["replication", "bottom_up"],
                          "case": ["baseline", "p50"], "tfp_gain_pct": [0.66, 1.2]})
    eq = model_equivalents(totals, None, macro)
    assert eq.select("measure", "year").rows() == [("displaced_share", 2035),
                                                   ("tfp_gain_pct", 2035)]
    assert _value(eq, "P0", "displaced_share", 2035) == pytest.approx((0.01, 0.05, 0.10))
    assert _value(eq, "P0", "tfp_gain_pct", 2035)[1] == pytest.approx(1.2)
    assert _value(eq, "P0", "tfp_gain_pct", 2035)[0] is None  # missing case stays null

"""The run report's forecast sections, on a small real DuckDB warehouse with the engine's
published tables (tests/forecast_warehouse.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exposure.report import write_report
from tests import forecast_warehouse as fw


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    warehouse = fw.build(root / "exposure.duckdb")
    return write_report(warehouse, root / "reports", fw.RUN, "rubric:human:beta")


def test_report_has_every_forecast_section(report: Path) -> None:
    text = report.read_text()
    for heading in ("## Sectors", "## Forecasts", "### Scenarios",
                    "## Policy comparison by sector", "## Sensitivity", "## Labour market",
                    "## Published anchors beside the model", "## What changed"):
        assert heading in text, heading
    assert "not predictions" in text and "not a probability" in text
    assert "common random numbers" in text
    assert text.count("Job Zone <= 3") >= 2  # beside every entry-level figure


def test_scenario_table_compares_with_p0(report: Path) -> None:
    text = report.read_text()
    # P1 displaces 0.8 x P0's median in every year: -20.0% in 2030 and 2035
    assert "| P1 | Pigouvian automation tax | 0.60M | 2.40M | 1.44M to 3.60M | -20.0% | -20.0% |" \
        in text
    assert "| P0 | No policy | 0.75M | 3.00M | 1.80M to 4.50M | reference | reference |" in text
    assert "- **P4 — Upskilling and re-employment**: Retraining raises" in text


def test_policy_and_labour_tables(report: Path) -> None:
    text = report.read_text()
    assert ("| 52 | Finance and Insurance | 10 | 14.0% | 10.0% | 4.00 | 12.0% | 10.0% | -4.00 |"
            in text)
    assert ("| AI-displaced unemployed, year average | P0 — No policy | 0.23M (0.18M to 0.28M) "
            "| 0.90M (0.72M to 1.12M) |") in text


def test_anchor_rows_sit_beside_the_model(report: Path) -> None:
    text = report.read_text()
    assert "never used to compute or calibrate anything" in text
    rows = [line for line in text.splitlines() if line.startswith("| Amodei")]
    assert len(rows) == 3  # entry-level share by 2030; unemployment rate 2030 and 2035
    assert "| about 50% |" in rows[0] and "| 7.5% (6.0% to 9.4%) |" in rows[0]
    assert any("Acemoglu 2024" in line and "0.60% (0.40% to 0.90%)" in line
               for line in text.splitlines())
    goldman = next(line for line in text.splitlines() if "about 7% of US workers" in line)
    assert "1.7% (1.0% to 2.6%)" in goldman  # 3.0M of 175M, from displacement_total


def test_charts_are_svg_with_the_scenario_titles(report: Path) -> None:
    folder = report.parent
    for name in ("sectors.svg", "forecast.svg", "sensitivity.svg", "unemployed.svg"):
        svg = (folder / name).read_text()
        assert svg.lstrip().startswith("<svg") and len(svg) > 1000, name
        assert f"]({name})" in report.read_text()
    for name in ("forecast.svg", "unemployed.svg"):
        svg = (folder / name).read_text()
        for scenario, (_, title, _) in fw.SCENARIOS.items():
            assert f"{scenario} — {title}" in svg, (name, scenario)
    tornado = (folder / "sensitivity.svg").read_text()
    assert "[a_10]: p10 0.036 / p90 0.075" in tornado


def test_report_without_the_new_tables_keeps_the_old_sections(tmp_path: Path) -> None:
    warehouse = fw.build(tmp_path / "old.duckdb", only=("sector_exposure", "displacement_total"))
    text = write_report(warehouse, tmp_path / "reports", fw.RUN, "rubric:human:beta").read_text()
    assert "## Forecasts" in text and "## Sensitivity" not in text
    assert "## Labour market" not in text
    # the anchors still get the one equivalent the totals give
    assert "about 7% of US workers" in text and "not computed" in text

"""The report's section on the fitted `leverage`: the most important terms per group, in
report.md and index.html alike, from a run's own `scorer_explanation` rows; no section for a
run without them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from exposure.report import write_report
from exposure.reporting.document import Chart, Table
from exposure.reporting.explanation import explanation_section, ranked_terms
from exposure.scorers.explain import EXPLANATION_SCHEMA
from tests import forecast_warehouse as fw

# (term, group, importance of E1, of E2); the second of each group is the less important
TERMS = (("da_a", "data_availability", 0.9, 1.0), ("da_b", "data_availability", 0.5, 0.1),
         ("v_a", "verifiability", 0.05, 0.1), ("v_b", "verifiability", 0.2, 0.3),
         ("job_zone", "other", 0.3, 0.2), ("da_a & v_b", "interaction", 0.1, 0.1))


def explanation(scorer: str = "leverage") -> pl.DataFrame:
    rows = []
    for term, group, *importances in TERMS:
        for label, importance in zip(("E1", "E2"), importances, strict=True):
            rows.append({"term": term, "term_group": group, "label": label,
                         "kind": "importance", "value": None, "contribution": importance,
                         "fold_min": importance - 0.01, "fold_max": importance + 0.02})
            if group != "interaction":
                rows += [{"term": term, "term_group": group, "label": label, "kind": "shape",
                          "value": v, "contribution": importance * (v - 0.5),
                          "fold_min": importance * (v - 0.6), "fold_max": importance * (v - 0.4)}
                         for v in (0.0, 0.5, 1.0)]
    frame = pl.DataFrame(rows).with_columns(
        pl.lit(scorer).alias("scorer"), pl.col("contribution").alias("fold_mean"),
        pl.lit(0.01).alias("fold_sd"), pl.lit(5).alias("n_folds"))
    return frame.select(pl.col(c).cast(t) for c, t in EXPLANATION_SCHEMA.items())


def test_terms_are_ranked_within_their_group() -> None:
    ranked = ranked_terms(explanation()).filter(pl.col("label") == "E1")
    assert ranked.select("group", "term", "rank").rows() == [
        ("data availability", "da_a", 1), ("data availability", "da_b", 2),
        ("verifiability", "v_b", 1), ("verifiability", "v_a", 2),
        ("other features", "job_zone", 1), ("pairs of features", "da_a & v_b", 1)]


def test_the_section_shows_the_leader_of_each_group() -> None:
    (section,) = explanation_section(explanation())
    charts = [b.name for b in section.blocks if isinstance(b, Chart)]
    assert charts == ["explanation_importance.svg", "explanation_shapes.svg"]
    (table,) = [b for b in section.blocks if isinstance(b, Table)]
    assert list(table.rows()) == [
        ("data availability", "da_a", "0.90 (0.89 to 0.92)", "1.00 (0.99 to 1.02)"),
        ("verifiability", "v_b", "0.20 (0.19 to 0.22)", "0.30 (0.29 to 0.32)"),
        ("other features", "job_zone", "0.30 (0.29 to 0.32)", "0.20 (0.19 to 0.22)"),
        ("pairs of features", "da_a & v_b", "0.10 (0.09 to 0.12)", "0.10 (0.09 to 0.12)")]
    assert explanation_section(None) == []
    assert explanation_section(explanation().clear()) == []


def test_report_md_and_the_page_show_the_run_s_own_explanation(tmp_path: Path) -> None:
    built = fw.build(tmp_path / "exposure.duckdb")
    con = duckdb.connect(str(built))
    try:  # an older run's rows name another term, which this run's report must not show
        con.execute("INSERT INTO run (run_id, status) VALUES (?, 'succeeded')", [fw.OLD_RUN])
        rows = pl.concat([
            explanation().with_columns(pl.lit(fw.RUN).alias("run_id")),
            explanation().with_columns(pl.lit(fw.OLD_RUN).alias("run_id"),
                                       pl.col("term").str.replace("da_a", "da_old"))])
        con.register("incoming", rows.select("run_id", *EXPLANATION_SCHEMA).to_arrow())
        con.execute("CREATE TABLE scorer_explanation AS SELECT * FROM incoming")
    finally:
        con.close()
    report = write_report(built, tmp_path / "reports", fw.RUN, "rubric:human:beta")
    text, html = report.read_text(), (report.parent / "index.html").read_text()
    assert "## Why leverage scores a task high" in text
    assert ">Why leverage scores a task high</h2>" in html
    assert "| data availability | da_a | 0.90 (0.89 to 0.92) |" in text
    assert "da_old" not in text and "da_old" not in html
    assert (report.parent / "explanation_importance.svg").is_file()
    older = write_report(built, tmp_path / "reports", fw.OLD_RUN, "rubric:human:beta")
    assert "| data availability | da_old |" in older.read_text()

"""The run report's section on the backtest (`exposure.backtest`): employment growth per
exposure quintile of every scorer since May 2021, the top-minus-rest gap, the exposure
coefficient of the weighted regression and which occupations could be compared, from the
`backtest` table."""

from __future__ import annotations

import altair as alt
import duckdb
import polars as pl

from exposure.reporting.document import Chart, Section, Table, Text
from exposure.reporting.markdown import persons, share


def load_backtest(con: duckdb.DuckDBPyConnection, present: set[str]) -> pl.DataFrame | None:
    """The run's `backtest` rows (None when the run has none)."""
    if "latest_backtest" not in present:
        return None
    return con.execute("SELECT * FROM latest_backtest").pl()


def quintile_chart(quintiles: pl.DataFrame, overall: float, title: str) -> alt.LayerChart:
    """Bars of employment growth per exposure quintile, one colour per scorer, with the
    growth of every compared occupation as a dashed line. `quintiles` has scorer, term
    (Q1 ... Q5) and growth."""
    bars = alt.Chart(alt.Data(values=quintiles.select("scorer", "term", "growth").to_dicts())
                     ).mark_bar().encode(
        x=alt.X("term:N", title="exposure quintile (Q1 least exposed)",
                axis=alt.Axis(labelAngle=0)),
        xOffset="scorer:N",
        y=alt.Y("growth:Q", title="employment growth", axis=alt.Axis(format="%")),
        color=alt.Color("scorer:N", title="scorer", legend=alt.Legend(orient="bottom")))
    rule = alt.Chart(alt.Data(values=[{"growth": overall}])).mark_rule(
        color="black", strokeDash=[4, 2]).encode(y="growth:Q")
    return alt.layer(bars, rule).properties(
        width=420, height=220,
        title=alt.TitleParams(title, subtitle="dashed: every compared occupation",
                              anchor="start"))


def _signed(value: float) -> str:
    return f"{100 * value:+.1f}%"


def growth_table(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per scorer: the growth of each quintile and the gap in percentage points."""
    quintiles = (frame.filter(pl.col("kind") == "quintile")
                 .with_columns(pl.col("growth").map_elements(_signed, return_dtype=pl.String))
                 .pivot("term", index="scorer", values="growth"))
    gap = frame.filter(pl.col("kind") == "gap").select(
        "scorer", pl.col("estimate").map_elements(lambda v: f"{100 * v:+.1f} pp",
                                                  return_dtype=pl.String)
        .alias("Q5 minus Q1–Q4"))
    return quintiles.join(gap, on="scorer", how="left", maintain_order="left")


def coefficient_table(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per scorer: the exposure coefficient with its HC1 standard error and 95%
    interval, n and R²."""
    rows = frame.filter((pl.col("kind") == "coefficient") & (pl.col("term") == "exposure"))
    return pl.DataFrame({
        "scorer": rows["scorer"],
        "exposure coefficient": [f"{v:+.3f}" for v in rows["estimate"]],
        "std. error (HC1)": [f"{v:.3f}" for v in rows["std_error"]],
        "95% interval": [f"{lo:+.3f} to {hi:+.3f}"
                         for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)],
        "n": [f"{n:,}" for n in rows["n_occupations"]],
        "R²": [f"{r:.3f}" for r in rows["r_squared"]],
    })


def coverage_text(frame: pl.DataFrame) -> str:
    """Which occupations were compared and which were left out (the same for every scorer
    but the unscored ones, so the first scorer's counts are given)."""
    first = frame.filter((pl.col("kind") == "coverage")
                         & (pl.col("scorer") == frame["scorer"][0]))
    row = {r["term"]: r for r in first.iter_rows(named=True)}
    matched = row["matched"]
    return (f"{matched['n_occupations']:,} BLS detailed occupations have published employment "
            f"in both years ({persons(matched['employment_base'])} to "
            f"{persons(matched['employment_end'])} workers, "
            f"{share(matched['growth'])} growth); {row['base_only']['n_occupations']} codes "
            f"are in the base year only, {row['end_only']['n_occupations']} in the end year "
            f"only and {row['suppressed']['n_occupations']} have employment suppressed in "
            f"one year. Of the matched, {row['unscored']['n_occupations']} have no exposure "
            f"({persons(row['unscored']['employment_base'])} workers, left out) and "
            f"{row['no_controls']['n_occupations']} without every control are left out of "
            "the regression only.")


def backtest_section(frame: pl.DataFrame | None) -> list[Section]:
    """The section (none when the run has no backtest rows)."""
    if frame is None or frame.height == 0:
        return []
    base, end = frame["base_year"][0], frame["end_year"][0]
    scorers = frame["scorer"].unique(maintain_order=True).to_list()
    quintiles = frame.filter(pl.col("kind") == "quintile")
    overall = frame.filter((pl.col("kind") == "coverage") & (pl.col("term") == "matched")
                           & (pl.col("scorer") == scorers[0]))["growth"][0]
    chart = Chart.render(quintile_chart(quintiles, overall,
                                        f"Employment growth by exposure quintile, May {base} "
                                        f"to May {end}"),
                         "backtest_quintiles.svg", "employment growth by exposure quintile")
    return [Section(f"Backtest: exposure and employment, May {base} to May {end}", (
        Text(f"Does exposure predict what has happened to employment since generative AI "
             f"arrived? National OEWS employment of each BLS detailed occupation in May "
             f"{base} and May {end}, by each scorer's exposure (`backtest` table). Quintiles "
             f"are employment-weighted: each holds about a fifth of May {base} employment. "
             "The regression is of log employment change on exposure with job zone, log mean "
             f"wage (May {base}) and the BLS 2024–34 projected change as controls, weighted "
             "by base-year employment, with HC1 standard errors. The window is short and "
             "mostly before wide adoption, OEWS is a repeated cross-section rather than a "
             "panel, and employment changes for many reasons: this is an association, not "
             "an effect of AI."),
        chart,
        Table.formatted(growth_table(frame)),
        Table.formatted(coefficient_table(frame)),
        Text(coverage_text(frame)),
    ))]


__all__ = ["backtest_section", "coefficient_table", "growth_table", "load_backtest",
           "quintile_chart"]

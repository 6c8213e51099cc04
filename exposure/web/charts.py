"""The page's charts as Vega-Lite specs built with altair, data inline (the page renders
them with the locally served vega files, so nothing is fetched from elsewhere)."""

from __future__ import annotations

import altair as alt
import polars as pl

WIDTH = 560
SELECTED = "#c0392b"  # the chosen scenario, in every chart


def _spec(chart: alt.TopLevelMixin) -> dict:
    # Validation against the Vega-Lite schema is for authoring; it costs ~100 ms a chart.
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)  # a URL; the page must not look anything up elsewhere
    return spec


def exposure_bars(frame: pl.DataFrame, label: str, title: str,
                  national: str | None = None) -> dict:
    """Horizontal bars of `exposure` per `label`, most exposed at the top, with employment in
    the tooltip; `national` adds a tick at each row's national exposure."""
    columns = [label, "exposure", "employment", *([national] if national else [])]
    data = frame.select(columns).drop_nulls("exposure")
    base = alt.Chart(data, title=title, width=WIDTH)
    y = alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300))
    tooltip = [alt.Tooltip(f"{label}:N", title="Name"),
               alt.Tooltip("exposure:Q", format=".1%", title="Exposure"),
               alt.Tooltip("employment:Q", format=",.0f", title="Employment")]
    bars = base.mark_bar(color="#3b6ea8").encode(
        x=alt.X("exposure:Q", axis=alt.Axis(format="%"), title="Exposure (share of task time)",
                scale=alt.Scale(domain=[0, 1])),
        y=y, tooltip=tooltip)
    if national:
        ticks = base.mark_tick(color="#c0392b", thickness=2).encode(
            x=f"{national}:Q", y=y,
            tooltip=[alt.Tooltip(f"{national}:Q", format=".1%", title="National exposure")])
        return _spec(bars + ticks)
    return _spec(bars)


def scenario_paths(frame: pl.DataFrame, selected: str | None, title: str) -> dict:
    """Median displaced employment per year, one line per scenario; the selected scenario is
    drawn over them in red with its 80% interval as a band. `frame`: scenario,
    scenario_title, year, p10, p50, p90."""
    data = frame.select("scenario", "scenario_title", "year", "p10", "p50", "p90").with_columns(
        (pl.col("scenario") == (selected or "")).alias("selected"))
    base = alt.Chart(data, width=WIDTH, height=280, title=alt.TitleParams(
        title, subtitle=f"Red: {selected}, with its 80% interval" if selected else ""))
    x = alt.X("year:O", title="Year")
    y = alt.Y("p50:Q", title="Displaced employment (median)", axis=alt.Axis(format="~s"))
    tooltip = [alt.Tooltip("scenario:N", title="Scenario"),
               alt.Tooltip("scenario_title:N", title="Title"),
               alt.Tooltip("year:O", title="Year"),
               alt.Tooltip("p50:Q", format=",.0f", title="Displaced (median)"),
               alt.Tooltip("p10:Q", format=",.0f", title="p10"),
               alt.Tooltip("p90:Q", format=",.0f", title="p90")]
    chosen = base.transform_filter(alt.datum.selected)
    band = chosen.mark_area(opacity=0.15, color=SELECTED).encode(x=x, y="p10:Q", y2="p90:Q")
    lines = base.mark_line(point=True, strokeWidth=1.5, opacity=0.8).encode(
        x=x, y=y, color=alt.Color("scenario:N", title="Scenario",
                                  scale=alt.Scale(scheme="tableau20")),
        tooltip=tooltip)
    highlight = chosen.mark_line(point=True, strokeWidth=4, color=SELECTED).encode(
        x=x, y=y, tooltip=tooltip)
    return _spec(band + lines + highlight)


def policy_bars(frame: pl.DataFrame, year: int, selected: str | None, title: str) -> dict:
    """Median displaced employment in `year` per scenario with its 80% interval: the policy
    differences at a glance. `frame` as for `scenario_paths`."""
    data = frame.filter(pl.col("year") == year).select(
        "scenario", "scenario_title", "p10", "p50", "p90").with_columns(
        (pl.col("scenario") == (selected or "")).alias("selected"))
    base = alt.Chart(data, title=title, width=WIDTH)
    y = alt.Y("scenario:N", sort="-x", title=None)
    bars = base.mark_bar().encode(
        x=alt.X("p50:Q", title=f"Displaced employment in {year} (median, 80% interval)",
                axis=alt.Axis(format="~s")),
        y=y,
        color=alt.condition(alt.datum.selected, alt.value(SELECTED), alt.value("#7f9cbf")),
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"),
                 alt.Tooltip("scenario_title:N", title="Title"),
                 alt.Tooltip("p50:Q", format=",.0f", title="Displaced (median)"),
                 alt.Tooltip("p10:Q", format=",.0f", title="p10"),
                 alt.Tooltip("p90:Q", format=",.0f", title="p90")])
    whiskers = base.mark_rule(color="#333").encode(x="p10:Q", x2="p90:Q", y=y)
    return _spec(bars + whiskers)


__all__ = ["exposure_bars", "policy_bars", "scenario_paths"]

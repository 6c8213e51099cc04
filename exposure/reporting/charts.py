"""Altair charts of the report, rendered to SVG with vl-convert (no browser, no network)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import polars as pl
import vl_convert

BAND, MEDIAN, REFERENCE = "#9ecae1", "#08519c", "#d62728"
LOW, HIGH = "#6baed6", "#fd8d3c"


def save_svg(chart: alt.TopLevelMixin, path: Path) -> str:
    path.write_text(vl_convert.vegalite_to_svg(chart.to_json()), encoding="utf-8")
    return path.name


def panel_label(scenario: str, title: str | None) -> str:
    return f"{scenario} — {title}" if title else scenario


def fan_chart(frame: pl.DataFrame, order: list[str], titles: dict[str, str], y_title: str,
              title: str, scale: float = 1e6, reference: str = "P0") -> alt.FacetChart:
    """Small multiples, one panel per scenario: the median line and the 80% band, with the
    reference scenario's median dashed in every panel so that policy differences show even
    when the bands overlap. `frame` has scenario, year, p10, p50, p90."""
    ref = frame.filter(pl.col("scenario") == reference).select(
        "year", (pl.col("p50") / scale).alias("ref"))
    data = (frame.with_columns(pl.col(c) / scale for c in ("p10", "p50", "p90"))
            .join(ref, on="year", how="left")
            .with_columns(pl.col("scenario").map_elements(
                lambda s: panel_label(s, titles.get(s)), return_dtype=pl.String)
                .alias("panel")))
    panels = [panel_label(s, titles.get(s)) for s in order]
    x = alt.X("year:Q", title=None, scale=alt.Scale(domain=[2025, 2035], nice=False),
              axis=alt.Axis(format="d", values=[2025, 2030, 2035]))
    band = alt.Chart().mark_area(color=BAND, opacity=0.7).encode(
        x=x, y=alt.Y("p10:Q", title=y_title), y2="p90:Q")
    median = alt.Chart().mark_line(color=MEDIAN, strokeWidth=2).encode(x=x, y="p50:Q")
    layers = [band, median]
    if ref.height:
        layers.append(alt.Chart().mark_line(color=REFERENCE, strokeDash=[5, 3],
                                            strokeWidth=1.5).encode(x=x, y="ref:Q"))
    subtitle = (f"dark line: median; band: 80% interval; red dashed: {reference} median"
                if ref.height else "dark line: median; band: 80% interval")
    return (alt.layer(*layers, data=alt.Data(values=data.to_dicts()))
            .properties(width=230, height=130)
            .facet(facet=alt.Facet("panel:N", sort=panels, title=None,
                                   header=alt.Header(labelFontSize=12, labelFontWeight="bold",
                                                     labelLimit=300)),
                   columns=3)
            .properties(title=alt.TitleParams(title, subtitle=subtitle, anchor="start")))


def tornado_chart(sensitivity: pl.DataFrame, title: str) -> alt.LayerChart:
    """One bar per parameter from its p10 result to its p90 result, around the centre; the
    widest swing on top. `sensitivity` has label, displaced_centre/low/high."""
    ranked = sensitivity.with_columns(
        (pl.col("displaced_high") - pl.col("displaced_low")).abs().alias("swing")
    ).sort("swing", descending=True)
    order = ranked["label"].to_list()
    rows = []
    for r in ranked.iter_rows(named=True):
        for end, value in (("parameter at its p10", r["displaced_low"]),
                           ("parameter at its p90", r["displaced_high"])):
            rows.append({"label": r["label"], "end": end, "from": r["displaced_centre"] / 1e6,
                         "to": value / 1e6})
    base = alt.Chart(alt.Data(values=rows))
    bars = base.mark_bar(height=16).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=420)),
        x=alt.X("from:Q", title="2035 median displacement (millions)",
                scale=alt.Scale(zero=False)),
        x2="to:Q",
        color=alt.Color("end:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(range=[LOW, HIGH])))
    centre = float(ranked["displaced_centre"][0]) / 1e6 if ranked.height else 0.0
    rule = alt.Chart(alt.Data(values=[{"c": centre}])).mark_rule(
        color="black", strokeDash=[4, 2]).encode(x="c:Q")
    return alt.layer(bars, rule).properties(
        width=420, height=28 * max(len(order), 1),
        title=alt.TitleParams(title, subtitle="dashed: all parameters at their centre",
                              anchor="start"))

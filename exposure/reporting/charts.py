"""Altair charts of the report (rendered to SVG by `exposure.reporting.document.Chart`)."""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import polars as pl

BAND, MEDIAN, REFERENCE = "#9ecae1", "#08519c", "#d62728"
LOW, HIGH = "#6baed6", "#fd8d3c"


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


LABEL_COLOURS = {"E1": MEDIAN, "E2": HIGH}


def _label_colour() -> alt.Color:
    return alt.Color("label:N", title="log-odds against E0 of",
                     scale=alt.Scale(domain=list(LABEL_COLOURS),
                                     range=list(LABEL_COLOURS.values())),
                     legend=alt.Legend(orient="bottom"))


def importance_chart(importance: pl.DataFrame, groups: Iterable[str]) -> alt.FacetChart:
    """One panel per group of terms (`group`, in the order of `groups`): a bar per term
    (`term`, by `rank`) and label (`label`) at its importance (`contribution`), with a
    whisker from `fold_min` to `fold_max`."""
    # op "min": layers share the y domain, and a shared domain keeps only such a sort
    y = alt.Y("term:N", title=None, sort=alt.EncodingSortField("rank", op="min"),
              axis=alt.Axis(labelLimit=320))
    bars = alt.Chart().mark_bar(height=7).encode(
        x=alt.X("contribution:Q", title="mean |contribution| to the log-odds"),
        y=y, yOffset="label:N", color=_label_colour())
    whiskers = alt.Chart().mark_rule(color="black").encode(
        x="fold_min:Q", x2="fold_max:Q", y=y, yOffset="label:N")
    return (alt.layer(bars, whiskers, data=alt.Data(values=importance.to_dicts()))
            .properties(width=360)
            .facet(row=alt.Row("group:N", sort=list(groups), title=None,
                               header=alt.Header(labelAngle=0, labelAlign="left",
                                                 labelFontWeight="bold")))
            .resolve_scale(y="independent")
            .properties(title=alt.TitleParams(
                "Most important terms per group", anchor="start",
                subtitle="whiskers: lowest to highest over the fold models")))


def shape_chart(shapes: pl.DataFrame, terms: list[str]) -> alt.FacetChart:
    """Small multiples, one per main effect of `terms`: its contribution (`contribution`)
    against the feature's `value` per `label`, with the band of the fold models
    (`fold_min` to `fold_max`)."""
    x = alt.X("value:Q", title="feature value")
    band = alt.Chart().mark_area(opacity=0.25).encode(
        x=x, y=alt.Y("fold_min:Q", title="contribution to the log-odds"), y2="fold_max:Q",
        color=_label_colour())
    line = alt.Chart().mark_line(strokeWidth=2).encode(x=x, y="contribution:Q",
                                                       color=_label_colour())
    return (alt.layer(band, line, data=alt.Data(values=shapes.to_dicts()))
            .properties(width=200, height=120)
            .facet(facet=alt.Facet("term:N", sort=terms, title=None,
                                   header=alt.Header(labelFontWeight="bold")), columns=3)
            .resolve_scale(x="independent")
            .properties(title=alt.TitleParams(
                "Shapes of the strongest main effects", anchor="start",
                subtitle="line: the fitted model; band: lowest to highest over the fold "
                         "models")))

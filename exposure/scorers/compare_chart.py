"""The scatter plot of `exposure compare`: each scorer's exposure against the reference, one
panel per scorer, the codes on which they disagree most in colour. Written as PNG, SVG and
a self-contained HTML page (altair, rendered by vl-convert: no network needed)."""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert

from exposure.errors import ConfigError

AGREE, HIGHER, LOWER = "#9ecae1", "#d62728", "#08519c"
SUFFIXES = (".png", ".svg", ".html")
PNG_SCALE = 2  # a readable PNG on a high-density screen or in a slide


def scatter_chart(matched: pl.DataFrame, disagreements: pl.DataFrame, reference: str,
                  value_column: str) -> alt.FacetChart:
    """`matched` (scorer, soc_code, title, exposure, reference, gap) and the
    `disagreements` rows (scorer, soc_code, direction) to colour."""
    order = matched.get_column("scorer").unique(maintain_order=True).to_list()
    flagged = disagreements.select("scorer", "soc_code", "direction")
    data = matched.join(flagged, on=["scorer", "soc_code"], how="left").with_columns(
        pl.col("direction").fill_null("other"), pl.col("gap").round(1))
    colour = alt.Color("direction:N", title="ranked apart", scale=alt.Scale(
        domain=["scorer higher", "reference higher", "other"], range=[HIGHER, LOWER, AGREE]))
    points = alt.Chart().mark_circle(size=22, opacity=0.75).encode(
        x=alt.X("reference:Q", title=f"{reference}: {value_column}"),
        y=alt.Y("exposure:Q", title="our exposure"),
        color=colour,
        tooltip=["soc_code:N", "title:N", "exposure:Q", "reference:Q",
                 alt.Tooltip("gap:Q", title="rank gap (pct points)")])
    return (alt.layer(points, data=alt.Data(values=data.to_dicts()))
            .properties(width=260, height=220)
            .facet(facet=alt.Facet("scorer:N", title=None, sort=order), columns=2)
            .resolve_scale(x="shared", y="shared")
            .properties(title=alt.TitleParams(
                f"Occupation exposure against {reference}",
                subtitle="one point per occupation both score; coloured: the occupations "
                         "ranked furthest apart in each direction", anchor="start")))


def chart_paths(path: Path) -> list[Path]:
    """PATH.png, PATH.svg and PATH.html (PATH's own .png/.svg/.html suffix replaced)."""
    base = path.with_suffix("") if path.suffix.lower() in SUFFIXES else path
    return [base.with_name(base.name + s) for s in SUFFIXES]


def save_chart(chart: alt.TopLevelMixin, path: Path) -> list[Path]:
    """Write the chart beside `path` in every format of SUFFIXES, each renamed over its
    target when complete; the paths written."""
    spec = chart.to_json()
    renderers = {".png": lambda: vl_convert.vegalite_to_png(spec, scale=PNG_SCALE),
                 ".svg": lambda: vl_convert.vegalite_to_svg(spec).encode("utf-8"),
                 ".html": lambda: vl_convert.vegalite_to_html(spec, bundle=True)
                 .encode("utf-8")}
    written = []
    for target in chart_paths(Path(path)):
        if target.is_dir():
            raise ConfigError(f"{target} is a folder", "give --chart a file name")
        temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            temporary.write_bytes(renderers[target.suffix]())
            os.replace(temporary, target)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        finally:
            temporary.unlink(missing_ok=True)
        written.append(target)
    return written

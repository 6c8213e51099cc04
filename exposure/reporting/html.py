"""index.html of the run report: the sections of report.md through a Jinja2 template,
self-contained: the styles and the SVG charts are inline, and nothing is loaded from
another file or host, so the page reads the same when mailed, archived or opened offline.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import jinja2
from markupsafe import Markup, escape

from exposure import __version__
from exposure.reporting.document import Block, Bullets, Chart, Link, Report, Table, Text
from exposure.reporting.markdown import relative_link

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("exposure.reporting", "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def inline(text: str) -> Markup:
    """A paragraph's inline marks (`code`, **bold**, \\*) as HTML; everything else is
    escaped, so text from the data can never become markup."""
    html = str(escape(text))
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return Markup(html.replace("\\*", "*"))


def _view(block: Block, folder: PurePosixPath) -> dict[str, object]:
    """What the template needs of a block, with its kind named."""
    if isinstance(block, Text):
        return {"kind": "text", "html": inline(block.text)}
    if isinstance(block, Bullets):
        return {"kind": "bullets", "items": [inline(item) for item in block.items]}
    if isinstance(block, Table):
        return {"kind": "table", "headers": block.headers, "numeric": block.numeric,
                "rows": list(block.rows())}
    if isinstance(block, Chart):
        # vl-convert escapes the chart's text, and the SVG references nothing outside it.
        return {"kind": "chart", "alt": block.alt, "svg": Markup(block.svg)}
    if isinstance(block, Link):
        return {"kind": "link", "before": inline(block.before), "label": block.label,
                "href": relative_link(block.target, folder), "after": inline(block.after)}
    raise TypeError(f"unknown report block {block!r}")


def render_html(report: Report, folder: PurePosixPath) -> str:
    """index.html of `report`, written in `folder` (relative to the reports folder)."""
    sections = [{"title": s.title, "anchor": s.anchor, "level": s.level,
                 "blocks": [_view(b, folder) for b in s.blocks]} for s in report.sections]
    return _ENV.get_template("report.html.j2").render(
        report=report, sections=sections, meaning=inline(report.meaning),
        version=__version__)


__all__ = ["inline", "render_html"]

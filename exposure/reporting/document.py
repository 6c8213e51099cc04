"""The run report as data: sections of paragraphs, tables, charts and links, which
`exposure.reporting.markdown` renders as report.md and `exposure.reporting.html` as
index.html. The section builders (`forecast`, `abm`, `exposure.report`) build these blocks
once, so the two outputs always show the same figures in the same words.

Paragraph text may hold the few inline marks both renderers know: **bold**, `code` and
`\\*` (a literal asterisk).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import altair as alt
import polars as pl
import vl_convert

from exposure.presentation import Kind, kind, readable

# A pre-formatted cell that reads as a number: 1,234 / 0.75M / -17.9% / $1.2bn / 0.23M (...)
_NUMERIC_CELL = re.compile(r"^[+\-−]?\$?\d[\d,]*(\.\d+)?(M|bn|%)?(\s|$)")


def default_cell(value: object) -> str:
    """A cell of a table that is not pre-formatted throughout (a stray float)."""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Text:
    """A paragraph."""

    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells; `numeric` marks the columns a page aligns to the right."""

    frame: pl.DataFrame
    numeric: tuple[bool, ...]

    @classmethod
    def readable(cls, frame: pl.DataFrame) -> Table:
        """A table of warehouse columns: human headers, and each cell formatted by the
        column's kind (exposure as a percent, people with separators)."""
        kinds = [kind(name, dtype) for name, dtype in frame.schema.items()]
        return cls(readable(frame), tuple(k is not Kind.text for k in kinds))

    @classmethod
    def formatted(cls, frame: pl.DataFrame) -> Table:
        """A table whose cells are already text (medians with intervals, changes in %)."""
        cells = {name: [default_cell(v) for v in frame.get_column(name)]
                 for name in frame.columns}
        numeric = tuple(any(cells[name]) and all(_NUMERIC_CELL.match(c) for c in cells[name] if c)
                        for name in frame.columns)
        return cls(pl.DataFrame(cells, schema=dict.fromkeys(cells, pl.String)), numeric)

    @property
    def headers(self) -> list[str]:
        return self.frame.columns

    def rows(self) -> Iterator[tuple[str, ...]]:
        for row in self.frame.iter_rows():
            yield tuple("" if v is None else str(v) for v in row)


@dataclass(frozen=True)
class Chart:
    """An Altair chart rendered to SVG (vl-convert: no browser, no network). report.md
    links `name`, the SVG file written beside it; index.html holds the SVG inline."""

    name: str
    alt: str
    svg: str

    @classmethod
    def render(cls, chart: alt.TopLevelMixin, name: str, alt_text: str) -> Chart:
        return cls(name, alt_text, vl_convert.vegalite_to_svg(chart.to_json()))


@dataclass(frozen=True)
class Link:
    """A sentence with one link to another file under the reports folder: `target` is
    relative to that folder, so each rendering links it from wherever it is written."""

    before: str
    label: str
    target: PurePosixPath
    after: str = ""


Block = Text | Bullets | Table | Chart | Link


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]
    level: int = 2  # 2: a section, 3: a subsection of the one before

    @property
    def anchor(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


@dataclass(frozen=True)
class Report:
    """Everything the report says about one run, in reading order."""

    run_id: str
    scorer: str | None
    sources: tuple[str, ...]  # the releases of every source the run read
    settings: str  # the run's recorded settings, "name value; ..." ("" when none)
    meaning: str  # what exposure is and is not
    forecast_meaning: str  # what the forecasts are and are not ("" without forecasts)
    sections: tuple[Section, ...]
    attribution: str

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]


__all__ = ["Block", "Bullets", "Chart", "Link", "Report", "Section", "Table", "Text",
           "default_cell"]

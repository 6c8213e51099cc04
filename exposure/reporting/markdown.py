"""report.md from the report's sections, Markdown tables, and the number formats the
report's pre-formatted tables use (persons, dollars, shares)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import PurePosixPath

import polars as pl

from exposure.reporting.document import (
    Block,
    Bullets,
    Chart,
    Link,
    Report,
    Table,
    Text,
    default_cell,
)


def markdown_table(frame: pl.DataFrame, cell: Callable[[object], str] = default_cell
                   ) -> list[str]:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return lines


def persons(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value / 1e6:,.2f}M" if abs(value) >= 1e5 else f"{value:,.0f}"


def usd(value: float | None) -> str:
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value) / 1e9:,.1f}bn" if abs(value) >= 1e8 else f"{sign}${abs(value):,.0f}"


def share(value: float | None) -> str:
    """A 0-1 share as a percentage; small shares keep two decimals so they do not read 0."""
    if value is None:
        return ""
    return f"{100 * value:.2f}%" if abs(value) < 0.01 else f"{100 * value:.1f}%"


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}%"


def number(value: float | None) -> str:
    return "" if value is None else f"{value:,.4g}"


FORMATS: dict[str, Callable[[float | None], str]] = {
    "persons": persons, "usd": usd, "share": share, "percent": percent, "number": number}


def interval(fmt: Callable[[float | None], str], p10: float | None, p50: float | None,
             p90: float | None) -> str:
    """'median (p10 to p90)': the 80% interval beside the median."""
    if p50 is None:
        return ""
    return f"{fmt(p50)} ({fmt(p10)} to {fmt(p90)})"


def relative_link(target: PurePosixPath, folder: PurePosixPath) -> str:
    """`target` (relative to the reports folder) as seen from `folder` (relative to it too)."""
    return posixpath.relpath(str(target), str(folder))


def _block(block: Block, folder: PurePosixPath) -> list[str]:
    if isinstance(block, Text):
        return [block.text]
    if isinstance(block, Bullets):
        return [f"- {item}" for item in block.items]
    if isinstance(block, Table):
        return markdown_table(block.frame)
    if isinstance(block, Chart):
        return [f"![{block.alt}]({block.name})"]
    if isinstance(block, Link):
        return [f"{block.before}[{block.label}]({relative_link(block.target, folder)})"
                f"{block.after}"]
    raise TypeError(f"unknown report block {block!r}")


def render_markdown(report: Report, folder: PurePosixPath) -> str:
    """report.md of `report`, written in `folder` (relative to the reports folder, so links
    to other reports resolve); charts are linked as the SVG files beside it."""
    lines = [f"# Run {report.run_id}", "",
             "Sources: " + "; ".join(report.sources) + ".",
             *([f"Settings: {report.settings}."] if report.settings else []),
             f"Scorer shown: `{report.scorer}`. {report.meaning}", ""]
    for section in report.sections:
        lines += ["#" * section.level + " " + section.title, ""]
        for block in section.blocks:
            lines += [*_block(block, folder), ""]
    lines += ["---", "", report.attribution, ""]
    return "\n".join(lines)

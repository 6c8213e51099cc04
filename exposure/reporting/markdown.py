"""Markdown tables and the number formats the report uses (persons, dollars, shares)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl


def default_cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"
    return "" if value is None else str(value)


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

"""Writing a result frame the way a user asked: a table on the terminal, or csv/json/parquet."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table
from rich.text import Text

from exposure.errors import ConfigError


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _cell(value: object) -> str:
    """Counts with thousands separators, shares with 4 significant digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def render_table(frame: pl.DataFrame, title: str | None = None, caption: str | None = None,
                 console: Console | None = None) -> None:
    """Print `frame` as a table. Every text is a `Text`, never markup: a cell, a column
    name or a caption holding `[/red]` is printed as it is instead of breaking the output."""
    table = Table(title=None if title is None else Text(title),
                  caption=None if caption is None else Text(caption), show_lines=False)
    for name in frame.columns:
        table.add_column(Text(name), overflow="fold")
    for row in frame.iter_rows():
        table.add_row(*(Text(_cell(v)) for v in row))
    (console or Console()).print(table)


def emit(frame: pl.DataFrame, fmt: Format, output: Path | None = None,
         title: str | None = None, caption: str | None = None) -> None:
    """Print or write `frame`; `caption` names the data and assumptions behind it."""
    if fmt is Format.table:
        render_table(frame, title, caption)
        return
    if fmt is Format.parquet and output is None:
        raise ConfigError("parquet output needs a file", "add --output FILE.parquet")
    target = output if output is not None else sys.stdout
    if fmt is Format.csv:
        frame.write_csv(target)
    elif fmt is Format.json:
        text = frame.write_json()
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            Path(output).write_text(text, encoding="utf-8")
    else:
        frame.write_parquet(output)

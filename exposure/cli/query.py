"""`exposure query` and `exposure tables`: read-only SQL against the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer

from exposure.cli.common import app, settings_for
from exposure.cli.options import FormatOpt, OutputOpt, WarehouseOpt
from exposure.output import Format, emit

PANEL = "The warehouse"


@app.command(rich_help_panel=PANEL)
def query(sql: Annotated[str, typer.Argument(help="A read-only SQL query.")],
          warehouse: WarehouseOpt = None, fmt: FormatOpt = Format.table,
          output: OutputOpt = None) -> None:
    """Run SQL against the warehouse (opened read-only)."""
    from exposure.warehouse import read_frame

    emit(read_frame(settings_for(warehouse=warehouse).warehouse, sql), fmt, output)


@app.command(rich_help_panel=PANEL)
def tables(warehouse: WarehouseOpt = None) -> None:
    """List the warehouse's tables with their row counts."""
    from exposure.queries import table_counts

    path = settings_for(warehouse=warehouse).warehouse
    emit(table_counts(path), Format.table, title=str(path))

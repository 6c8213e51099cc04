"""`exposure workbook`: one xlsx per board (the nation's or a state's), for spreadsheets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exposure.cli.common import app, notice, settings_for
from exposure.cli.options import BoardScorer, WarehouseOpt

PANEL = "Boards (read the latest run)"


@app.command(rich_help_panel=PANEL)
def workbook(output: Annotated[Path, typer.Option(
                 "--output", "-o", help="The .xlsx file to write, e.g. ohio.xlsx.")],
             area: Annotated[str | None, typer.Option(
                 help="A state's FIPS code (39; 6 or 06), postal abbreviation (OH) or name "
                 "(Ohio); default: the nation.")] = None,
             warehouse: WarehouseOpt = None, scorer: BoardScorer = None) -> None:
    """Write a workbook of the latest run: README (run, sources, meaning, attribution),
    sectors, occupations, wage bands, education, forecasts by scenario and policies."""
    from exposure.workbook import write_workbook

    settings = settings_for(warehouse=warehouse)
    path = write_workbook(settings.warehouse, output, area=area,
                          scorer=scorer or settings.scorer_list[0])
    notice(f"wrote {path}")

"""`exposure report`: (re)write a run's report from that run's own rows."""

from __future__ import annotations

from typing import Annotated

import typer

from exposure.cli.common import app, err, settings_for
from exposure.cli.options import ReportsDir, WarehouseOpt
from exposure.errors import WarehouseError

PANEL = "The warehouse"


@app.command(rich_help_panel=PANEL)
def report(run_id: Annotated[str | None, typer.Argument(
               help="Run id (default: the latest successful run).")] = None,
           warehouse: WarehouseOpt = None, reports_dir: ReportsDir = None,
           scorer: Annotated[str | None, typer.Option(
               "--scorer", help="Which scorer's figures (default: the run's first scorer, "
               "else the first of EXPOSURE_SCORERS).")] = None) -> None:
    """Write the run report (Markdown with SVG charts, and index.html, a self-contained web
    page) under reports/runs/<run_id>/, and under reports/latest/ for the newest run."""
    from exposure.report import write_report
    from exposure.runs import latest_run_id

    settings = settings_for(warehouse=warehouse, reports_dir=reports_dir)
    run_id = run_id or latest_run_id(settings.warehouse)
    if run_id is None:
        raise WarehouseError(f"the warehouse {settings.warehouse} has no successful run yet",
                             "run `exposure refresh` first")
    path = write_report(settings.warehouse, settings.reports_dir, run_id, scorer)
    err.print(f"wrote {path}")

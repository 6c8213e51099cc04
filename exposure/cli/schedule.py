"""`exposure schedule`: the monthly refresh as a Prefect deployment."""

from __future__ import annotations

from typing import Annotated

import typer

from exposure.cli.common import app, err, settings_for
from exposure.cli.options import RawDir, ReportsDir, WarehouseOpt


@app.command(rich_help_panel="Runs")
def schedule(
    cron: Annotated[str, typer.Option(help="Cron expression (UTC).")] = "0 6 1 * *",
    name: Annotated[str, typer.Option(help="Deployment name.")] = "monthly-refresh",
    register_only: Annotated[bool, typer.Option(
        "--register-only", help="Register the deployment and exit instead of serving it.")] = False,
    raw_dir: RawDir = None, warehouse: WarehouseOpt = None, reports_dir: ReportsDir = None,
) -> None:
    """Register the monthly refresh as a Prefect deployment and serve its schedule.

    The deployment stores the raw, warehouse and reports paths as its parameters. It needs
    a running Prefect server (PREFECT_API_URL).
    """
    from exposure.prefect_setup import configure_prefect, guard_children

    configure_prefect()
    from exposure import schedule as scheduling

    scheduling.require_server()  # before anything else: without a server nothing can work
    settings = settings_for(raw_dir, warehouse, reports_dir)
    parameters = scheduling.deployment_parameters(settings.raw_dir, settings.warehouse,
                                                  settings.reports_dir)
    stored = ", ".join(f"{k}={v}" for k, v in parameters.items())
    if register_only:
        deployment_id = scheduling.register(cron, name, parameters)
        err.print(f"registered deployment {name} ({cron}): {deployment_id}; {stored}",
                  highlight=False)
        return
    guard_children()  # the flow runs it serves must not outlive this process
    err.print(f"serving deployment {name} on schedule {cron} ({stored}); Ctrl-C stops",
              highlight=False)
    scheduling.serve(cron, name, parameters)

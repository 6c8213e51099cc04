"""The monthly refresh as a Prefect deployment with a cron schedule.

`register` creates (or updates) the deployment on the Prefect server that PREFECT_API_URL
points to; `serve` also keeps a process running that starts each scheduled run. Without a
server, the README's plain cron line does the same job.

The deployment stores the warehouse, raw and reports folders as its parameters (absolute
paths), so a scheduled run writes where `exposure schedule` was told to, whatever the
environment of the process that serves it. Both refuse to work without a configured
server: Prefect would otherwise start its temporary one, and the deployment would vanish
with it when the command ends.
"""

from __future__ import annotations

import os
from pathlib import Path

from exposure.errors import ConfigError

DEFAULT_CRON = "0 6 1 * *"
DEPLOYMENT_NAME = "monthly-refresh"
# The flow parameters a deployment stores (flows.refresh.refresh's arguments).
PATH_PARAMETERS = ("raw_dir", "warehouse", "reports_dir")


def deployment_parameters(raw_dir: Path, warehouse: Path, reports_dir: Path
                          ) -> dict[str, str]:
    """The flow's path parameters as the deployment stores them: absolute, since the
    process that serves the schedule may start elsewhere."""
    paths = dict(zip(PATH_PARAMETERS, (raw_dir, warehouse, reports_dir), strict=True))
    return {name: os.path.abspath(path) for name, path in paths.items()}


def require_server() -> str:
    """The Prefect API URL a deployment would be registered with; a `ConfigError` when none
    is configured (Prefect would register it with its temporary server, gone at exit)."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise ConfigError(
            "exposure schedule needs a Prefect server that outlives it: set PREFECT_API_URL "
            "to a running server",
            "e.g. start one with `.venv/bin/prefect server start` and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api, or schedule `make run` with cron")
    return url


def _deployment(cron: str, name: str, parameters: dict[str, str] | None):
    from prefect.client.schemas.schedules import CronSchedule

    from flows.refresh import refresh

    try:
        CronSchedule(cron=cron)
    except ValueError as exc:
        raise ConfigError(f"'{cron}' is not a valid cron expression",
                          "give five fields, e.g. --cron '0 6 1 * *' for 06:00 on the 1st") from exc

    return refresh.to_deployment(name=name, cron=cron, parameters=parameters or {},
                                 description="Monthly refresh of the exposure warehouse.")


def register(cron: str = DEFAULT_CRON, name: str = DEPLOYMENT_NAME,
             parameters: dict[str, str] | None = None) -> str:
    """Create or update the deployment with these flow `parameters`; return its id."""
    deployment = _deployment(cron, name, parameters)
    require_server()
    return str(deployment.apply())


def serve(cron: str = DEFAULT_CRON, name: str = DEPLOYMENT_NAME,
          parameters: dict[str, str] | None = None) -> None:
    """Register the deployment and run scheduled refreshes until interrupted."""
    from prefect import serve as prefect_serve

    deployment = _deployment(cron, name, parameters)
    require_server()
    prefect_serve(deployment)

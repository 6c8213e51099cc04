"""`exposure serve`: the read-only HTTP API and web page over the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer

from exposure.cli.common import app, notice, settings_for
from exposure.cli.options import WarehouseOpt

PANEL = "Boards (read the latest run)"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@app.command(rich_help_panel=PANEL)
def serve(
    warehouse: WarehouseOpt = None,
    host: Annotated[str, typer.Option(
        help="Address to listen on. The default answers this machine only; another "
        "address exposes the (read-only) data to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the read-only HTTP API (/api, /openapi.json) and the web page (/) over the warehouse;
    it follows each refresh as it publishes."""
    # Imported here: the other commands should not pay for FastAPI and uvicorn at start-up.
    import uvicorn

    from exposure.web import create_app

    settings = settings_for(warehouse=warehouse)
    if host not in LOOPBACK:
        notice(f"listening on {host}: anyone who can reach this machine can read the "
               "warehouse's tables through the API")
    notice(f"serving {settings.warehouse} read-only at http://{host}:{port}/ "
           "(API at /api, described at /openapi.json); Ctrl-C stops")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                access_log=False)

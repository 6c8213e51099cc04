"""The application of `exposure serve`: the read-only API (/api, described at /openapi.json),
the one web page (/) and its locally served assets (/static).

It reads the published warehouse through the safe read-only connection only, follows each
newly published file (see `exposure.web.live`), and answers errors in one sentence: 404 when
nothing matches (or an unknown state, scenario or scorer), 422 for an invalid parameter, 503
when there is no warehouse yet.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from exposure import ONET_ATTRIBUTION, __version__
from exposure.errors import ConfigError, ExposureError, WarehouseError
from exposure.settings import Settings, get_settings
from exposure.web import api
from exposure.web.assets import BUNDLE, VegaBundle
from exposure.web.listing import TooLarge
from exposure.web.live import LiveWarehouse
from exposure.web.page import PageQuery, page_context
from exposure.web.params import MajorQ, ScenarioQ, ScorerQ, SectorQ
from exposure.web.service import Service

HERE = Path(__file__).resolve().parent
DESCRIPTION = f"""Read-only access to the latest run of the `exposure` warehouse: task-level AI
exposure of sectors, occupations and states, and displacement forecasts by scenario.

Every list is paged (`limit`, `offset`; `total` counts the whole list) as JSON, or
downloaded whole as `format=csv` or `format=xlsx`. Every answer names its provenance: the
run, the O*NET release, the employment source and what the figures mean (in the JSON body,
as CSV columns, on the workbook's About sheet, and in `X-Exposure-*` headers).

Exposure is the share of task time current AI could do or speed up, not a probability of
job loss. Forecasts are model projections under stated scenarios, not official forecasts.

{ONET_ATTRIBUTION}"""

# The page's place selector sends an empty value for the nation.
PageState = Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9 .-]*$",
                                        description="A state, or empty for the nation.")]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app over `settings.warehouse` (read-only)."""
    settings = settings or get_settings()
    service = Service(settings, LiveWarehouse(settings.warehouse))
    bundle = VegaBundle(settings.cache_dir)
    templates = Jinja2Templates(directory=HERE / "templates")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        bundle.start()
        yield
        service.live.close()

    # No /docs or /redoc: FastAPI's pages load their scripts from a CDN, and this server
    # fetches nothing from elsewhere. The description is at /openapi.json.
    app = FastAPI(title="exposure", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.service = service
    app.include_router(api.router)
    _errors(app, templates)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request, scorer: ScorerQ = None, state: PageState = None,
                    sector: SectorQ = None, major: MajorQ = None,
                    scenario: ScenarioQ = None) -> Response:
        query = PageQuery(service.scorer(scorer), state or None, sector, major, scenario)
        context = await service.value(("page", query), lambda path: page_context(path, query),
                                      size=256 * 1024)
        return templates.TemplateResponse(request, "index.html",
                                          context | {"vega_bundle": BUNDLE})

    @app.get(f"/static/{BUNDLE}", include_in_schema=False)
    async def vega_bundle() -> Response:
        data = await run_in_threadpool(bundle.get)
        return Response(data, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _errors(app: FastAPI, templates: Jinja2Templates) -> None:
    """One sentence per error: JSON under /api, a small page elsewhere."""

    def answer(request: Request, status: int, message: str, detail: object) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": detail, "message": message}, status_code=status)
        heading = {404: "Nothing matches", 422: "Invalid choice",
                   503: "No warehouse to read"}.get(status, "Error")
        return templates.TemplateResponse(
            request, "error.html", {"heading": heading, "message": message,
                                    "attribution": ONET_ATTRIBUTION}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = jsonable_encoder(exc.errors())
        message = "; ".join(
            f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors)
        return answer(request, 422, message + ".", errors)

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, exc: TooLarge) -> Response:
        detail = [{"type": "value_error", "loc": ["query", "format"], "msg": str(exc)}]
        return answer(request, 422, str(exc) + ".", detail)

    @app.exception_handler(ConfigError)
    async def not_found(request: Request, exc: ConfigError) -> Response:
        return answer(request, 404, str(exc), str(exc))

    @app.exception_handler(WarehouseError)
    async def unavailable(request: Request, exc: WarehouseError) -> Response:
        return answer(request, 503, str(exc), str(exc))

    @app.exception_handler(ExposureError)
    async def failed(request: Request, exc: ExposureError) -> Response:
        return answer(request, 500, str(exc), str(exc))


def _where(loc: list | tuple) -> str:
    """'query parameter limit' for FastAPI's ('query', 'limit')."""
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] == "query":
        return f"query parameter '{parts[1]}'"
    return " ".join(parts) or "request"


__all__ = ["create_app"]

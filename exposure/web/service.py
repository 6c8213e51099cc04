"""What the routes share: the settings, the live warehouse and the results kept from it.

A route describes its answer as a key (its name and parameters) and a function of the
warehouse path that returns (frame, provenance, notes); `Service.result` returns the kept
result for the key when the published file is the one it was computed from, and otherwise
computes it in a worker thread (DuckDB releases the GIL while it works).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from exposure.queries import Provenance
from exposure.settings import Settings
from exposure.web.live import LiveWarehouse, ResultCache, cached

Result = tuple[pl.DataFrame, Provenance, list[str]]


@dataclass
class Service:
    settings: Settings
    live: LiveWarehouse
    cache: ResultCache = field(default_factory=ResultCache)

    @property
    def path(self) -> Path:
        return self.live.path

    def scorer(self, scorer: str | None) -> str:
        """The scorer asked for, else the first configured one (as the command line)."""
        return scorer or self.settings.scorer_list[0]

    async def result(self, key: Hashable, compute: Callable[[Path], Result]) -> Result:
        hit = self.cache.get(self.live.current(), key)
        if hit is not None:
            return hit  # type: ignore[return-value]
        return await run_in_threadpool(cached, self.live, self.cache, key, compute, _size)

    async def rendered(self, key: Hashable, page: Hashable, compute: Callable[[Path], Result],
                       render: Callable[[Result], Response]) -> Response:
        """`render(result)` of the result for `key`, its body kept too under `page` (a page
        asked for again is sent as it was, with no slicing or JSON writing)."""
        identity = self.live.current()
        kept = self.cache.get(identity, ("rendered", key, page))
        if kept is not None:
            body, media_type, headers = kept  # type: ignore[misc]
            return Response(body, media_type=media_type, headers=headers)
        response = render(await self.result(key, compute))
        if self.live.current() == identity:  # not if a refresh published in between
            self.cache.put(identity, ("rendered", key, page),
                           (response.body, response.media_type, _headers(response)),
                           len(response.body) + 512)
        return response

    async def value(self, key: Hashable, compute: Callable[[Path], object],
                    size: int = 1024) -> object:
        """Like `result`, for anything else computed from the warehouse (a page's parts)."""
        hit = self.cache.get(self.live.current(), key)
        if hit is not None:
            return hit
        return await run_in_threadpool(cached, self.live, self.cache, key, compute,
                                       lambda _: size)


def _headers(response: Response) -> dict[str, str]:
    """The headers a kept body is sent with again (Starlette recomputes the length and type)."""
    return {k: v for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-type")}


def _size(result: Result) -> int:
    return int(result[0].estimated_size()) + 1024


def service(request: Request) -> Service:
    return request.app.state.service


def invalid(parameter: str, message: str) -> RequestValidationError:
    """A 422 naming the query parameter, in FastAPI's own error shape."""
    return RequestValidationError([{"type": "value_error", "loc": ("query", parameter),
                                    "msg": message, "input": None}])


__all__ = ["Result", "Service", "invalid", "service"]

"""Where the Monte-Carlo chunks run: on a thread pool here (`local`) or on a Dask cluster
(`dask_runner`, the `dask` extra); `get_runner` picks one by name.

A runner is `run(prep, draws, chunk_size) -> list[ChunkResult]`. Draw d is always seeded by
the d-th child of the scenario's seed sequence, so every runner gives identical results.
"""

from __future__ import annotations

from collections.abc import Callable

from exposure.errors import ConfigError
from exposure.forecast.runners.local import CHUNK_SIZE, chunk_ranges, run_local
from exposure.forecast.simulation.simulate import ChunkResult, Prepared

Runner = Callable[[Prepared, int, int], list[ChunkResult]]


def get_runner(spec: str) -> Runner:
    """`local`, `dask` (a local Dask cluster) or `dask://HOST:PORT` (an existing one)."""
    if spec == "local":
        return lambda prep, draws, chunk_size: run_local(prep, draws, chunk_size)
    if spec == "dask" or spec.startswith("dask://"):
        from exposure.forecast.runners.dask_runner import dask_runner

        return dask_runner(None if spec == "dask" else spec.removeprefix("dask://"))
    raise ConfigError(f"unknown runner '{spec}'",
                      "use local, dask (a local cluster) or dask://HOST:PORT")


__all__ = ["CHUNK_SIZE", "Runner", "chunk_ranges", "get_runner", "run_local"]

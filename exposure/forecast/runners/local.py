"""The local runner: every chunk of draws on a thread pool in this process.

`chunk_ranges` splits the draws into the contiguous ranges that every runner runs as one
`simulation.simulate.run_chunk(prep, start, stop)` call each.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from exposure.errors import ConfigError
from exposure.forecast.simulation.simulate import ChunkResult, Prepared, run_chunk

CHUNK_SIZE = 25


def chunk_ranges(draws: int, chunk_size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """Contiguous draw ranges [start, stop) of at most ``chunk_size`` draws."""
    if draws < 1 or chunk_size < 1:
        raise ConfigError("draws and chunk size must be at least 1", "pass positive numbers")
    return [(s, min(s + chunk_size, draws)) for s in range(0, draws, chunk_size)]


def run_local(prep: Prepared, draws: int, chunk_size: int = CHUNK_SIZE,
              workers: int | None = None) -> list[ChunkResult]:
    """Every chunk on a local thread pool (numpy releases the GIL in its array loops)."""
    ranges = chunk_ranges(draws, chunk_size)
    workers = workers or min(len(ranges), os.cpu_count() or 1)
    if workers == 1:
        return [run_chunk(prep, a, b) for a, b in ranges]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda r: run_chunk(prep, *r), ranges))


__all__ = ["CHUNK_SIZE", "chunk_ranges", "run_local"]

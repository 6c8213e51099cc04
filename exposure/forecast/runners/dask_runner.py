"""Run the Monte-Carlo chunks on Dask, through prefect-dask (the `dask` extra).

    run = dask_runner(None)                # a local cluster: 2 worker processes, 1 thread each
    run = dask_runner("10.0.0.5:8786")     # an existing cluster's scheduler
    chunks = run(prep, draws, chunk_size)  # list[ChunkResult], as `local.run_local` gives
    run.close()                            # or let the runner go: it closes when collected

How: a `prefect_dask.DaskTaskRunner` owns the cluster's lifecycle. With no address it starts
a `distributed.LocalCluster` (two single-threaded worker processes, scheduler on 127.0.0.1,
no dashboard); with one it connects to `tcp://HOST:PORT` (the connect timeout is Dask's
`distributed.comm.timeouts.connect`). The cluster is started (or reached) when the runner is
made, kept for every scenario it runs, and closed by `close()`, by `with`, or when the runner
is garbage-collected. Per call, the scenario's `Prepared` is scattered to the workers once
(broadcast) and each chunk range is one Dask task `simulate.run_chunk(prep, start, stop)`
that refers to it; the results come back in chunk order.

Why not one Prefect task per chunk (`DaskTaskRunner.submit` of a `@task`, or a small
`@flow(task_runner=DaskTaskRunner(...))`): every Prefect task run on a worker reports its
state to a Prefect API, so each worker, on a remote cluster too, would need to reach one
(the temporary server of a plain `exposure refresh` listens on this machine only), and the
task engine would hash the large `Prepared` for its cache key and wrap every result in a
state. The chunks are pure and seeded per draw (`simulate`), so they need none of that: they
run as plain calls on the task runner's client (a `PrefectDaskClient`), and the results are
identical to the local runner's for the same seed. The refresh's forecast stage is itself a
Prefect task when the refresh runs as a flow.

Worker memory: Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which
stops glibc from adapting its mmap threshold, so every large temporary array of a chunk is
mapped and unmapped afresh: `run_chunk` then runs about 2.5 times slower than in a plain
process. The local cluster starts its workers without it (and leaves this process's
environment as it was: the nanny would write its worker variables into it). For the same
on an existing cluster, start its workers with a Dask config file (in ``~/.config/dask/``
or ``$DASK_CONFIG``) that holds ``distributed: nanny: pre-spawn-environ:
MALLOC_TRIM_THRESHOLD_: null`` (a ``DASK_...`` environment variable cannot: Dask lowercases
its keys).
The workers must run this same `exposure` package (and numpy) as the caller.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from exposure.errors import ConfigError
from exposure.forecast.runners.local import chunk_ranges
from exposure.forecast.simulation.simulate import ChunkResult, Prepared, run_chunk

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner

N_WORKERS = 2
INSTALL_HINT = "install the Dask extra with pip install -e '.[dask]'"


def _load() -> type[DaskTaskRunner]:
    """prefect-dask's task runner, Prefect configured first (it reads settings on import)."""
    from exposure.prefect_setup import configure_prefect

    configure_prefect()
    try:
        import distributed  # noqa: F401
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise ConfigError(f"the Dask runner needs the dask extra ({exc.name} is missing)",
                          INSTALL_HINT) from exc
    return DaskTaskRunner


def scheduler_address(address: str) -> str:
    """`HOST:PORT` (or `tcp://HOST:PORT`) as Dask's `tcp://HOST:PORT`."""
    bare = address.removeprefix("tcp://")
    host, _, port = bare.rpartition(":")
    if not host or "://" in bare or not port.isdigit():
        raise ConfigError(f"'{address}' is not a Dask scheduler address",
                          "use dask://HOST:PORT, e.g. dask://127.0.0.1:8786")
    return f"tcp://{host}:{port}"


@contextmanager
def _worker_environment() -> Iterator[None]:
    """Workers spawned inside start without the malloc trim threshold; this process's
    environment is restored afterwards (the nanny writes its pre-spawn variables into it)."""
    import dask

    key = "distributed.nanny.pre-spawn-environ"
    names = [*dask.config.get(key, {}), "PYTHONHASHSEED"]
    saved = {name: os.environ.get(name) for name in names}
    try:
        with dask.config.set({f"{key}.MALLOC_TRIM_THRESHOLD_": None}):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _close(task_runner: DaskTaskRunner) -> None:
    task_runner.__exit__(None, None, None)


class DaskRunner:
    """A runner on one Dask cluster: `run(prep, draws, chunk_size) -> list[ChunkResult]`."""

    def __init__(self, address: str | None = None, n_workers: int = N_WORKERS) -> None:
        task_runner_cls = _load()
        self.address = None if address is None else scheduler_address(address)
        if self.address is None:
            task_runner = task_runner_cls(
                cluster_class="distributed.LocalCluster",
                cluster_kwargs={"n_workers": n_workers, "threads_per_worker": 1,
                                "processes": True, "host": "127.0.0.1",
                                "dashboard_address": None})
        else:
            task_runner = task_runner_cls(address=self.address)
        task_runner.__enter__()
        try:
            with _worker_environment():
                self._client = task_runner.client  # starts the cluster or connects to it
        except OSError as exc:  # connection refused, timed out, unknown host
            _close(task_runner)
            raise ConfigError(f"cannot reach the Dask scheduler at {self.address} ({exc})",
                              "start it (dask scheduler) or check the address and port"
                              ) from exc
        except BaseException:
            _close(task_runner)
            raise
        self._finalizer = weakref.finalize(self, _close, task_runner)

    @property
    def scheduler(self) -> str:
        """The address of the scheduler the chunks go to."""
        return self._client.scheduler.address

    def __call__(self, prep: Prepared, draws: int, chunk_size: int) -> list[ChunkResult]:
        if not self._finalizer.alive:
            raise RuntimeError("this Dask runner is closed")
        ranges = chunk_ranges(draws, chunk_size)
        client = self._client
        futures: list[Any] = []
        [shared] = client.scatter([prep], broadcast=True, hash=False)
        try:
            futures = [client.submit(run_chunk, shared, start, stop, pure=False)
                       for start, stop in ranges]
            return client.gather(futures)
        finally:
            for future in (*futures, shared):
                future.release()

    def close(self) -> None:
        """Close the client, and the cluster when the runner started it."""
        self._finalizer()

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dask_runner(address: str | None) -> DaskRunner:
    """A runner on a new local cluster (``None``) or on the scheduler at ``HOST:PORT``.

    Raises ConfigError when the `dask` extra is missing or the scheduler cannot be reached.
    """
    return DaskRunner(address)


__all__ = ["DaskRunner", "dask_runner", "scheduler_address"]

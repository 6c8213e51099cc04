"""The Dask runner (the `dask` extra): the same draws on a local cluster of two worker
processes give tables identical to the local runner's for the same seed, and an unreachable
scheduler is a clear ConfigError."""

from __future__ import annotations

import time
from importlib.util import find_spec

import polars as pl
import pytest

from exposure.errors import ConfigError
from exposure.features import build_task_features
from exposure.forecast.engine import TABLES, combine, forecast, prepare
from exposure.forecast.runners import get_runner

DRAWS = 40
CHUNK = 10
SEED = 20250501
SCENARIO = "P1"

MISSING = [name for name in ("dask", "distributed", "prefect_dask") if find_spec(name) is None]
pytestmark = [
    pytest.mark.dask,
    pytest.mark.skipif(bool(MISSING), reason=f"the dask extra is not installed "
                       f"({', '.join(MISSING)} missing): pip install -e '.[dask]'"),
]


@pytest.fixture(scope="module")
def task_feature(reference_tables: dict) -> pl.DataFrame:
    return build_task_features(reference_tables)


@pytest.fixture(scope="module")
def cluster():
    """A runner on a local cluster of two single-threaded worker processes."""
    run = get_runner("dask")
    yield run
    run.close()


def _assert_identical(got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame]) -> None:
    assert set(got) == set(want) == set(TABLES)
    for name in TABLES:
        assert got[name].equals(want[name]), name


def test_dask_gives_the_local_tables(cluster, reference_tables: dict,
                                     task_feature: pl.DataFrame) -> None:
    workers = cluster._client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(w["nthreads"] == 1 for w in workers.values())
    assert cluster.scheduler.startswith("tcp://127.0.0.1:")
    local = forecast(task_feature, None, reference_tables, SCENARIO, draws=DRAWS, seed=SEED)
    (prep,) = prepare(task_feature, None, reference_tables, SCENARIO, seed=SEED)
    chunks = cluster(prep, DRAWS, CHUNK)
    assert [(c.start, c.stop) for c in chunks] == [(a, a + CHUNK) for a in range(0, DRAWS, CHUNK)]
    _assert_identical(combine(prep, chunks, reference_tables), local)
    assert local["forecast_draws"].height == DRAWS
    assert local["displacement_forecast"]["displaced_mean"].sum() > 0

    # the same cluster reached by its address (dask://HOST:PORT), another split
    remote = get_runner("dask://" + cluster.scheduler.removeprefix("tcp://"))
    try:
        _assert_identical(combine(prep, remote(prep, DRAWS, 7), reference_tables), local)
    finally:
        remote.close()


def test_unreachable_scheduler_is_a_config_error() -> None:
    import dask

    start = time.perf_counter()
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            pytest.raises(ConfigError, match=r"tcp://127\.0\.0\.1:1\b"):
        get_runner("dask://127.0.0.1:1")
    assert time.perf_counter() - start < 20


def test_bad_address_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="HOST:PORT"):
        get_runner("dask://no-port")

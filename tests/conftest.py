"""Shared fixtures. Real-data tests read the raw directory in place (never copied into git)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Prefect must see its settings before it is imported anywhere in the test session.
os.environ.setdefault("PREFECT_HOME", str(Path(__file__).resolve().parent.parent / ".prefect"))

from exposure.settings import Settings, default_raw_dir

if TYPE_CHECKING:
    from exposure.ingest import Ingested
from exposure.sources.base import IngestContext

RAW_DIR = Path(os.environ.get("EXPOSURE_RAW_DIR", default_raw_dir()))
# Tests that run a whole ingest, refresh, evaluation or forecast of the mirror are `slow`
# (left out by `make test-fast`): those using these fixtures, and these modules (measured
# with `pytest --durations`: each takes from 10 s to 2 minutes).
SLOW_FIXTURES = {"ingested", "refreshed"}
SLOW_MODULES = {"test_cache", "test_changes", "test_evaluate", "test_forecast_engine",
                "test_stage_graph", "test_failures", "test_run_lock", "test_prefect_cleanup",
                "test_abm", "test_abm_stage", "test_run_history", "test_safety_query",
                "test_empty_inputs"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if (SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
                or item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    if not (RAW_DIR / "onet_29_2").is_dir():
        pytest.skip(f"the raw directory {RAW_DIR} lacks the public files (O*NET, BLS, ...): "
                    "set EXPOSURE_RAW_DIR to a copy of the data mirror to run this test")
    return RAW_DIR


@pytest.fixture()
def ctx(raw_dir: Path) -> IngestContext:
    return IngestContext(raw_dir)


@pytest.fixture(scope="session")
def read_once(raw_dir: Path) -> Ingested:
    """Every reference table of one ingest of the mirror and the files it read (read once
    per test session: a read of every source costs seconds)."""
    from exposure.ingest import read_sources

    return read_sources(raw_dir)


@pytest.fixture(scope="session")
def reference_tables(read_once: Ingested) -> dict:
    """Every reference table of one ingest of the mirror."""
    return read_once.tables


@pytest.fixture(scope="session")
def ingested(tmp_path_factory: pytest.TempPathFactory, raw_dir: Path) -> Settings:
    """A warehouse published by one real ingest of the mirror (once per test session)."""
    from exposure.ingest import INGEST_STAGES
    from exposure.refresh import run_refresh

    root = tmp_path_factory.mktemp("ingest")
    settings = Settings(raw_dir=raw_dir, warehouse=root / "exposure.duckdb",
                        reports_dir=root / "reports", cache_dir=root / "cache")
    run_refresh(settings, INGEST_STAGES)
    return settings


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory: pytest.TempPathFactory, raw_dir: Path) -> Settings:
    """A warehouse published by one full refresh of the mirror (without Prefect)."""
    from exposure.refresh import run_refresh

    root = tmp_path_factory.mktemp("refresh")
    settings = Settings(raw_dir=raw_dir, warehouse=root / "exposure.duckdb",
                        reports_dir=root / "reports", cache_dir=root / "cache",
                        scenarios="P0,P1", draws=40, seed=7)
    run_refresh(settings)
    return settings

"""A refresh with nothing changed: `exposure refresh` sees it from the stage keys and stops
before Prefect starts, leaving the warehouse as it is (issue 9's warm-refresh target)."""

from __future__ import annotations

import time

from exposure.refresh import unchanged_run
from exposure.runs import latest_run_id
from exposure.settings import Settings
from tests.cli_runs import env_for, exposure


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return env_for(settings.cache_dir, EXPOSURE_WAREHOUSE=str(settings.warehouse),
                   EXPOSURE_REPORTS_DIR=str(settings.reports_dir),
                   EXPOSURE_RAW_DIR=str(settings.raw_dir), EXPOSURE_SCENARIOS="P0,P1",
                   EXPOSURE_DRAWS="40", EXPOSURE_SEED="7", **extra)


def test_nothing_changed_is_seen_before_prefect_starts(refreshed: Settings) -> None:
    latest = latest_run_id(refreshed.warehouse)
    assert unchanged_run(refreshed) == latest
    # any setting that enters a key makes it a real run
    assert unchanged_run(refreshed.model_copy(update={"draws": 41})) is None
    assert unchanged_run(refreshed.model_copy(update={"seed": 8})) is None

    before = refreshed.warehouse.stat().st_mtime_ns
    started = time.perf_counter()
    done = exposure("refresh", "--no-wait", env=_env(refreshed))
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert f"nothing changed since run {latest}" in done.stderr
    assert "temporary server" not in done.stderr and "Flow run" not in done.stderr
    assert refreshed.warehouse.stat().st_mtime_ns == before
    assert latest_run_id(refreshed.warehouse) == latest
    assert seconds < 60  # generous: the figure itself is bench/refresh.py's business

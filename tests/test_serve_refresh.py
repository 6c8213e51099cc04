"""`exposure serve` keeps answering while a refresh publishes a new warehouse over the one it
reads (atomic rename), and then serves the new one: the real command on a real socket,
queried without pause from several clients while a real (warm) refresh runs."""

from __future__ import annotations

import shutil
import threading
import time

import httpx
import pytest

from exposure.refresh import run_refresh
from exposure.settings import Settings
from exposure.web.local import running_server

URLS = ("/api/sectors?limit=5",
        "/api/occupations?state=OH&limit=5",
        "/api/forecasts?scenario=P1&year_from=2030&year_to=2030&limit=5",
        "/api/scenarios",
        "/api/runs?limit=3")


@pytest.fixture()
def own_warehouse(refreshed: Settings, tmp_path) -> Settings:
    """A copy of the refreshed warehouse that this test may publish over (the stage cache is
    shared, so the refresh below recomputes nothing)."""
    settings = refreshed.model_copy(update={"warehouse": tmp_path / "exposure.duckdb",
                                            "reports_dir": tmp_path / "reports"})
    shutil.copy2(refreshed.warehouse, settings.warehouse)
    return settings


def test_serving_follows_a_refresh_without_failing_a_request(own_warehouse, tmp_path):
    answers: list[tuple[str, int, str | None, str]] = []  # url, status, run, body start
    stop = threading.Event()

    def ask_forever(base: str, url: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                try:
                    response = client.get(url)
                    answers.append((url, response.status_code,
                                    response.headers.get("X-Exposure-Run"), response.text[:200]))
                except httpx.HTTPError as exc:  # a refused or broken connection counts too
                    answers.append((url, 0, None, repr(exc)))

    with running_server(own_warehouse.warehouse, cache_dir=tmp_path / "cache",
                        reports_dir=own_warehouse.reports_dir) as base:
        old_run = httpx.get(base + "/api/sectors?limit=1").headers["X-Exposure-Run"]
        clients = [threading.Thread(target=ask_forever, args=(base, url)) for url in URLS]
        for thread in clients:
            thread.start()
        time.sleep(1.0)
        before = len(answers)
        new_run = run_refresh(own_warehouse).run_id  # publishes by atomic rename
        during = len(answers) - before
        # Let every client see the new file, then a while longer.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            latest = {url: run for url, _, run, _ in answers}
            if all(latest.get(url) == new_run for url in URLS):
                break
            time.sleep(0.2)
        time.sleep(0.5)
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
        runs = httpx.get(base + "/api/runs", timeout=30).json()

    failures = [a for a in answers if a[1] != 200]
    assert not failures, failures[:5]
    assert new_run != old_run
    runs_seen = {run for _, _, run, _ in answers}
    assert {old_run, new_run} <= runs_seen, runs_seen
    latest = {url: run for url, _, run, _ in answers}
    assert all(latest[url] == new_run for url in URLS), latest
    assert during > 20, "the clients should have been answered while the refresh ran"
    # the new file's rows, not only its header: its run table lists both runs
    assert runs["provenance"]["run_id"] == new_run
    assert {old_run, new_run} <= {row["run_id"] for row in runs["rows"]}

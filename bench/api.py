"""API benchmark: latency (p50, p95) and throughput of `exposure serve` on loopback at 1 and 20
concurrent clients, beside the same queries run directly on DuckDB, in the same run.

Three board queries, each over a set of parameter values so that clients do not repeat one
answer: sectors (every scorer x OEWS year), the occupations of a state (every state, the
first page of 100), and the forecast cells of one scenario and year (every scenario x year,
the 100 largest). For each:
- direct: the query's SQL on the `latest_<table>` view, as the board queries read it, on
  one read-only DuckDB connection (a cursor per client thread); and the same SQL on the
  table with the latest run's id bound (what the view costs);
- API, first answer: each distinct request once, one client (the server computes it with
  the query functions of `exposure.queries`, provenance included);
- API: the same requests again and again (the server keeps each published file's answers
  until a refresh replaces the file), at 1 and 20 concurrent clients on keep-alive
  connections.
Targets (DESIGN.md): p95 <= 20 ms for a board query (direct, one client) and <= 50 ms
through the API at 20 clients.
The server runs in its own process (`exposure serve` on a free loopback port); the client
threads share the machine's cores with it, as a board's browser would not.
Run: .venv/bin/python bench/api.py [--warehouse F] [--seconds 5]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from _timing import verdict

from exposure.runs import latest_run_id
from exposure.settings import get_settings
from exposure.warehouse import connect_read_only
from exposure.web.local import running_server

DIRECT_TARGET_MS = 20.0
API_TARGET_MS = 50.0
CLIENTS = (1, 20)


@dataclass(frozen=True)
class Query:
    name: str
    sql: str  # on the latest_<table> view, as the board queries read
    params: list[list[object]]  # one list of SQL parameters per request
    urls: list[str]  # the same requests through the API
    table: str  # the view's table, to time the same query on it with the run id bound

    def on_table(self, run_id: str) -> Query:
        """The same query on the table itself, `WHERE run_id = ? AND ...`."""
        sql = self.sql.replace(f"latest_{self.table} WHERE", f"{self.table} WHERE run_id = ? AND")
        return Query(self.name, sql, [[run_id, *p] for p in self.params], self.urls,
                     self.table)


def queries(path: Path) -> list[Query]:
    con = connect_read_only(path)
    try:
        scorers = [r[0] for r in con.execute(
            "SELECT DISTINCT scorer FROM latest_sector_exposure ORDER BY 1").fetchall()]
        years = [r[0] for r in con.execute(
            "SELECT DISTINCT year FROM latest_sector_exposure ORDER BY 1").fetchall()]
        states = [r[0] for r in con.execute(
            "SELECT DISTINCT area_code FROM latest_area_occupation_exposure "
            "WHERE area_code <> 'US' ORDER BY 1").fetchall()]
        cells = con.execute("SELECT DISTINCT scenario, year FROM latest_displacement_total "
                            "ORDER BY 1, 2").fetchall()
    finally:
        con.close()
    scorer = scorers[0] if "rubric:human:beta" not in scorers else "rubric:human:beta"
    return [
        Query("sectors",
              "SELECT * FROM latest_sector_exposure WHERE scorer = ? AND year = ? "
              "ORDER BY exposure DESC",
              [[s, y] for s, y in itertools.product(scorers, years)],
              ["/api/sectors?" + urlencode({"scorer": s, "year": y})
               for s, y in itertools.product(scorers, years)], "sector_exposure"),
        Query("occupations of a state",
              "SELECT * FROM latest_area_occupation_exposure WHERE scorer = ? AND "
              "area_code = ? ORDER BY exposure DESC NULLS LAST, employment DESC NULLS LAST "
              "LIMIT 100",
              [[scorer, s] for s in states],
              ["/api/occupations?" + urlencode({"scorer": scorer, "state": s, "limit": 100})
               for s in states], "area_occupation_exposure"),
        Query("forecast cells",
              "SELECT * FROM latest_displacement_forecast WHERE scenario = ? AND year = ? "
              "ORDER BY displaced_p50 DESC LIMIT 100",
              [[s, y] for s, y in cells],
              ["/api/forecasts?" + urlencode({"scenario": s, "year_from": y, "year_to": y,
                                              "limit": 100}) for s, y in cells],
              "displacement_forecast"),
    ]


@dataclass
class Figures:
    p50_ms: float
    p95_ms: float
    per_s: float
    n: int

    def __str__(self) -> str:
        return f"p50 {self.p50_ms:6.1f} ms  p95 {self.p95_ms:6.1f} ms  {self.per_s:7.0f}/s"


def figures(latencies: list[float], seconds: float) -> Figures:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return Figures(statistics.median(ordered) * 1000, p95 * 1000, len(ordered) / seconds,
                   len(ordered))


def hammer(clients: int, seconds: float, make: Callable[[int], Callable[[int], None]],
           count: int) -> Figures:
    """`clients` threads, each calling its own `make(client)` on request numbers (spread
    over the `count` distinct requests) until `seconds` have passed."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop = time.perf_counter() + seconds + 1e9  # set once every thread is ready

    def run(client: int) -> None:
        call = make(client)
        mine = []
        i = client * 7
        start.wait()
        while time.perf_counter() < stop:
            t = time.perf_counter()
            call(i % count)
            mine.append(time.perf_counter() - t)
            i += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return figures(latencies, time.perf_counter() - began)


def direct(path: Path, query: Query, clients: int, seconds: float) -> Figures:
    con = connect_read_only(path)
    try:
        def make(_: int) -> Callable[[int], None]:
            cursor = con.cursor()
            return lambda i: cursor.execute(query.sql, query.params[i]).fetchall()
        return hammer(clients, seconds, make, len(query.params))
    finally:
        con.close()


class Client:
    """One keep-alive connection (the standard library's: the client threads share the
    cores with the server, so they should cost as little as they can)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def get(self, url: str) -> None:
        self.connection.request("GET", url)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {body[:300]!r}")

    def close(self) -> None:
        self.connection.close()


def through_api(base: str, query: Query, clients: int, seconds: float) -> Figures:
    sessions: list[Client] = []

    def make(_: int) -> Callable[[int], None]:
        session = Client(base)
        sessions.append(session)
        return lambda i: session.get(query.urls[i])
    try:
        return hammer(clients, seconds, make, len(query.urls))
    finally:
        for session in sessions:
            session.close()


def first_answers(base: str, query: Query) -> Figures:
    """Each distinct request once: the server computes every one."""
    latencies = []
    session = Client(base)
    began = time.perf_counter()
    try:
        for url in query.urls:
            t = time.perf_counter()
            session.get(url)
            latencies.append(time.perf_counter() - t)
    finally:
        session.close()
    return figures(latencies, time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, default=None,
                        help="the warehouse (default: EXPOSURE_WAREHOUSE or data/)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="seconds each concurrency level runs (default 5)")
    args = parser.parse_args()
    path = args.warehouse or get_settings().warehouse
    work = queries(path)
    print(f"warehouse {path}; {args.seconds:g} s per figure")
    results: dict[tuple[str, str, int], Figures] = {}
    con = connect_read_only(path)
    try:
        runs = {q.table: latest_run_id(con, q.table) for q in work}
    finally:
        con.close()
    for query in work:
        for clients in CLIENTS:
            results[query.name, "direct", clients] = direct(path, query, clients, args.seconds)
            results[query.name, "table", clients] = direct(
                path, query.on_table(runs[query.table]), clients, args.seconds)
    with running_server(path) as base:
        for query in work:
            results[query.name, "first", 1] = first_answers(base, query)
            for clients in CLIENTS:
                results[query.name, "api", clients] = through_api(base, query, clients,
                                                                  args.seconds)
    for query in work:
        print(f"\n{query.name} ({len(query.urls)} distinct requests)")
        for clients in CLIENTS:
            shown = results[query.name, "direct", clients]
            print(f"  direct DuckDB, {clients:2d} clients  {shown}")
        for clients in CLIENTS:
            shown = results[query.name, "table", clients]
            print(f"  table+run id,  {clients:2d} clients  {shown}")
        print(f"  API, first answer, 1 client {results[query.name, 'first', 1]}")
        for clients in CLIENTS:
            shown = results[query.name, "api", clients]
            print(f"  API,           {clients:2d} clients  {shown}")
        d1 = results[query.name, "direct", 1].p95_ms
        a20 = results[query.name, "api", 20].p95_ms
        print(f"  direct p95 {d1:.1f} ms (target {DIRECT_TARGET_MS:g}: "
              f"{verdict(d1 <= DIRECT_TARGET_MS)}); API p95 at 20 clients {a20:.1f} ms "
              f"(target {API_TARGET_MS:g}: {verdict(a20 <= API_TARGET_MS)})")


if __name__ == "__main__":
    main()

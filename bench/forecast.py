"""Forecast benchmark: every shipped scenario × every sector × occupation × year (2025-2035)
with 1,000 Monte-Carlo draws each, on the real mirror, end to end (calibration of μ, draws,
tables, sensitivity).

Side by side in the same run:

* **shared** — one `forecast` call for all scenarios: capability, cost, gate and diffusion
  are computed once per chunk of draws and every scenario applies its own thresholds and
  policies (MODEL_SPEC §7, common random numbers);
* **per-scenario loop** — the same scenarios one `forecast` call at a time (what the
  pipeline did before), which repeats the shared work and the μ calibration per scenario.

Both print seconds, seconds per scenario and the peak resident memory of the process while
they ran (sampled every 20 ms from /proc), and the script checks that both give the same
national totals.
Target (the issue): every shipped scenario in at most 10 s in all on the 2-core machine.
Optionally (`--dask`), the shared run on a local Dask cluster (two single-threaded worker
processes), checked to give identical tables.

Run: .venv/bin/python bench/forecast.py [--draws N] [--repeat N] [--chunk-size N]
     [--workers N] [--skip-loop] [--dask]
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from importlib.util import find_spec

import polars as pl
from _timing import real_tables, repeat_parser, spread, timings, verdict

from exposure.features import build_task_features
from exposure.forecast import (
    CHUNK_SIZE,
    TABLES,
    baseline_employment,
    forecast,
    list_scenarios,
    sector_calibration,
)

TARGET_S = 10.0


def peak_rss(fn: Callable[[], dict]) -> tuple[dict, float]:
    """The result of ``fn`` and the peak resident memory of this process while it ran, in GiB
    (sampled every 20 ms; Linux /proc)."""
    page = os.sysconf("SC_PAGE_SIZE")
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with open("/proc/self/statm") as f:
                peak = max(peak, int(f.read().split()[1]) * page)
            time.sleep(0.02)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        out = fn()
    finally:
        done.set()
        watcher.join()
    return out, peak / 2**30


def main() -> None:
    parser = repeat_parser(1, __doc__)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--skip-loop", action="store_true", help="no per-scenario loop")
    parser.add_argument("--dask", action="store_true", help="also the shared run on Dask")
    args = parser.parse_args()
    tables = real_tables()
    features = build_task_features(tables)
    inputs = {"calibration": sector_calibration(tables),
              "baseline": baseline_employment(tables)}
    ids = [s.id for s in list_scenarios()]
    opts = {"draws": args.draws, "chunk_size": args.chunk_size, "workers": args.workers,
            **inputs}

    def shared() -> dict:
        return forecast(features, None, tables, ids, **opts)

    def loop() -> dict:
        parts = [forecast(features, None, tables, [s], **opts) for s in ids]
        return {name: pl.concat([p[name] for p in parts]) for name in TABLES}

    times, (out, peak) = timings(lambda: peak_rss(shared), args.repeat)
    t = statistics.median(times)
    rows = out["displacement_forecast"].height
    print(f"{len(ids)} scenarios ({', '.join(ids)}) x {args.draws} draws, {rows:,} rows")
    print(f"  shared, one call:       {spread(times)}; {t / len(ids):5.2f} s per scenario; "
          f"peak resident memory {peak:.2f} GiB; target <= {TARGET_S:.0f} s in all: "
          f"{verdict(t <= TARGET_S)}")
    if not args.skip_loop:
        times_l, (each, peak_l) = timings(lambda: peak_rss(loop), args.repeat)
        t_l = statistics.median(times_l)
        same = out["displacement_total"].equals(each["displacement_total"])
        print(f"  per-scenario loop:      {spread(times_l)}; {t_l / len(ids):5.2f} s per "
              f"scenario; peak resident memory {peak_l:.2f} GiB; {t_l / t:.2f}x the shared "
              f"time; national totals identical: {'yes' if same else 'NO'}")
        if not same:
            sys.exit("the per-scenario loop's totals differ from the shared run's")
    if args.dask:
        on_dask(features, tables, ids, opts, out)
    headline(out)


def on_dask(features: pl.DataFrame, tables: dict, ids: list[str], opts: dict,
            local: dict) -> None:
    missing = [m for m in ("distributed", "prefect_dask") if find_spec(m) is None]
    if missing:
        print(f"  on Dask: skipped, the dask extra is not installed ({', '.join(missing)})")
        return
    from exposure.forecast.runners.dask_runner import DaskRunner

    start = time.perf_counter()
    runner = DaskRunner(None)
    started = time.perf_counter() - start
    try:
        times, out = timings(lambda: forecast(features, None, tables, ids, runner=runner,
                                              **opts), 1)
    finally:
        runner.close()
    same = all(out[name].equals(local[name]) for name in TABLES)
    print(f"  shared, local Dask cluster: {times[0]:.2f} s (cluster start {started:.2f} s, "
          f"untimed); tables identical: {'yes' if same else 'NO'}")
    if not same:
        sys.exit("the Dask run's tables differ from the local run's")


def headline(tables: dict[str, pl.DataFrame]) -> None:
    total = tables["displacement_total"].filter(pl.col("year").is_in([2030, 2035]))
    print("\nnational displaced (quantiles of the total over draws)")
    for r in total.sort("scenario", "year").iter_rows(named=True):
        print(f"  {r['scenario']:>7} {r['year']}: p10 {r['displaced_p10'] / 1e6:6.2f}M  "
              f"p50 {r['displaced_p50'] / 1e6:6.2f}M  p90 {r['displaced_p90'] / 1e6:6.2f}M  "
              f"of {r['baseline_employment'] / 1e6:6.1f}M")
    macro = tables["macro_check"].filter(pl.col("case") == "p50")
    for r in macro.iter_rows(named=True):
        print(f"  {r['scenario']:>7} bottom-up TFP {r['tfp_gain_pct']:.2f}%, pi_bar "
              f"{r['pi_bar']:.3f} (outside the plausible bands: {r['outside_band']})")


if __name__ == "__main__":
    main()

"""Refresh benchmark: a cold refresh, a warm refresh with nothing changed, and the same stages
called directly without Prefect, in one run; Prefect's own overhead is printed apart.

Everything is written under a temporary folder (warehouse, reports, stage cache), each
repeat in a fresh one:
- Prefect, cold: the flow `flows.refresh.refresh(...)` on an empty cache and no warehouse;
- Prefect, warm: the same flow again, nothing changed; every stage must be `cached` (the run
  record's `stage_states`), else the script fails;
- direct, cold and warm: `exposure.refresh.run_refresh(settings)`, the same stages without
  Prefect, on a cache and warehouse of their own.
Prefect's overhead is flow - direct (cold and warm). Its temporary server starts once per
process, before any of these runs, and is timed apart (with two runs of an empty flow), so
none of the figures above include it; `exposure refresh` pays it on every run. The project's
Prefect home (`.prefect/`) is used as `exposure refresh` uses it; PREFECT_API_URL, if set,
points the flows at that server instead (then there is no start-up to time).

The forecast is kept small so the figures are about the refresh, not the Monte Carlo:
EXPOSURE_SCENARIOS=P0 and EXPOSURE_DRAWS=200 by default (`--scenarios`, `--draws`; the
forecast alone is bench/forecast.py's business). Before timing, the raw files are read once
(OS cache) and the modules the stages import lazily are imported, so the first cold run
pays neither. Prefect's console log is quiet (warnings only) unless `--prefect-logs`.
Run: .venv/bin/python bench/refresh.py [--repeat N] [--scenarios P0] [--draws 200]
     [--scorers SPECS] [--prefect-logs]
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _timing import repeat_parser, timed, timings

from exposure.pipeline import CACHED, COMPUTED
from exposure.prefect_setup import configure_prefect
from exposure.refresh import run_refresh
from exposure.runs import RunRecord
from exposure.settings import Settings, get_settings


def options() -> argparse.Namespace:
    parser = repeat_parser(3, __doc__)
    parser.add_argument("--scenarios", default="P0",
                        help="EXPOSURE_SCENARIOS of every run (default P0)")
    parser.add_argument("--draws", type=int, default=200,
                        help="EXPOSURE_DRAWS of every run (default 200)")
    parser.add_argument("--scorers", default=None,
                        help="EXPOSURE_SCORERS of every run (default: the settings' default)")
    parser.add_argument("--prefect-logs", action="store_true",
                        help="keep Prefect's INFO log on the console (stderr)")
    return parser.parse_args()


def states(run: RunRecord) -> dict[str, str]:
    return dict(run.parameters.get("stage_states", {}))


def check(run: RunRecord, expected: str, what: str) -> dict[str, str]:
    """The run's stage states; exit with the stages in another state than `expected`."""
    found = states(run)
    wrong = {stage: state for stage, state in found.items() if state != expected}
    if run.status != "succeeded" or not found or wrong:
        sys.exit(f"{what}: expected every stage {expected}, got status {run.status}, "
                 f"stages {wrong or found}")
    return found


def warm_up(scorers: tuple[str, ...]) -> None:
    """Read the raw files once (OS cache) and import what the stages import lazily."""
    from exposure.ingest import read_sources
    from exposure.refresh import refresh_stages
    from exposure.scorers import load_scorer

    refresh_stages()
    for module in ("io.baseline", "io.calibration", "engine", "runners"):
        importlib.import_module(f"exposure.forecast.{module}")
    for spec in scorers:
        load_scorer(spec)
    read_sources(get_settings().raw_dir)


def server_start() -> float | None:
    """Seconds to start Prefect's temporary server (None when PREFECT_API_URL is set)."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    from prefect.server.api.server import SubprocessASGIServer

    start = time.perf_counter()
    SubprocessASGIServer().start()
    return time.perf_counter() - start


EXPOSURE = str(Path(sys.executable).with_name("exposure"))


def command_seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {done.stderr.strip().splitlines()[-1:]}")
    return seconds


def warm_command(raw_dir: Path, scorers: str | None, paths: dict[str, str]) -> float:
    """Seconds of `exposure refresh` on a warehouse and cache that a refresh just made; it
    must see that nothing changed."""
    env = {**os.environ, "EXPOSURE_RAW_DIR": str(raw_dir),
           "EXPOSURE_WAREHOUSE": paths["warehouse"],
           "EXPOSURE_REPORTS_DIR": paths["reports_dir"], "EXPOSURE_CACHE_DIR": paths["cache_dir"]}
    if scorers:
        env["EXPOSURE_SCORERS"] = scorers
    start = time.perf_counter()
    done = subprocess.run([EXPOSURE, "refresh"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or "nothing changed since run" not in done.stderr:
        sys.exit(f"warm `exposure refresh` did not see that nothing changed: {done.stderr}")
    return seconds


def main() -> None:
    args = options()
    os.environ["EXPOSURE_SCENARIOS"] = args.scenarios
    os.environ["EXPOSURE_DRAWS"] = str(args.draws)
    if not args.prefect_logs:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    configure_prefect()

    start = time.perf_counter()
    from prefect import flow

    from flows.refresh import refresh
    imported = time.perf_counter() - start

    base = get_settings(scorers=args.scorers)
    raw_dir = base.raw_dir
    print(f"refresh of {raw_dir}: scorers {base.scorers}; scenarios {args.scenarios}, "
          f"{args.draws} draws; {args.repeat} repeat(s), medians; CPUs {os.cpu_count()}")
    warm_up(base.scorer_list)

    @flow(name="bench-empty")
    def empty() -> None:
        return None

    started = server_start()
    (first_empty,), _ = timings(empty, 1)
    empty_s, _ = timed(empty, 3)

    times: dict[tuple[str, str], list[float]] = {}
    cli_times: list[float] = []
    startup_times: list[float] = []
    shown: dict[str, str] = {}
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
            def paths(name: str, tmp: str = tmp) -> dict[str, str]:
                folder = Path(tmp) / name
                return {"warehouse": str(folder / "w.duckdb"),
                        "reports_dir": str(folder / "reports"),
                        "cache_dir": str(folder / "cache")}

            flow_paths, direct_paths = paths("prefect"), paths("direct")
            settings = get_settings(raw_dir=raw_dir, scorers=args.scorers, **direct_paths)

            def on_prefect(flow_paths: dict[str, str] = flow_paths) -> RunRecord:
                return refresh(str(raw_dir), scorers=args.scorers, **flow_paths)

            def direct(settings: Settings = settings) -> RunRecord:
                return run_refresh(settings)

            # Alternate which goes first, so neither always runs on a colder machine.
            runners = [("Prefect", on_prefect), ("direct", direct)]
            for how, fn in runners if i % 2 == 0 else runners[::-1]:
                for temperature, expected in (("cold", COMPUTED), ("warm", CACHED)):
                    (seconds,), run = timings(fn, 1)
                    found = check(run, expected, f"{how} {temperature} refresh")
                    times.setdefault((how, temperature), []).append(seconds)
                    if (how, temperature) == ("Prefect", "warm"):
                        shown = found
            # what an analyst types: the whole command, a new process, nothing changed
            cli_times.append(warm_command(raw_dir, args.scorers, flow_paths))
            startup_times.append(command_seconds([EXPOSURE, "--help"], os.environ.copy()))

    print(f"\nwarm refresh under Prefect: all {len(shown)} stages {CACHED} "
          f"(stage_states of its run record):")
    print(textwrap.fill(", ".join(f"{stage}={state}" for stage, state in shown.items()),
                        width=96, initial_indent="  ", subsequent_indent="  "))
    print(f"\n{f'median of {args.repeat} (min-max)':<27}{'Prefect flow':<24}{'direct':<24}"
          "overhead = flow - direct (range per repeat)")
    for temperature, label in (("cold", "cold (empty cache)"), ("warm", "warm (nothing changed)")):
        flow_t, direct_t = times["Prefect", temperature], times["direct", temperature]
        flow_s, direct_s = statistics.median(flow_t), statistics.median(direct_t)
        paired = [f - d for f, d in zip(flow_t, direct_t, strict=True)]
        cells = [f"{m:5.2f} s ({min(t):.2f}-{max(t):.2f})"
                 for m, t in ((flow_s, flow_t), (direct_s, direct_t))]
        print(f"{label:<27}{cells[0]:<24}{cells[1]:<24}{flow_s - direct_s:+6.2f} s "
              f"({100 * (flow_s - direct_s) / direct_s:+.0f}%; "
              f"{min(paired):+.2f} to {max(paired):+.2f})")
    print(f"\n`exposure refresh` end to end, nothing changed (new process, median): "
          f"{statistics.median(cli_times):.2f} s; target < 3 s; baseline `exposure --help` "
          f"in the same run: {statistics.median(startup_times):.2f} s")
    print("\nPrefect, apart from the figures above (once per process; `exposure refresh` "
          "pays them on every run):")
    print(f"  import of prefect and the flow module     {imported:6.2f} s")
    if started is None:
        print("  temporary server start-up                 none (PREFECT_API_URL is set)")
    else:
        print(f"  temporary server start-up                 {started:6.2f} s")
    print(f"  first run of an empty flow                {first_empty:6.2f} s")
    print(f"  later runs of an empty flow (median of 3) {empty_s:6.2f} s")


if __name__ == "__main__":
    main()

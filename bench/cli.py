"""Board command benchmark: each board command as a user runs it (a new `exposure` process,
the full warehouse, read-only), beside baselines measured in the same run.

Baselines:
* `python -c pass`: the interpreter alone;
* `exposure --help`: the command line's start (every command family imported);
* `duckdb` (the CLI) copying the same rows as `forecast-table -o all.csv` (every forecast
  cell, sorted, with the provenance columns) straight to a csv file: what the query costs
  without Python.

Each figure is the median (p50) of `--repeat` runs, with the slowest run and the largest
peak resident memory of the runs (`os.wait4`); each run writes its file into a new folder.
Target (issue 12): every board
command under 2 s on the full warehouse, the unfiltered `forecast-table -o all.csv`
(1.2 million rows) included. A command that fails (e.g. a table the warehouse predates)
is reported with its one-line error and does not stop the others.

Run: .venv/bin/python bench/cli.py [--repeat N] [--warehouse FILE] [--only NAME]
     [--exposure PROGRAM]   (another build's `exposure`, e.g. to time the code before a change)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _timing import repeat_parser, verdict

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_S = 2.0
SIZES: dict[str, int] = {}  # bytes of the files the commands wrote

# name -> the arguments after `exposure`; {out} is a temporary folder
COMMANDS: dict[str, list[str]] = {
    "sectors": ["sectors"],
    "occupations": ["occupations"],
    "occupations --search nurse": ["occupations", "--search", "nurse"],
    "occupations --area OH": ["occupations", "--area", "OH"],
    "areas": ["areas"],
    "wage-bands --area OH": ["wage-bands", "--area", "OH"],
    "education": ["education"],
    "area-forecast --area OH": ["area-forecast", "--area", "OH"],
    "forecast-table": ["forecast-table"],
    "forecast-table --scenario P1 --year 2035": ["forecast-table", "--scenario", "P1",
                                                 "--year", "2035"],
    "forecast-table --measure unemployed": ["forecast-table", "--measure", "unemployed"],
    "forecast-table --sensitivity": ["forecast-table", "--sensitivity"],
    "forecast-table -o all.csv": ["forecast-table", "-o", "{out}/all.csv"],
    "forecast-table -o all.parquet": ["forecast-table", "-o", "{out}/all.parquet"],
    "forecast-table --scenario P1 --year 2035 -o p1.xlsx": [
        "forecast-table", "--scenario", "P1", "--year", "2035", "-o", "{out}/p1.xlsx"],
    "sectors -o sectors.xlsx": ["sectors", "-o", "{out}/sectors.xlsx"],
}

# the rows and columns of `forecast-table -o all.csv`, for the DuckDB baseline
DIRECT_COPY = """
COPY (
  SELECT f.run_id, f.scenario, s.title AS scenario_title, f.year, f.soc_code,
         coalesce(o.title, p.title) AS soc_title, f.naics_sector, n.title AS sector_title,
         f.* EXCLUDE (run_id, scenario, year, soc_code, naics_sector),
         'O*NET release' AS onet_release, 'employment source' AS employment_source
  FROM latest_displacement_forecast f
  LEFT JOIN latest_forecast_scenario s USING (scenario)
  LEFT JOIN (SELECT soc_code, any_value(title) AS title FROM soc_structure GROUP BY ALL) o
    USING (soc_code)
  LEFT JOIN projection p USING (soc_code)
  LEFT JOIN naics_sector n USING (naics_sector)
  ORDER BY f.scenario, f.year, f.displaced_p50 DESC
) TO '{path}' (FORMAT csv)
"""


def run_once(argv: list[str], env: dict[str, str], limit: float
             ) -> tuple[float, int, int, str]:
    """Seconds, exit code, peak resident memory (KiB) and last stderr line of one run,
    killed after `limit` seconds (an unbounded table could otherwise run for minutes)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        timer = threading.Timer(limit, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        err.seek(0)
        lines = err.read().decode(errors="replace").strip().splitlines()
    last = f"killed after {limit:.0f} s" if code == -9 else (lines[-1] if lines else "")
    return seconds, code, usage.ru_maxrss, last


def measure(name: str, argv: list[str], env: dict[str, str], repeat: int,
            target: float | None = TARGET_S, limit: float = 120.0) -> float | None:
    """Time `argv` `repeat` times; "{out}" in an argument is a new empty folder each run
    (a file the command writes is new, as a first export is: replacing a 400 MiB file
    costs its unlink too)."""
    runs = []
    for _ in range(max(1, repeat)):
        out = Path(tempfile.mkdtemp(prefix="bench_cli_out_"))
        try:
            runs.append(run_once([a.format(out=out) for a in argv], env, limit))
            if name.endswith(".csv") and (out / "all.csv").exists():
                SIZES[name] = (out / "all.csv").stat().st_size
        finally:
            shutil.rmtree(out, ignore_errors=True)
        if runs[-1][1] != 0:
            break
    failed = [r for r in runs if r[1] != 0]
    if failed:
        print(f"  {name:<52} failed (exit {failed[0][1]}): {failed[0][3][:90]}")
        return None
    times = [r[0] for r in runs]
    p50 = statistics.median(times)
    rss = max(r[2] for r in runs) / 1024
    mark = "" if target is None else f"  {verdict(p50 < target)}"
    print(f"  {name:<52} p50 {p50:5.2f} s  max {max(times):5.2f} s  "
          f"peak {rss:6.0f} MiB{mark}")
    return p50


def main() -> None:
    parser = repeat_parser(5, __doc__)
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "exposure.duckdb",
                        help="the warehouse to read (default: data/exposure.duckdb)")
    parser.add_argument("--exposure", default=str(BIN / "exposure"),
                        help="the exposure program to time (default: this venv's)")
    parser.add_argument("--only", action="append", default=None, metavar="NAME",
                        help="time only the commands whose name contains NAME (repeatable)")
    args = parser.parse_args()
    if not args.warehouse.is_file():
        sys.exit(f"no warehouse at {args.warehouse}: run `exposure refresh` first")
    env = {**os.environ, "EXPOSURE_WAREHOUSE": str(args.warehouse), "COLUMNS": "160"}
    exposure = args.exposure
    print(f"board commands on {args.warehouse} ({args.warehouse.stat().st_size / 2**20:.0f} "
          f"MiB), {os.cpu_count()} CPUs, p50 of {args.repeat} runs; target < {TARGET_S:.0f} s")
    print("baselines")
    measure("python -c pass", [sys.executable, "-c", "pass"], env, args.repeat, None)
    measure("exposure --help", [exposure, "--help"], env, args.repeat, None)
    duckdb = BIN / "duckdb" if (BIN / "duckdb").exists() else shutil.which("duckdb")
    if duckdb:
        sql = DIRECT_COPY.format(path="{out}/direct.csv")
        measure("duckdb CLI: the all.csv rows, COPY to csv",
                [str(duckdb), "-readonly", str(args.warehouse), "-c", sql], env,
                args.repeat, None)
    else:
        print("  duckdb CLI not installed (dev extra): direct baseline skipped")
    print("board commands")
    for name, argv in COMMANDS.items():
        if args.only and not any(part in name for part in args.only):
            continue
        measure(name, [exposure, *argv], env, args.repeat)
    for name, size in SIZES.items():
        print(f"{name}: {size / 2**20:.0f} MiB written")


if __name__ == "__main__":
    main()

"""The `exposure` command: a thin layer over library functions, one module per family.

- `runs`: ingest, score, rollup, forecast, refresh; `runs` (and `runs prune`)
- `boards`: sectors, occupations, areas, forecast-table, declared from one spec
- `backtest`: the latest run's backtest, printed as a board
- `report`, `query` (query, tables), `schedule`, `fetch`, `scorers` (scorers, compare)

Shared options are defined once in `options`, the app and its helpers in `common`; SQL
lives in the library (`exposure.queries`, `exposure.runs`), not here.

Every failure ends as one sentence on stderr and a non-zero exit: an `ExposureError` as it
is, anything else through `exposure.failures.unexpected_error`; `--verbose` adds the
traceback.
"""

from __future__ import annotations

import importlib
import signal

from exposure.cli.common import app, fail
from exposure.errors import ExposureError

# Importing a family's module registers its commands; this order is the order of --help.
FAMILIES = ("runs", "boards", "backtest", "report", "query", "schedule", "fetch", "scorers",
            "workbook", "serve")
for _family in FAMILIES:
    importlib.import_module(f"exposure.cli.{_family}")


def _terminate(signum: int, frame: object) -> None:
    # Python's default for SIGTERM is to die on the spot: no finally blocks, no atexit hooks
    # (Prefect stops its temporary server in one), no record of the failed run.
    raise SystemExit(128 + signum)


def run() -> None:
    """Entry point: Typer handles usage errors; every other failure becomes one sentence and
    an exit code (2 input, settings or scorer; 3 warehouse or disk; 1 a bug)."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except ExposureError as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the user gets one sentence
        from exposure.failures import unexpected_error

        fail(unexpected_error(exc))


__all__ = ["FAMILIES", "app", "run"]

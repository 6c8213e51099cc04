"""What every command family shares: the Typer app, the stderr console, the settings of a
command's options, and the way results and failures are printed.

Text that comes from data (cells, error messages quoting values, paths) is never read as
Rich markup: the stderr console has markup off and tables get `Text` cells.

Only what parsing the command line needs is imported here; polars, the settings (pydantic)
and the warehouse are imported by the commands that use them, so `exposure --help` and a
board command do not pay for what they do not use.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from exposure.errors import ExposureError
from exposure.output import Format, Request, emit, requested

if TYPE_CHECKING:
    import polars as pl

    from exposure.queries import Provenance
    from exposure.settings import Settings

app = typer.Typer(
    help="Task-level AI exposure, roll-ups and displacement forecasts from O*NET and BLS data. "
    "Exposure is not a probability of job loss.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, markup=False)
state = {"verbose": False}


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")]
         = False) -> None:
    state["verbose"] = verbose


def settings_for(raw_dir: Path | None = None, warehouse: Path | None = None,
                 reports_dir: Path | None = None, scorers: list[str] | None = None
                 ) -> Settings:
    """The settings with a command's options applied over the environment's."""
    from exposure.settings import get_settings

    return get_settings(raw_dir=raw_dir, warehouse=warehouse, reports_dir=reports_dir,
                        scorers=",".join(scorers) if scorers else None)


def notice(text: str) -> None:
    """One line for the user on stderr (a lock wait, a cleared stale lock, ...)."""
    err.print(text, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def board_output(fmt: Format, output: Path | None, top: int | None = None
                 ) -> Iterator[Request]:
    """Run a board's query and print its result inside this block: the query reads the
    request (`exposure.output.Request`) to fetch only the rows a terminal shows (cap + 1,
    the rest counted in DuckDB) unless --top (`top`) asks for a number."""
    from exposure.warehouse import pandas_unimported

    with requested(fmt, output, top) as request, pandas_unimported():
        yield request


def emit_result(frame: pl.DataFrame, provenance: Provenance, fmt: Format,
                output: Path | None, title: str) -> None:
    """A board's table with its sources as the caption (at most the row cap, then "N more
    rows"), or its rows with the sources as columns (csv/json/parquet/xlsx), so a figure
    never travels without them."""
    if fmt is Format.table and output is None:
        from exposure.output import current_request

        request = current_request()
        emit(frame, fmt, title=title, caption=provenance.caption(),
             total=None if request is None else request.total)
    else:
        emit(provenance.stamp(frame), fmt, output)
        if output is not None:
            notice(f"wrote {frame.height:,} rows to {output}")


def fail(error: ExposureError) -> None:
    """One sentence on stderr (with the traceback under --verbose) and the error's exit code;
    call it from the `except` block so the traceback is the one being handled."""
    if state["verbose"]:
        err.print_exception()
    err.print(Text.assemble(("error:", "red"), " ", str(error)), highlight=False,
              soft_wrap=True)
    sys.exit(error.exit_code)

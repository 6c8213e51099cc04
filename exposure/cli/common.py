"""What every command family shares: the Typer app, the stderr console, the settings of a
command's options, and the way results and failures are printed.

Text that comes from data (cells, error messages quoting values, paths) is never read as
Rich markup: the stderr console has markup off and tables get `Text` cells.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.text import Text

from exposure.errors import ExposureError
from exposure.output import Format, emit
from exposure.settings import Settings, get_settings

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
    return get_settings(raw_dir=raw_dir, warehouse=warehouse, reports_dir=reports_dir,
                        scorers=",".join(scorers) if scorers else None)


def notice(text: str) -> None:
    """One line for the user on stderr (a lock wait, a cleared stale lock, ...)."""
    err.print(text, highlight=False, soft_wrap=True)


def emit_result(frame: pl.DataFrame, provenance, fmt: Format, output: Path | None,
                title: str) -> None:
    """A board's table with its sources as the caption, or its rows with the sources as
    columns (csv/json/parquet), so a figure never travels without them."""
    if fmt is Format.table:
        emit(frame, fmt, output, title=title, caption=provenance.caption())
    else:
        emit(provenance.stamp(frame), fmt, output)


def fail(error: ExposureError) -> None:
    """One sentence on stderr (with the traceback under --verbose) and the error's exit code;
    call it from the `except` block so the traceback is the one being handled."""
    if state["verbose"]:
        err.print_exception()
    err.print(Text.assemble(("error:", "red"), " ", str(error)), highlight=False,
              soft_wrap=True)
    sys.exit(error.exit_code)

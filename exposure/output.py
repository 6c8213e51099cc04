"""Writing a result frame the way a user asked: a readable table on the terminal, or a
csv/json/parquet/xlsx file.

- The format is `-f` when given, else the extension of `-o FILE` (.csv .json .parquet
  .xlsx), else a table. An unknown extension without `-f`, an `-f` that disagrees with a
  known extension, `-f table` with a file and parquet/xlsx without a file are errors
  (`resolve_format`), never silently something else.
- The terminal shows human headers, percents, whole people with separators
  (`exposure.presentation`) and at most `ROW_CAP` rows, then the line "N more rows; use
  --top or -o FILE". Board queries learn the cap from the active `Request` and fetch only
  cap + 1 rows, counting the rest in DuckDB, so a 1.2-million-row table is never rendered.
- csv/json/parquet keep the machine column names and full precision. xlsx has human
  headers and a number format per kind (percent, people, dollars) over the full values.
- Files are written beside their target and renamed over it when complete, so an
  interrupted or failed write leaves no half-written file.

Heavy imports (polars, rich, the presentation module) happen when a result is written,
not when the command line is parsed: `exposure --help` does not pay for them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.errors import ConfigError

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    xlsx = "xlsx"


EXTENSIONS: dict[str, Format] = {".csv": Format.csv, ".json": Format.json,
                                 ".parquet": Format.parquet, ".xlsx": Format.xlsx}
FILE_ONLY = (Format.parquet, Format.xlsx)  # binary: never written to the terminal
ROW_CAP = 40  # rows a terminal table shows unless --top asks for a number
XLSX_MAX_ROWS = 1_048_575  # a worksheet's 1,048,576 rows, less the header
XLSX_SHEET = "data"


def format_of(path: Path | str) -> Format | None:
    """The format a file's extension names (any case), None for another extension."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def _extensions() -> str:
    return ", ".join(EXTENSIONS)


def resolve_format(fmt: Format | None, output: Path | None) -> Format:
    """The format to write: `fmt` (None: not given), else `output`'s extension, else a
    table. Refuses what would otherwise be silently wrong."""
    inferred = None if output is None else format_of(output)
    if fmt is None:
        if output is None:
            return Format.table
        if inferred is None:
            raise ConfigError(
                f"cannot tell the format of {output} from its extension "
                f"('{Path(output).suffix or 'none'}')",
                f"name the file with one of {_extensions()}, or give -f csv|json|parquet|xlsx")
        return inferred
    if output is None:
        if fmt in FILE_ONLY:
            raise ConfigError(f"{fmt} output needs a file", f"add -o FILE.{fmt}")
        return fmt
    if fmt is Format.table:
        raise ConfigError("-f table prints to the terminal and writes no file",
                          f"drop -f table to write {output} as "
                          f"{inferred or 'the format its extension names'}")
    if inferred is not None and inferred is not fmt:
        raise ConfigError(f"-f {fmt} disagrees with the extension of {output} ({inferred})",
                          f"drop -f, or name the file .{fmt}")
    return fmt


@dataclass
class Request:
    """How the rows of a board will be used, set by the command before its query runs.

    A query that honours it (`exposure.queries._latest`) fetches at most `cap` + 1 rows
    for the terminal and records in `total` how many rows matched, so a table of millions
    of rows costs a LIMIT and a count, not a fetch."""

    fmt: Format
    output: Path | None = None
    cap: int | None = ROW_CAP  # rows the terminal shows (None: all; --top chose a number)
    total: int | None = None  # rows that matched, when the query fetched fewer

    def fetch_limit(self, limit: int | None) -> int | None:
        """The LIMIT a query should use for this request, given its own (--top)."""
        if self.fmt is not Format.table or self.cap is None:
            return limit
        return self.cap + 1 if limit is None else min(limit, self.cap + 1)


_REQUEST: ContextVar[Request | None] = ContextVar("exposure_output_request", default=None)


@contextlib.contextmanager
def requested(fmt: Format, output: Path | None = None, top: int | None = None
              ) -> Iterator[Request]:
    """Make `Request(fmt, output)` the active request inside the block; `top` (the
    command's --top) lifts the terminal's row cap."""
    request = Request(fmt, output, cap=None if top is not None else ROW_CAP)
    token = _REQUEST.set(request)
    try:
        yield request
    finally:
        _REQUEST.reset(token)


def current_request() -> Request | None:
    """The active request (None outside a command, e.g. for the web app or a workbook)."""
    return _REQUEST.get()


def _command_flags() -> set[str] | None:
    """The option flags of the running command (None outside one)."""
    try:  # Typer >= 0.2x carries its own copy of click; older ones use click itself
        from typer._click.globals import get_current_context
    except ImportError:  # pragma: no cover - depends on the installed Typer
        from click import get_current_context
    ctx = get_current_context(silent=True)
    if ctx is None:
        return None
    return {opt for param in ctx.command.params for opt in getattr(param, "opts", ())}


def _ways_to_see_more(flags: set[str] | None) -> str:
    """"--top or -o FILE": the options of the running command that show the other rows."""
    if flags is None:
        return "--top or -o FILE"
    ways = [flag for flag in ("--top", "--limit") if flag in flags]
    return " or ".join([*ways, "-o FILE"])


def render_table(frame: pl.DataFrame, title: str | None = None, caption: str | None = None,
                 console: Console | None = None, more: int = 0) -> None:
    """Print `frame` as a readable table (human headers, formatted figures, right-aligned
    numbers), then "N more rows; ..." when `more` rows were left out. Every text is a
    `Text`, never markup: a cell, a column name or a caption holding `[/red]` is printed
    as it is instead of breaking the output."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from exposure.presentation import column_kinds, is_numeric, readable

    kinds = column_kinds(frame)
    cells = readable(frame)
    table = Table(title=None if title is None else Text(title),
                  caption=None if caption is None else Text(caption), show_lines=False)
    for name, heading in zip(frame.columns, cells.columns, strict=True):
        table.add_column(Text(heading), overflow="fold",
                         justify="right" if is_numeric(kinds[name]) else "left")
    for row in cells.iter_rows():
        table.add_row(*(Text(v) for v in row))
    console = console or Console()
    console.print(table)
    if more > 0:
        console.print(Text(f"{more:,} more row{'s' if more != 1 else ''}; use "
                           f"{_ways_to_see_more(_command_flags())}"), soft_wrap=True)


@contextlib.contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed over it when the block succeeds (removed
    when it fails). A file that cannot be written is an `OSError` naming `target` (the
    command line says "could not write TARGET", exit 3), not the temporary name."""
    target = Path(target)
    if target.is_dir():
        raise ConfigError(f"{target} is a folder", "give -o a file name")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        try:
            temporary.touch()
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        yield temporary
        try:
            os.replace(temporary, target)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def write_xlsx(frame: pl.DataFrame, path: Path, sheet: str = XLSX_SHEET) -> None:
    """One worksheet: human headers, a number format per kind over the full values (a
    share is 0.1234 shown as 12.3%), the header row frozen and filterable."""
    from exposure.presentation import column_kinds, excel_format, headers

    if frame.height > XLSX_MAX_ROWS:
        raise ConfigError(f"an xlsx worksheet holds at most {XLSX_MAX_ROWS:,} rows and this "
                          f"table has {frame.height:,}",
                          "filter it (e.g. --scenario, --year) or write .csv or .parquet")
    kinds = column_kinds(frame)
    names = headers(frame.columns)
    # every numeric column gets its kind's format; a year or a code stays as it is
    # ("General": no thousands separator in 2035)
    formats = {title: excel_format(kinds[column]) or "General"
               for column, title in zip(frame.columns, names, strict=True)
               if frame.schema[column].is_numeric()}
    # autofit measures every cell: worth it for a board's table, not for 100,000 rows
    frame.rename(dict(zip(frame.columns, names, strict=True))).write_excel(
        path, worksheet=sheet, column_formats=formats, autofit=frame.height <= 2_000,
        freeze_panes=(1, 0), table_style="Table Style Light 1")


def write_file(frame: pl.DataFrame, fmt: Format, output: Path | None) -> None:
    """csv/json to `output` or stdout; parquet and xlsx to `output`."""
    if output is None:
        if fmt in FILE_ONLY:
            raise ConfigError(f"{fmt} output needs a file", f"add -o FILE.{fmt}")
        if fmt is Format.csv:
            frame.write_csv(sys.stdout)
        else:
            sys.stdout.write(frame.write_json() + "\n")
        return
    with _replacing(output) as path:
        if fmt is Format.csv:
            frame.write_csv(path)
        elif fmt is Format.json:
            frame.write_json(path)
        elif fmt is Format.parquet:
            frame.write_parquet(path)
        else:
            write_xlsx(frame, path)


def emit(frame: pl.DataFrame, fmt: Format, output: Path | None = None,
         title: str | None = None, caption: str | None = None, total: int | None = None
         ) -> None:
    """Print or write `frame`; `caption` names the data and assumptions behind it; `total`
    is how many rows matched when `frame` holds only the first of them.

    `fmt` table with an `output` means "not given": the file's extension decides."""
    fmt = resolve_format(None if fmt is Format.table else fmt, output)
    if fmt is not Format.table:
        write_file(frame, fmt, output)
        return
    total = frame.height if total is None else max(total, frame.height)
    request = current_request()
    flags = _command_flags()
    # A table is cut only where the other rows can be had: in a command that writes files
    # (-o) or under a board's request; `exposure tables` lists every table.
    cap = (request.cap if request is not None
           else ROW_CAP if flags is None or "--output" in flags else None)
    if cap is not None and total > cap:
        render_table(frame.head(cap), title, caption, more=total - cap)
    else:
        render_table(frame, title, caption)

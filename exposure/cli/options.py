"""The options several commands share, defined once: same flag, same help, same type.

Each is an `Annotated` alias to use as a parameter's type, e.g.
`warehouse: WarehouseOpt = None`.

`--format` and `--output` settle each other when the command line is parsed: whichever of
the two is processed second (click processes them in the order they were typed) turns the
pair into the format to write (`exposure.output.resolve_format`), so every command that
takes them infers csv from `-o out.csv` and refuses `-f json -o out.csv`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exposure.output import Format, resolve_format


def _pair(ctx: typer.Context) -> tuple[str | None, str | None]:
    """The parameter names of the command's --format and --output."""
    names = {opt: param.name for param in ctx.command.params
             for opt in getattr(param, "opts", ()) if opt in ("--format", "--output")}
    return names.get("--format"), names.get("--output")


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the user gave the option (by name: Typer may carry its own copy of click's
    `ParameterSource`)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def _settle(ctx: typer.Context, fmt: Format | str, output: Path | None) -> Format:
    fmt_name, _ = _pair(ctx)
    return resolve_format(Format(fmt) if fmt_name and _given(ctx, fmt_name) else None, output)


def _on_format(ctx: typer.Context, value: Format) -> Format:
    _, output_name = _pair(ctx)
    if ctx.resilient_parsing or output_name not in ctx.params:
        return value
    return _settle(ctx, value, ctx.params[output_name])


def _on_output(ctx: typer.Context, value: Path | None) -> Path | None:
    fmt_name, _ = _pair(ctx)
    if not ctx.resilient_parsing and fmt_name in ctx.params:
        ctx.params[fmt_name] = _settle(ctx, ctx.params[fmt_name], value)
    return value


RawDir = Annotated[
    Path | None, typer.Option("--raw-dir", help="Raw data folder [EXPOSURE_RAW_DIR].")
]
WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", help="DuckDB warehouse file [EXPOSURE_WAREHOUSE].")
]
ReportsDir = Annotated[
    Path | None, typer.Option("--reports-dir", help="Reports folder [EXPOSURE_REPORTS_DIR].")
]
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", callback=_on_format,
    help="Output format (default: from the -o file's extension, else a table).")]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", callback=_on_output,
    help="Write to this file; .csv, .json, .parquet or .xlsx names the format.")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Recompute every stage.")]
NoWait = Annotated[bool, typer.Option(
    "--no-wait", help="When another run holds the warehouse's lock, exit at once (code 3) "
    "instead of waiting for it.")]

# Runs take several scorers; a board shows one scorer's figures.
ScorerOpt = Annotated[list[str] | None, typer.Option(
    "--scorer", help="Scorer spec (repeatable): a registered name with parameters such as "
    "rubric:human:beta, or pkg.module:Class [EXPOSURE_SCORERS].")]
BoardScorer = Annotated[str | None, typer.Option(
    "--scorer", help="Which scorer's figures (default: the first of EXPOSURE_SCORERS).")]
TopOpt = Annotated[int | None, typer.Option("--top", help="Only the N most exposed rows.")]
MinEmployment = Annotated[float | None, typer.Option(
    "--min-employment", help="Only rows with at least this employment.")]

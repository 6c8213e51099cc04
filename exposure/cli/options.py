"""The options several commands share, defined once: same flag, same help, same type.

Each is an `Annotated` alias to use as a parameter's type, e.g.
`warehouse: WarehouseOpt = None`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exposure.output import Format

RawDir = Annotated[
    Path | None, typer.Option("--raw-dir", help="Raw data folder [EXPOSURE_RAW_DIR].")
]
WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", help="DuckDB warehouse file [EXPOSURE_WAREHOUSE].")
]
ReportsDir = Annotated[
    Path | None, typer.Option("--reports-dir", help="Reports folder [EXPOSURE_REPORTS_DIR].")
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]
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

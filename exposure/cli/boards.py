"""The board commands (sectors, occupations, areas, forecast-table), declared from one spec.

A board is a read-only view of the latest run: a query function of `exposure.queries` (or
`exposure.forecast_table`), the options it takes, the title of its table and the columns
the terminal shows. `BOARDS` lists them; `board_command` turns each entry into a Typer
command whose options are the board's own between the shared ones (`--warehouse`,
`--scorer` first; `--format`, `--output` last), so every board reads the same settings,
prints the same caption of sources and writes the same csv/json/parquet.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated

import polars as pl
import typer

from exposure import forecast_table, queries
from exposure.cli.common import app, emit_result, settings_for
from exposure.cli.options import (
    BoardScorer,
    FormatOpt,
    MinEmployment,
    OutputOpt,
    TopOpt,
    WarehouseOpt,
)
from exposure.output import Format

PANEL = "Boards (read the latest run)"


@dataclass(frozen=True)
class BoardOption:
    """One parameter of a board command: its name (the query function's keyword), its
    `Annotated` type (with its `typer.Option`) and its default."""

    name: str
    annotation: object
    default: object = None


@dataclass(frozen=True)
class Board:
    name: str  # the command
    help: str
    query: Callable[..., tuple[pl.DataFrame, queries.Provenance]]  # query(warehouse, **opts)
    options: tuple[BoardOption, ...]  # between --warehouse [--scorer] and --format --output
    title: Callable[[Mapping[str, object]], str]  # of the options (scorer filled in)
    columns: tuple[str, ...] | None = None  # the terminal's columns (None: all but run_id)
    scorer: bool = True  # takes --scorer, default the first of EXPOSURE_SCORERS


def _text(help: str) -> object:
    return Annotated[str | None, typer.Option(help=help)]


def _int(help: str) -> object:
    return Annotated[int | None, typer.Option(help=help)]


TOP = BoardOption("top", TopOpt)
MIN_EMPLOYMENT = BoardOption("min_employment", MinEmployment)

BOARDS: tuple[Board, ...] = (
    Board("sectors",
          "Exposure of each NAICS sector (latest run), with its covered share of employment.",
          queries.sectors,
          (BoardOption("year", _int("OEWS May year (2022-2024).")),
           BoardOption("sector", _text("NAICS sector, e.g. 52 or 31-33.")),
           TOP, MIN_EMPLOYMENT),
          lambda o: f"sector exposure ({o['scorer']})",
          ("year", "naics_sector", "sector_title", "employment", "exposure",
           "exposure_wage_weighted", "exposed_employment", "covered_employment_share")),
    Board("occupations",
          "Exposure of each O*NET occupation with its BLS code and employment (latest run).",
          queries.occupations,
          (BoardOption("search", _text("Title words or a SOC / O*NET-SOC code prefix.")),
           TOP, MIN_EMPLOYMENT),
          lambda o: f"occupation exposure ({o['scorer']})",
          ("onet_soc_code", "title", "soc_code", "employment", "exposure", "share_exposed")),
    Board("areas",
          "Exposure of each state (May 2025 estimates) next to the nation's.",
          queries.areas,
          (BoardOption("area", _text("A state's FIPS code or name; the nation is shown beside "
                                "it.")),
           BoardOption("major", _text("A major SOC group, e.g. 15-0000 (default: all "
                                 "occupations).")),
           TOP),
          lambda o: f"state exposure ({o['scorer']})",
          ("area_code", "area_name", "soc_major_title", "employment", "exposure",
           "national_exposure", "exposed_employment", "covered_employment_share")),
    Board("forecast-table",
          "Displaced employment (median and 80% interval) by occupation, sector and year; or "
          "a labour-market measure (--measure), or the sensitivity table (--sensitivity).",
          forecast_table.forecast_table,
          (BoardOption("scenario", _text("Scenario id, e.g. P1.")),
           BoardOption("sector", _text("NAICS sector, e.g. 52.")),
           BoardOption("occupation", _text("SOC code or prefix, e.g. 15-1252 or 43- "
                                      "(displaced-cells only).")),
           BoardOption("year", _int("Year, 2025-2035.")),
           BoardOption("measure", Annotated[str, typer.Option(
               help="displaced-cells (occupation x sector displacement) or a labour-market "
               "measure: displaced, unemployed, reemployed, labour_income_loss, "
               "demand_change, tfp_gain_pct, hours_automated_share, "
               "entry_level_wc_displaced_share, ai_unemployment_rate.")],
               queries.DISPLACED_CELLS),
           BoardOption("sensitivity", Annotated[bool, typer.Option(
               "--sensitivity", help="Print the sensitivity table (2035 P0 median "
               "displacement with each parameter at its p10 / p90) instead.")], False),
           TOP),
          lambda o: forecast_table.forecast_table_title(o["measure"], o["sensitivity"],
                                                        o["sector"]),
          scorer=False),
)

WAREHOUSE = BoardOption("warehouse", WarehouseOpt)
SCORER = BoardOption("scorer", BoardScorer)
OUTPUT = (BoardOption("fmt", FormatOpt, Format.table), BoardOption("output", OutputOpt))


def board_command(board: Board) -> Callable[..., None]:
    """The Typer command of `board`: a function whose signature lists the board's options
    (Typer reads options from the signature, so it is built from the spec)."""
    options = (WAREHOUSE, *((SCORER,) if board.scorer else ()), *board.options, *OUTPUT)

    def command(**values: object) -> None:
        settings = settings_for(warehouse=values.pop("warehouse"))
        fmt, output = values.pop("fmt"), values.pop("output")
        if board.scorer:
            values["scorer"] = values["scorer"] or settings.scorer_list[0]
        frame, provenance = board.query(settings.warehouse, **values)
        if fmt is Format.table:
            frame = (frame.select(board.columns) if board.columns
                     else frame.drop("run_id", strict=False))
        emit_result(frame, provenance, fmt, output, board.title(values))

    command.__name__ = board.name.replace("-", "_")
    command.__doc__ = board.help
    command.__signature__ = inspect.Signature([
        inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=o.default,
                          annotation=o.annotation) for o in options])
    command.__annotations__ = {o.name: o.annotation for o in options} | {"return": None}
    return command


for _board in BOARDS:
    app.command(_board.name, rich_help_panel=PANEL)(board_command(_board))

"""The board commands (sectors, occupations, areas, wage-bands, education, area-forecast,
forecast-table), declared from one spec.

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
from exposure.cli.common import app, board_output, emit_result, settings_for
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
    # of the options (scorer filled in) and the rows (e.g. to name the area they are of)
    title: Callable[[Mapping[str, object], pl.DataFrame], str]
    # the terminal's columns, those of them the rows have (None: all but run_id), or a
    # function of the options that gives them
    columns: tuple[str, ...] | Callable[[Mapping[str, object]], tuple[str, ...]] | None = None
    scorer: bool = True  # takes --scorer, default the first of EXPOSURE_SCORERS


def _text(help: str) -> object:
    return Annotated[str | None, typer.Option(help=help)]


def _int(help: str) -> object:
    return Annotated[int | None, typer.Option(help=help)]


def _flag(name: str, help: str) -> object:
    return Annotated[bool, typer.Option(name, help=help)]


TOP = BoardOption("top", TopOpt)
MIN_EMPLOYMENT = BoardOption("min_employment", MinEmployment)
AREA_HELP = "A state: FIPS code (6 or 06), postal abbreviation (OH) or name (Ohio); US: nation."
MAJOR_HELP = "A major SOC group, e.g. 15 or 15-0000."


def _area(frame: pl.DataFrame, options: Mapping[str, object]) -> str:
    """', Ohio' when the rows are of one state (besides the nation), else ''."""
    if not options.get("area") or "area_name" not in frame.columns:
        return ""
    names = [n for n in frame["area_name"].unique(maintain_order=True).to_list()
             if not str(n).startswith("United States")]
    return f", {names[0]}" if len(names) == 1 else ""


def _occupation_title(o: Mapping[str, object], frame: pl.DataFrame) -> str:
    if o["detail"]:
        return f"O*NET occupation exposure, national ({o['scorer']})"
    sector = (f", sector {o['sector']}" + (f" ({frame['sector_title'][0]})"
                                            if "sector_title" in frame.columns else "")
              if o["sector"] else "")
    where = _area(frame, o) or sector or ", national"
    return f"occupation exposure{where}, BLS occupations ({o['scorer']})"


def _occupation_columns(o: Mapping[str, object]) -> tuple[str, ...]:
    if o["detail"]:
        return ("onet_soc_code", "title", "soc_code", "employment", "exposure",
                "share_exposed", "split_rule")
    return ("soc_code", "soc_title", "employment", "annual_mean_wage", "exposure",
            "share_exposed")


BOARDS: tuple[Board, ...] = (
    Board("sectors",
          "Exposure of each NAICS sector (latest run), with its covered share of employment.",
          queries.sectors,
          (BoardOption("year", _int("OEWS May year (2022-2024).")),
           BoardOption("sector", _text("NAICS sector, e.g. 52 or 31-33.")),
           BoardOption("area", _text("The nation only (US): OEWS publishes no state "
                                     "estimates by sector.")),
           TOP, MIN_EMPLOYMENT),
          lambda o, f: f"sector exposure ({o['scorer']})",
          ("year", "naics_sector", "sector_title", "employment", "exposure",
           "exposure_wage_weighted", "exposed_employment", "covered_employment_share")),
    Board("occupations",
          "Exposure of each BLS occupation with its published employment (latest run), "
          "nationally, in a state or a sector; --detail lists the O*NET occupations instead.",
          queries.occupations,
          (BoardOption("search", _text("Whole title words (nurse: not Nursery) or a SOC / "
                                       "O*NET-SOC code prefix.")),
           BoardOption("detail", _flag("--detail", "O*NET occupations (national) with the "
                                       "BLS employment split over them and the split rule.")
                       , False),
           BoardOption("area", _text(AREA_HELP + " (May 2025 state estimates)")),
           BoardOption("sector", _text("NAICS sector, e.g. 52 (national by-sector "
                                       "estimates).")),
           BoardOption("major", _text(MAJOR_HELP)),
           TOP, MIN_EMPLOYMENT),
          _occupation_title, _occupation_columns),
    Board("areas",
          "Exposure of each state (May 2025 estimates) next to the nation's.",
          queries.areas,
          (BoardOption("area", _text(AREA_HELP + " The nation is shown beside it.")),
           BoardOption("major", _text(MAJOR_HELP + " Default: all occupations.")),
           TOP),
          lambda o, f: f"state exposure ({o['scorer']})",
          ("area_code", "area_name", "soc_major_title", "employment", "exposure",
           "national_exposure", "exposed_employment", "covered_employment_share")),
    Board("wage-bands",
          "Employment and exposure per wage quintile (the nation's bands in dollars) of the "
          "nation and a state (May 2025), or of every state.",
          queries.wage_bands,
          (BoardOption("area", _text(AREA_HELP)),),
          lambda o, f: f"exposure by wage quintile{_area(f, o)} ({o['scorer']})",
          ("area_name", "band_title", "employment", "exposure", "exposed_employment")),
    Board("education",
          "Employment and exposure per typical entry education (BLS projections) of the "
          "nation and a state (May 2025), or of every state.",
          queries.education,
          (BoardOption("area", _text(AREA_HELP)),),
          lambda o, f: f"exposure by typical entry education{_area(f, o)} ({o['scorer']})",
          ("area_name", "typical_education", "employment", "exposure", "exposed_employment")),
    Board("area-forecast",
          "State forecasts: the national occupation displacement rates of each scenario "
          "applied to a state's May 2025 occupation mix (not a state model; p10/p90 are "
          "not a state interval).",
          queries.area_forecasts,
          (BoardOption("area", _text(AREA_HELP.replace("; US: nation.", "."))),
           BoardOption("scenario", _text("Scenario id, e.g. P1.")),
           BoardOption("major", _text(MAJOR_HELP + " 'all' for the state totals only.")),
           BoardOption("year", _int("Year, 2025-2035.")),
           TOP),
          lambda o, f: f"state forecast{_area(f, o)}: national rates x state mix",
          lambda o: (*(() if o["area"] else ("area_name",)), "scenario", "scenario_title",
                     "year", "soc_major_title", "employment", "displaced_p50",
                     "displaced_p10", "displaced_p90", "displaced_share"),
          scorer=False),
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
          lambda o, f: forecast_table.forecast_table_title(o["measure"], o["sensitivity"],
                                                           o["sector"]),
          lambda o: forecast_table.terminal_columns(o["measure"], o["sensitivity"]),
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
        # the query reads the request: a terminal gets cap + 1 rows and a count (B)
        with board_output(fmt, output, values.get("top")):
            frame, provenance = board.query(settings.warehouse, **values)
            title = board.title(values, frame)
            if fmt is Format.table:
                columns = board.columns(values) if callable(board.columns) else board.columns
                frame = (frame.select([c for c in columns if c in frame.columns]) if columns
                         else frame.drop("run_id", strict=False))
            emit_result(frame, provenance, fmt, output, title)

    command.__name__ = board.name.replace("-", "_")
    command.__doc__ = board.help
    command.__signature__ = inspect.Signature([
        inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=o.default,
                          annotation=o.annotation) for o in options])
    command.__annotations__ = {o.name: o.annotation for o in options} | {"return": None}
    return command


for _board in BOARDS:
    app.command(_board.name, rich_help_panel=PANEL)(board_command(_board))

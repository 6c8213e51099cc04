"""`exposure backtest`: the latest run's backtest (does exposure predict the change of
employment since May 2021?), printed like a board: readable on a terminal, every row and
column with `-o FILE`."""

from __future__ import annotations

from typing import Annotated

import typer

from exposure import queries
from exposure.cli.boards import PANEL, Board, BoardOption, board_command
from exposure.cli.common import app

BACKTEST = Board(
    "backtest",
    "Does exposure predict what has happened to employment since May 2021? Per scorer: the "
    "occupations compared, employment growth per exposure quintile, the top-minus-rest gap "
    "and a weighted regression with HC1 standard errors (an association over a short "
    "window, not an effect of AI).",
    queries.backtest,
    (BoardOption("scorer", Annotated[str | None, typer.Option(
        help="One scorer of the run, e.g. leverage. Default: every scorer.")]),
     BoardOption("kind", Annotated[str | None, typer.Option(
         help="Only rows of one kind: coverage, quintile, gap or coefficient.")]),
     BoardOption("top", Annotated[int | None, typer.Option(
         help="Only the first N rows (in reading order).")])),
    lambda o, f: (f"backtest: national employment, May {f['base_year'][0]} to May "
                  f"{f['end_year'][0]}, by exposure"),
    ("scorer", "kind", "term", "n_occupations", "employment_base", "employment_end",
     "growth", "exposure", "estimate", "std_error", "ci_low", "ci_high", "r_squared"),
    scorer=False,
)

app.command(BACKTEST.name, rich_help_panel=PANEL)(board_command(BACKTEST))

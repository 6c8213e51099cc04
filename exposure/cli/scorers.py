"""`exposure scorers list|evaluate` and `exposure compare`: thin commands over
`exposure.scorers`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from exposure.cli.common import app
from exposure.cli.options import FormatOpt, OutputOpt, RawDir
from exposure.output import Format, emit

if TYPE_CHECKING:
    import polars as pl

PANEL = "Scorers"

scorers_app = typer.Typer(
    help="Task scorers: list the registered ones, evaluate them on held-out occupations.",
    no_args_is_help=True,
)
err = Console(stderr=True, markup=False)  # scorer names are never markup


def load_tables(raw_dir: Path | None = None) -> tuple[dict[str, pl.DataFrame],
                                                       pl.DataFrame | None]:
    """The reference tables of the raw directory and, when `exposure.features` is
    installed, the task features built from them (None otherwise)."""
    from exposure.ingest import read_sources
    from exposure.settings import get_settings

    tables = read_sources(get_settings(raw_dir=raw_dir).raw_dir).tables
    try:
        from exposure.features import build_task_features
    except ImportError:
        return tables, None
    return tables, build_task_features(tables)


@scorers_app.command("list")
def list_command(fmt: FormatOpt = Format.table, output: OutputOpt = None) -> None:
    """Scorers registered under the `exposure.scorers` entry-point group."""
    from exposure.scorers.registry import GROUP, describe_scorers

    emit(describe_scorers(), fmt, output, title=f"scorers (entry points '{GROUP}')",
         caption="Use NAME, NAME:ARG:ARG (e.g. rubric:gpt4:gamma) or pkg.module:Class "
                 "with --scorer.")


@scorers_app.command("evaluate")
def evaluate_command(
    raw_dir: RawDir = None,
    scorer: Annotated[list[str] | None, typer.Option(
        "--scorer", "-s", help="Scorer spec (repeatable); default: every registered scorer, "
        "rubric:gpt4:beta and leverage:fixed.")] = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment.")] = 0,
    baseline: Annotated[bool, typer.Option(
        help="Add the TF-IDF + logistic-regression baseline row.")] = True,
    calibration: Annotated[bool, typer.Option(
        "--calibration", help="Write the calibration table instead of the metrics "
        "(csv/json/parquet; the terminal table shows both).")] = False,
    fmt: FormatOpt = Format.table, output: OutputOpt = None,
) -> None:
    """Agreement of each scorer with the human labels on held-out occupations."""
    from exposure.scorers.evaluate import evaluate_scorers

    with err.status("reading sources"):
        tables, task_feature = load_tables(raw_dir)
    with err.status("cross-validating the scorers (grouped by occupation)"):
        result = evaluate_scorers(tables, task_feature, scorer or None, folds, seed, baseline)
    if fmt is not Format.table:
        emit(result.calibration if calibration else result.metrics, fmt, output)
        return
    metrics = result.metrics
    if (metrics.get_column("note") == "").all():
        metrics = metrics.drop("note")
    emit(metrics, fmt, title="agreement with the human labels, held-out occupations",
         caption=result.caption)
    emit(result.checks, fmt, title="checks: ours beside published figures")
    if result.calibration.height:
        emit(result.calibration, fmt, title="calibration (out of fold)",
             caption="mean predicted probability of a label (or expected beta) per bin, "
                     "against the observed share of that label (or mean human beta)")


@app.command("compare", rich_help_panel=PANEL)
def compare_command(
    reference: Annotated[Path, typer.Option(
        "--reference", help="CSV of a published occupation-level index keyed by SOC code.")],
    scorer: Annotated[str, typer.Option(
        "--scorer", "-s", help="Scorer spec: NAME, NAME:ARGS or pkg.module:Class.")
    ] = "rubric:human:beta",
    raw_dir: RawDir = None,
    column: Annotated[str | None, typer.Option(
        "--column", help="Reference value column (default: 'exposure' or the only numeric "
        "one).")] = None,
    code_column: Annotated[str | None, typer.Option(
        "--code-column", help="Reference code column (default: the first named like "
        "'soc' or 'code').")] = None,
    top: Annotated[int, typer.Option(min=1, help="Size of the top lists compared.")] = 50,
    fmt: FormatOpt = Format.table, output: OutputOpt = None,
) -> None:
    """Compare a scorer's occupation roll-up with a published occupation-level index."""
    from exposure.scorers.compare import compare_with_reference

    with err.status("reading sources"):
        tables, task_feature = load_tables(raw_dir)
    with err.status(f"scoring with {scorer}"):
        result = compare_with_reference(tables, scorer, reference, column, code_column,
                                        task_feature, top)
    metrics = result.metrics.drop("reference") if fmt is Format.table else result.metrics
    emit(metrics, fmt, output, title=f"occupation exposure against {reference.name}",
         caption=f"Reference: {reference}. Spearman and Pearson over the occupations both "
                 f"score; top_overlap: codes in both top-{top} lists. Exposure is not a "
                 "probability of job loss.")


app.add_typer(scorers_app, name="scorers", help="List and evaluate task scorers.",
              rich_help_panel=PANEL)

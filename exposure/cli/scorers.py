"""`exposure scorers list|evaluate` and `exposure compare`: thin commands over
`exposure.scorers`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from exposure.cli.common import app, settings_for
from exposure.cli.options import FormatOpt, OutputOpt, RawDir, WarehouseOpt
from exposure.output import Format, emit, resolve_format
from exposure.scorers.soc_versions import SocVersion

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
        "--calibration", help="Also print the calibration table (out of fold); with -f or "
        "-o, write it instead of the metrics.")] = False,
    fmt: FormatOpt = Format.table, output: OutputOpt = None,
) -> None:
    """Agreement of each scorer with the human labels on held-out occupations."""
    from exposure.scorers.evaluate import evaluate_scorers, footnoted

    with err.status("reading sources"):
        tables, task_feature = load_tables(raw_dir)
    with err.status("cross-validating the scorers (grouped by occupation)"):
        result = evaluate_scorers(tables, task_feature, scorer or None, folds, seed, baseline)
    if fmt is not Format.table:
        emit(result.calibration if calibration else result.metrics, fmt, output)
        return
    metrics, footnotes = footnoted(result.metrics)
    if (metrics.get_column("note") == "").all():
        metrics = metrics.drop("note")
    metrics = (metrics.drop("blank") if (metrics.get_column("blank") == "").all()
               else metrics.rename({"blank": "why blank"}))
    emit(metrics, fmt, title="agreement with the human labels, held-out occupations",
         caption=" ".join([result.caption + ".", "Blank cells:", *footnotes]) if footnotes
         else result.caption)
    emit(result.checks, fmt, title="checks: ours beside published figures")
    if calibration and result.calibration.height:
        emit(result.calibration, fmt, title="calibration (out of fold)",
             caption="mean predicted probability of a label (or expected beta) per bin, "
                     "against the observed share of that label (or mean human beta)")


@app.command("compare", rich_help_panel=PANEL)
def compare_command(
    reference: Annotated[Path, typer.Option(
        "--reference", help="CSV of a published occupation-level index keyed by O*NET-SOC, "
        "SOC 2018 or SOC 2010 codes.")],
    scorer: Annotated[list[str] | None, typer.Option(
        "--scorer", "-s", help="Scorer spec (repeatable): NAME, NAME:ARGS or "
        "pkg.module:Class; default: every scorer of the warehouse's latest run. One the run "
        "lacks is scored from the raw sources.")] = None,
    warehouse: WarehouseOpt = None,
    raw_dir: RawDir = None,
    column: Annotated[str | None, typer.Option(
        "--column", help="Reference value column, any case (default: 'exposure' or the "
        "only numeric one).")] = None,
    code_column: Annotated[str | None, typer.Option(
        "--code-column", help="Reference code column, any case (default: the first named "
        "like 'soc' or 'code').")] = None,
    soc_version: Annotated[SocVersion, typer.Option(
        "--soc-version", help="Version of 7-character codes: auto (detected from the "
        "codes that changed between SOC 2010 and 2018), 2010 or 2018.")] = SocVersion.auto,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Refuse the file at its first code that names no occupation "
        "(exit 2) instead of listing such codes and comparing the rest.")] = False,
    top: Annotated[int, typer.Option(min=1, help="Size of the top lists compared.")] = 50,
    disagree: Annotated[int, typer.Option(
        min=1, help="Occupations listed per scorer and direction of disagreement.")] = 20,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Write the scatter plot as PATH.png, PATH.svg and PATH.html "
        "(default: beside -o's file, when given).")] = None,
    disagreements: Annotated[Path | None, typer.Option(
        "--disagreements", help="Write every scorer's most disagreeing occupations to this "
        "file (.csv, .json, .parquet or .xlsx).")] = None,
    fmt: FormatOpt = Format.table, output: OutputOpt = None,
) -> None:
    """Compare scorers' occupation exposure with a published occupation-level index."""
    import polars as pl

    from exposure.scorers.compare import compare_with_warehouse
    from exposure.scorers.compare_chart import save_chart, scatter_chart
    from exposure.scorers.reference import read_reference

    settings = settings_for(raw_dir=raw_dir, warehouse=warehouse)
    if disagreements is not None:
        resolve_format(None, disagreements)  # an unknown extension fails before the work
    frame = read_reference(reference, column, code_column)
    with err.status("comparing with the warehouse's latest run"):
        result, run_id = compare_with_warehouse(
            frame, settings.warehouse, scorer or None, lambda: load_tables(raw_dir),
            soc_version.value, strict, top, disagree)
    for note in result.notes:
        err.print(f"note: {note}.")
    for warning in result.warnings:
        err.print(f"warning: {warning}.")
    caption = (f"Run {run_id}; reference {reference} ({frame.value_column} by "
               f"{frame.code_column}). Spearman and Pearson over the occupations both score; "
               f"top_overlap: codes in both top-{top} lists. Exposure is not a probability "
               "of job loss.")
    metrics = result.metrics.drop("trained_on") if fmt is Format.table else result.metrics
    emit(metrics, fmt, output, title=f"occupation exposure against {reference.name}",
         caption=caption)
    if fmt is Format.table and output is None:
        for (name,), rows in result.disagreements.partition_by(
                "scorer", as_dict=True, maintain_order=True).items():
            for direction, part in rows.partition_by("direction", as_dict=True,
                                                      maintain_order=True).items():
                emit(part.drop("scorer", "direction").with_columns(
                    pl.col("pct_ours", "pct_reference", "gap").round(1)), fmt,
                     title=f"{name}: {direction[0]} (percentile ranks)")
    if disagreements is not None:
        emit(result.disagreements, Format.table, disagreements)  # the extension decides
    target = chart or (output.with_name(output.stem + ".scatter") if output else None)
    if target is not None:
        written = save_chart(scatter_chart(result.matched, result.disagreements,
                                           reference.name, frame.value_column), target)
        err.print("chart: " + ", ".join(str(p) for p in written))


app.add_typer(scorers_app, name="scorers", help="List and evaluate task scorers.",
              rich_help_panel=PANEL)

"""`evaluate_scorers`: grouped cross-validation against the human labels.

The published figures (GPT-4 65.6% / kappa 0.44; TF-IDF + logistic regression about 74% /
0.54) are checks on what the code computes from the labels, tested loosely.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from exposure.scorers import Scorer, task_inputs, task_targets
from exposure.scorers.evaluate import (
    Evaluation,
    calibration_table,
    cross_predict,
    default_specs,
    evaluate_scorers,
    footnoted,
    grouped_folds,
    metrics_row,
    published_agreement,
)
from exposure.testing import example_inputs


@pytest.fixture(scope="module")
def evaluation(reference_tables: dict) -> Evaluation:
    from exposure.features import build_task_features

    # the built-ins by name: a plugin installed meanwhile (test_scorer_plugin) stays out
    return evaluate_scorers(reference_tables, build_task_features(reference_tables),
                            specs=["rubric", "rubric:gpt4:beta", "leverage", "leverage:fixed",
                                   "learned"])


def _row(evaluation: Evaluation, scorer: str) -> dict:
    rows = evaluation.metrics.filter(pl.col("scorer") == scorer)
    assert rows.height == 1, f"no row for {scorer}"
    return rows.row(0, named=True)


# --- the real labels ---------------------------------------------------------------------

def test_every_scorer_has_a_row(evaluation: Evaluation) -> None:
    assert evaluation.metrics.get_column("scorer").to_list() == [
        "rubric:human:beta", "rubric:gpt4:beta", "leverage", "leverage:fixed", "learned",
        "baseline:tfidf+logreg"]
    assert (evaluation.metrics.get_column("note") == "").all()
    blank = dict(evaluation.metrics.select("scorer", "blank").iter_rows())
    assert "no predict_labels" in blank["leverage:fixed"]  # an index: no labels to agree
    assert blank["learned"] == ""  # every figure given


def test_human_rubric_is_the_target_itself(evaluation: Evaluation) -> None:
    row = _row(evaluation, "rubric:human:beta")
    assert row["accuracy"] == 1.0 and row["kappa"] == 1.0
    assert row["coverage"] == pytest.approx(18751 / 18796)


def test_gpt4_row_is_near_the_published_figure(evaluation: Evaluation) -> None:
    row = _row(evaluation, "rubric:gpt4:beta")
    assert row["accuracy"] == pytest.approx(0.656, abs=0.01)
    assert row["kappa"] == pytest.approx(0.44, abs=0.015)
    check = evaluation.checks.row(0, named=True)  # over all published 27.2 tasks
    assert check["accuracy"] == pytest.approx(0.656, abs=0.001)
    assert check["kappa"] == pytest.approx(0.44, abs=0.005)


def test_baseline_is_near_the_published_figure(evaluation: Evaluation) -> None:
    row = _row(evaluation, "baseline:tfidf+logreg")
    assert 0.70 <= row["accuracy"] <= 0.78
    assert 0.48 <= row["kappa"] <= 0.58


def test_learned_reaches_the_target(evaluation: Evaluation) -> None:
    row = _row(evaluation, "learned")
    assert row["accuracy"] >= 0.86
    assert row["kappa"] >= 0.76
    assert row["coverage"] == 1.0
    assert row["spearman_task"] > _row(evaluation, "baseline:tfidf+logreg")["spearman_task"]
    assert row["pearson_occupation"] > 0.9
    assert row["calibration_error"] < 0.03


def test_fixed_leverage_is_evaluated_without_labels(evaluation: Evaluation) -> None:
    row = _row(evaluation, "leverage:fixed")
    assert row["accuracy"] is None and row["kappa"] is None
    assert row["spearman_task"] == pytest.approx(0.436, abs=0.005)  # README
    assert row["pearson_occupation"] == pytest.approx(0.554, abs=0.005)


def test_fitted_leverage_holds_its_held_out_figures(evaluation: Evaluation) -> None:
    """Issue 11's targets (72%, Spearman 0.68, Pearson 0.91) are not all met by the
    features alone (README: 70.5%, 0.658, 0.912): hold the line at what was reached, so
    that a regression fails, and above the fixed weights it replaces."""
    row, fixed = _row(evaluation, "leverage"), _row(evaluation, "leverage:fixed")
    assert row["coverage"] == 1.0
    assert row["accuracy"] >= 0.70 and row["kappa"] >= 0.47
    assert row["spearman_task"] >= 0.65 > fixed["spearman_task"] + 0.2
    assert row["pearson_occupation"] >= 0.905 > fixed["pearson_occupation"] + 0.3
    assert row["calibration_error"] < 0.02


def test_learned_is_calibrated(evaluation: Evaluation) -> None:
    table = evaluation.calibration.filter(pl.col("scorer") == "learned")
    assert set(table.get_column("target")) == {"E0", "E1", "E2", "beta"}
    for target, part in table.group_by("target"):
        assert part.get_column("n").sum() == 18751, target
        gap = (part.get_column("mean_predicted") - part.get_column("observed")).abs()
        weighted = (gap * part.get_column("n")).sum() / part.get_column("n").sum()
        assert weighted < 0.03, target


def test_published_agreement_is_computed_from_labels() -> None:
    labels = pl.DataFrame({"human_label": ["E0", "E1", "E2", "E0"],
                           "gpt4_label": ["E0", "E1", "E1", "E1"]})
    accuracy, _, n = published_agreement(labels)
    assert accuracy == 0.5 and n == 4


# --- the cross-validation itself -----------------------------------------------------------

def test_folds_keep_each_occupation_on_one_side(reference_tables: dict) -> None:
    X = task_inputs(reference_tables)
    groups = X.get_column("onet_soc_code").to_numpy()
    folds = grouped_folds(groups)
    tested = np.concatenate([test for _, test in folds])
    assert np.array_equal(np.sort(tested), np.arange(X.height))
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])


class _OccupationMemory(Scorer):
    """Scores a task by the mean label of its occupation's training tasks: only possible
    when the occupation was seen in training."""

    def fit(self, X: pl.DataFrame, y: object = None) -> _OccupationMemory:
        frame = X.select("onet_soc_code").with_columns(
            pl.Series("y", y).replace_strict({"E0": 0.0, "E1": 1.0, "E2": 0.5}, default=None))
        self.seen_ = frame.group_by("onet_soc_code").agg(pl.col("y").mean())
        return self

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return (X.select("onet_soc_code").join(self.seen_, on="onet_soc_code", how="left",
                                               maintain_order="left")
                .get_column("y").fill_null(float("nan")).to_numpy())


def test_held_out_occupations_are_never_seen() -> None:
    X, y, _ = example_inputs()
    folds = grouped_folds(X.get_column("onet_soc_code").to_numpy(), folds=3)
    out = cross_predict(_OccupationMemory(), X, y, folds)
    assert np.isnan(out.scores).all()


def test_metrics_row_on_known_predictions() -> None:
    y = np.array(["E0", "E1", "E2", "E0", None], dtype=object)
    from exposure.scorers.evaluate import _OutOfFold

    out = _OutOfFold(scores=np.array([0.0, 1.0, 0.5, 0.0, 0.3]),
                     labels=np.array(["E0", "E1", "E2", "E1", "E0"], dtype=object), proba=None)
    row = metrics_row("x", "scorer", out, y, np.ones(5), np.array(["a", "a", "b", "b", "b"]))
    assert row["accuracy"] == 0.75 and row["n_scored"] == 4 and row["coverage"] == 1.0
    assert row["spearman_task"] == pytest.approx(1.0)


def test_calibration_table_of_perfect_probabilities() -> None:
    y = np.array(["E0", "E1", "E2", "E2"], dtype=object)
    proba = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]], dtype=float)
    table = calibration_table("perfect", proba, y)
    assert (table.get_column("mean_predicted") == table.get_column("observed")).all()


def test_default_specs_put_gpt4_after_rubric() -> None:
    specs = default_specs()
    assert specs[:5] == ["rubric", "rubric:gpt4:beta", "leverage", "leverage:fixed", "learned"]


def test_unusable_scorer_is_reported_not_fatal(reference_tables: dict) -> None:
    X = task_inputs(reference_tables)
    assert "data_availability" not in X.columns
    evaluation = evaluate_scorers(reference_tables, specs=["leverage", "nope"], baseline=False)
    notes = evaluation.metrics.get_column("note").to_list()
    assert "task features" in notes[0] and "unknown scorer 'nope'" in notes[1]
    assert task_targets(reference_tables, X).null_count() == 45


# --- blank cells and the terminal's footnotes ----------------------------------------------

def test_metrics_row_says_why_cells_are_blank() -> None:
    from exposure.scorers.evaluate import NO_LABELS, NO_PROBA, _OutOfFold

    y = np.array(["E0", "E1", "E2", "E0"], dtype=object)
    out = _OutOfFold(scores=np.array([0.5, 0.5, 0.5, 0.5]), labels=None, proba=None)
    row = metrics_row("index", "scorer", out, y, np.ones(4), np.array(["a", "a", "b", "b"]))
    assert row["accuracy"] is None and row["calibration_error"] is None
    assert np.isnan(row["spearman_task"])
    assert row["blank"].split("; ")[:2] == [NO_LABELS, NO_PROBA]
    assert "spearman_task, pearson_occupation: fewer than 3" in row["blank"]


def test_footnotes_number_each_reason_once() -> None:
    metrics = pl.DataFrame({"scorer": ["a", "b", "c"],
                            "blank": ["x: why; y: why not", "", "y: why not"]})
    marked, notes = footnoted(metrics)
    assert marked.get_column("blank").to_list() == ["1, 2", "", "2"]
    assert notes == ["[1] x: why.", "[2] y: why not."]


def _small_evaluation() -> Evaluation:
    from exposure.scorers.evaluate import METRICS_SCHEMA, NO_LABELS, NO_PROBA

    row = dict.fromkeys(METRICS_SCHEMA) | {"scorer": "index", "kind": "scorer", "note": "",
                                           "coverage": 1.0, "spearman_task": 0.5,
                                           "blank": f"{NO_LABELS}; {NO_PROBA}"}
    calibration = calibration_table("index", np.array([[1.0, 0.0, 0.0]]),
                                    np.array(["E0"], dtype=object))
    checks = pl.DataFrame({"check": ["c"], "accuracy": [0.5], "kappa": [0.1], "note": ["n"]})
    return Evaluation(pl.DataFrame([row], schema=METRICS_SCHEMA), calibration, checks, "cap")


@pytest.fixture()
def evaluate_cli(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    from exposure.cli import scorers as cli_scorers
    from exposure.scorers import evaluate

    monkeypatch.setattr(cli_scorers, "load_tables", lambda raw_dir=None: ({}, None))
    monkeypatch.setattr(evaluate, "evaluate_scorers", lambda *a, **k: _small_evaluation())
    app = typer.Typer()
    app.add_typer(cli_scorers.scorers_app, name="scorers")
    return app


def test_cli_evaluate_explains_blank_cells_and_hides_calibration(evaluate_cli: typer.Typer,
                                                                 monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    plain = CliRunner().invoke(evaluate_cli, ["scorers", "evaluate"])
    assert plain.exit_code == 0, plain.output
    assert "Why blank" in plain.stdout and "[1] accuracy, kappa: no predict_labels" in \
        plain.stdout.replace("\n", " ")
    assert "calibration (out of fold)" not in plain.stdout
    shown = CliRunner().invoke(evaluate_cli, ["scorers", "evaluate", "--calibration"])
    assert shown.exit_code == 0 and "calibration (out of fold)" in shown.stdout
    written = CliRunner().invoke(evaluate_cli, ["scorers", "evaluate", "-f", "csv"])
    row = pl.read_csv(written.stdout.encode()).row(0, named=True)
    assert row["blank"].startswith("accuracy, kappa: no predict_labels")

"""How well each scorer agrees with the human labels on occupations it never saw.

Grouped cross-validation over the O*NET 29.2 tasks: folds split occupations
(`onet_soc_code`), so no occupation has tasks on both sides. Each scorer is cloned, fitted
on the training folds (with the human labels of their tasks) and scores the held-out
folds; the figures compare those out-of-fold scores with the human labels, matched by task
ID: accuracy and Cohen's kappa of E0/E1/E2 (scorers that give labels), Spearman
correlation of task scores with the human beta, Pearson correlation of occupation
(task-weighted) means with the human occupation beta, and, for scorers with
probabilities, a calibration table (predicted probability against observed frequency).
A figure a scorer cannot have (accuracy without `predict_labels`, calibration without
`predict_proba`, a correlation of constant scores) is blank, and the row's `blank` column
says why.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import stats
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline

from exposure.errors import ExposureError
from exposure.scorers.base import (
    LABELS,
    MEASURES,
    Scorer,
    checked_scores,
    run_scorer,
    scorer_name,
)
from exposure.scorers.inputs import task_inputs, task_targets
from exposure.scorers.registry import available_scorers, load_scorer
from exposure.scorers.rubric import RubricScorer
from exposure.task_weights import type_weight

log = logging.getLogger(__name__)

FOLDS = 5
SEED = 0
BINS = 10
# Figures published elsewhere, printed beside ours as checks (never used to compute them).
PUBLISHED = {
    "gpt4": "GPT-4 vs human labels, published: 65.6% agreement, kappa 0.44",
    "baseline": "TF-IDF + logistic regression, held-out occupations: about 74%, kappa 0.54",
    "probe": "TF-IDF over task, DWA/IWA/GWA and occupation titles: about 85.1%, kappa 0.745",
    "target": "target for `learned`: at least 86% and kappa 0.76",
}
# Scored in every evaluation besides the registered scorers' defaults: the GPT-4 labels, and
# the fixed-weight index that the fitted `leverage` replaced, for comparison.
EXTRA_SPECS = ("rubric:gpt4:beta", "leverage:fixed")
BUILT_IN = ("rubric", "leverage", "learned", "stacked")


class TfidfLogisticBaseline(Scorer):
    """Baseline: TF-IDF of the task statement alone + logistic regression (defaults)."""

    def __init__(self, C: float = 1.0, max_iter: int = 1000) -> None:
        self.C = C
        self.max_iter = max_iter

    @property
    def name(self) -> str:
        return "baseline:tfidf+logreg"

    def fit(self, X: pl.DataFrame, y: Any = None) -> TfidfLogisticBaseline:
        labels = pl.Series("y", y, dtype=pl.String)
        keep = labels.is_in(LABELS).fill_null(False)
        self.model_ = make_pipeline(TfidfVectorizer(),
                                    LogisticRegression(C=self.C, max_iter=self.max_iter))
        self.model_.fit(X.get_column("task").filter(keep).to_list(),
                        labels.filter(keep).to_numpy())
        return self

    def predict_proba(self, X: pl.DataFrame) -> np.ndarray:
        proba = self.model_.predict_proba(X.get_column("task").to_list())
        out = np.zeros((X.height, len(LABELS)))
        for j, label in enumerate(self.model_.classes_):
            out[:, LABELS.index(label)] = proba[:, j]
        return out

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return self.predict_proba(X) @ np.array(MEASURES["beta"])

    def predict_labels(self, X: pl.DataFrame) -> np.ndarray:
        return np.array(LABELS, dtype=object)[self.predict_proba(X).argmax(axis=1)]


@dataclass
class Evaluation:
    """`metrics`: one row per scorer; `calibration`: binned probabilities per scorer that
    has them; `checks`: our figures beside published ones; `caption`: how it was run."""

    metrics: pl.DataFrame
    calibration: pl.DataFrame
    checks: pl.DataFrame
    caption: str


@dataclass
class _OutOfFold:
    scores: np.ndarray
    labels: np.ndarray | None
    proba: np.ndarray | None


def default_specs() -> list[str]:
    """Every registered scorer with its default parameters (built-ins first), plus
    EXTRA_SPECS, each after its registered scorer."""
    names = available_scorers()
    specs = [n for n in BUILT_IN if n in names] + [n for n in names if n not in BUILT_IN]
    for extra in EXTRA_SPECS:
        base = extra.split(":")[0]
        specs.insert(specs.index(base) + 1 if base in specs else len(specs), extra)
    return specs


def grouped_folds(groups: np.ndarray, folds: int = FOLDS, seed: int = SEED
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices; every group's rows fall in one test fold."""
    splitter = GroupKFold(folds, shuffle=True, random_state=seed)
    return list(splitter.split(groups, groups=groups))


def cross_predict(scorer: Any, X: pl.DataFrame, y: pl.Series,
                  folds: Sequence[tuple[np.ndarray, np.ndarray]]) -> _OutOfFold:
    """Out-of-fold scores (and labels and probabilities where the scorer has them)."""
    name = scorer_name(scorer)
    scores = np.full(X.height, np.nan)
    labels = np.full(X.height, None, dtype=object) if hasattr(scorer, "predict_labels") \
        else None
    proba = np.full((X.height, len(LABELS)), np.nan) if hasattr(scorer, "predict_proba") \
        else None
    for train, test in folds:
        model = clone(scorer)
        fitted = run_scorer(name, "fit", lambda m=model, t=train: m.fit(X[t], y[t]))
        model = model if fitted is None else fitted
        held = X[test]
        scores[test] = checked_scores(
            run_scorer(name, "predict", lambda m=model, h=held: m.predict(h)), len(test), name)
        if labels is not None:
            labels[test] = np.asarray(run_scorer(
                name, "predict_labels", lambda m=model, h=held: m.predict_labels(h)),
                dtype=object)
        if proba is not None:
            proba[test] = run_scorer(name, "predict_proba",
                                     lambda m=model, h=held: m.predict_proba(h))
    return _OutOfFold(scores, labels, proba)


def _label_beta(y: np.ndarray) -> np.ndarray:
    lookup = dict(zip(LABELS, MEASURES["beta"], strict=True))
    return np.array([lookup.get(v, np.nan) for v in y], dtype=np.float64)


def _ece(predicted: np.ndarray, observed: np.ndarray) -> float:
    """Expected calibration error over BINS equal-width bins."""
    which = np.minimum((predicted * BINS).astype(int), BINS - 1)
    total = 0.0
    for b in np.unique(which):
        inside = which == b
        total += inside.sum() * abs(predicted[inside].mean() - observed[inside].mean())
    return total / len(predicted)


def calibration_table(name: str, proba: np.ndarray, y: np.ndarray) -> pl.DataFrame:
    """Per label (and for the expected beta): predicted probability in BINS bins against
    the observed frequency of that label (or the observed mean human beta)."""
    targets = {label: (proba[:, j], (y == label).astype(float))
               for j, label in enumerate(LABELS)}
    targets["beta"] = (proba @ np.array(MEASURES["beta"]), _label_beta(y))
    rows = []
    for target, (predicted, observed) in targets.items():
        which = np.minimum((predicted * BINS).astype(int), BINS - 1)
        for b in range(BINS):
            inside = which == b
            if inside.any():
                rows.append({"scorer": name, "target": target, "bin": f"{b / BINS:.1f}-"
                             f"{(b + 1) / BINS:.1f}", "n": int(inside.sum()),
                             "mean_predicted": float(predicted[inside].mean()),
                             "observed": float(observed[inside].mean())})
    return pl.DataFrame(rows, schema=CALIBRATION_SCHEMA)


CALIBRATION_SCHEMA = {"scorer": pl.String, "target": pl.String, "bin": pl.String,
                      "n": pl.Int64, "mean_predicted": pl.Float64, "observed": pl.Float64}
METRICS_SCHEMA = {
    "scorer": pl.String, "kind": pl.String, "coverage": pl.Float64, "n_scored": pl.Int64,
    "accuracy": pl.Float64, "kappa": pl.Float64, "spearman_task": pl.Float64,
    "pearson_occupation": pl.Float64, "calibration_error": pl.Float64, "note": pl.String,
    "blank": pl.String,
}
# Why a metric cell is blank (the `blank` column; the terminal shows them as footnotes).
NO_LABELS = "accuracy, kappa: no predict_labels, so label agreement is not defined"
NO_GIVEN_LABELS = "accuracy, kappa: predict_labels gave no E0/E1/E2 label"
NO_PROBA = "calibration_error: no predict_proba, so calibration is not defined"
NO_SPREAD = ("{}: fewer than 3 scored tasks or occupations, or constant scores, so the "
             "correlation is not defined")
NOT_EVALUATED = "every figure: not evaluated (see note)"


def _corr(fn: Callable[..., Any], a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(fn(a, b).statistic)


def metrics_row(name: str, kind: str, out: _OutOfFold, y: np.ndarray, weight: np.ndarray,
                groups: np.ndarray) -> dict[str, Any]:
    """Agreement of out-of-fold predictions with the human labels `y` (None = no label)."""
    labelled = np.array([v in LABELS for v in y])
    beta = _label_beta(y)
    has = labelled & ~np.isnan(out.scores)
    row: dict[str, Any] = {
        "scorer": name, "kind": kind, "coverage": float((~np.isnan(out.scores)).mean()),
        "n_scored": int(has.sum()), "accuracy": None, "kappa": None,
        "spearman_task": _corr(stats.spearmanr, out.scores[has], beta[has]),
        "calibration_error": None, "note": "",
    }
    blank = []
    if out.labels is None:
        blank.append(NO_LABELS)
    else:
        given = labelled & np.array([v in LABELS for v in out.labels])
        if given.any():
            row["accuracy"] = float(accuracy_score(y[given], out.labels[given]))
            row["kappa"] = float(cohen_kappa_score(y[given], out.labels[given],
                                                   labels=list(LABELS)))
        else:
            blank.append(NO_GIVEN_LABELS)
    occupations = pl.DataFrame({"g": groups[has], "s": out.scores[has], "b": beta[has],
                                "w": weight[has]}).group_by("g").agg(
        ((pl.col("s") * pl.col("w")).sum() / pl.col("w").sum()).alias("s"),
        ((pl.col("b") * pl.col("w")).sum() / pl.col("w").sum()).alias("b"))
    row["pearson_occupation"] = _corr(stats.pearsonr, occupations.get_column("s").to_numpy(),
                                      occupations.get_column("b").to_numpy())
    if out.proba is not None:
        p = out.proba[labelled]
        row["calibration_error"] = float(np.mean(
            [_ece(p[:, j], (y[labelled] == label).astype(float))
             for j, label in enumerate(LABELS)]))
    else:
        blank.append(NO_PROBA)
    undefined = [c for c in ("spearman_task", "pearson_occupation") if math.isnan(row[c])]
    if undefined:
        blank.append(NO_SPREAD.format(", ".join(undefined)))
    row["blank"] = "; ".join(blank)
    return row


def footnoted(metrics: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """`metrics` with its `blank` column as footnote marks ('1', '1, 2') and the numbered
    footnotes, each reason once: the terminal's way of saying why cells are blank."""
    reasons: list[str] = []
    marks = []
    for text in metrics.get_column("blank").fill_null("").to_list():
        numbers = []
        for reason in filter(None, text.split("; ")):
            if reason not in reasons:
                reasons.append(reason)
            numbers.append(str(reasons.index(reason) + 1))
        marks.append(", ".join(numbers))
    notes = [f"[{i}] {reason}." for i, reason in enumerate(reasons, 1)]
    return metrics.with_columns(pl.Series("blank", marks, pl.String)), notes


def _kind(scorer: Any) -> str:
    if isinstance(scorer, RubricScorer):
        return "human labels (target)" if scorer.rater == "human" else f"{scorer.rater} labels"
    return "baseline" if isinstance(scorer, TfidfLogisticBaseline) else "scorer"


def published_agreement(task_label: pl.DataFrame) -> tuple[float, float, int]:
    """GPT-4 against human labels over every published task: accuracy, kappa, tasks."""
    y, g = task_label.get_column("human_label"), task_label.get_column("gpt4_label")
    return (float(accuracy_score(y, g)), float(cohen_kappa_score(y, g)), task_label.height)


def evaluate_scorers(tables: Mapping[str, pl.DataFrame],
                     task_feature: pl.DataFrame | None = None,
                     specs: Sequence[str] | None = None, folds: int = FOLDS,
                     seed: int = SEED, baseline: bool = True) -> Evaluation:
    """Cross-validated agreement with the human labels of every scorer in `specs`
    (default: every registered scorer and the GPT-4 rubric), plus the baseline."""
    X = task_inputs(tables, task_feature)
    y = task_targets(tables, X)
    y_np = y.to_numpy().astype(object)
    groups = X.get_column("onet_soc_code").to_numpy()
    # occupation means weigh tasks by type, as the published labels' occupation table does
    weight = X.select(type_weight()).to_series().to_numpy()
    split = grouped_folds(groups, folds, seed)
    entries: list[tuple[str, Any]] = []
    for spec in (default_specs() if specs is None else list(specs)):
        try:
            entries.append((spec, load_scorer(spec, tables)))
        except ExposureError as exc:
            entries.append((spec, exc))
    if baseline:
        entries.append(("baseline", TfidfLogisticBaseline()))

    rows, calibration = [], []
    for spec, scorer in entries:
        if isinstance(scorer, ExposureError):
            rows.append({**dict.fromkeys(METRICS_SCHEMA), "scorer": spec, "kind": "scorer",
                         "note": f"not evaluated: {scorer}", "blank": NOT_EVALUATED})
            continue
        name = scorer_name(scorer)
        log.info("evaluating %s", name)
        try:
            out = cross_predict(scorer, X, y, split)
        except ExposureError as exc:
            rows.append({**dict.fromkeys(METRICS_SCHEMA), "scorer": name, "kind": _kind(scorer),
                         "note": f"not evaluated: {exc}", "blank": NOT_EVALUATED})
            continue
        rows.append(metrics_row(name, _kind(scorer), out, y_np, weight, groups))
        if out.proba is not None:
            labelled = np.array([v in LABELS for v in y_np])
            calibration.append(calibration_table(name, out.proba[labelled], y_np[labelled]))

    accuracy, kappa, n = published_agreement(tables["task_label"])
    checks = pl.DataFrame({
        "check": ["gpt4 vs human, all published tasks", "gpt4 vs human, published figure",
                  "baseline, published figure", "probe, published figure",
                  "learned, target"],
        "accuracy": [accuracy, 0.656, 0.74, 0.851, 0.86],
        "kappa": [kappa, 0.44, 0.54, 0.745, 0.76],
        "note": [f"computed from the labels of {n:,} O*NET 27.2 tasks", PUBLISHED["gpt4"],
                 PUBLISHED["baseline"], PUBLISHED["probe"], PUBLISHED["target"]],
    })
    labelled_n = int(np.array([v in LABELS for v in y_np]).sum())
    caption = (f"{folds}-fold cross-validation grouped by occupation (seed {seed}) over "
               f"{X.height:,} O*NET 29.2 tasks, {labelled_n:,} with a human label matched by "
               "task ID; coverage = share of all tasks scored. Spearman: task score vs "
               "human beta; Pearson: occupation means (Core tasks weigh 2). "
               "Published: " + "; ".join(PUBLISHED[k] for k in ("gpt4", "baseline", "target")))
    return Evaluation(
        pl.DataFrame(rows, schema=METRICS_SCHEMA),
        pl.concat(calibration) if calibration else pl.DataFrame(schema=CALIBRATION_SCHEMA),
        checks, caption)

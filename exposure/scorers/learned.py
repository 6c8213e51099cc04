"""`learned`: a linear model of the human labels on everything a task carries.

Each text column of the inputs (the task, its occupation's title, the titles of its
detailed, intermediate and generalized work activities, the occupation's technologies,
skills and knowledge areas) gets its own TF-IDF of words and word pairs, scaled by a block
weight; the numeric columns (the task features, job zone, counts) are standardised. A
linear support-vector machine separates E0, E1 and E2 on all blocks together; a
multinomial logistic regression on its three decision values, fitted on decision values
from grouped cross-validation inside the training data (no occupation on both sides),
turns them into probabilities. The score is the expected rubric value (beta by default:
P(E1) + P(E2)/2); `predict_labels` gives the most probable label. The cross-validation's
fold models are kept (`fold_models_`), and `predict_sd` is the spread of their scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

import numpy as np
import polars as pl
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

from exposure.errors import ConfigError
from exposure.scorers.base import LABELS, Scorer, check_measure
from exposure.scorers.inputs import feature_columns
from exposure.scorers.text import TextSvd, TextTfidf

# Block weights and C, chosen by cross-validation grouped by occupation on 80% of the
# labelled occupations, the other 20% held back as one final check (README, "Scorers").
TEXT_WEIGHTS: dict[str, float] = {
    "task": 0.7, "occupation_title": 1.0, "dwa_titles": 1.5, "iwa_titles": 1.0,
    "gwa_titles": 1.0, "technology": 0.2, "skills": 0.2, "knowledge": 0.2,
}
# Occupation-level texts, long and repeated on every task of an occupation: compressed.
CONTEXT_COLUMNS = ("technology", "skills", "knowledge")
LABEL = "__label"


class Linear(NamedTuple):
    """A fitted SVM's decision function split by input block (block weights applied)."""

    intercept: np.ndarray
    text: dict[str, np.ndarray]  # per text column: (its features, decision columns)
    numeric: np.ndarray


class LearnedScorer(Scorer):
    """Linear SVM on per-field TF-IDF and features, calibrated to label probabilities."""

    spec_params: ClassVar[tuple[str, ...]] = ("measure",)
    # `exposure compare` warns that agreement with a reference built from them is in-sample
    trained_on: ClassVar[str] = "the human GPTs-are-GPTs task labels"

    def __init__(self, measure: str = "beta", text_weights: Mapping[str, float] | None = None,
                 numeric_weight: float = 0.2, context_components: int = 8, C: float = 0.3,
                 calibration_folds: int = 3, random_state: int = 0) -> None:
        self.measure = measure
        self.text_weights = text_weights
        self.numeric_weight = numeric_weight
        self.context_components = context_components
        self.C = C
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    @property
    def name(self) -> str:
        return "learned" if self.measure == "beta" else f"learned:{self.measure}"

    def check_params(self) -> None:
        check_measure(self.measure)
        if self.C <= 0 or self.numeric_weight < 0 or self.calibration_folds < 2:
            raise ConfigError("learned scorer parameters out of range",
                              "C > 0, numeric_weight >= 0, calibration_folds >= 2")

    # -- features ---------------------------------------------------------------------
    def _check_columns(self, X: pl.DataFrame) -> None:
        missing = [c for c in [*self.vectorizers_, *self.numeric_columns_]
                   if c not in X.columns]
        if missing:
            raise ConfigError(f"X lacks columns the learned scorer was fitted with: "
                              f"{', '.join(missing)}",
                              "score frames built like the training frame (task_inputs)")

    def _numeric(self, X: pl.DataFrame) -> np.ndarray:
        values = X.select(pl.col(c).cast(pl.Float64) for c in self.numeric_columns_).to_numpy()
        z = (values - self.numeric_center_) / self.numeric_scale_
        return np.nan_to_num(z, nan=0.0) * (self.numeric_weight / np.sqrt(max(z.shape[1], 1)))

    def _design(self, X: pl.DataFrame) -> sp.csr_matrix:
        blocks = [sp.csr_matrix(self._block_weight(c)
                                * self.vectorizers_[c].transform(X.get_column(c)))
                  for c in self.vectorizers_]
        blocks.append(sp.csr_matrix(self._numeric(X)))
        return sp.hstack(blocks, format="csr")

    def _decisions(self, X: pl.DataFrame, models: list[Linear]) -> list[np.ndarray]:
        """Each model's SVM decision values without building the design matrix: each text
        block is vectorised once per distinct text (occupation-level texts repeat on every
        task), and once for all `models`."""
        self._check_columns(X)
        numeric = self._numeric(X)
        outs = [numeric @ model.numeric + model.intercept for model in models]
        for column, vectorizer in self.vectorizers_.items():
            distinct, index = vectorizer.transform_distinct(X.get_column(column))
            for out, model in zip(outs, models, strict=True):
                out += (distinct @ model.text[column])[index]
        return outs

    def _linear(self, svm: LinearSVC) -> Linear:
        coef = svm.coef_.T  # (features, decision columns)
        text, start = {}, 0
        for column, vectorizer in self.vectorizers_.items():
            width = vectorizer.n_features_out_
            text[column] = self._block_weight(column) * coef[start:start + width]
            start += width
        return Linear(svm.intercept_.copy(), text, coef[start:])

    # -- fitting ----------------------------------------------------------------------
    def fit(self, X: pl.DataFrame, y: Any = None) -> LearnedScorer:
        self.check_params()
        if y is None:
            raise ConfigError("the learned scorer needs labels to fit",
                              "pass y = task_targets(tables, X)")
        labels = pl.Series(LABEL, y, dtype=pl.String)
        # A canonical row order makes the fit independent of the order of X.
        train = (X.with_columns(labels).filter(pl.col(LABEL).is_in(LABELS))
                 .sort("onet_soc_code", "task_id"))
        if train.get_column(LABEL).n_unique() < 2:
            raise ConfigError("the learned scorer needs at least two different labels",
                              "fit it on tasks with E0, E1 and E2 labels")
        weights = dict(TEXT_WEIGHTS if self.text_weights is None else self.text_weights)
        self.text_weights_ = {c: float(w) for c, w in weights.items()
                              if c in X.columns and w > 0}
        self.vectorizers_ = {
            c: (TextSvd(self.context_components, self.random_state) if c in CONTEXT_COLUMNS
                else TextTfidf()).fit(train.get_column(c))
            for c in self.text_weights_}
        self.numeric_columns_ = feature_columns(X)
        values = train.select(pl.col(c).cast(pl.Float64)
                              for c in self.numeric_columns_).to_numpy()
        present = ~np.isnan(values)
        count = np.maximum(present.sum(axis=0), 1)
        center = np.where(present, values, 0.0).sum(axis=0) / count
        spread = np.sqrt(np.where(present, (values - center) ** 2, 0.0).sum(axis=0) / count)
        self.numeric_center_ = center
        self.numeric_scale_ = np.where(spread > 0, spread, 1.0)  # constant or empty: 0 after

        design = self._design(train)
        target = train.get_column(LABEL).to_numpy()
        groups = train.get_column("onet_soc_code").to_numpy()
        svm = self._svm().fit(design, target)
        self.classes_ = np.array(LABELS, dtype=object)
        decisions, folds = self._out_of_fold(design, target, groups, svm)
        self.calibrator_ = LogisticRegression(max_iter=1000).fit(decisions, target)
        self.model_ = self._linear(svm)
        # Read through the same calibrator, their decision values being what it was fitted on.
        self.fold_models_ = [self._linear(fold) for fold in folds]
        return self

    def _block_weight(self, column: str) -> float:
        """A block's weight; dense (compressed) blocks share it over their dimensions."""
        vectorizer = self.vectorizers_[column]
        if isinstance(vectorizer, TextSvd):
            return self.text_weights_[column] / np.sqrt(max(vectorizer.n_features_out_, 1))
        return self.text_weights_[column]

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, random_state=self.random_state)

    def _out_of_fold(self, design: sp.csr_matrix, target: np.ndarray, groups: np.ndarray,
                     svm: LinearSVC) -> tuple[np.ndarray, list[LinearSVC]]:
        """Decision values of models that did not see the row's occupation, and those fold
        models (the ones that saw every label)."""
        folds = min(self.calibration_folds, len(np.unique(groups)))
        if folds < 2:
            return svm.decision_function(design).reshape(len(target), -1), []
        out, models = np.zeros((len(target), svm.coef_.shape[0])), []
        splitter = GroupKFold(folds, shuffle=True, random_state=self.random_state)
        for fit_rows, held in splitter.split(design, target, groups):
            model = self._svm().fit(design[fit_rows], target[fit_rows])
            if list(model.classes_) != list(svm.classes_):  # a fold lacks a label
                out[held] = svm.decision_function(design[held]).reshape(len(held), -1)
            else:
                out[held] = model.decision_function(design[held]).reshape(len(held), -1)
                models.append(model)
        return out, models

    # -- prediction -------------------------------------------------------------------
    def _proba(self, decision: np.ndarray) -> np.ndarray:
        proba = self.calibrator_.predict_proba(decision)
        out = np.zeros((len(decision), len(LABELS)))
        for j, label in enumerate(self.calibrator_.classes_):
            out[:, LABELS.index(label)] = proba[:, j]
        return out

    def _score(self, proba: np.ndarray) -> np.ndarray:
        return np.clip(proba @ check_measure(self.measure), 0.0, 1.0)

    def predict_proba(self, X: pl.DataFrame) -> np.ndarray:
        """P(E0), P(E1), P(E2) per row (columns in `classes_` order)."""
        return self._proba(self._decisions(X, [self.model_])[0])

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return self._score(self.predict_proba(X))

    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        """Each task's standard deviation of its score over the fold models of the
        calibration's grouped cross-validation (3 by default, each trained on the
        occupations outside its fold; ddof 0, so it stays <= 0.5): how far the score moves
        with the training occupations. From so few models it is a rough figure; NaN when
        fewer than two folds saw every label. It costs the text vectorising of one
        prediction, no fit."""
        if len(self.fold_models_) < 2:
            return np.full(X.height, np.nan)
        scores = [self._score(self._proba(d)) for d in self._decisions(X, self.fold_models_)]
        return np.std(scores, axis=0)

    def predict_labels(self, X: pl.DataFrame) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

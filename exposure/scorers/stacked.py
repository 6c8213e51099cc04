"""`stacked`: the text model and the feature model combined by a model fitted out of fold.

The base scorers (`learned`: text and features, linear; `leverage`: the DA/V features,
boosted) each give P(E0), P(E1), P(E2) per task. A multinomial logistic regression (the
meta-model) takes their log-odds of E1 and of E2 against E0 and predicts the label. It is
fitted on out-of-fold predictions only: the labelled training tasks are split into `folds`
groups of occupations, each base is fitted on the other folds' occupations and predicts the
held-out fold, so no meta-feature comes from a model that saw that task or any task of its
occupation (as `exposure scorers evaluate` holds out whole occupations). The bases are then
refitted on every labelled task to predict new ones. Score = expected beta,
P(E1) + P(E2)/2; `predict_labels` gives the most probable label; `predict_sd` is the
spread of a task's score over the fold models (each base's fold model through the one
meta-model), no further fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import polars as pl
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from exposure.errors import ConfigError
from exposure.scorers.base import LABELS, MEASURES, Scorer
from exposure.scorers.inputs import ID_COLUMNS

LABEL = "__label"
# Probabilities are clipped before the log so a base's 0 or 1 gives a finite meta-feature.
EPS = 1e-6


def log_odds(proba: np.ndarray) -> np.ndarray:
    """log P(E1)/P(E0) and log P(E2)/P(E0) from (rows, 3) probabilities in LABELS order."""
    logp = np.log(np.clip(proba, EPS, 1.0))
    return logp[:, 1:] - logp[:, [0]]


class StackedScorer(Scorer):
    """Out-of-fold stacking of `learned` (text) and `leverage` (features)."""

    # `exposure compare` warns that agreement with a reference built from them is in-sample
    trained_on: ClassVar[str] = "the human GPTs-are-GPTs task labels"

    def __init__(self, bases: Sequence[Any] = ("learned", "leverage"), folds: int = 3,
                 C: float = 1.0, random_state: int = 0) -> None:
        # `bases`: scorer specs (as `--scorer` takes them) or unfitted scorer instances,
        # each with predict_proba in LABELS order
        self.bases = bases
        self.folds = folds
        self.C = C
        self.random_state = random_state

    @property
    def name(self) -> str:
        return "stacked"

    def check_params(self) -> None:
        if not self.bases or self.folds < 2 or self.C <= 0:
            raise ConfigError("stacked scorer parameters out of range",
                              "at least one base, folds >= 2, C > 0")

    def _base_scorers(self) -> list[Any]:
        from exposure.scorers.registry import load_scorer

        scorers = [load_scorer(b) if isinstance(b, str) else clone(b) for b in self.bases]
        lacking = [type(s).__name__ for s in scorers if not hasattr(s, "predict_proba")]
        if lacking:
            raise ConfigError(f"stacked needs base scorers with predict_proba; "
                              f"{', '.join(lacking)} has none",
                              "use scorers that give label probabilities (learned, leverage)")
        return scorers

    def fit(self, X: pl.DataFrame, y: Any = None) -> StackedScorer:
        self.check_params()
        if y is None:
            raise ConfigError("the stacked scorer needs labels to fit",
                              "pass y = task_targets(tables, X)")
        labels = pl.Series(LABEL, y, dtype=pl.String)
        # A canonical row order makes the folds, hence the fit, independent of the order of X.
        train = (X.with_columns(labels).filter(pl.col(LABEL).is_in(LABELS))
                 .sort(*ID_COLUMNS))
        target = train.get_column(LABEL)
        Xt = train.drop(LABEL)
        groups = Xt.get_column("onet_soc_code").to_numpy()
        folds = min(self.folds, len(np.unique(groups)))
        if folds < 2:
            raise ConfigError("the stacked scorer needs tasks of at least two occupations",
                              "fit it on the tasks of several occupations")
        bases = self._base_scorers()
        # meta-features of each training task from fold models that never saw its occupation
        self.meta_features_ = np.zeros((Xt.height, 2 * len(bases)))
        self.fold_models_: list[list[Any]] = []
        splitter = GroupKFold(folds, shuffle=True, random_state=self.random_state)
        for fit_rows, held in splitter.split(groups, groups=groups):
            models = [clone(b).fit(Xt[fit_rows], target[fit_rows]) for b in bases]
            self.meta_features_[held] = self._meta(models, Xt[held])
            self.fold_models_.append(models)
        self.meta_ = LogisticRegression(C=self.C, max_iter=1000).fit(
            self.meta_features_, target.to_numpy())
        self.base_models_ = [clone(b).fit(Xt, target) for b in bases]
        self.classes_ = np.array(LABELS, dtype=object)
        return self

    @staticmethod
    def _meta(models: Sequence[Any], X: pl.DataFrame) -> np.ndarray:
        return np.hstack([log_odds(np.asarray(m.predict_proba(X))) for m in models])

    def _proba(self, models: Sequence[Any], X: pl.DataFrame) -> np.ndarray:
        proba = self.meta_.predict_proba(self._meta(models, X))
        out = np.zeros((X.height, len(LABELS)))
        for j, label in enumerate(self.meta_.classes_):
            out[:, LABELS.index(label)] = proba[:, j]
        return out

    @staticmethod
    def _score(proba: np.ndarray) -> np.ndarray:
        return np.clip(proba @ np.array(MEASURES["beta"]), 0.0, 1.0)

    def predict_proba(self, X: pl.DataFrame) -> np.ndarray:
        """P(E0), P(E1), P(E2) per row."""
        return self._proba(self.base_models_, X)

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return self._score(self.predict_proba(X))

    def predict_labels(self, X: pl.DataFrame) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        """Each task's standard deviation (ddof 0, so <= 0.5) of its score over the `folds`
        fold models (each base's fold model through the meta-model): how far the score
        moves with the training occupations. A rough figure from so few models; it costs a
        prediction per fold model, no fit."""
        scores = [self._score(self._proba(models, X)) for models in self.fold_models_]
        return np.std(scores, axis=0)

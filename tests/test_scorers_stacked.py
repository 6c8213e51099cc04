"""`stacked`: the scorer contract, and a meta-model fitted on out-of-fold predictions only.

Its held-out agreement on the real labels is measured by `exposure scorers evaluate` (README,
"How the scorers agree with the human labels"); a fit of the mirror takes about a minute,
so these tests use the small synthetic frame of `exposure.testing`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

from exposure.errors import ConfigError
from exposure.scorers import Scorer, load_scorer
from exposure.scorers.base import LABELS, MEASURES
from exposure.scorers.evaluate import TfidfLogisticBaseline
from exposure.scorers.stacked import StackedScorer
from exposure.testing import check_scorer, example_inputs


class Memorizer(Scorer):
    """Certain of the label of every task it was fitted on, uniform on every other task: a
    base whose in-fold predictions are perfect and whose out-of-fold ones carry nothing."""

    def fit(self, X: pl.DataFrame, y: Any = None) -> Memorizer:
        self.seen_ = dict(zip(X.get_column("task_id").to_list(), list(y), strict=True))
        return self

    def predict_proba(self, X: pl.DataFrame) -> np.ndarray:
        out = np.full((X.height, len(LABELS)), 1 / len(LABELS))
        for i, task in enumerate(X.get_column("task_id").to_list()):
            if task in self.seen_:
                out[i] = [float(label == self.seen_[task]) for label in LABELS]
        return out

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return self.predict_proba(X) @ np.array(MEASURES["beta"])


@pytest.mark.slow  # 3 fits x 8 base fits of learned and leverage on the example: 20-40 s
def test_check_scorer_passes() -> None:
    passed = check_scorer(StackedScorer)
    assert "predict_sd gives one finite float in [0, 0.5] or NaN per row" in passed
    assert "predict_labels gives E0/E1/E2 or None per row" in passed


def test_meta_model_sees_only_out_of_fold_predictions() -> None:
    X, y, _ = example_inputs()
    model = StackedScorer(bases=(Memorizer(), TfidfLogisticBaseline())).fit(X, y)
    # Had a fold model predicted rows it was fitted on, the memorizer's log-odds would be
    # +-13.8 (its certainty, clipped); out of fold it knows nothing: log-odds 0 everywhere.
    np.testing.assert_array_equal(model.meta_features_[:, :2], 0.0)
    assert np.abs(model.meta_features_[:, 2:]).max() > 0  # the real base does inform it
    # so the meta-model gives the memorizer no weight, though it is perfect in sample
    memorizer_weights = model.meta_.coef_[:, :2]
    np.testing.assert_allclose(memorizer_weights, 0.0, atol=1e-9)
    # and whole occupations are held out: no fold model saw a task of a held occupation
    codes = dict(zip(X.get_column("task_id").to_list(),
                     X.get_column("onet_soc_code").to_list(), strict=True))
    occupations = set(codes.values())
    held = [occupations - {codes[t] for t in models[0].seen_} for models in model.fold_models_]
    assert sum(len(h) for h in held) == len(occupations) == len(set.union(*held))


def test_scores_and_sds_in_range() -> None:
    X, y, _ = example_inputs()
    model = StackedScorer(bases=("learned", TfidfLogisticBaseline())).fit(X, y)
    scores, sd = model.predict(X), model.predict_sd(X)
    assert ((scores >= 0) & (scores <= 1)).all()
    assert ((sd >= 0) & (sd <= 0.5)).all()
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(scores, proba @ np.array(MEASURES["beta"]))
    assert set(model.predict_labels(X)) <= set(LABELS)


def test_registered_and_checked() -> None:
    scorer = load_scorer("stacked")
    assert isinstance(scorer, StackedScorer) and scorer.name == "stacked"
    assert scorer.trained_on  # `exposure compare` warns its agreement is in-sample
    X, y, _ = example_inputs()
    with pytest.raises(ConfigError, match="needs labels"):
        StackedScorer().fit(X)
    with pytest.raises(ConfigError, match="predict_proba"):
        StackedScorer(bases=("leverage:fixed",)).fit(X, y)
    with pytest.raises(ConfigError, match="out of range"):
        StackedScorer(folds=1).fit(X, y)

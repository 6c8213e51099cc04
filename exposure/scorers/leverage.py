"""`leverage`: exposure from data availability and verifiability, fitted and explainable.

`leverage` is an Explainable Boosting Machine (interpret-core's multiclass
`ExplainableBoostingClassifier`) of the human labels E0/E1/E2 on MODEL_SPEC §1's
components: every `da_*` (data availability) and `v_*` (verifiability) column of
`task_feature`, with manual intensity, face-to-face work, job zone and evaluation
gatekeeping. An EBM is a sum of one shape function per feature and a few pairwise terms,
so each task's log-odds of E1 (and of E2) against E0 is exactly the sum of its terms'
contributions (`contributions`). Its outer bags each hold out the occupations of one of
5 folds grouped by occupation (`occupation_bags`), so `exposure.scorers.explain` reads the
spread of the shape functions across those fold models from the one fit, and
`predict_sd` the spread of each task's score across them. Score = expected beta,
P(E1) + P(E2)/2; `predict_labels` gives the most probable label.

`leverage:fixed[:w_d:w_v]` is the transparent index it replaces (`leverage_fixed`), found
through this scorer's `from_spec` under the same entry point.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import polars as pl
from sklearn.model_selection import GroupKFold

from exposure.errors import ConfigError
from exposure.scorers.base import LABELS, MEASURES, Scorer
from exposure.scorers.inputs import ID_COLUMNS
from exposure.scorers.leverage_fixed import FixedLeverageScorer

# Besides every da_* and v_* component: MODEL_SPEC §2.1 manual intensity, §2.3 social
# frictions, the Job Zone (preparation) and §1.3 gatekeeping (eval-data leverage).
OTHER_FEATURES = ("manual_intensity", "face_to_face", "job_zone", "gatekeeping")
COMPONENT_PREFIXES = {"da_": "data_availability", "v_": "verifiability"}
# Log-odds are read against E0, so they do not depend on how softmax logits are shifted.
REFERENCE_LABEL = "E0"
INTERCEPT = "intercept"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def default_features(columns: Sequence[str]) -> list[str]:
    """The leverage model's candidate features among `columns`: the components, then
    OTHER_FEATURES."""
    components = [c for c in columns if c.startswith(tuple(COMPONENT_PREFIXES))]
    return components + [c for c in OTHER_FEATURES if c in columns]


def feature_group(term: str) -> str:
    """`data_availability`, `verifiability`, `other`, or `interaction` (a pair)."""
    if " & " in term:
        return "interaction"
    for prefix, group in COMPONENT_PREFIXES.items():
        if term.startswith(prefix):
            return group
    return "intercept" if term == INTERCEPT else "other"


def occupation_bags(groups: np.ndarray, bags: int, seed: int) -> np.ndarray:
    """interpret's bag matrix (rows, bags): bag k trains (+1) on the occupations outside
    the k-th of `bags` grouped folds and stops boosting early on that fold (-1).

    interpret's default bags hold out random tasks, whose occupations' other tasks are in
    training; holding out whole occupations stops boosting where it stops generalising to
    new occupations (what `scorers evaluate` measures), and makes the bag models the
    models of a grouped cross-validation, whose spread `scorer_explanation` reports
    without any further fit."""
    occupations = len(np.unique(groups))
    if occupations < 2:
        raise ConfigError("the leverage scorer needs tasks of at least two occupations",
                          "fit it on the tasks of several occupations")
    folds = min(bags, occupations)
    out = np.zeros((len(groups), folds), dtype=np.int8)
    splitter = GroupKFold(folds, shuffle=True, random_state=seed)
    for k, (train, held) in enumerate(splitter.split(groups, groups=groups)):
        out[train, k], out[held, k] = 1, -1
    return out


class LeverageScorer(Scorer):
    """Explainable boosting of the human labels on data availability and verifiability."""

    # `exposure compare` warns that agreement with a reference built from them is in-sample
    trained_on: ClassVar[str] = "the human GPTs-are-GPTs task labels"

    def __init__(self, features: Sequence[str] | None = None, interactions: int = 10,
                 outer_bags: int = 5, learning_rate: float = 0.1, max_bins: int = 128,
                 random_state: int = 0) -> None:
        self.features = features
        self.interactions = interactions
        self.outer_bags = outer_bags
        self.learning_rate = learning_rate
        self.max_bins = max_bins
        self.random_state = random_state

    @classmethod
    def from_spec(cls, *args: str) -> Scorer:
        """`leverage` (this model) or `leverage:fixed[:w_d:w_v]` (the fixed weights)."""
        if not args:
            return cls()
        if args[0] == "fixed":
            return FixedLeverageScorer.from_spec(*args[1:])
        spec = ":".join(args)
        if all(_is_number(a) for a in args):
            # `leverage:W_D:W_V` named the fixed weights before the fitted model took the name
            raise ConfigError(f"'leverage:{spec}' is the old spec of the fixed-weight index",
                              f"use 'leverage:fixed:{spec}', or 'leverage' for the fitted "
                              "model")
        raise ConfigError(f"unknown leverage variant '{spec}'",
                          "use 'leverage' (fitted) or 'leverage:fixed[:w_d:w_v]'")

    @property
    def name(self) -> str:
        return "leverage"

    def check_params(self) -> None:
        if self.interactions < 0 or self.outer_bags < 2 or not 0 < self.learning_rate <= 1 \
                or self.max_bins < 2:
            raise ConfigError("leverage model parameters out of range",
                              "interactions >= 0, outer_bags >= 2, 0 < learning_rate <= 1, "
                              "max_bins >= 2")

    def fit(self, X: pl.DataFrame, y: Any = None) -> LeverageScorer:
        from interpret.glassbox import ExplainableBoostingClassifier

        self.check_params()
        candidates = list(self.features) if self.features is not None \
            else default_features(X.columns)
        absent = [c for c in candidates if c not in X.columns]
        if absent or not candidates:
            raise ConfigError(
                f"the leverage scorer needs the task features {', '.join(absent) or 'da_*, v_*'}",
                "build the inputs with task_inputs(tables, build_task_features(tables))")
        if y is None:
            raise ConfigError("the leverage scorer is fitted on the human labels and got none",
                              "pass y = task_targets(tables, X)")
        labels = pl.Series("y", y, dtype=pl.String)
        # Sorted by id, so the bags (and the scores) do not depend on the rows' order.
        train = (X.select(*ID_COLUMNS, *candidates).with_columns(labels)
                 .filter(pl.col("y").is_in(LABELS)).sort(ID_COLUMNS))
        missing_labels = sorted(set(LABELS) - set(train.get_column("y").unique()))
        if missing_labels:
            raise ConfigError(f"the leverage scorer's training labels lack {missing_labels}",
                              "fit it on tasks with all three human labels E0, E1, E2")
        # A column null on every training task (the full-download-only ones with the
        # staged mirror) has nothing to learn from.
        self.features_ = [c for c in candidates if train.get_column(c).null_count() < train.height]
        bags = occupation_bags(train.get_column("onet_soc_code").to_numpy(),
                               self.outer_bags, self.random_state)
        # n_jobs=1: on two cores joblib's worker start-up costs more than the bags gain.
        self.model_ = ExplainableBoostingClassifier(
            feature_names=self.features_, interactions=self.interactions,
            outer_bags=bags.shape[1], learning_rate=self.learning_rate,
            max_bins=self.max_bins, smoothing_rounds=20, early_stopping_rounds=30,
            n_jobs=1, random_state=self.random_state)
        with warnings.catch_warnings():
            # interpret warns that its plots omit missing values and multiclass pairs;
            # this scorer reads the terms themselves (`contributions`), not the plots.
            warnings.simplefilter("ignore", UserWarning)
            self.model_.fit(self._matrix(train), train.get_column("y").to_numpy(), bags=bags)
        self.classes_ = [str(c) for c in self.model_.classes_]
        self.terms_ = [" & ".join(self.features_[i] for i in term)
                       for term in self.model_.term_features_]
        return self

    def _matrix(self, X: pl.DataFrame) -> np.ndarray:
        missing = [c for c in self.features_ if c not in X.columns]
        if missing:
            raise ConfigError(f"X lacks columns the leverage scorer was fitted with: "
                              f"{', '.join(missing)}",
                              "score frames built like the training frame (task_inputs)")
        return X.select(pl.col(c).cast(pl.Float64) for c in self.features_).to_numpy()

    def predict_proba(self, X: pl.DataFrame) -> np.ndarray:
        """P(E0), P(E1), P(E2) per row."""
        proba = self.model_.predict_proba(self._matrix(X))
        return proba[:, [self.classes_.index(label) for label in LABELS]]

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.clip(self.predict_proba(X) @ np.array(MEASURES["beta"]), 0.0, 1.0)

    def predict_labels(self, X: pl.DataFrame) -> np.ndarray:
        return np.array(LABELS, dtype=object)[self.predict_proba(X).argmax(axis=1)]

    def bag_scorers(self) -> list[LeverageScorer]:
        """The fitted model's bag models, as scorers: the same bins and terms with one bag's
        term scores and intercept (each bag is boosted on the occupations outside one of
        the grouped folds of `occupation_bags`)."""
        bags = []
        for k in range(len(self.model_.bagged_intercept_)):
            ebm = copy.copy(self.model_)  # shallow: only the two attributes below differ
            ebm.term_scores_ = [scores[k] for scores in self.model_.bagged_scores_]
            ebm.intercept_ = self.model_.bagged_intercept_[k]
            bag = copy.copy(self)
            bag.model_ = ebm
            bags.append(bag)
        return bags

    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        """Each task's standard deviation of its score over the bag models (of these 5
        models, ddof 0, as interpret's `predict_with_uncertainty`; it stays <= 0.5 where
        ddof 1 need not): how far the score moves when another fifth of the occupations is
        left out of training. The model's own score comes from the bags' mean log-odds,
        not their mean score, so it need not be the centre of this spread. It costs one
        prediction per bag, no fit."""
        return np.stack([bag.predict(X) for bag in self.bag_scorers()]).std(axis=0)

    def log_odds(self, X: pl.DataFrame) -> np.ndarray:
        """log P(label) / P(E0) for E1 and E2 (columns in that order), from the model's
        decision function: what `contributions` add up to."""
        logits = self.model_.decision_function(self._matrix(X))
        ref = logits[:, self.classes_.index(REFERENCE_LABEL)]
        return np.column_stack([logits[:, self.classes_.index(label)] - ref
                                for label in LABELS if label != REFERENCE_LABEL])

    def term_log_odds(self, X: pl.DataFrame) -> np.ndarray:
        """Each term's contribution to log P(label) / P(E0) for E1 and E2: an array of
        (rows, 1 + terms, 2), the intercept first, then the terms of `terms_`."""
        terms = self.model_.eval_terms(self._matrix(X))  # (rows, terms, classes)
        intercept = np.asarray(self.model_.intercept_, dtype=np.float64)
        ref = self.classes_.index(REFERENCE_LABEL)
        out = []
        for label in LABELS:
            if label == REFERENCE_LABEL:
                continue
            k = self.classes_.index(label)
            out.append(np.column_stack([np.full(X.height, intercept[k] - intercept[ref]),
                                        terms[:, :, k] - terms[:, :, ref]]))
        return np.stack(out, axis=2)

    def contributions(self, X: pl.DataFrame) -> pl.DataFrame:
        """Each term's contribution to each task's log-odds of E1 and of E2 against E0,
        long: `onet_soc_code`, `task_id`, `label`, `term`, `term_group`, `contribution`;
        with the `intercept` rows they sum to `log_odds` per task and label."""
        values = self.term_log_odds(X)
        names = [INTERCEPT, *self.terms_]
        frames = [
            X.select(*ID_COLUMNS).with_columns(
                pl.lit(label).alias("label"),
                *(pl.Series(name, values[:, j, i]) for j, name in enumerate(names)))
            for i, label in enumerate(label for label in LABELS if label != REFERENCE_LABEL)
        ]
        groups = pl.DataFrame({"term": names, "term_group": [feature_group(n) for n in names]})
        return (pl.concat(frames)
                .unpivot(index=[*ID_COLUMNS, "label"], variable_name="term",
                         value_name="contribution")
                .join(groups, on="term", how="left", maintain_order="left")
                .select(*ID_COLUMNS, "label", "term", "term_group", "contribution"))

    def explanation(self, X: pl.DataFrame) -> pl.DataFrame:
        """The `scorer_explanation` rows of this fitted model over the tasks of `X`: shape
        functions and importances, with their spread over the bag models
        (`exposure.scorers.explain`)."""
        from exposure.scorers.explain import scorer_explanation

        return scorer_explanation(self, X)

"""The scorer contract: scikit-learn's estimator conventions, plus a name.

A scorer maps the frame of `exposure.scorers.inputs.task_inputs` (one row per task) to one
float per row in [0, 1], NaN where it gives no score:

- `__init__` only stores its parameters (so `get_params`, `set_params` and
  `sklearn.base.clone` work);
- `fit(X, y=None)` learns whatever it needs and returns `self`; `y` holds the published
  human labels ('E0' | 'E1' | 'E2', null where a task has none) aligned with `X`, and a
  scorer that does not learn ignores it;
- `predict(X)` returns a float array with one value per row of `X`;
- optionally `predict_labels(X)` returns 'E0' | 'E1' | 'E2' (None for no label) per row,
  which `exposure scorers evaluate` compares with the human labels;
- optionally `with_tables(tables)` takes reference tables a scorer needs beyond `X` (the
  rubric takes the published labels this way) and returns `self`;
- optionally `predict_sd(X)` returns each row's standard deviation of its score: a float
  array like `predict`'s, finite, in [0, 0.5] (no quantity in [0, 1] spreads further),
  NaN where it has none. `task_exposure.score_sd` stores it; a scorer without the method
  (the rubric, most plug-ins) leaves that column null. A method of its own rather than
  `predict(X, return_std=True)`, so `predict` keeps one signature for every scorer.

Subclassing `Scorer` gives all of this except `predict`; scorers that do not subclass it
work too, as long as they follow scikit-learn's conventions (see `exposure.testing`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator

from exposure.errors import ConfigError, ExposureError, ScorerError
from exposure.failures import summary

T = TypeVar("T")

# The paper's rubric: alpha counts E1 only, beta adds half of E2, gamma all of E2.
LABELS = ("E0", "E1", "E2")
MEASURES = {"alpha": (0.0, 1.0, 0.0), "beta": (0.0, 1.0, 0.5), "gamma": (0.0, 1.0, 1.0)}


def check_measure(measure: str) -> np.ndarray:
    """The E0/E1/E2 weights of `measure`; ConfigError for an unknown one."""
    if measure not in MEASURES:
        raise ConfigError(f"unknown measure '{measure}'",
                          f"use one of {', '.join(MEASURES)}")
    return np.array(MEASURES[measure])


class Scorer(BaseEstimator):
    """Base class of the exposure scorers (scikit-learn estimator conventions).

    `spec_params` names the `__init__` parameters that a spec `name:a:b` sets, in order;
    `name` is the registered name followed by those parameters.
    """

    spec_params: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_spec(cls, *args: str) -> Scorer:
        """An instance from the text arguments of a spec such as `rubric:gpt4:gamma`."""
        if len(args) > len(cls.spec_params):
            takes = ":".join(cls.spec_params) or "no arguments"
            raise ConfigError(f"too many arguments in scorer spec ({':'.join(args)})",
                              f"this scorer takes {takes}")
        defaults = inspect.signature(cls.__init__).parameters
        kwargs: dict[str, Any] = {}
        for param, text in zip(cls.spec_params, args, strict=False):
            default = defaults[param].default
            try:
                kwargs[param] = type(default)(text) if isinstance(default, int | float) else text
            except ValueError as exc:
                raise ConfigError(f"'{text}' is not a valid {param}",
                                  f"give a {type(default).__name__}") from exc
        scorer = cls(**kwargs)
        scorer.check_params()
        return scorer

    def check_params(self) -> None:
        """Raise ConfigError for invalid parameters (called by `from_spec` and `fit`)."""

    @property
    def name(self) -> str:
        from exposure.scorers.registry import registered_name

        return ":".join([registered_name(type(self)),
                         *(str(getattr(self, p)) for p in self.spec_params)])

    def with_tables(self, tables: Mapping[str, pl.DataFrame]) -> Scorer:
        """Take reference tables the scorer needs beyond `X`; the default needs none."""
        return self

    def fit(self, X: pl.DataFrame, y: Any = None) -> Scorer:
        self.check_params()
        return self

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        raise NotImplementedError


def scorer_name(scorer: Any) -> str:
    """The name a scorer's scores are stored under: its `name`, else `module:Class`."""
    name = getattr(scorer, "name", None)
    if isinstance(name, str) and name:
        return name
    cls = type(scorer)
    return f"{cls.__module__}:{cls.__qualname__}"


def checked_scores(scores: Any, n: int, name: str) -> np.ndarray:
    """`scores` as a float array of length `n` in [0, 1] (NaN allowed), else ConfigError."""
    try:
        array = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"scorer {name} returned scores that are not numbers",
                          "predict must return an array of floats") from exc
    if array.shape != (n,):
        raise ConfigError(f"scorer {name} returned {array.shape} scores for {n} tasks",
                          "predict must return one float per row of X")
    outside = ~np.isnan(array) & ((array < 0) | (array > 1))
    if outside.any():
        raise ConfigError(
            f"scorer {name} returned {int(outside.sum())} scores outside [0, 1] "
            f"(first: {array[outside][0]!r})",
            "scores must lie in [0, 1], NaN where there is none; "
            "exposure.testing.check_scorer finds such problems")
    return array


# The largest standard deviation of any quantity confined to [0, 1] (half its range).
MAX_SD = 0.5


def checked_sd(sd: Any, n: int, name: str) -> np.ndarray:
    """`sd` as a float array of length `n`, finite, in [0, MAX_SD] (NaN allowed: no sd for
    that row), else ConfigError."""
    try:
        array = np.asarray(sd, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"scorer {name} returned standard deviations that are not numbers",
                          "predict_sd must return an array of floats") from exc
    if array.shape != (n,):
        raise ConfigError(f"scorer {name} returned {array.shape} standard deviations for "
                          f"{n} tasks", "predict_sd must return one float per row of X")
    bad = np.isinf(array) | (~np.isnan(array) & ((array < 0) | (array > MAX_SD)))
    if bad.any():
        raise ConfigError(
            f"scorer {name} returned {int(bad.sum())} standard deviations outside "
            f"[0, {MAX_SD}] (first: {array[bad][0]!r})",
            "a score's standard deviation is finite and in [0, 0.5], NaN where there is "
            "none; exposure.testing.check_scorer finds such problems")
    return array


def run_scorer(name: str, method: str, call: Callable[[], T]) -> T:
    """`call()`, a scorer's own code; whatever it raises becomes a `ScorerError` naming the
    scorer and the method, so the user knows whose code to fix."""
    try:
        return call()
    except ExposureError:
        raise
    except Exception as exc:
        raise ScorerError(
            f"scorer {name} failed in {method} with {summary(exc)}",
            "fix the scorer's code (exposure.testing.check_scorer tries it on a small frame; "
            "--verbose shows the traceback)") from exc


def score_tasks(scorer: Any, X: pl.DataFrame, y: Any = None) -> pl.DataFrame:
    """Fit `scorer` on `X` (with the human labels `y`) and score every row: the columns
    `scorer`, `onet_soc_code`, `task_id`, `score`, `score_sd` of the `task_exposure` table
    (NaN becomes null; `score_sd` is null where the scorer has no `predict_sd` or no
    score)."""
    name = scorer_name(scorer)
    fitted = run_scorer(name, "fit", lambda: scorer.fit(X, y))
    model = fitted if fitted is not None else scorer
    scores = checked_scores(run_scorer(name, "predict", lambda: model.predict(X)),
                            X.height, name)
    sd = np.full(X.height, np.nan)
    if callable(getattr(model, "predict_sd", None)):
        sd = checked_sd(run_scorer(name, "predict_sd", lambda: model.predict_sd(X)),
                        X.height, name)
    sd = np.where(np.isnan(scores), np.nan, sd)  # no score, nothing to be uncertain of
    return X.select(
        pl.lit(name).alias("scorer"), "onet_soc_code", "task_id",
        pl.Series("score", scores, dtype=pl.Float64).fill_nan(None),
        pl.Series("score_sd", sd, dtype=pl.Float64).fill_nan(None),
    )

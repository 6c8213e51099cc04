"""Per-task uncertainty: the optional `predict_sd` of the scorer contract, `task_exposure`'s
`score_sd` and the occupation interval (`exposure_sd`, `exposure_p10`, `exposure_p90`).

The fitted `leverage` model's own figures are in test_scorers_leverage (it fits once per
module); the refreshed warehouse's are here."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest

from exposure.errors import ConfigError
from exposure.rollup import occupation_scores
from exposure.scorers import Scorer, score_tasks
from exposure.scorers.base import checked_sd
from exposure.scorers.learned import LearnedScorer
from exposure.scorers.leverage import LeverageScorer
from exposure.scorers.rubric import RubricScorer
from exposure.settings import Settings
from exposure.testing import check_scorer, example_inputs

SD_CHECK = "predict_sd gives one finite float in [0, 0.5] or NaN per row"


class _Half(Scorer):
    """Scores every task 0.5; the subclasses add a `predict_sd`."""

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.full(X.height, 0.5)


class _NegativeSd(_Half):
    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        return np.full(X.height, -0.1)


class _ShortSd(_Half):
    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        return np.zeros(X.height - 1)


class _InfiniteSd(_Half):
    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        return np.full(X.height, np.inf)


class _WideSd(_Half):
    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        return np.full(X.height, 0.7)


class _OrderDependentSd(_Half):
    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        return np.linspace(0.0, 0.2, X.height)


class _SomeSd(Scorer):
    """No score on every third task; an sd on the others but the first."""

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.where(np.arange(X.height) % 3 == 0, np.nan, 0.4)

    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:
        return np.where(np.arange(X.height) == 1, np.nan, 0.1)


@pytest.mark.parametrize(("scorer", "words"), [
    (_NegativeSd, "infinite, negative or above 0.5"),
    (_ShortSd, "one standard deviation per row"),
    (_InfiniteSd, "infinite, negative or above 0.5"),
    (_WideSd, "infinite, negative or above 0.5"),
    (_OrderDependentSd, "predict_sd depends on the order of the rows"),
])
def test_check_scorer_refuses_a_bad_predict_sd(scorer: type, words: str) -> None:
    with pytest.raises(AssertionError) as info:
        check_scorer(scorer)
    assert words in str(info.value)
    assert f"check_scorer({scorer.__name__})" in str(info.value)


# The boosted model's fits take seconds: checked in the full suite, not `make test-fast`.
@pytest.mark.parametrize("scorer", [pytest.param(LeverageScorer, marks=pytest.mark.slow),
                                    LearnedScorer])
def test_fitted_built_ins_pass_the_sd_check(scorer: type) -> None:
    assert SD_CHECK in check_scorer(scorer)


def test_a_scorer_without_predict_sd_is_not_sd_checked() -> None:
    assert SD_CHECK not in check_scorer(RubricScorer)
    assert SD_CHECK not in check_scorer(_Half)


def test_checked_sd_refuses_what_check_scorer_refuses() -> None:
    with pytest.raises(ConfigError, match="outside"):
        checked_sd([0.1, -0.2], 2, "x")
    with pytest.raises(ConfigError, match="outside"):
        checked_sd([0.1, np.inf], 2, "x")
    with pytest.raises(ConfigError, match="for 2 tasks"):
        checked_sd([0.1], 2, "x")
    assert np.isnan(checked_sd([np.nan, 0.0], 2, "x")[0])


def test_score_sd_in_the_task_exposure_rows() -> None:
    X, y, _ = example_inputs()
    none = score_tasks(_Half(), X, y)
    assert none.columns == ["scorer", "onet_soc_code", "task_id", "score", "score_sd"]
    assert none.get_column("score_sd").is_null().all()
    some = score_tasks(_SomeSd(), X, y)
    unscored = some.get_column("score").is_null()
    # no score: no sd, whatever the scorer said; the scorer's NaN stays null
    assert some.filter(unscored).get_column("score_sd").is_null().all()
    assert some.get_column("score_sd").to_list()[:3] == [None, None, 0.1]
    with pytest.raises(ConfigError, match="standard deviations outside"):
        score_tasks(_NegativeSd(), X, y)


TASKS = pl.DataFrame({"onet_soc_code": ["11-1011.00"] * 3 + ["11-2011.00"] * 2,
                      "task_id": [1, 2, 3, 4, 5],
                      "task_type": ["Core", "Core", "Supplemental", "Core", "Core"]})


def test_the_occupation_interval_is_the_weighted_mean_sd() -> None:
    scores = TASKS.select("onet_soc_code", "task_id",
                          pl.Series("score", [0.2, 0.6, 1.0, 0.5, 0.0]),
                          pl.Series("score_sd", [0.1, 0.05, 0.2, 0.3, 0.1]))
    first, second = occupation_scores(scores, TASKS).sort("onet_soc_code").rows(named=True)
    # Core 2, Core 2, Supplemental 1: perfectly correlated errors, the conservative sd
    assert first["exposure_sd"] == pytest.approx((2 * 0.1 + 2 * 0.05 + 0.2) / 5)
    assert first["exposure_p10"] == pytest.approx(first["exposure"] - 1.2816 * 0.1, abs=1e-4)
    # the band is clipped to [0, 1] and always contains the exposure
    assert second["exposure_p10"] == 0.0
    for row in (first, second):
        assert row["exposure_p10"] <= row["exposure"] <= row["exposure_p90"]


def test_no_score_sd_gives_no_interval() -> None:
    scores = TASKS.select("onet_soc_code", "task_id", pl.lit(0.5).alias("score"))
    out = occupation_scores(scores, TASKS)  # a frame without score_sd (older or hand-made)
    assert out.get_column("exposure").is_not_null().all()
    for column in ("exposure_sd", "exposure_p10", "exposure_p90"):
        assert out.get_column(column).is_null().all()
    # one scored task without an sd: its occupation's sd cannot be bounded
    partial = scores.with_columns(pl.Series("score_sd", [0.1, None, 0.1, 0.1, 0.1]))
    by_code = dict(occupation_scores(partial, TASKS).select("onet_soc_code", "exposure_sd")
                   .iter_rows())
    assert by_code["11-1011.00"] is None and by_code["11-2011.00"] == pytest.approx(0.1)


def test_the_refreshed_warehouse_carries_sd_to_occupations(refreshed: Settings) -> None:
    con = duckdb.connect(str(refreshed.warehouse), read_only=True)
    try:
        tasks = con.execute(
            "SELECT scorer, count(*) AS n, count(score_sd) AS with_sd, min(score_sd) AS lo, "
            "max(score_sd) AS hi, median(score_sd) AS med FROM latest_task_exposure "
            "GROUP BY scorer").pl()
        occupations = con.execute(
            "SELECT scorer, count(exposure) AS n, count(exposure_sd) AS with_sd, "
            "count(*) FILTER (WHERE exposure < exposure_p10 OR exposure > exposure_p90) "
            "AS outside, count(*) FILTER (WHERE exposure_p10 < exposure_p90) AS wide "
            "FROM latest_occupation_exposure GROUP BY scorer").pl()
    finally:
        con.close()
    by_scorer = {row["scorer"]: row for row in tasks.iter_rows(named=True)}
    fitted = by_scorer["leverage"]
    assert fitted["with_sd"] == fitted["n"] and 0 <= fitted["lo"] < fitted["med"] < fitted["hi"]
    assert by_scorer["rubric:human:beta"]["with_sd"] == 0  # the rubric has no predict_sd
    occ = {row["scorer"]: row for row in occupations.iter_rows(named=True)}
    assert occ["leverage"]["with_sd"] == occ["leverage"]["n"] > 800
    assert occ["leverage"]["outside"] == 0 and occ["leverage"]["wide"] == occ["leverage"]["n"]
    assert occ["rubric:human:beta"]["with_sd"] == 0

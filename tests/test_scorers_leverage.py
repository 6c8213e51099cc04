"""`leverage` (the fitted EBM) and `leverage:fixed` (the old fixed weights) on the real data.

The model is fitted once per module on every labelled task, as the `score` stage fits it;
its held-out figures are tested in test_evaluate (one evaluation for every scorer). The
fixed scorer is compared with scores saved before the fitted model replaced it
(`LEVERAGE_BEFORE`, when that file exists) and with its formula.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.stats import spearmanr

from exposure.errors import ConfigError
from exposure.rollup import occupation_scores
from exposure.scorers import load_scorer, score_tasks, task_inputs, task_targets
from exposure.scorers.explain import (
    EXPLANATION_SCHEMA,
    ScorerExplanationModel,
    explanation_rows,
)
from exposure.scorers.leverage import FixedLeverageScorer, LeverageScorer, occupation_bags
from exposure.testing import check_scorer

# a fit of the whole mirror, and the fixed scorer's figures: tens of seconds
pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def data(reference_tables: dict) -> tuple[pl.DataFrame, pl.Series]:
    from exposure.features import build_task_features

    X = task_inputs(reference_tables, build_task_features(reference_tables))
    return X, task_targets(reference_tables, X)


@pytest.fixture(scope="module")
def fitted(data: tuple[pl.DataFrame, pl.Series]) -> LeverageScorer:
    X, y = data
    return LeverageScorer().fit(X, y)


def test_contributions_sum_to_the_log_odds(data, fitted: LeverageScorer) -> None:
    X, _ = data
    sample = X[:: 37]
    totals = (fitted.contributions(sample)
              .group_by("task_id", "label", maintain_order=True)
              .agg(pl.col("contribution").sum()))
    log_odds = fitted.log_odds(sample)
    for i, label in enumerate(("E1", "E2")):
        got = totals.filter(pl.col("label") == label).get_column("contribution").to_numpy()
        np.testing.assert_allclose(got, log_odds[:, i], rtol=0, atol=1e-9)
    # and the log-odds are the model's probabilities
    proba = fitted.predict_proba(sample)
    np.testing.assert_allclose(np.log(proba[:, 1:] / proba[:, [0]]), log_odds, atol=1e-9)
    assert set(fitted.contributions(sample[:1]).get_column("term_group")) <= {
        "intercept", "data_availability", "verifiability", "other", "interaction"}


def test_fixed_reproduces_the_old_scores(data) -> None:
    X, y = data
    scores = score_tasks(load_scorer("leverage:fixed"), X, y)
    expected = np.clip(X.select((pl.col("data_availability") + pl.col("verifiability")) / 2)
                       .to_series().to_numpy(), 0, 1)
    np.testing.assert_array_equal(scores.get_column("score").to_numpy(), expected)


def test_specs() -> None:
    assert isinstance(load_scorer("leverage"), LeverageScorer)
    fixed = load_scorer("leverage:fixed:0.3:0.7")
    assert isinstance(fixed, FixedLeverageScorer)
    assert (fixed.data_weight, fixed.verifiability_weight) == (0.3, 0.7)
    assert fixed.name == "leverage:fixed:0.3:0.7"
    assert load_scorer("leverage:fixed").name == "leverage:fixed"
    with pytest.raises(ConfigError):
        load_scorer("leverage:0.3:0.7")


def test_passes_the_scorer_checks(data) -> None:
    X, y = data
    check_scorer(LeverageScorer)  # the synthetic frame: only the features it carries
    check_scorer(FixedLeverageScorer)
    # the real frame, one occupation in ten (a fit per check)
    codes = X.get_column("onet_soc_code").unique().sort()[::10]
    keep = X.get_column("onet_soc_code").is_in(codes.to_list())
    passed = check_scorer(LeverageScorer(), X.filter(keep), y.filter(keep))
    assert "predict_labels gives E0/E1/E2 or None per row" in passed


def test_old_specs_are_refused_with_the_new_one() -> None:
    with pytest.raises(ConfigError, match=r"use 'leverage:fixed:0\.3:0\.7'"):
        load_scorer("leverage:0.3:0.7")
    with pytest.raises(ConfigError, match="unknown leverage variant 'heavy'"):
        load_scorer("leverage:heavy")


def test_bags_hold_out_whole_occupations() -> None:
    groups = np.repeat(np.array([f"occ{i}" for i in range(12)]), 3)
    bags = occupation_bags(groups, 5, seed=0)
    assert bags.shape == (36, 5) and set(np.unique(bags)) == {-1, 1}
    held = pl.DataFrame({"group": groups, "held": (bags == -1).sum(axis=1),
                         "bag": (bags == -1).argmax(axis=1)})
    assert (held.get_column("held") == 1).all()  # each task validates in exactly one bag
    assert (held.group_by("group").agg(pl.col("bag").n_unique()).get_column("bag") == 1).all()
    assert occupation_bags(groups[:6], 5, seed=0).shape == (6, 2)  # two occupations: two bags
    with pytest.raises(ConfigError, match="two occupations"):
        occupation_bags(groups[:3], 5, seed=0)


def test_the_bag_models_average_to_the_model(data, fitted: LeverageScorer) -> None:
    X, _ = data
    bags = fitted.bag_scorers()
    assert len(bags) == 5
    weights = np.asarray(fitted.model_.bag_weights_, dtype=np.float64)
    mean = np.average(np.stack([bag.term_log_odds(X[:500]) for bag in bags]), axis=0,
                      weights=weights)
    np.testing.assert_allclose(mean, fitted.term_log_odds(X[:500]), atol=1e-6)


def test_score_sd_is_the_spread_of_the_bag_models(data, fitted: LeverageScorer) -> None:
    X, _ = data
    sd = fitted.predict_sd(X)
    assert np.isfinite(sd).all() and (sd >= 0).all() and (sd <= 0.5).all()
    assert 0.005 < np.median(sd) < 0.05  # 0.015 on 2026-12-03
    bags = np.stack([bag.predict(X) for bag in fitted.bag_scorers()])
    disagreement = bags.max(axis=0) - bags.min(axis=0)
    # tasks whose bags disagree have the larger sd (a constant or zero sd fails here)
    top = disagreement >= np.quantile(disagreement, 0.9)
    low = disagreement <= np.quantile(disagreement, 0.1)
    assert sd[top].mean() > 5 * sd[low].mean() > 0
    assert spearmanr(sd, disagreement).statistic > 0.9


def test_occupation_sd_bounds_the_bag_models_occupation_spread(
        reference_tables: dict, data, fitted: LeverageScorer) -> None:
    """The weighted mean of the task sds is at least the sd of the occupation's exposure
    over the bag models: the roll-up's assumption of perfectly correlated errors is an
    upper bound, and not a loose one (independence would be far below)."""
    X, _ = data
    ids = X.select("onet_soc_code", "task_id")
    tasks, rating = reference_tables["task"], reference_tables["task_rating"]
    ours = occupation_scores(ids.with_columns(pl.Series("score", fitted.predict(X)),
                                              pl.Series("score_sd", fitted.predict_sd(X))),
                             tasks, rating)
    per_bag = np.stack([
        occupation_scores(ids.with_columns(pl.Series("score", bag.predict(X))), tasks, rating)
        .get_column("exposure").to_numpy() for bag in fitted.bag_scorers()])
    bound = ours.get_column("exposure_sd").to_numpy()
    spread = per_bag.std(axis=0)
    ok = ~np.isnan(bound)
    assert ok.sum() > 800
    assert (spread[ok] <= bound[ok] + 1e-9).all()
    assert np.median(spread[ok] / bound[ok]) > 0.5  # 0.78 on 2026-12-03
    low, high = ours.get_column("exposure_p10"), ours.get_column("exposure_p90")
    assert ((low <= ours.get_column("exposure")) & (ours.get_column("exposure") <= high)
            ).filter(ok).all()


def test_explanation_table(data, fitted: LeverageScorer) -> None:
    X, _ = data
    table = explanation_rows(fitted, X)
    assert table.schema == pl.Schema(EXPLANATION_SCHEMA)
    ScorerExplanationModel.validate(table)
    assert set(table.get_column("kind")) == {"shape", "importance"}
    assert (table.get_column("n_folds") == 5).all()
    assert table.filter(pl.col("fold_sd") > 0).height > 0.9 * table.height
    shapes = table.filter(pl.col("kind") == "shape")
    assert shapes.get_column("value").is_not_null().all()
    assert set(shapes.get_column("term")) == set(fitted.features_)
    # the full model is a weighted mean of the bags: its shapes lie inside their range,
    # its importances (mean absolute values of that mean) below their highest
    assert (shapes.get_column("fold_min") <= shapes.get_column("contribution") + 1e-6).all()
    assert (table.get_column("contribution") <= table.get_column("fold_max") + 1e-6).all()
    # importances are the mean absolute per-task contributions
    per_task = (fitted.contributions(X).filter(pl.col("term") != "intercept")
                .group_by("term", "label").agg(pl.col("contribution").abs().mean()))
    importance = table.filter(pl.col("kind") == "importance").join(
        per_task, on=["term", "label"], suffix="_tasks")
    assert importance.height == 2 * len(fitted.terms_)
    np.testing.assert_allclose(importance.get_column("contribution"),
                               importance.get_column("contribution_tasks"), atol=1e-9)
    # a shape at the feature's largest value is what a task with that value gets
    feature = "da_text_verb"
    top = shapes.filter((pl.col("term") == feature) & (pl.col("label") == "E1")).sort("value")
    task = X.filter(pl.col(feature) == top.get_column("value")[-1]).head(1)
    got = fitted.contributions(task).filter((pl.col("term") == feature)
                                            & (pl.col("label") == "E1"))
    assert got.item(0, "contribution") == pytest.approx(top.get_column("contribution")[-1],
                                                        abs=1e-9)


def test_a_scorer_without_explanation_gives_no_rows(data) -> None:
    X, _ = data
    fixed = FixedLeverageScorer().fit(X)
    assert explanation_rows(fixed, X).schema == pl.Schema(EXPLANATION_SCHEMA)
    assert explanation_rows(fixed, X).height == 0


def test_the_score_stage_explains_the_model_that_scored(reference_tables: dict, data,
                                                        fitted: LeverageScorer) -> None:
    from exposure.features import build_task_features
    from exposure.stages import score

    X, _ = data
    tables = {**reference_tables, "task_feature": build_task_features(reference_tables)}
    out = score(tables, ("leverage", "leverage:fixed"))  # fails if it passed no labels
    scores = out["task_exposure"]
    assert scores.group_by("scorer").len().sort("scorer").rows() == [
        ("leverage", X.height), ("leverage:fixed", X.height)]
    ours = scores.filter(pl.col("scorer") == "leverage").sort("onet_soc_code", "task_id")
    expected = X.select("onet_soc_code", "task_id", pl.Series("score", fitted.predict(X))
                        ).sort("onet_soc_code", "task_id")
    np.testing.assert_allclose(ours.get_column("score"), expected.get_column("score"),
                               atol=1e-12)
    # the fixed index explains nothing; the fitted model's rows are its own
    assert out["scorer_explanation"].equals(fitted.explanation(X))
    assert score(tables, ("leverage:fixed",))["scorer_explanation"].schema == pl.Schema(
        EXPLANATION_SCHEMA)


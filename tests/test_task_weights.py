"""The task weights: one function (`exposure.task_weights`) behind roll-ups, features and
forecasts, giving the weights each of them computed on its own before it existed.

The previous rules of the roll-ups and of the forecasts are restated below as plain loops
over rows (`previous_weights`), and compared on the real task list, both as the mirror has
it (no Task Ratings) and with deterministic synthetic Task Ratings that exercise every
branch: rated and unrated occupations, unrated tasks in rated occupations, IM without FT,
relevance rows, several rows per task and shuffled rows. The features used the roll-ups'
rule except that an unrated task in a rated occupation took its type weight (2 or 1) beside
importances of 1-5; they now take the roll-ups' rule whole, which changes nothing without
Task Ratings (the mirror).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import polars as pl
import pytest

from exposure.errors import ConfigError
from exposure.features.inputs import Inputs
from exposure.forecast.io.baseline import baseline_employment
from exposure.forecast.simulation.tasks import task_arrays, task_time_shares
from exposure.rollup import occupation_scores
from exposure.task_weights import (
    BY_TASK_TYPE,
    IMPORTANCE,
    IMPORTANCE_FREQUENCY,
    IMPUTED,
    task_weights,
)

KEYS = ["onet_soc_code", "task_id"]
TOL = 1e-12
BASES = (IMPORTANCE, IMPORTANCE_FREQUENCY)


def previous_weights(task: pl.DataFrame, rating: pl.DataFrame | None,
                     basis: str) -> dict[tuple[str, int], float]:
    """The rule of the roll-ups (basis importance) and of the forecasts' time shares (basis
    importance × frequency) before the one function, as plain Python: a rated task weighs
    its mean IM (times its incumbent-weighted mean FT category); an unrated task of a rated
    occupation the occupation's mean rated weight; a task of an unrated occupation Core 2,
    Supplemental 1, untyped 1."""
    im, ft_sum, ft_weight = defaultdict(list), defaultdict(float), defaultdict(float)
    rows = rating.select(*KEYS, "scale_id", "category", "data_value").iter_rows() \
        if rating is not None else ()
    for code, task_id, scale, category, value in rows:
        if scale == "IM":
            im[code, task_id].append(value)
        elif scale == "FT":
            ft_sum[code, task_id] += category * value
            ft_weight[code, task_id] += value
    rated = {}
    for key, values in im.items():
        if basis == IMPORTANCE:
            rated[key] = sum(values) / len(values)
        elif key in ft_weight:
            rated[key] = sum(values) / len(values) * ft_sum[key] / ft_weight[key]
    tasks = task.select(*KEYS, "task_type").rows()
    by_occupation = defaultdict(list)
    for code, task_id, _ in tasks:
        if (code, task_id) in rated:
            by_occupation[code].append(rated[code, task_id])
    out = {}
    for code, task_id, task_type in tasks:
        if (code, task_id) in rated:
            out[code, task_id] = rated[code, task_id]
        elif by_occupation[code]:
            out[code, task_id] = sum(by_occupation[code]) / len(by_occupation[code])
        else:
            out[code, task_id] = 2.0 if task_type == "Core" else 1.0
    return out


def synthetic_ratings(task: pl.DataFrame, seed: int = 2026) -> pl.DataFrame:
    """Task Ratings for `task`: a tenth of the occupations unrated, 8% of the other tasks
    unrated, 4% with IM but no FT; one or two IM rows, an RT row and seven FT categories."""
    rng = np.random.default_rng(seed)
    codes = task.get_column("onet_soc_code").unique().sort()
    unrated = rng.choice(codes.to_numpy(), size=codes.len() // 10, replace=False)
    rated = task.filter(~pl.col("onet_soc_code").is_in(unrated.tolist())).select(KEYS)
    draw = rng.random(rated.height)
    rated = rated.with_columns(pl.Series("draw", draw), pl.Series(
        "n_im", rng.integers(1, 3, rated.height))).filter(pl.col("draw") >= 0.08)
    n = rated.height
    im = pl.concat([
        rated.select(*KEYS, pl.lit("IM").alias("scale_id"), pl.lit(None, pl.Int64)
                     .alias("category"), pl.Series("data_value", rng.uniform(1, 5, n))),
        rated.filter(pl.col("n_im") == 2).select(
            *KEYS, pl.lit("IM").alias("scale_id"), pl.lit(None, pl.Int64).alias("category"),
            pl.lit(3.25).alias("data_value")),
        rated.select(*KEYS, pl.lit("RT").alias("scale_id"), pl.lit(None, pl.Int64)
                     .alias("category"), pl.Series("data_value", rng.uniform(0, 100, n))),
    ])
    with_ft = rated.filter(pl.col("draw") >= 0.12)
    shares = rng.dirichlet(np.ones(7), with_ft.height) * 100
    ft = pl.concat([with_ft.select(*KEYS, pl.lit("FT").alias("scale_id"),
                                   pl.lit(c, pl.Int64).alias("category"),
                                   pl.Series("data_value", shares[:, c - 1]))
                    for c in range(1, 8)])
    return pl.concat([im, ft]).sample(fraction=1.0, shuffle=True, seed=seed)


@pytest.fixture(scope="module")
def ratings(reference_tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The mirror's own (empty) Task Ratings and the synthetic ones."""
    return {"mirror": reference_tables["task_rating"],
            "synthetic": synthetic_ratings(reference_tables["task"])}


def _as_dict(frame: pl.DataFrame, column: str = "weight") -> dict[tuple[str, int], float]:
    return {(code, task_id): value for code, task_id, value in
            frame.select(*KEYS, column).iter_rows()}


def _assert_close(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    worst = max(abs(got[k] - expected[k]) for k in expected)
    assert worst <= TOL, worst


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("which", ["mirror", "synthetic"])
def test_one_function_gives_the_previous_weights(reference_tables: dict, ratings: dict,
                                                 which: str, basis: str) -> None:
    task = reference_tables["task"]
    weights = task_weights(task, ratings[which], basis)
    assert weights.select(KEYS).equals(task.select(KEYS))  # one row per task, in its order
    _assert_close(_as_dict(weights), previous_weights(task, ratings[which], basis))
    sources = set(weights.get_column("weight_source"))
    assert sources == ({BY_TASK_TYPE} if which == "mirror" else {basis, IMPUTED, BY_TASK_TYPE})


def test_roll_ups_features_and_forecasts_use_it(reference_tables: dict, ratings: dict) -> None:
    """Each caller's weights are the one function's: roll-ups and features on the importance
    basis, the forecasts' time shares on importance × frequency, normalised."""
    tables = {**reference_tables, "task_rating": ratings["synthetic"]}
    task, rating = tables["task"], tables["task_rating"]
    importance = _as_dict(task_weights(task, rating))
    _assert_close(_as_dict(Inputs.prepare(tables, 2024).tasks), importance)

    # an occupation whose tasks all score 1 but one, which scores 0: exposure = 1 - its weight
    occupation = "15-1252.00"
    first = task.filter(pl.col("onet_soc_code") == occupation).get_column("task_id")[0]
    scores = task.select(*KEYS, pl.when(pl.col("task_id") == first).then(0.0).otherwise(1.0)
                         .alias("score"))
    exposure = occupation_scores(scores, task, rating).filter(
        pl.col("onet_soc_code") == occupation).item(0, "exposure")
    total = sum(w for (code, _), w in importance.items() if code == occupation)
    assert exposure == pytest.approx(1 - importance[occupation, first] / total, abs=TOL)

    frequency = previous_weights(task, rating, IMPORTANCE_FREQUENCY)
    totals = defaultdict(float)
    for (code, _), w in frequency.items():
        totals[code] += w
    shares = task_time_shares(task, rating)
    _assert_close(_as_dict(shares, "time_share"),
                  {k: w / totals[k[0]] for k, w in frequency.items()})
    assert shares.get_column("share_source").equals(
        task_weights(task, rating, IMPORTANCE_FREQUENCY).get_column("weight_source"),
        check_names=False)


def test_forecast_task_arrays_weigh_by_time_shares(reference_tables: dict) -> None:
    """ω_i|o of the forecast's task arrays is the time share times the crosswalk split."""
    task = reference_tables["task"]
    feature = task.select(*KEYS, *[pl.lit(0.5).alias(c) for c in (
        "data_availability", "verifiability", "gatekeeping", "manual_intensity",
        "face_to_face")], pl.lit(None, pl.Int8).alias("job_zone"))
    arrays = task_arrays(feature, None, reference_tables,
                         baseline_employment(reference_tables, [2025, 2026]))
    split = {(o, s): w for o, s, w in reference_tables["crosswalk"].select(
        "onet_soc_code", "soc_code", "split_weight").iter_rows()}
    shares = _as_dict(task_time_shares(task, reference_tables["task_rating"]), "time_share")
    codes = np.array(arrays.occupations)[arrays.occ]
    expected = np.array([shares[o, t] * split[o, s] for o, t, s in
                         zip(arrays.onet_soc_code, arrays.task_id, codes, strict=True)])
    assert np.abs(arrays.omega - expected).max() <= TOL


def test_weights_do_not_depend_on_row_order(reference_tables: dict, ratings: dict) -> None:
    task, rating = reference_tables["task"], ratings["synthetic"]
    for basis in BASES:
        first = task_weights(task, rating, basis)
        again = task_weights(task, rating.sample(fraction=1.0, shuffle=True, seed=1), basis)
        assert first.equals(again)  # to the last bit


def test_importance_frequency_needs_both_ratings() -> None:
    task = pl.DataFrame({"onet_soc_code": ["11-1011.00"] * 3 + ["11-2011.00"],
                         "task_id": [1, 2, 3, 4], "task_type": ["Core", None, "Core", None]})
    rating = pl.DataFrame({
        "onet_soc_code": ["11-1011.00"] * 5,
        "task_id": [1, 1, 1, 2, 2],
        "scale_id": ["IM", "FT", "FT", "IM", "RT"],
        "category": [None, 1, 7, None, None],
        "data_value": [4.0, 50.0, 50.0, 2.0, 80.0],
    }, schema_overrides={"category": pl.Int64})
    weights = task_weights(task, rating, IMPORTANCE_FREQUENCY)
    # task 1: IM 4 × mean FT category 4; task 2 has no FT, so it is unrated like task 3
    assert weights.get_column("weight").to_list() == [16.0, 16.0, 16.0, 1.0]
    assert weights.get_column("weight_source").to_list() == [
        IMPORTANCE_FREQUENCY, IMPUTED, IMPUTED, BY_TASK_TYPE]
    assert task_weights(task, rating).get_column("weight").to_list() == [4.0, 2.0, 3.0, 1.0]


def test_bad_calls_are_usage_errors() -> None:
    task = pl.DataFrame({"onet_soc_code": ["11-1011.00"], "task_id": [1], "task_type": [None]},
                        schema_overrides={"task_type": pl.String})
    with pytest.raises(ConfigError, match="basis"):
        task_weights(task, basis="relevance")
    with pytest.raises(ConfigError, match="task_type"):
        task_weights(task.drop("task_type"))
    rating = pl.DataFrame({"onet_soc_code": ["11-1011.00"], "task_id": [1], "scale_id": ["IM"],
                           "data_value": [3.0]})
    assert task_weights(task, rating).item(0, "weight") == 3.0  # category is not needed
    with pytest.raises(ConfigError, match="category"):
        task_weights(task, rating, IMPORTANCE_FREQUENCY)

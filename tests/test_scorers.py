"""Scorers: inputs, registry, the three built-ins, check_scorer, comparison with a reference.

Unit tests build small frames (exposure.testing.example_inputs); real-data tests use the
session's reference tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import typer
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from typer.testing import CliRunner

from exposure.errors import ConfigError, InputError
from exposure.rollup import occupation_scores
from exposure.scorers import (
    Scorer,
    available_scorers,
    feature_columns,
    load_scorer,
    score_tasks,
    task_inputs,
    task_targets,
)
from exposure.scorers.base import checked_scores
from exposure.scorers.compare import compare_occupations, compare_with_reference, read_reference
from exposure.scorers.learned import LearnedScorer
from exposure.scorers.leverage import FixedLeverageScorer, LeverageScorer
from exposure.scorers.rubric import RubricScorer
from exposure.scorers.text import TextTfidf
from exposure.testing import check_scorer, example_inputs

OCC_LEVEL = "gpts_are_gpts/occ_level.csv"


@pytest.fixture(scope="session")
def task_feature(reference_tables: dict) -> pl.DataFrame:
    from exposure.features import build_task_features

    return build_task_features(reference_tables)


@pytest.fixture(scope="session")
def inputs(reference_tables: dict, task_feature: pl.DataFrame) -> pl.DataFrame:
    return task_inputs(reference_tables, task_feature)


# --- inputs ------------------------------------------------------------------------------

def test_task_inputs_one_row_per_task(reference_tables: dict, inputs: pl.DataFrame) -> None:
    task = reference_tables["task"]
    assert inputs.height == task.height
    assert inputs.get_column("task_id").is_unique().all()
    assert inputs.columns[:2] == ["onet_soc_code", "task_id"]
    text = ["task", "occupation_title", "dwa_titles", "iwa_titles", "gwa_titles",
            "technology", "skills", "knowledge"]
    assert inputs.select(pl.col(text).null_count()).sum_horizontal().item() == 0
    # tasks without a DWA have empty activity text, the others their titles
    linked = reference_tables["task_dwa"].get_column("task_id").unique()
    with_dwa = inputs.filter(pl.col("task_id").is_in(linked.implode()))
    assert (with_dwa.get_column("dwa_titles").str.len_chars() > 0).all()
    chief = inputs.filter(pl.col("task_id") == 8823).row(0, named=True)
    assert chief["occupation_title"] == "Chief Executives"
    assert chief["dwa_titles"] == "Direct financial operations."
    assert "Microsoft Excel" in chief["technology"]
    assert chief["core"] == 1.0 and chief["occupation_job_zone"] == 5.0


def test_task_inputs_adds_every_numeric_feature(inputs: pl.DataFrame,
                                                task_feature: pl.DataFrame) -> None:
    added = [c for c in feature_columns(task_feature)]
    assert set(added) <= set(inputs.columns)
    assert {"data_availability", "verifiability"} <= set(feature_columns(inputs))
    assert "task_id" not in feature_columns(inputs)


def test_task_inputs_with_a_hand_made_feature(reference_tables: dict) -> None:
    feature = reference_tables["task"].select("onet_soc_code", "task_id",
                                              pl.lit(0.25).alias("my_feature"))
    X = task_inputs(reference_tables, feature)
    assert X.get_column("my_feature").unique().to_list() == [0.25]


def test_task_targets_match_by_task_id(reference_tables: dict, inputs: pl.DataFrame) -> None:
    y = task_targets(reference_tables, inputs)
    assert len(y) == inputs.height
    assert y.null_count() == inputs.height - 18751  # the 29.2 tasks the labels do not cover
    assert set(y.drop_nulls().unique()) == {"E0", "E1", "E2"}


def test_text_tfidf_equals_scikit_learn() -> None:
    docs = pl.Series(["Analyze sales data and report results.", "Write user manuals.",
                      "analyze survey data", "", "Report results of data analysis to staff.",
                      "Write and edit reports"] * 3)
    ours = TextTfidf(ngram_max=2, min_df=2).fit(docs)
    theirs = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2).fit(docs)
    assert ours.vocabulary_.get_column("term").to_list() == list(theirs.get_feature_names_out())
    np.testing.assert_allclose(ours.transform(docs).toarray(),
                               theirs.transform(docs.to_list()).toarray(), atol=1e-12)


# --- registry ----------------------------------------------------------------------------

def test_built_ins_are_registered() -> None:
    assert {"rubric", "leverage", "learned"} <= set(available_scorers())


@pytest.mark.parametrize(("spec", "name", "cls"), [
    ("rubric", "rubric:human:beta", RubricScorer),
    ("rubric:gpt4:gamma", "rubric:gpt4:gamma", RubricScorer),
    ("rubric:human:alpha", "rubric:human:alpha", RubricScorer),
    ("leverage", "leverage", LeverageScorer),
    ("leverage:fixed", "leverage:fixed", FixedLeverageScorer),
    ("leverage:fixed:0.7:0.3", "leverage:fixed:0.7:0.3", FixedLeverageScorer),
    ("learned", "learned", LearnedScorer),
    ("learned:gamma", "learned:gamma", LearnedScorer),
    ("exposure.scorers.leverage:LeverageScorer", "leverage", LeverageScorer),
])
def test_load_scorer_specs(spec: str, name: str, cls: type) -> None:
    scorer = load_scorer(spec)
    assert isinstance(scorer, cls)
    assert scorer.name == name


def test_unknown_scorer_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        load_scorer("rubrik")
    message = str(info.value)
    assert "rubrik" in message
    assert all(name in message for name in ("rubric", "leverage", "learned"))


@pytest.mark.parametrize(("spec", "words"), [
    ("rubric:robot", "rater"), ("rubric:human:delta", "measure"),
    ("rubric:human:beta:extra", "too many"), ("leverage:fixed:heavy", "data_weight"),
    ("leverage:fixed:-1:1", "weights"), ("leverage:fixed:1:1:1", "too many"),
    ("leverage:0.7:0.3", "leverage:fixed"), ("leverage:heavy", "fitted"),
    ("no_such_module_xyz:Scorer", "no_such_module_xyz"),
    ("exposure.scorers.rubric:NoSuchClass", "NoSuchClass"),
    ("collections:OrderedDict", "lacks"), ("exposure.errors:ConfigError", "without arguments"),
])
def test_bad_specs_are_config_errors(spec: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_scorer(spec)


def test_unpackaged_module_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_lab_scorer.py").write_text(
        "import numpy as np\n"
        "from exposure.scorers import Scorer\n\n"
        "class Half(Scorer):\n"
        "    def predict(self, X):\n"
        "        return np.full(X.height, 0.5)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    scorer = load_scorer("my_lab_scorer:Half")
    assert scorer.name == "my_lab_scorer:Half"
    X, y, _ = example_inputs()
    frame = score_tasks(scorer, X, y)
    assert frame.columns == ["scorer", "onet_soc_code", "task_id", "score", "score_sd"]
    assert frame.get_column("score").unique().to_list() == [0.5]
    assert frame.get_column("score_sd").is_null().all()  # it has no predict_sd
    assert check_scorer(scorer)


def test_checked_scores_refuses_out_of_range() -> None:
    with pytest.raises(ConfigError, match="outside"):
        checked_scores([0.2, 1.5], 2, "x")
    with pytest.raises(ConfigError, match="one float per row"):
        checked_scores([0.2], 2, "x")
    assert np.isnan(checked_scores([np.nan, 0.0], 2, "x")[0])


# --- rubric ------------------------------------------------------------------------------

def test_rubric_scores_29_2_tasks_by_id(reference_tables: dict, inputs: pl.DataFrame) -> None:
    scorer = load_scorer("rubric:human:beta", reference_tables)
    frame = score_tasks(scorer, inputs)
    labels = reference_tables["task_label"]
    assert scorer.n_labelled_ == 18751
    assert scorer.coverage_ == pytest.approx(18751 / inputs.height)
    assert frame.get_column("score").null_count() == inputs.height - 18751
    joined = frame.join(labels.select("task_id", "human_beta"), on="task_id")
    assert (joined.get_column("score") == joined.get_column("human_beta")).all()
    unlabelled = frame.join(labels, on="task_id", how="anti")
    assert unlabelled.get_column("score").is_null().all()  # never guessed


def test_rubric_gpt4_gamma_and_labels(reference_tables: dict, inputs: pl.DataFrame) -> None:
    scorer = load_scorer("rubric:gpt4:gamma", reference_tables).fit(inputs)
    first = inputs.filter(pl.col("task_id") == 8823)
    expected = reference_tables["task_label"].filter(pl.col("task_id") == 8823).row(0, named=True)
    assert scorer.predict(first)[0] == expected["gpt4_gamma"]
    assert scorer.predict_labels(first)[0] == expected["gpt4_label"]


def test_rubric_rolls_up_to_the_published_occupation_table(reference_tables: dict) -> None:
    """Over the labels' own 27.2 task list, Core tasks weighing 2, the roll-up of the rubric
    equals every published occupation score."""
    labels = reference_tables["task_label"]
    published = reference_tables["occupation_label"]
    for rater in ("human", "gpt4"):
        scores = score_tasks(load_scorer(f"rubric:{rater}:beta", reference_tables),
                             labels.select("onet_soc_code", "task_id"))
        ours = occupation_scores(scores, labels)
        joined = ours.join(published, on="onet_soc_code")
        assert joined.height == published.height
        np.testing.assert_allclose(joined.get_column("exposure").to_numpy(),
                                   joined.get_column(f"{rater}_beta").to_numpy(), atol=1e-9)


def test_rubric_without_labels_says_how_to_get_them() -> None:
    X, y, _ = example_inputs()
    with pytest.raises(ConfigError, match="task_label"):
        RubricScorer().fit(X, y)


# --- leverage ----------------------------------------------------------------------------

def test_fixed_leverage_is_the_documented_weighted_mean() -> None:
    X = pl.DataFrame({"data_availability": [0.0, 1.0, 0.5, None],
                      "verifiability": [1.0, 1.0, 0.0, 0.5]})
    np.testing.assert_allclose(FixedLeverageScorer().fit(X).predict(X),
                               [0.5, 1.0, 0.25, np.nan])
    np.testing.assert_allclose(load_scorer("leverage:fixed:3:1").fit(X).predict(X)[:3],
                               [0.25, 1.0, 0.375])


def test_leverage_names_the_missing_features() -> None:
    X, y, _ = example_inputs()
    with pytest.raises(ConfigError, match="verifiability"):
        FixedLeverageScorer().fit(X.drop("verifiability"))
    with pytest.raises(ConfigError, match="job_zone"):
        LeverageScorer(features=["data_availability", "job_zone"]).fit(X.drop("job_zone"), y)


def test_fitted_leverage_needs_labels() -> None:
    X, _, _ = example_inputs()
    with pytest.raises(ConfigError, match="human labels"):
        LeverageScorer().fit(X)


def test_fixed_leverage_on_the_real_features(inputs: pl.DataFrame) -> None:
    frame = score_tasks(load_scorer("leverage:fixed"), inputs)
    assert frame.get_column("score").null_count() < 0.05 * inputs.height
    assert frame.get_column("score").drop_nulls().is_between(0, 1).all()


# --- learned -----------------------------------------------------------------------------

def test_learned_needs_labels() -> None:
    X, _, _ = example_inputs()
    with pytest.raises(ConfigError, match="labels"):
        LearnedScorer().fit(X)


def test_learned_probabilities_and_measures() -> None:
    X, y, _ = example_inputs()
    model = LearnedScorer().fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.predict(X), proba @ [0, 1, 0.5])
    gamma = LearnedScorer(measure="gamma").fit(X, y).predict(X)
    assert (gamma >= model.predict(X) - 1e-12).all()
    assert set(model.predict_labels(X)) <= {"E0", "E1", "E2"}


@pytest.mark.slow  # fits `learned` on every labelled task (10 s): not for `make test-fast`
def test_learned_on_all_tasks(reference_tables: dict, inputs: pl.DataFrame) -> None:
    y = task_targets(reference_tables, inputs)
    frame = score_tasks(load_scorer("learned"), inputs, y)
    assert frame.get_column("scorer").unique().to_list() == ["learned"]
    assert frame.get_column("score").null_count() == 0  # new 29.2 tasks get a score too
    assert frame.get_column("score").is_between(0, 1).all()


# --- check_scorer ------------------------------------------------------------------------

# The boosted model's fits take seconds: checked in the full suite, not `make test-fast`.
@pytest.mark.parametrize("scorer", [RubricScorer, RubricScorer(rater="gpt4", measure="alpha"),
                                    pytest.param(LeverageScorer, marks=pytest.mark.slow),
                                    LearnedScorer])
def test_built_ins_pass_check_scorer(scorer: object) -> None:
    passed = check_scorer(scorer)
    assert "independent of row order" in passed


class _SetsAttribute(Scorer):
    def __init__(self, k: float = 1.0) -> None:
        self.k = k
        self.cache = {}

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.zeros(X.height)


class _OutOfRange(Scorer):
    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.full(X.height, 2.0)


class _WrongLength(Scorer):
    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.zeros(X.height - 1)


class _OrderDependent(Scorer):
    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.linspace(0, 1, X.height)


class _Random(Scorer):
    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.random.default_rng().uniform(size=X.height)


class _FitReturnsNone(Scorer):
    def fit(self, X: pl.DataFrame, y: object = None) -> None:
        return None

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.zeros(X.height)


class _ChangesParameter(Scorer):
    def __init__(self, k: float = 1.0) -> None:
        self.k = k

    def fit(self, X: pl.DataFrame, y: object = None) -> _ChangesParameter:
        self.k = 2.0
        return self

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.zeros(X.height)


class _NotAnEstimator:
    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.zeros(X.height)


class _Untouched(BaseEstimator):
    """Not an exposure Scorer, only a scikit-learn estimator: works too."""

    def fit(self, X: pl.DataFrame, y: object = None) -> _Untouched:
        return self

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return np.full(X.height, 0.1)


@pytest.mark.parametrize(("scorer", "words"), [
    (_SetsAttribute, "__init__ sets cache"),
    (_OutOfRange, "outside [0, 1]"),
    (_WrongLength, "one float per row"),
    (_OrderDependent, "order of the rows"),
    (_Random, "two fits on the same data"),
    (_FitReturnsNone, "fit returned NoneType; return self"),
    (_ChangesParameter, "fit changed parameters ['k']"),
    (_NotAnEstimator, "lacks fit, get_params, set_params"),
])
def test_check_scorer_says_what_is_wrong(scorer: type, words: str) -> None:
    with pytest.raises(AssertionError) as info:
        check_scorer(scorer)
    assert words in str(info.value)
    assert f"check_scorer({scorer.__name__})" in str(info.value)


def test_check_scorer_accepts_plain_estimators() -> None:
    assert check_scorer(_Untouched())
    assert clone(_Untouched()).get_params() == {}


# --- compare -----------------------------------------------------------------------------

def test_compare_rubric_with_the_published_table(reference_tables: dict, raw_dir: Path,
                                                 inputs: pl.DataFrame) -> None:
    result = compare_with_reference(reference_tables, "rubric:human:beta", raw_dir / OCC_LEVEL,
                                    column="human_rating_beta")
    row = result.metrics.row(0, named=True)
    assert row["scorer"] == "rubric:human:beta" and row["level"] == "O*NET-SOC 2019"
    assert row["trained_on"].startswith("the human GPTs-are-GPTs task labels")
    assert result.warnings and result.warnings[0].startswith("rubric:human:beta was trained")
    assert row["n_reference"] == 923 and row["n_matched"] == 923
    assert row["spearman"] > 0.97 and row["pearson"] > 0.97  # 29.2 tasks vs 27.2 tasks
    assert row["top_n"] == 50 and row["top_overlap"] >= 40


def test_compare_at_bls_level(reference_tables: dict, tmp_path: Path) -> None:
    published = reference_tables["occupation_label"].join(
        reference_tables["crosswalk"].select("onet_soc_code", "soc_code"), on="onet_soc_code")
    bls = published.group_by("soc_code").agg(pl.col("gpt4_beta").mean().alias("exposure"))
    path = tmp_path / "bls.csv"
    bls.write_csv(path)
    reference = read_reference(path)
    assert reference.level == "soc" and reference.frame.columns == ["soc_code", "reference",
                                                                     "row"]
    result = compare_with_reference(reference_tables, "rubric:gpt4:beta", path)
    row = result.metrics.row(0, named=True)
    assert row["level"] == "SOC 2018 / BLS" and row["n_matched"] == bls.height
    assert row["spearman"] > 0.95 and row["trained_on"] is None and not result.warnings
    assert "detected as SOC 2018" in result.notes[0]


def test_compare_figures_on_a_small_frame() -> None:
    ours = pl.DataFrame({"soc_code": ["a", "b", "c", "d"], "exposure": [0.1, 0.2, 0.3, None]})
    reference = pl.DataFrame({"soc_code": ["a", "b", "c", "e"], "reference": [1.0, 3.0, 2.0, 5.0]})
    row = compare_occupations(ours, reference, top=2).metrics.row(0, named=True)
    assert row["n_matched"] == 3
    assert row["spearman"] == pytest.approx(0.5)
    assert row["top_overlap"] == 2  # ours: c, b; the reference's: b, c
    assert compare_occupations(ours, reference, top=1).metrics.item(0, "top_overlap") == 0


def test_reference_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_text("soc_code,score\n15-1252,0.5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_reference(path, column="exposure")
    assert info.value.file == str(path) and info.value.column == "exposure"
    assert "score" in str(info.value)  # lists the columns it has


def test_reference_unknown_codes_are_listed(reference_tables: dict, tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_text("soc_code,exposure\n15-1252,0.5\n99-9998,0.1\n99-9999,0.2\n15-125,0.3\n",
                    encoding="utf-8")
    result = compare_with_reference(reference_tables, "rubric:gpt4:beta", path)
    assert result.unknown.rows() == [("99-9998", 3, "not a SOC 2018 or BLS (NEM) code"),
                                     ("99-9999", 4, "not a SOC 2018 or BLS (NEM) code"),
                                     ("15-125", 5, "not a code like 15-1252")]
    assert "3 reference codes name no SOC 2018 occupation" in result.notes[-1]
    assert "99-9998 (row 3)" in result.notes[-1]
    assert result.metrics.row(0, named=True)["n_unknown"] == 3


def test_strict_refuses_the_first_unknown_code_by_row(reference_tables: dict,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_text("SOC_Code,Exposure\n15-1252,0.5\n15-125,0.1\n99-9999,0.2\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        compare_with_reference(reference_tables, "rubric:gpt4:beta", path, strict=True)
    assert info.value.row == 3 and info.value.column == "SOC_Code"
    assert str(path) in str(info.value) and "2 such rows" in str(info.value)


def test_reference_columns_match_ignoring_case(tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_text("SOC_Code,AIOE,Exposure\n15-1252,1.5,0.5\n", encoding="utf-8")
    reference = read_reference(path)  # guessed: 'SOC_Code' and 'Exposure'
    assert (reference.code_column, reference.value_column) == ("SOC_Code", "Exposure")
    reference = read_reference(path, column="aioe", code_column="soc_code")
    assert reference.value_column == "AIOE" and reference.frame.item(0, "reference") == 1.5


def test_a_repeated_code_names_its_second_row(tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_text("soc_code,exposure\n15-1252,0.5\n11-1011,0.1\n15-1252,0.2\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_reference(path)
    assert info.value.row == 4 and "15-1252 appears more than once" in str(info.value)


# --- command line --------------------------------------------------------------------------

@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch, reference_tables: dict,
        task_feature: pl.DataFrame) -> typer.Typer:
    from exposure.cli import scorers as cli_scorers

    monkeypatch.setattr(cli_scorers, "load_tables",
                        lambda raw_dir=None: (reference_tables, task_feature))
    app = typer.Typer()
    app.add_typer(cli_scorers.scorers_app, name="scorers")
    return app


def test_cli_scorers_list(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["scorers", "list", "--format", "csv"])
    assert result.exit_code == 0, result.output
    names = pl.read_csv(result.stdout.encode()).get_column("name").to_list()
    assert {"rubric", "leverage", "learned"} <= set(names)


def test_cli_evaluate(cli: typer.Typer) -> None:
    # the fixed-weight leverage: the fitted one's five fits are tested in test_evaluate
    result = CliRunner().invoke(cli, ["scorers", "evaluate", "--scorer", "rubric:gpt4:beta",
                                      "--scorer", "leverage:fixed", "--no-baseline", "-f",
                                      "csv"])
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(result.stdout.encode())
    assert rows.get_column("scorer").to_list() == ["rubric:gpt4:beta", "leverage:fixed"]
    assert rows.item(0, "accuracy") == pytest.approx(0.654, abs=0.005)
    table = CliRunner().invoke(cli, ["scorers", "evaluate", "-s", "rubric", "--no-baseline"])
    assert table.exit_code == 0 and "checks: ours beside published figures" in table.stdout

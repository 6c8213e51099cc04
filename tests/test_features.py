"""Task exposure features (MODEL_SPEC §1) on the real mirror, and on the mirror plus small
official-layout Work Activities / Work Context / Task Ratings rows (the full download).

Unit tests of pr(·), the aggregates, the text lexicons and the benchmark file use tiny frames.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandera.errors
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from exposure.errors import ConfigError, InputError
from exposure.features import (
    COMPONENTS,
    TaskFeatureModel,
    aggregate,
    build_task_features,
    markdown_table,
    percentile_rank,
)
from exposure.features import text as tx
from exposure.features.benchmarks import BENCHMARKS, read_benchmarks
from exposure.features.build import column_order
from exposure.features.components import FUNCTIONS
from exposure.features.elements import ELEMENTS
from exposure.features.registry import DATA_AVAILABILITY, OTHER, VERIFIABILITY, columns

Tables = dict[str, pl.DataFrame]
SOFTWARE, ROOFERS, NURSES = "15-1252.00", "47-2181.00", "29-1141.00"
FULL_DOWNLOAD = [c for c in COMPONENTS if c.endswith(("_wa", "_wc"))]
FEATURES = [c for c in COMPONENTS if c != "job_zone"] + [DATA_AVAILABILITY, VERIFIABILITY]


@pytest.fixture(scope="module")
def features(reference_tables: Tables) -> pl.DataFrame:
    return build_task_features(reference_tables)


def occupation_mean(features: pl.DataFrame, code: str, column: str) -> float:
    return features.filter(pl.col("onet_soc_code") == code).get_column(column).mean()


# --- shape, schema, registry ----------------------------------------------------------------

def test_one_row_per_task(features: pl.DataFrame, reference_tables: Tables) -> None:
    tasks = reference_tables["task"]
    assert features.height == tasks.height == 18_796
    assert features.get_column("task_id").n_unique() == features.height
    assert_frame_equal(features.select("onet_soc_code", "task_id"),
                       tasks.select("onet_soc_code", "task_id").sort("onet_soc_code", "task_id"))


def test_columns_follow_the_registry(features: pl.DataFrame) -> None:
    assert features.columns == column_order()
    assert list(TaskFeatureModel.to_schema().columns) == column_order()
    assert list(FUNCTIONS) == list(COMPONENTS)
    for name, component in COMPONENTS.items():
        prefix = {DATA_AVAILABILITY: "da_", VERIFIABILITY: "v_", OTHER: ""}[component.group]
        assert name.startswith(prefix) and component.definition and component.source
    assert columns(OTHER) == ["gatekeeping", "manual_intensity", "face_to_face", "job_zone"]
    dtypes = dict(features.schema)
    assert dtypes.pop("onet_soc_code") == pl.String and dtypes.pop("task_id") == pl.Int64
    assert dtypes.pop("job_zone") == pl.Int8
    assert set(dtypes.values()) == {pl.Float64}
    table = markdown_table()
    assert all(f"`{name}`" in table for name in [*COMPONENTS, DATA_AVAILABILITY, VERIFIABILITY])


def test_every_feature_in_unit_interval(features: pl.DataFrame) -> None:
    for column in FEATURES:
        values = features.get_column(column).drop_nulls()
        assert values.is_empty() or (values.min() >= 0.0 and values.max() <= 1.0), column
    assert features.get_column("job_zone").is_between(1, 5).all()
    for column in (DATA_AVAILABILITY, VERIFIABILITY):
        assert features.get_column(column).null_count() == 0


def test_schema_rejects_out_of_range(features: pl.DataFrame) -> None:
    with pytest.raises(pandera.errors.SchemaError, match="in_range"):
        TaskFeatureModel.validate(features.with_columns(pl.col("v_exact") * 2.0))


def test_mirror_lacks_the_full_download_columns(features: pl.DataFrame) -> None:
    for column in FULL_DOWNLOAD:
        assert features.get_column(column).null_count() == features.height, column
    # What the mirror has is (nearly) everywhere.
    for column in ("da_text_verb", "da_tech_skills", "v_benchmark", "v_job_zone",
                   "manual_intensity", "face_to_face"):
        assert features.get_column(column).null_count() == 0, column
    assert features.get_column("da_computers_dwa").null_count() == 301  # tasks without DWAs


def test_gatekeeping_is_the_union_rate_of_the_major_group(features: pl.DataFrame,
                                                          reference_tables: Tables) -> None:
    """MODEL_SPEC §7.6 P7: G_o = CPS 2016 representation rate of the SOC major group."""
    rates = dict(reference_tables["union_density"].select(
        "soc_major", pl.col("represented_pct") / 100.0).iter_rows())
    expected = features.select(pl.col("onet_soc_code").str.slice(0, 2).replace_strict(
        rates, default=None, return_dtype=pl.Float64)).to_series()
    assert features.get_column("gatekeeping").to_list() == expected.to_list()
    assert features.get_column("gatekeeping").null_count() == 0  # no military tasks
    software = features.filter(pl.col("onet_soc_code") == "15-1252.00")
    assert software.get_column("gatekeeping").unique().to_list() == [pytest.approx(0.052)]
    without = build_task_features({k: v for k, v in reference_tables.items()
                                   if k != "union_density"})
    assert without.get_column("gatekeeping").null_count() == without.height


# --- invariants of MODEL_SPEC §1 ------------------------------------------------------------

def test_row_order_does_not_matter(features: pl.DataFrame, reference_tables: Tables) -> None:
    shuffled = {name: frame.sample(fraction=1.0, shuffle=True, seed=i)
                for i, (name, frame) in enumerate(reference_tables.items())}
    assert_frame_equal(build_task_features(shuffled), features, check_exact=True)


def test_hands_max_and_computers_zero_is_below_the_median(features: pl.DataFrame) -> None:
    """Tasks with only physical DWAs and none under Working with Computers."""
    manual = features.filter((pl.col("da_not_physical_dwa") == 0.0)
                             & (pl.col("da_computers_dwa") == 0.0))
    median = features.get_column(DATA_AVAILABILITY).median()
    assert manual.height > 1000
    assert manual.get_column(DATA_AVAILABILITY).mean() < 0.6 * median
    # Occupation level (the spec's WC hands / WA computers): the occupations whose every
    # task is physical and none is computer work.
    manual_occupations = features.group_by("onet_soc_code").agg(
        (pl.col("da_not_physical_dwa").max() == 0.0) & (pl.col("da_computers_dwa").max() == 0.0))
    chosen = manual_occupations.filter(pl.col("da_not_physical_dwa")).get_column("onet_soc_code")
    assert chosen.len() >= 3
    assert features.filter(pl.col("onet_soc_code").is_in(chosen.implode())).get_column(
        DATA_AVAILABILITY).max() < median


def test_face_validity(features: pl.DataFrame, reference_tables: Tables) -> None:
    for column in (DATA_AVAILABILITY, "da_tech_skills", "da_text_verb"):
        assert occupation_mean(features, SOFTWARE, column) > occupation_mean(features, ROOFERS,
                                                                              column)
    assert occupation_mean(features, ROOFERS, "manual_intensity") > 0.8
    assert occupation_mean(features, SOFTWARE, "manual_intensity") < 0.1
    assert occupation_mean(features, NURSES, "face_to_face") > occupation_mean(
        features, SOFTWARE, "face_to_face")
    verbs = tx.classify_statements(reference_tables["task"].select("task_id", "task"), "task")
    with_verb = features.join(verbs.select("task_id", "verb"), on="task_id")

    def verifiability(words: list[str]) -> float:
        return with_verb.filter(pl.col("verb").is_in(words)).get_column(VERIFIABILITY).mean()
    assert verifiability(["write", "calculate"]) > verifiability(["advise", "care"]) + 0.1


def test_benchmark_coverage(features: pl.DataFrame) -> None:
    per_occupation = dict(features.group_by("onet_soc_code").agg(pl.col("v_benchmark").first())
                          .iter_rows())
    assert per_occupation[SOFTWARE] == 1.0
    assert per_occupation["23-1011.00"] == 1.0  # Lawyers: GDPval (the bar exam alone: 0.5)
    assert per_occupation["29-1215.00"] == 0.5  # Family Medicine Physicians: USMLE-style QA
    assert per_occupation["13-1022.00"] == 1.0  # through the NEM code 13-1020
    assert per_occupation["13-1041.00"] == 1.0 and per_occupation["13-1041.06"] == 0.0
    assert per_occupation[ROOFERS] == 0.0


def test_unknown_employment_year(reference_tables: Tables) -> None:
    with pytest.raises(ConfigError, match="2019"):
        build_task_features(reference_tables, employment_year=2019)


# --- monotonicity ---------------------------------------------------------------------------

def test_percentile_rank_definition() -> None:
    frame = pl.DataFrame({"k": ["a", "b", "c", "d", "e"], "x": [1.0, 2.0, 2.0, 3.0, None],
                          "w": [1.0, 2.0, 1.0, 0.0, 5.0]})
    ranks = dict(percentile_rank(frame, "x", "w", ["k"], "pr").iter_rows())
    # W = 4 over the non-null values; ties share the mid-rank; weight 0 still gets a rank.
    assert ranks == pytest.approx({"a": 0.125, "b": 0.625, "c": 0.625, "d": 1.0})
    unweighted = percentile_rank(frame.with_columns(pl.lit(0.0).alias("w")), "x", "w", ["k"],
                                 "pr")
    assert dict(unweighted.iter_rows()) == pytest.approx({"a": 0.125, "b": 0.5, "c": 0.5,
                                                          "d": 0.875})


def test_percentile_rank_is_monotone_and_order_free() -> None:
    rng = np.random.default_rng(7)
    for trial in range(40):
        n = int(rng.integers(2, 60))
        frame = pl.DataFrame({"k": [f"o{i:03d}" for i in range(n)],
                              "x": rng.integers(0, 8, n).astype(float),
                              "w": rng.exponential(1.0, n).round(2)})
        ranks = percentile_rank(frame, "x", "w", ["k"], "pr").sort("k")
        assert ranks.get_column("pr").is_between(0.0, 1.0).all()
        shuffled = percentile_rank(frame.sample(fraction=1.0, shuffle=True, seed=trial),
                                   "x", "w", ["k"], "pr").sort("k")
        assert_frame_equal(ranks, shuffled, check_exact=True)
        i = int(rng.integers(0, n))
        raised = frame.with_columns(pl.when(pl.int_range(n) == i)
                                    .then(pl.col("x") + rng.integers(1, 4)).otherwise("x"))
        after = percentile_rank(raised, "x", "w", ["k"], "pr").sort("k")
        assert after.get_column("pr")[i] >= ranks.get_column("pr")[i]


def test_aggregate_is_a_monotone_mean_that_skips_nulls() -> None:
    rng = np.random.default_rng(11)
    names = columns(DATA_AVAILABILITY) + columns(VERIFIABILITY)
    values = rng.random((30, len(names)))
    values[rng.random(values.shape) < 0.3] = np.nan
    frame = pl.DataFrame(values, schema=names).fill_nan(None)
    base = aggregate(frame)
    expected = np.nanmean(values[:, :len(columns(DATA_AVAILABILITY))], axis=1)
    assert np.allclose(base.get_column(DATA_AVAILABILITY).to_numpy(), expected)
    for _ in range(50):
        row, name = int(rng.integers(0, 30)), names[int(rng.integers(0, len(names)))]
        old = frame.get_column(name)[row]
        new = (old if old is not None else 0.0) + (1.0 - (old or 0.0)) * rng.random()
        raised = aggregate(frame.with_columns(
            pl.when(pl.int_range(30) == row).then(pl.lit(new)).otherwise(pl.col(name))
            .alias(name)))
        if old is None:
            continue  # a new component can lower a mean; only raising a value is monotone
        for group in (DATA_AVAILABILITY, VERIFIABILITY):
            assert raised.get_column(group)[row] >= base.get_column(group)[row] - 1e-15


def test_more_technology_never_lowers_the_features(features: pl.DataFrame,
                                                   reference_tables: Tables) -> None:
    tech = reference_tables["technology_skill"]
    extra = tech.filter(pl.col("onet_soc_code") == SOFTWARE).with_columns(
        pl.lit(ROOFERS).alias("onet_soc_code"))
    raised = build_task_features({**reference_tables,
                                  "technology_skill": pl.concat([tech, extra])})
    for column in ("da_tech_skills", "da_hot_tech", DATA_AVAILABILITY):
        assert occupation_mean(raised, ROOFERS, column) > occupation_mean(features, ROOFERS,
                                                                          column)
    unchanged = [c for c in FEATURES if not c.startswith("da_") and c != DATA_AVAILABILITY]
    assert_frame_equal(raised.select(unchanged), features.select(unchanged))


# --- the full O*NET download ----------------------------------------------------------------

# Element -> (Software Developers, Roofers, Registered Nurses) on the element's O*NET scale.
FULL_VALUES = {
    "wa_computers": (4.9, 1.3, 3.9), "wa_documenting": (3.8, 1.6, 4.5),
    "wa_processing": (4.2, 1.5, 3.7), "wa_caring": (1.6, 1.9, 4.9),
    "wc_hands": (1.4, 5.0, 4.2), "wc_face_to_face": (4.1, 3.9, 5.0),
    "wc_exact": (4.0, 3.0, 5.0), "wc_repetition": (2.9, 3.6, 3.2),
    "wc_structured": (4.3, 3.1, 3.3), "wc_automation": (2.6, 1.2, 2.4),
}


def official_rows(template: pl.DataFrame, content_model: pl.DataFrame,
                  names: dict[str, str] | None = None) -> pl.DataFrame:
    """Work Activities / Work Context rows in the reader's layout for three occupations."""
    official = dict(content_model.select("element_id", "element_name").iter_rows())
    rows = []
    for key, values in FULL_VALUES.items():
        element = ELEMENTS[key]
        name = (names or {}).get(key, official[element.element_id])
        for code, value in zip((SOFTWARE, ROOFERS, NURSES), values, strict=True):
            rows.append({"onet_soc_code": code, "domain": element.domain,
                         "element_id": element.element_id, "element_name": name,
                         "scale_id": element.scale_id, "category": None, "data_value": value,
                         "n": 30, "standard_error": 0.1, "recommend_suppress": False,
                         "not_relevant": None})
    return pl.DataFrame(rows, schema=template.schema)


def with_full_download(tables: Tables, names: dict[str, str] | None = None,
                       content_model: pl.DataFrame | None = None) -> Tables:
    descriptor = tables["occupation_descriptor"]
    extra = official_rows(descriptor, tables["content_model"], names)
    return {**tables, "occupation_descriptor": pl.concat([descriptor, extra]),
            "content_model": tables["content_model"] if content_model is None else content_model}


def test_full_download_components(features: pl.DataFrame, reference_tables: Tables) -> None:
    # The older name of 4.C.3.b.8 is accepted (MODEL_SPEC §1: names drift).
    full = build_task_features(with_full_download(
        reference_tables, {"wc_structured": "Structured versus Unstructured Work"}))
    rated = pl.col("onet_soc_code").is_in([SOFTWARE, ROOFERS, NURSES])
    for column in FULL_DOWNLOAD:
        assert full.filter(rated).get_column(column).null_count() == 0, column
        assert full.filter(~rated).get_column(column).null_count() == full.filter(~rated).height

    def mean(code: str, column: str) -> float:
        return occupation_mean(full, code, column)
    assert mean(SOFTWARE, "da_computers_wa") > mean(NURSES, "da_computers_wa") > mean(
        ROOFERS, "da_computers_wa")
    assert mean(ROOFERS, "da_not_hands_wc") < mean(SOFTWARE, "da_not_hands_wc")
    assert mean(NURSES, "v_not_caring_wa") < mean(ROOFERS, "v_not_caring_wa")
    assert mean(NURSES, "v_exact") > mean(SOFTWARE, "v_exact") > mean(ROOFERS, "v_exact")
    # Official Work Context / Work Activities replace the proxies for the rated occupations.
    assert mean(NURSES, "face_to_face") > mean(SOFTWARE, "face_to_face")
    assert mean(NURSES, "face_to_face") != occupation_mean(features, NURSES, "face_to_face")
    assert mean(ROOFERS, "manual_intensity") > 0.5 > mean(SOFTWARE, "manual_intensity")
    # Unrated occupations keep their mirror values for occupation-level proxies.
    other = ~rated
    assert_frame_equal(full.filter(other).select("v_benchmark", "da_tech_skills"),
                       features.filter(other).select("v_benchmark", "da_tech_skills"))
    # hands = max, computers = min: below the median.
    assert full.filter(pl.col("onet_soc_code") == ROOFERS).get_column(
        DATA_AVAILABILITY).max() < full.get_column(DATA_AVAILABILITY).median()
    TaskFeatureModel.validate(full)


def test_wrong_element_name_is_an_input_error(reference_tables: Tables) -> None:
    with pytest.raises(InputError, match=r"Work Context.*4\.C\.3\.b\.8.*'Level of Competition'"):
        build_task_features(with_full_download(
            reference_tables, {"wc_structured": "Level of Competition"}))
    content = reference_tables["content_model"].with_columns(
        pl.when(pl.col("element_id") == "4.A.3.b.1").then(pl.lit("Thinking Creatively"))
        .otherwise(pl.col("element_name")).alias("element_name"))
    with pytest.raises(InputError, match=r"Content Model Reference.*4\.A\.3\.b\.1"):
        build_task_features(with_full_download(reference_tables, content_model=content))


def test_task_frequency_sets_the_practitioner_volume(reference_tables: Tables) -> None:
    ratings = reference_tables["task_rating"]
    tasks = reference_tables["task"].filter(pl.col("onet_soc_code") == SOFTWARE).sort("task_id")
    hourly, yearly = tasks.get_column("task_id")[:2].to_list()
    rows = [{"onet_soc_code": SOFTWARE, "task_id": task, "scale_id": "FT", "category": c,
             "data_value": 100.0 if c == category else 0.0, "n": 20, "standard_error": None,
             "recommend_suppress": False}
            for task, category in ((hourly, 7), (yearly, 1)) for c in range(1, 8)]
    rows += [{"onet_soc_code": SOFTWARE, "task_id": task, "scale_id": "IM", "category": None,
              "data_value": 4.0, "n": 20, "standard_error": None, "recommend_suppress": False}
             for task in (hourly, yearly)]
    full = build_task_features({**reference_tables, "task_rating": pl.concat(
        [ratings, pl.DataFrame(rows, schema=ratings.schema)])})
    practitioners = dict(full.select("task_id", "da_practitioners").iter_rows())
    assert practitioners[hourly] > practitioners[yearly]
    assert sum(v is not None for v in practitioners.values()) == 2


# --- text lexicons and the benchmark file ---------------------------------------------------

def test_statement_classes() -> None:
    statements = pl.DataFrame({"task": [
        "Prepare financial reports and budgets.", "Prepare food for patients.",
        "Periodically inspect equipment.", "Apply paint to walls.", "Record data.",
        "Care for children.", "Greet visitors.", "Supervise."]})
    classes = tx.classify_statements(statements, "task").with_columns(
        tx.text_output(pl.col("verb"), pl.col("information_share")).alias("text"),
        tx.verb_class(pl.col("verb")).alias("class"))
    assert classes.get_column("verb").to_list() == [
        "prepare", "prepare", "inspect", "apply", "record", "care", "greet", "supervise"]
    assert classes.get_column("information_share").to_list() == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0,
                                                                 0.0, None]
    assert classes.get_column("text").to_list() == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert classes.get_column("class").to_list() == [None, None, 0.5, None, 1.0, 0.0, None, None]


def test_benchmark_file_is_checked(tmp_path: Path, reference_tables: Tables) -> None:
    shipped = read_benchmarks()
    assert set(shipped.get_column("value").unique()) == {0.5, 1.0}
    assert shipped.filter(pl.col("source").str.contains("GDPval")).height == 44
    header = BENCHMARKS.read_text().splitlines()[0]
    for line, match in (("99-9999,Nobody,1,x,", "99-9999 matches no O\\*NET occupation"),
                        ("15-1252,Software Developers,0.7,x,", "0.7"),
                        ("15-1252,Software Developers,1,,", "source")):
        path = tmp_path / "benchmarks.csv"
        path.write_text(f"{header}\n{line}\n")
        with pytest.raises(InputError, match=match) as error:
            build_task_features(reference_tables, benchmarks=path)
        assert error.value.row == 2

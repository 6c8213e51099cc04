"""`check_scorer`: what a researcher runs on their own scorer before plugging it in.

    from exposure.testing import check_scorer
    check_scorer(MyScorer)            # or an instance: check_scorer(MyScorer(alpha=2))

Each check raises an AssertionError that says what is wrong and what to do; passing returns
the names of the checks. Without `X`, the checks use `example_inputs()`, a small frame
with every column of `exposure.scorers.task_inputs` and of the task features.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl
from sklearn.base import clone

from exposure.scorers.base import MAX_SD

LABELS = ("E0", "E1", "E2")
FEATURES = ("data_availability", "verifiability", "gatekeeping", "manual_intensity",
            "face_to_face", "job_zone", "da_digital_records", "v_objective_output")
# (occupation title, its task statements' verbs and objects, typical label)
_OCCUPATIONS = (
    ("Data Analysts", ("Analyze", "Summarize", "Report"), ("sales data", "survey results"),
     "E1"),
    ("Technical Writers", ("Draft", "Edit", "Revise"), ("user manuals", "release notes"),
     "E1"),
    ("Paralegals", ("Research", "Prepare", "File"), ("case law", "legal briefs"), "E2"),
    ("Bookkeepers", ("Reconcile", "Record", "Check"), ("ledger accounts", "invoices"), "E2"),
    ("Roofers", ("Install", "Repair", "Inspect"), ("roof shingles", "flashing"), "E0"),
    ("Dental Hygienists", ("Clean", "Examine", "Polish"), ("patients' teeth", "gums"), "E0"),
)


def example_inputs(seed: int = 0) -> tuple[pl.DataFrame, pl.Series, dict[str, pl.DataFrame]]:
    """(X, y, tables): 48 synthetic tasks of 6 occupations shaped like `task_inputs` with
    task features, their human labels, and a `task_label` table for `with_tables`."""
    rng = np.random.default_rng(seed)
    rows = []
    for o, (title, verbs, objects, typical) in enumerate(_OCCUPATIONS):
        for t in range(8):
            verb, obj = verbs[t % len(verbs)], objects[t % len(objects)]
            label = typical if t % 4 else LABELS[(LABELS.index(typical) + 1) % 3]
            rows.append({
                "onet_soc_code": f"{11 + o:02d}-{1000 + o:04d}.00", "task_id": 1000 + 10 * o + t,
                "task": f"{verb} {obj} for clients and supervisors.",
                "task_type": "Core" if t % 3 else "Supplemental", "occupation_title": title,
                "dwa_titles": f"{verb} {obj}.", "iwa_titles": f"{verb} information.",
                "gwa_titles": "Processing Information" if typical != "E0"
                else "Performing General Physical Activities",
                "technology": "Spreadsheet software; Microsoft Excel" if typical != "E0"
                else "Power tools", "skills": "Reading Comprehension; Speaking",
                "knowledge": "English Language; Mathematics",
                "core": float(t % 3 != 0), "occupation_job_zone": float(1 + o % 5),
                "n_dwa": 1.0, "n_occupation_tasks": 8.0, "n_technology": 2.0,
                "n_hot_technology": 1.0, "label": label,
            })
    frame = pl.DataFrame(rows).with_columns(
        pl.Series(name, rng.uniform(size=len(rows))) for name in FEATURES)
    X = frame.drop("label")
    y = frame.get_column("label").alias("human_label")
    gpt4 = [LABELS[(LABELS.index(v) + (i % 5 == 0)) % 3] for i, v in enumerate(y)]
    tables = {"task_label": frame.select("task_id", "onet_soc_code",
                                         pl.col("label").alias("human_label"),
                                         pl.Series("gpt4_label", gpt4))}
    return X, y, tables


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pl.DataFrame | pl.Series):
        return isinstance(b, type(a)) and a.equals(b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _label(scorer: Any) -> str:
    return f"check_scorer({type(scorer).__name__})"


def _prepared(scorer: Any, tables: Mapping[str, pl.DataFrame]) -> Any:
    model = clone(scorer)
    if callable(getattr(model, "with_tables", None)):
        bound = model.with_tables(tables)
        model = model if bound is None else bound
    return model


def _scores(model: Any, X: pl.DataFrame, who: str) -> np.ndarray:
    raw = model.predict(X)
    try:
        scores = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{who}: predict returned {type(raw).__name__} that is not a "
                             "float array; return np.ndarray of floats") from None
    assert scores.shape == (X.height,), (
        f"{who}: predict returned shape {scores.shape} for {X.height} rows; return one "
        "float per row of X (a 1-d array)")
    bad = ~np.isnan(scores) & ((scores < 0) | (scores > 1))
    assert not bad.any(), (
        f"{who}: predict returned {int(bad.sum())} values outside [0, 1] (e.g. "
        f"{scores[bad][0]!r}); scores must lie in [0, 1], NaN for no score")
    return scores


def _sds(model: Any, X: pl.DataFrame, who: str) -> np.ndarray:
    """The optional `predict_sd`: one finite float in [0, 0.5] (or NaN) per row."""
    raw = model.predict_sd(X)
    try:
        sd = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{who}: predict_sd returned {type(raw).__name__} that is not "
                             "a float array; return np.ndarray of floats") from None
    assert sd.shape == (X.height,), (
        f"{who}: predict_sd returned shape {sd.shape} for {X.height} rows; return one "
        "standard deviation per row of X (a 1-d array)")
    bad = np.isinf(sd) | (~np.isnan(sd) & ((sd < 0) | (sd > MAX_SD)))
    assert not bad.any(), (
        f"{who}: predict_sd returned {int(bad.sum())} values that are infinite, negative or "
        f"above {MAX_SD} (e.g. {sd[bad][0]!r}); a score in [0, 1] has a standard deviation "
        "in [0, 0.5], NaN for none")
    return sd


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(np.isnan(a), np.isnan(b))
                and np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=0, atol=1e-9))


def check_init(scorer: Any, who: str) -> None:
    """`__init__` takes named parameters and stores each, unchanged, as an attribute."""
    init = type(scorer).__init__
    signature = inspect.signature(init)
    varargs = [p.name for p in signature.parameters.values()
               if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)] if init is not object.__init__ \
        else []
    assert not varargs, (f"{who}: __init__ takes *{varargs[0]}; scikit-learn estimators "
                         "take named parameters only")
    params = scorer.get_params(deep=False)
    fresh = type(scorer)(**params)
    for name, value in params.items():
        assert getattr(fresh, name, object()) is value, (
            f"{who}: __init__ does not store parameter '{name}' unchanged as self.{name}; "
            "store parameters as given and validate or derive things in fit")
    extra = sorted(k for k in vars(fresh) if k not in params and not k.startswith("_"))
    assert not extra, (f"{who}: __init__ sets {', '.join(extra)} besides its parameters; "
                       "set fitted attributes (ending in '_') in fit")


def check_params_round_trip(scorer: Any, who: str) -> None:
    """`get_params`, `set_params` and `clone` agree."""
    params = scorer.get_params(deep=False)
    copy = clone(scorer)
    assert type(copy) is type(scorer), f"{who}: clone gave a {type(copy).__name__}"
    copied = copy.get_params(deep=False)
    assert copied.keys() == params.keys(), (
        f"{who}: clone has parameters {sorted(copied)} instead of {sorted(params)}")
    differ = [k for k in params if not _same(params[k], copied[k])]
    assert not differ, (f"{who}: clone changed parameters {differ}; get_params must return "
                        "what __init__ stored")
    assert copy.set_params(**copied) is copy, f"{who}: set_params must return self"


def check_scorer(scorer: Any, X: pl.DataFrame | None = None, y: Any = None,
                 tables: Mapping[str, pl.DataFrame] | None = None) -> list[str]:
    """Run every check on `scorer` (a class, built with its defaults, or an instance)."""
    if isinstance(scorer, type):
        try:
            scorer = scorer()
        except TypeError as exc:
            raise AssertionError(f"check_scorer({scorer.__name__}): cannot be built with "
                                 f"default parameters ({exc}); give every parameter a "
                                 "default or pass an instance") from exc
    who = _label(scorer)
    if X is None:
        X, example_y, example_tables = example_inputs()
        y = example_y if y is None else y
        tables = example_tables if tables is None else tables
    tables = tables or {}
    passed = []
    missing = [m for m in ("fit", "predict", "get_params", "set_params")
               if not callable(getattr(scorer, m, None))]
    assert not missing, (f"{who}: lacks {', '.join(missing)}; subclass "
                         "exposure.scorers.Scorer (a scikit-learn BaseEstimator)")
    passed.append("is an estimator")
    check_init(scorer, who)
    passed.append("__init__ only stores parameters")
    check_params_round_trip(scorer, who)
    passed.append("get_params/set_params/clone round-trip")

    model = _prepared(scorer, tables)
    before = model.get_params(deep=False)
    fitted = model.fit(X, y)
    assert fitted is model, f"{who}: fit returned {type(fitted).__name__}; return self"
    passed.append("fit returns self")
    changed = [k for k, v in model.get_params(deep=False).items() if not _same(v, before[k])]
    assert not changed, (f"{who}: fit changed parameters {changed}; keep what it learns in "
                         "attributes ending in '_'")
    passed.append("fit leaves parameters alone")

    scores = _scores(model, X, who)
    assert not np.isnan(scores).all(), (
        f"{who}: predict gave no score (all NaN) for the {X.height} example tasks; "
        "check which columns it reads")
    passed.append("predict gives one float in [0, 1] or NaN per row")

    again = _scores(_prepared(scorer, tables).fit(X, y), X, who)
    assert _equal(scores, again), (f"{who}: two fits on the same data predict differently; "
                                   "fix random seeds (e.g. a random_state parameter)")
    passed.append("deterministic")

    order = np.random.default_rng(1).permutation(X.height)
    assert _equal(_scores(model, X[order], who), scores[order]), (
        f"{who}: predict depends on the order of the rows of X; score each row from "
        "its own columns")
    y_perm = None if y is None else pl.Series(y)[order]
    refit = _scores(_prepared(scorer, tables).fit(X[order], y_perm), X[order], who)
    assert _equal(refit, scores[order]), (
        f"{who}: fitting on the same rows in another order changes the scores; sort the "
        "training rows (e.g. by task_id) inside fit")
    passed.append("independent of row order")

    if callable(getattr(model, "predict_labels", None)):
        labels = list(np.asarray(model.predict_labels(X), dtype=object))
        assert len(labels) == X.height, (
            f"{who}: predict_labels returned {len(labels)} labels for {X.height} rows")
        odd = sorted({str(v) for v in labels if v is not None and v not in LABELS})
        assert not odd, (f"{who}: predict_labels returned {odd}; use 'E0', 'E1', 'E2' "
                         "or None")
        passed.append("predict_labels gives E0/E1/E2 or None per row")

    if callable(getattr(model, "predict_sd", None)):
        sd = _sds(model, X, who)
        assert _equal(_sds(model, X[order], who), sd[order]), (
            f"{who}: predict_sd depends on the order of the rows of X; compute each row's "
            "standard deviation from its own columns")
        passed.append("predict_sd gives one finite float in [0, 0.5] or NaN per row")
    return passed

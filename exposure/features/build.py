"""`build_task_features`: the `task_feature` table of MODEL_SPEC §1 from the reference tables."""

from __future__ import annotations

import operator
from functools import reduce
from pathlib import Path

import pandera.errors
import polars as pl

from exposure.errors import ExposureError
from exposure.features.benchmarks import BENCHMARKS
from exposure.features.components import FUNCTIONS, OCC, STATEMENT_COMPONENTS, TASK, statements
from exposure.features.inputs import Inputs
from exposure.features.registry import (
    AGGREGATES,
    COMPONENTS,
    DATA_AVAILABILITY,
    GROUPS,
    OTHER,
    VERIFIABILITY,
    columns,
)
from exposure.features.schema import TaskFeatureModel

KEYS = [OCC, TASK]


def _mean(names: list[str]) -> pl.Expr:
    """Row mean of the non-null `names`, added left to right. (`pl.mean_horizontal` can
    differ in the last bit with the frame's chunk layout, which would let row order leak in.)
    """
    total = reduce(operator.add, [pl.col(n).fill_null(0.0) for n in names])
    count = reduce(operator.add, [pl.col(n).is_not_null().cast(pl.Float64) for n in names])
    return pl.when(count > 0).then(total / count)


def aggregate(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `data_availability` and `verifiability`: the mean of each group's non-null
    components (MODEL_SPEC §1: "mean(·) skips missing components")."""
    return frame.with_columns(_mean(columns(group)).alias(group) for group in GROUPS)


def column_order() -> list[str]:
    """The columns of `task_feature`: keys, components, aggregates, other inputs."""
    return [*KEYS, *columns(DATA_AVAILABILITY), *columns(VERIFIABILITY), *AGGREGATES,
            *columns(OTHER)]


def build_task_features(tables: dict[str, pl.DataFrame], employment_year: int = 2024, *,
                        benchmarks: Path = BENCHMARKS) -> pl.DataFrame:
    """One row per task of `tables['task']`: every component of `registry.COMPONENTS`,
    the aggregates, G_o (union representation rate), m_i, face-to-face and the Job Zone;
    validated.

    `employment_year` picks the OEWS May estimates behind the employment weights of pr(·)
    and the practitioner volume; `benchmarks` is the curated B_o file.
    """
    x = Inputs.prepare(tables, employment_year, benchmarks)
    classes = statements(x)
    by_task, by_occupation = x.tasks.select(*KEYS), x.occupations.select(OCC)
    for name in COMPONENTS:
        function = FUNCTIONS[name]
        frame = function(x, classes) if name in STATEMENT_COMPONENTS else function(x)
        if TASK in frame.columns:
            by_task = by_task.join(frame.select(TASK, name), on=TASK, how="left")
        else:
            by_occupation = by_occupation.join(frame.select(OCC, name), on=OCC, how="left")
    features = (by_task.join(by_occupation, on=OCC, how="left")
                .with_columns(pl.col(n).cast(pl.Float64) for n in COMPONENTS if n != "job_zone")
                .with_columns(pl.col("job_zone").cast(pl.Int8))
                .pipe(aggregate).select(column_order()).sort(KEYS))
    return validate(features)


def validate(features: pl.DataFrame) -> pl.DataFrame:
    """Check `features` against `TaskFeatureModel`; a failure is a bug, not bad input."""
    try:
        return TaskFeatureModel.validate(features)
    except pandera.errors.SchemaError as exc:
        raise ExposureError(f"task_feature failed its schema check: {exc}",
                            "this is a bug in exposure.features; please report it") from exc

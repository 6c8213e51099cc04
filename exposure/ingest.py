"""Ingest as pipeline stages: one source stage per public source, then the derived
reference tables (the employment table, the crosswalk split, the data checks).

Tables whose name starts with `_` are intermediate: later stages read them, the warehouse
does not get them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from exposure.pipeline import Stage, StageCache, Tables, run_stages
from exposure.sources.base import FileRecord, IngestContext
from exposure.sources.bea_io import read_bea_io
from exposure.sources.cex import consumption_propensity, read_cex
from exposure.sources.classification import read_classification
from exposure.sources.concentration import read_concentration
from exposure.sources.crosswalk import crosswalk_coverage, read_crosswalk, split_crosswalk
from exposure.sources.gpts import read_gpts
from exposure.sources.oews import read_oews
from exposure.sources.oews_state import read_oews_state
from exposure.sources.onet import read_onet
from exposure.sources.pce import read_pce_bridge
from exposure.sources.projections import read_projections
from exposure.sources.union import read_union, union_density

COVERAGE_YEAR = 2024
COVERAGE_THRESHOLD = 0.98
BASE = "exposure.sources.base"


def _renamed(reader: Callable[[IngestContext], Tables], renames: dict[str, str]
             ) -> Callable[[IngestContext], Tables]:
    """The reader with some of its tables renamed (intermediate tables start with `_`)."""
    def read(ctx: IngestContext) -> Tables:
        return {renames.get(name, name): frame for name, frame in reader(ctx).items()}
    return read


def combine_employment(tables: Tables) -> Tables:
    """National, by-sector and state OEWS rows share one schema and one table."""
    return {"employment": pl.concat([tables["_employment_national"],
                                     tables["_employment_state"]], how="vertical")}


def split_employment_codes(tables: Tables) -> Tables:
    with_tasks = tables["occupation"].filter(pl.col("has_tasks")).get_column("onet_soc_code")
    return {"crosswalk": split_crosswalk(tables["_crosswalk"], with_tasks)}


def data_checks(tables: Tables) -> Tables:
    """Figures that say whether the joins of this ingest can be trusted."""
    national = tables["employment"].filter(
        (pl.col("area_type") == "national") & (pl.col("naics_sector") == "all")
    )
    rows = [{
        "check": f"crosswalk_coverage_{year}",
        "value": crosswalk_coverage(national.filter(pl.col("year") == year), tables["crosswalk"]),
        "threshold": COVERAGE_THRESHOLD if year == COVERAGE_YEAR else None,
        "detail": f"share of OEWS May {year} detailed employment whose BLS code reaches an "
                  "O*NET occupation with task statements",
    } for year in sorted(national.get_column("year").unique().to_list())]
    frame = pl.DataFrame(rows, schema={"check": pl.String, "value": pl.Float64,
                                       "threshold": pl.Float64, "detail": pl.String})
    passed = pl.col("threshold").is_null() | (pl.col("value") >= pl.col("threshold"))
    return {"data_check": frame.with_columns(passed.alias("passed"))}


def propensities(tables: Tables) -> Tables:
    """Households' propensity to consume and the population (CE Table 1101); published at
    ingest, like `union_density`, so that every later stage and the engine can read it."""
    return {"consumption_propensity": consumption_propensity(tables["ce_income_quintile"])}


def union_by_major_group(tables: Tables) -> Tables:
    """The union representation rate per SOC major group (features and forecasts read it)."""
    return {"union_density": union_density(tables["union_affiliation"])}


ONET_TABLES = ("occupation", "task", "task_dwa", "work_activity", "technology_skill",
               "occupation_descriptor", "task_rating", "content_model")

INGEST_STAGES: tuple[Stage, ...] = (
    Stage("read_onet", ONET_TABLES, ("exposure.sources.onet", BASE), reader=read_onet,
          patterns=("onet_29_2/*",), retries=1),
    Stage("read_oews", ("_employment_national",), ("exposure.sources.oews", BASE),
          reader=_renamed(read_oews, {"employment": "_employment_national"}),
          patterns=("bls_oews/*",), retries=1),
    Stage("read_oews_state", ("_employment_state",),
          ("exposure.sources.oews_state", "exposure.sources.oews", BASE),
          reader=_renamed(read_oews_state, {"employment": "_employment_state"}),
          patterns=("bls_oews_state/*",), retries=1),
    Stage("read_projections", ("projection",), ("exposure.sources.projections", BASE),
          reader=read_projections, patterns=("bls_ep/*",), retries=1),
    Stage("read_crosswalk", ("_crosswalk",), ("exposure.sources.crosswalk", BASE),
          reader=_renamed(read_crosswalk, {"crosswalk": "_crosswalk"}),
          patterns=("gpts_are_gpts/nem-onet-to-soc-crosswalk.xlsx",), retries=1),
    Stage("read_classification", ("soc_structure", "naics_sector"),
          ("exposure.sources.classification", BASE), reader=read_classification,
          patterns=("soc_naics/*",), retries=1),
    Stage("read_concentration", ("concentration",),
          ("exposure.sources.concentration", "exposure.sources.naics", BASE),
          reader=read_concentration, patterns=("census_concentration/*",), retries=1),
    Stage("read_pce_bridge", ("pce_bridge", "bea_naics"),
          ("exposure.sources.pce", "exposure.sources.naics", BASE),
          reader=read_pce_bridge, patterns=("bea_pce/*",), retries=1),
    Stage("read_bea_io", ("io_total_requirements", "io_use", "io_import"),
          ("exposure.sources.bea_io", BASE), reader=read_bea_io,
          patterns=("bea_io/BEA - *.xlsx",), retries=1),
    Stage("read_cex", ("ce_income_quintile",), ("exposure.sources.cex", BASE),
          reader=read_cex, patterns=("bls_cex/cu-income-quintiles-before-taxes-*.xlsx",),
          retries=1),
    Stage("read_union", ("union_affiliation",), ("exposure.sources.union", BASE),
          reader=read_union, patterns=("bls_union/*",), retries=1),
    Stage("read_gpts", ("task_label", "occupation_label", "occupation_context"),
          ("exposure.sources.gpts", BASE), reader=read_gpts,
          patterns=("gpts_are_gpts/*.tsv", "gpts_are_gpts/*.csv"), retries=1),
    Stage("employment", ("employment",), ("exposure.ingest",), func=combine_employment,
          inputs=("_employment_national", "_employment_state")),
    Stage("crosswalk", ("crosswalk",), ("exposure.ingest", "exposure.sources.crosswalk"),
          func=split_employment_codes, inputs=("_crosswalk", "occupation")),
    Stage("consumption_propensity", ("consumption_propensity",),
          ("exposure.ingest", "exposure.sources.cex"), func=propensities,
          inputs=("ce_income_quintile",)),
    Stage("union_density", ("union_density",), ("exposure.ingest", "exposure.sources.union"),
          func=union_by_major_group, inputs=("union_affiliation",)),
    Stage("data_check", ("data_check",), ("exposure.ingest", "exposure.sources.crosswalk"),
          func=data_checks, inputs=("employment", "crosswalk")),
)


@dataclass
class Ingested:
    """The reference tables of one ingest and the files it read."""

    tables: Tables
    files: list[FileRecord]


def read_sources(raw_dir: Path, ctx: IngestContext | None = None) -> Ingested:
    """Every reference table of `raw_dir`, read and derived without cache or warehouse."""
    ctx = ctx or IngestContext(Path(raw_dir))
    results = run_stages(INGEST_STAGES, ctx, StageCache(None))
    tables = {name: result.tables[name] for name, result in results.items()}
    return Ingested({k: v for k, v in tables.items() if not k.startswith("_")}, ctx.files)

"""Ingest as pipeline stages: one source stage per public source, then the derived
reference tables (the employment table, the crosswalk split, the data checks).

Tables whose name starts with `_` are intermediate: later stages read them, the warehouse
does not get them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from exposure.pipeline import Stage, StageCache, Tables, run_stages
from exposure.sources.base import FileRecord, IngestContext

COVERAGE_YEAR = 2024
COVERAGE_THRESHOLD = 0.98
BASE = "exposure.sources.base"


def combine_employment(tables: Tables) -> Tables:
    """National, by-sector and state OEWS rows share one schema and one table."""
    return {"employment": pl.concat([tables["_employment_national"],
                                     tables["_employment_state"]], how="vertical")}


def split_employment_codes(tables: Tables) -> Tables:
    from exposure.sources.crosswalk import split_crosswalk

    with_tasks = tables["occupation"].filter(pl.col("has_tasks")).get_column("onet_soc_code")
    return {"crosswalk": split_crosswalk(tables["_crosswalk"], with_tasks)}


def data_checks(tables: Tables) -> Tables:
    """Figures that say whether the joins of this ingest can be trusted."""
    from exposure.sources.crosswalk import crosswalk_coverage

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
    from exposure.sources.cex import consumption_propensity

    return {"consumption_propensity": consumption_propensity(tables["ce_income_quintile"])}


def union_by_major_group(tables: Tables) -> Tables:
    """The union representation rate per SOC major group (features and forecasts read it)."""
    from exposure.sources.union import union_density

    return {"union_density": union_density(tables["union_affiliation"])}


ONET_TABLES = ("occupation", "task", "task_dwa", "work_activity", "technology_skill",
               "occupation_descriptor", "task_rating", "content_model")


def _source(name: str, outputs: tuple[str, ...], reader: str, patterns: tuple[str, ...],
            also: tuple[str, ...] = (), renames: tuple[tuple[str, str], ...] = ()) -> Stage:
    """The stage of one public source: `reader` is `"module:function"` of a module of
    `exposure.sources`; its key covers that module, the modules in `also` and `base`."""
    module = reader.partition(":")[0]
    return Stage(name, outputs, (module, *also, BASE), reader=reader, patterns=patterns,
                 renames=renames, retries=1)


SOURCES = "exposure.sources"
INGEST_STAGES: tuple[Stage, ...] = (
    _source("read_onet", ONET_TABLES, f"{SOURCES}.onet:read_onet", ("onet_29_2/*",)),
    _source("read_oews", ("_employment_national",), f"{SOURCES}.oews:read_oews",
            ("bls_oews/*",), renames=(("employment", "_employment_national"),)),
    _source("read_oews_state", ("_employment_state",),
            f"{SOURCES}.oews_state:read_oews_state", ("bls_oews_state/*",),
            also=(f"{SOURCES}.oews",), renames=(("employment", "_employment_state"),)),
    _source("read_projections", ("projection",), f"{SOURCES}.projections:read_projections",
            ("bls_ep/*",)),
    _source("read_crosswalk", ("_crosswalk",), f"{SOURCES}.crosswalk:read_crosswalk",
            ("gpts_are_gpts/nem-onet-to-soc-crosswalk.xlsx",),
            renames=(("crosswalk", "_crosswalk"),)),
    _source("read_classification", ("soc_structure", "naics_sector"),
            f"{SOURCES}.classification:read_classification", ("soc_naics/*",)),
    _source("read_soc_2010", ("soc_2010_crosswalk",), f"{SOURCES}.soc_2010:read_soc_2010",
            ("soc_naics/soc_2010_to_soc_2018_crosswalk.csv",)),
    _source("read_concentration", ("concentration",),
            f"{SOURCES}.concentration:read_concentration", ("census_concentration/*",),
            also=(f"{SOURCES}.naics",)),
    _source("read_pce_bridge", ("pce_bridge", "bea_naics"), f"{SOURCES}.pce:read_pce_bridge",
            ("bea_pce/*",), also=(f"{SOURCES}.naics",)),
    _source("read_bea_io", ("io_total_requirements", "io_use", "io_import"),
            f"{SOURCES}.bea_io:read_bea_io", ("bea_io/BEA - *.xlsx",)),
    _source("read_cex", ("ce_income_quintile",), f"{SOURCES}.cex:read_cex",
            ("bls_cex/cu-income-quintiles-before-taxes-*.xlsx",)),
    _source("read_union", ("union_affiliation",), f"{SOURCES}.union:read_union",
            ("bls_union/*",)),
    _source("read_gpts", ("task_label", "occupation_label", "occupation_context"),
            f"{SOURCES}.gpts:read_gpts", ("gpts_are_gpts/*.tsv", "gpts_are_gpts/*.csv")),
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

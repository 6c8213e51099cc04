"""The prepared inputs every feature component reads (one pass over the reference tables).

`Inputs.prepare` sorts each table by its key first, so that no later sum, mean or percentile
depends on the order of the input rows, and derives:

- `occupations`: O*NET occupation, OEWS employment Emp_o (national, all industries, the
  chosen May year) of its BLS NEM code times the crosswalk split weight, Job Zone;
- `tasks`: task statements with their weight inside the occupation (`exposure.task_weights`
  on the importance basis, as the roll-ups weigh them: Task Ratings importance IM when
  present, else Core = 2 / Supplemental = 1 / untyped = 1), the task's share of Emp_o, and
  its yearly frequency from Task Ratings FT when present;
- `links`: task -> DWA -> IWA -> GWA;
- `measures`: the O*NET descriptor elements of `elements.ELEMENTS`, one column each;
- `activity`: per task, the share of its DWAs in each set of `GWA_SETS` and the information
  share of its IWA titles;
- `benchmarks`: B_o of `data/benchmarks.csv`;
- `union`: the union representation rate (share) of each SOC major group (`union_density`,
  CPS 2016), empty when the table is absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from exposure.codes import CROSS_INDUSTRY
from exposure.errors import ConfigError
from exposure.features.benchmarks import BENCHMARKS, benchmark_coverage
from exposure.features.elements import check_names, occupation_measures
from exposure.features.text import classify_statements
from exposure.task_weights import task_weights

# Task Ratings FT categories -> times a year [A]: yearly or less, more than yearly, more than
# monthly, more than weekly, daily, several times daily, hourly or more.
FREQUENCY_PER_YEAR = {1: 1.0, 2: 6.0, 3: 36.0, 4: 150.0, 5: 250.0, 6: 750.0, 7: 2000.0}

# Sets of Generalized Work Activities (DWA Reference element IDs) read through a task's DWAs.
GWA_SETS: dict[str, tuple[str, ...]] = {
    "computers": ("4.A.3.b.1",),  # Working with Computers
    "documenting": ("4.A.3.b.6",),  # Documenting/Recording Information
    "processing": ("4.A.2.a.2",),  # Processing Information
    # Performing General Physical Activities, Handling and Moving Objects, Controlling
    # Machines and Processes, Operating Vehicles..., Repairing and Maintaining Mechanical Eq.
    "physical": ("4.A.3.a.1", "4.A.3.a.2", "4.A.3.a.3", "4.A.3.a.4", "4.A.3.b.4"),
    "caring": ("4.A.4.a.5",),  # Assisting and Caring for Others
    # Relationships, caring, selling, negotiating, working with the public; teaching,
    # directing subordinates, coaching, advising.
    "face_to_face": ("4.A.4.a.4", "4.A.4.a.5", "4.A.4.a.6", "4.A.4.a.7", "4.A.4.a.8",
                     "4.A.4.b.3", "4.A.4.b.4", "4.A.4.b.5", "4.A.4.b.6"),
    # The computer-work proxy of manual intensity: Working with Computers alone links to
    # few DWAs (88% of employment would tie at 0), so the information-work GWAs done at a
    # computer join it: Documenting/Recording, Processing and Analyzing Data or Information.
    "digital": ("4.A.3.b.1", "4.A.3.b.6", "4.A.2.a.2", "4.A.2.a.4"),
}


@dataclass(frozen=True)
class Inputs:
    occupations: pl.DataFrame  # onet_soc_code, soc_code, employment, job_zone
    tasks: pl.DataFrame  # onet_soc_code, task_id, task, weight, employment, per_year
    links: pl.DataFrame  # onet_soc_code, task_id, dwa_id, iwa_id, iwa_title, gwa_id
    measures: pl.DataFrame  # onet_soc_code, one column per present ELEMENTS key
    activity: pl.DataFrame  # task_id, onet_soc_code, one share per GWA_SETS key, information
    context: pl.DataFrame  # GPTs-are-GPTs occupation_context
    technology: pl.DataFrame  # onet_soc_code, example, hot_technology
    benchmarks: pl.DataFrame  # onet_soc_code, benchmark (B_o)
    has_frequency: bool
    union: pl.DataFrame  # soc_major, union_rate (share in [0, 1])

    @classmethod
    def prepare(cls, tables: dict[str, pl.DataFrame], employment_year: int,
                benchmarks: Path = BENCHMARKS) -> Inputs:
        check_names(tables["occupation_descriptor"], tables["content_model"])
        ratings = tables["task_rating"].sort("task_id", "scale_id", "category", nulls_last=True)
        occupations = _occupations(tables, employment_year)
        tasks = _tasks(tables["task"], ratings, occupations)
        activities = tables["work_activity"].select("dwa_id", "iwa_id", "iwa_title", "gwa_id")
        links = (tables["task_dwa"].select("onet_soc_code", "task_id", "dwa_id")
                 .join(activities, on="dwa_id").sort("task_id", "dwa_id"))
        context = (tables["occupation_context"].drop_nulls("onet_soc_code")
                   .unique("onet_soc_code", keep="none").sort("onet_soc_code"))
        technology = tables["technology_skill"].select(
            "onet_soc_code", "example", "commodity_code", "hot_technology").sort(
            "onet_soc_code", "commodity_code", "example")
        return cls(occupations, tasks, links,
                   occupation_measures(tables["occupation_descriptor"]), _activity(links),
                   context, technology,
                   benchmark_coverage(benchmarks, tables["occupation"], tables["crosswalk"]),
                   has_frequency=bool(ratings.filter(pl.col("scale_id") == "FT").height),
                   union=_union(tables.get("union_density")))


def _union(density: pl.DataFrame | None) -> pl.DataFrame:
    """soc_major -> representation rate as a share; sorted, so no result depends on row order."""
    if density is None:
        return pl.DataFrame(schema={"soc_major": pl.String, "union_rate": pl.Float64})
    return density.select("soc_major", (pl.col("represented_pct") / 100.0).alias(
        "union_rate")).unique("soc_major", keep="none").sort("soc_major")


def _occupations(tables: dict[str, pl.DataFrame], year: int) -> pl.DataFrame:
    employment = tables["employment"].filter(
        (pl.col("area_type") == "national") & (pl.col("naics_sector") == CROSS_INDUSTRY))
    years = sorted(employment.get_column("year").unique().to_list())
    if year not in years:
        raise ConfigError(f"there is no OEWS national employment for May {year}",
                          f"choose one of {', '.join(map(str, years))}")
    # One row per OEWS code (there are no duplicates in the staged years; if a code ever came
    # at two levels, the first by o_group is kept rather than adding them up).
    employment = (employment.filter(pl.col("year") == year).sort("soc_code", "o_group")
                  .unique("soc_code", keep="first", maintain_order=True)
                  .select("soc_code", "employment"))
    split = tables["crosswalk"].select(
        "onet_soc_code", pl.col("soc_code").alias("nem_code"), "split_weight")
    zones = tables["occupation_context"].drop_nulls("onet_soc_code").select(
        "onet_soc_code", pl.col("job_zone").alias("_zone")).unique("onet_soc_code", keep="none")
    return (tables["occupation"].select("onet_soc_code", "soc_code", "job_zone")
            .join(split, on="onet_soc_code", how="left")
            .join(employment.rename({"soc_code": "nem_code"}), on="nem_code", how="left")
            .join(zones, on="onet_soc_code", how="left")
            .select("onet_soc_code", "soc_code",
                    (pl.col("employment") * pl.col("split_weight")).alias("employment"),
                    pl.coalesce("job_zone", "_zone").cast(pl.Int8).alias("job_zone"))
            .sort("onet_soc_code"))


def _tasks(task: pl.DataFrame, ratings: pl.DataFrame, occupations: pl.DataFrame
           ) -> pl.DataFrame:
    frequency = (ratings.filter((pl.col("scale_id") == "FT") & pl.col("category").is_not_null())
                 .with_columns(pl.col("category").replace_strict(
                     FREQUENCY_PER_YEAR, default=None, return_dtype=pl.Float64).alias("_f"))
                 .drop_nulls("_f")
                 .group_by("task_id").agg(
                     ((pl.col("data_value") * pl.col("_f")).sum() / pl.col("data_value").sum())
                     .alias("per_year")))
    tasks = (task.select("onet_soc_code", "task_id", "task")
             .with_columns(task_weights(task, ratings).get_column("weight"))
             .join(frequency, on="task_id", how="left"))
    share = pl.col("weight") / pl.col("weight").sum().over("onet_soc_code")
    return (tasks.join(occupations.select("onet_soc_code", pl.col("employment").alias("_emp")),
                       on="onet_soc_code", how="left")
            .sort("task_id")  # joins need not keep row order; sums below must see one order
            .select("onet_soc_code", "task_id", "task", "weight",
                    (pl.col("_emp") * share).alias("employment"),
                    pl.when(pl.col("per_year").is_finite()).then(pl.col("per_year"))
                    .alias("per_year")))


def _activity(links: pl.DataFrame) -> pl.DataFrame:
    """Per task with DWAs: the share of its DWAs in each GWA set, and the mean information
    share of its IWA titles (null when none of them names an object)."""
    iwa = classify_statements(links.select("iwa_id", "iwa_title").unique("iwa_id").sort("iwa_id"),
                              "iwa_title").select("iwa_id", "information_share")
    return (links.join(iwa, on="iwa_id", how="left").sort("task_id", "dwa_id")
            .group_by("task_id").agg(
                pl.col("onet_soc_code").first(),
                *[pl.col("gwa_id").is_in(list(ids)).mean().alias(key)
                  for key, ids in GWA_SETS.items()],
                pl.col("information_share").mean().alias("information"))
            .sort("task_id"))

"""The warehouse's tables in one registry: name, what it holds, the stage that writes it,
whether it keeps every run's rows, and the pandera model its rows satisfy.

The warehouse publishes exactly these tables (`warehouse.RUN_RESULTS` and
`warehouse.HISTORY_TABLES` are derived from here), the README's warehouse section has one
bullet per table that starts with its `about`, and the stage graph's outputs match `stage`;
tests check all three. Tables that keep history carry a `run_id` column and get a
`latest_<name>` view when they are results of a run.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandera costs a second of every command's start; only the hint needs it
    import pandera.polars as pa

# Written by the run itself rather than by a stage.
RUN = "run"


@dataclass(frozen=True)
class Table:
    name: str
    about: str  # the first words of its README bullet
    stage: str  # the stage that writes it, or RUN
    history: bool = False  # rows of every run are kept, with a run_id column
    result: bool = False  # a result of a run (boards read it through latest_<name>)
    model: str | None = None  # "module:Class" of the pandera model of its rows
    # The physical row order written at publish: DuckDB skips the row groups whose min/max
    # miss a filter, so the columns the boards filter on first make their reads small.
    order: tuple[str, ...] = ()

    def schema(self) -> type[pa.DataFrameModel] | None:
        """The pandera model (imported on demand: source modules import this one)."""
        if self.model is None:
            return None
        module, name = self.model.split(":")
        return getattr(importlib.import_module(module), name)


def _result(name: str, about: str, stage: str, model: str | None = None,
            order: tuple[str, ...] = ()) -> Table:
    return Table(name, about, stage, history=True, result=True, model=model, order=order)


ONET = "exposure.sources.onet"
ROLLUP = "exposure.rollup.schemas"

TABLES: tuple[Table, ...] = (
    # what runs did
    Table("run", "one row per successful run.", RUN, history=True),
    Table("stage_run", "what each stage of a run did.", RUN, history=True),
    _result("change_summary", "what changed since the previous successful run", RUN),
    Table("source_file", "every raw file a run read.", RUN, history=True),
    Table("data_check", "figures that say whether the joins can be trusted.", "data_check",
          history=True),
    # O*NET
    Table("occupation", "O\\*NET occupations.", "read_onet"),
    Table("task", "task statements.", "read_onet"),
    Table("task_dwa", "task to Detailed Work Activity links.", "read_onet",
          model=f"{ONET}:TaskDwaModel"),
    Table("work_activity", "the DWA → IWA → GWA hierarchy.", "read_onet"),
    Table("technology_skill", "O\\*NET Technology Skills.", "read_onet"),
    Table("occupation_descriptor", "every O\\*NET rating file in one long table.",
          "read_onet"),
    Table("task_rating", "Task Ratings (importance, relevance, frequency) when present",
          "read_onet"),
    Table("content_model", "the O\\*NET Content Model's elements.", "read_onet",
          model=f"{ONET}:ContentModelModel"),
    # BLS and the classifications
    Table("employment", "OEWS employment and wages.", "employment",
          model="exposure.sources.oews:EmploymentModel"),
    Table("projection", "BLS Employment Projections 2024–34, Table 1.2.", "read_projections"),
    Table("crosswalk", "O\\*NET-SOC to BLS (NEM = OEWS) codes with the employment split.",
          "crosswalk"),
    Table("soc_structure", "SOC 2018.", "read_classification",
          model="exposure.sources.classification:SocStructureModel"),
    Table("naics_sector", "NAICS 2022 sectors plus `99`.", "read_classification",
          model="exposure.sources.classification:NaicsSectorModel"),
    Table("soc_2010_crosswalk", "the BLS SOC 2010 to SOC 2018 crosswalk,", "read_soc_2010",
          model="exposure.sources.soc_2010:Soc2010CrosswalkModel"),
    # scores and roll-ups
    Table("task_feature", "one row per task;", "features",
          model="exposure.features.schema:TaskFeatureModel"),
    _result("task_exposure", "each scorer's score of every task.", "score",
            "exposure.scorers.schema:TaskExposureModel"),
    _result("scorer_explanation", "why the fitted `leverage` scores a task high:", "score",
            "exposure.scorers.explain:ScorerExplanationModel"),
    _result("occupation_exposure", "national, one row per O\\*NET occupation and scorer.",
            "rollup", f"{ROLLUP}:OccupationExposureModel"),
    _result("headline", "the national share of workers whose occupation has at least 10% / "
            "50% of its task weight exposed.", "rollup", f"{ROLLUP}:HeadlineModel"),
    _result("sector_exposure", "one row per NAICS sector, year (May 2022–2024) and scorer.",
            "rollup", f"{ROLLUP}:SectorExposureModel"),
    _result("major_group_exposure", "the same per major SOC group.", "rollup",
            f"{ROLLUP}:MajorGroupExposureModel"),
    _result("area_exposure", "states, DC and territories from the May 2025 state estimates",
            "rollup", f"{ROLLUP}:AreaExposureModel"),
    # at the level BLS publishes, and state depth
    _result("bls_occupation_exposure", "national, one row per BLS (OEWS) detailed occupation "
            "and scorer.", "rollup", f"{ROLLUP}:BlsOccupationExposureModel"),
    _result("sector_occupation_exposure", "national, one row per NAICS sector, BLS detailed "
            "occupation and scorer", "rollup", f"{ROLLUP}:SectorOccupationExposureModel"),
    _result("area_occupation_exposure", "one row per state (DC, territory), BLS detailed "
            "occupation and scorer", "rollup", f"{ROLLUP}:AreaOccupationExposureModel"),
    _result("wage_band_exposure", "the nation and each state per wage quintile", "rollup",
            f"{ROLLUP}:WageBandExposureModel"),
    _result("education_exposure", "the nation and each state per typical entry education",
            "rollup", f"{ROLLUP}:EducationExposureModel"),
    # does exposure predict the change of employment since May 2021?
    _result("backtest", "each scorer's exposure against the change of national employment "
            "since May 2021", "backtest", "exposure.backtest.schema:BacktestModel"),
    # forecasts
    _result("sector_calibration", "the layoff-trap game's inputs per OEWS sector.",
            "calibration"),
    Table("demand_calibration", "MODEL_SPEC §7.3 per BEA summary industry", "calibration"),
    _result("forecast_scenario", "the scenarios of the run.", "forecast"),
    _result("sector_equilibrium", "the static game at the horizon.", "forecast"),
    # boards ask for one scenario and year: 1/143 of a run's 1.2 million rows
    _result("displacement_forecast", "the forecast per occupation, sector, scenario and year.",
            "forecast", order=("scenario", "year")),
    _result("displacement_total", "the national totals per scenario and year", "forecast"),
    _result("labour_market_forecast", "MODEL_SPEC §7.5 per scenario and year, long format.",
            "forecast"),
    _result("area_forecast", "state forecasts: the national occupation displacement rates "
            "applied to each state's occupation mix", "area_forecast",
            f"{ROLLUP}:AreaForecastModel"),
    _result("forecast_sensitivity", "MODEL_SPEC §7.7, one row per uncertain parameter",
            "forecast"),
    _result("macro_check", "Acemoglu (2024)'s Hulten arithmetic.", "forecast"),
    Table("forecast_draws", "the parameters of every Monte-Carlo draw.", "forecast"),
    # the agent-based simulation (MODEL_SPEC §4), scaled back to the workforce
    _result("abm_monthly", "the simulated workforce month by month.", "abm"),
    _result("abm_displacement", "displaced, re-employed and unemployed by occupation, sector "
            "and state and month.", "abm"),
    _result("abm_duration", "unemployment durations by wage quintile.", "abm"),
    _result("abm_earnings", "earnings lost by the displaced, by wage quintile.", "abm"),
    _result("abm_sector_demand", "the spending lost per sector and month.", "abm"),
    _result("abm_comparison", "the simulation beside the aggregate forecast.", "abm"),
    # calibration inputs
    Table("concentration", "Economic Census 2017 and 2022, US, all establishments.",
          "read_concentration", model="exposure.sources.concentration:Concentration"),
    Table("pce_bridge", "BEA PCE bridge, latest year.", "read_pce_bridge",
          model="exposure.sources.pce:PceBridge"),
    Table("bea_naics", "BEA industries to NAICS.", "read_pce_bridge",
          model="exposure.sources.pce:BeaNaics"),
    Table("io_total_requirements", "BEA commodity-by-commodity total requirements",
          "read_bea_io", model="exposure.sources.bea_io:TotalRequirements"),
    Table("io_use", "BEA Use of commodities by industries", "read_bea_io",
          model="exposure.sources.bea_io:IoCells"),
    Table("io_import", "BEA import matrix", "read_bea_io",
          model="exposure.sources.bea_io:IoCells"),
    Table("ce_income_quintile", "BLS Consumer Expenditure Surveys Table 1101", "read_cex",
          model="exposure.sources.cex:CeIncomeQuintile"),
    Table("consumption_propensity", "households' average propensity to consume",
          "consumption_propensity"),
    Table("union_affiliation", "BLS CPS Table 42, union affiliation", "read_union",
          model="exposure.sources.union:UnionAffiliation"),
    Table("union_density", "the 2016 rates per SOC 2018 major group", "union_density"),
    # the GPTs-are-GPTs labels
    Table("task_label", "the published task labels.", "read_gpts"),
    Table("occupation_label", "the published occupation table.", "read_gpts"),
    Table("occupation_context", "per-occupation work-context and basic-skill items",
          "read_gpts"),
)

BY_NAME = {table.name: table for table in TABLES}


def written_by(stage: str) -> tuple[str, ...]:
    """The tables `stage` writes, in registry order (the stage declares them from here)."""
    return tuple(t.name for t in TABLES if t.stage == stage)


def table(name: str) -> Table:
    """The registry entry of ``name`` (KeyError for a table the warehouse does not have)."""
    return BY_NAME[name]


__all__ = ["BY_NAME", "RUN", "TABLES", "Table", "table", "written_by"]

"""The refresh's stages after ingest: thin adapters from named tables to library functions.

Each function takes the tables a stage reads and its parameters and returns the tables it
writes; `exposure.pipeline` caches them and `exposure.refresh` publishes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from exposure.pipeline import Stage, Tables
from exposure.tables import written_by

# The libraries behind each stage are imported when it runs: keying every stage (a warm
# refresh that finds nothing changed) must not pay seconds of imports.

FEATURE_INPUTS = ("occupation", "task", "task_dwa", "work_activity", "technology_skill",
                  "occupation_descriptor", "task_rating", "content_model", "employment",
                  "crosswalk", "occupation_context", "union_density")
SCORE_INPUTS = ("task", "task_dwa", "work_activity", "technology_skill", "occupation",
                "occupation_descriptor", "task_label", "task_feature")
ROLLUP_INPUTS = ("task_exposure", "task", "task_rating", "occupation", "crosswalk",
                 "employment", "projection")
ROLLUP_TABLES = written_by("rollup")


def features(tables: Tables, employment_year: int, benchmarks_file: str) -> Tables:
    from exposure.features import build_task_features

    return {"task_feature": build_task_features(tables, employment_year,
                                                benchmarks=Path(benchmarks_file))}


def benchmarks_file(params: Mapping[str, object]) -> dict[str, Path]:
    return {"benchmarks file (EXPOSURE_BENCHMARKS_FILE)": Path(str(params["benchmarks_file"]))}


def scorer_modules(params: Mapping[str, object]) -> dict[str, Path]:
    """The source files of the modules that define the configured scorers, plugins included,
    so that a change to a researcher's scorer recomputes scoring and everything after it."""
    from exposure.scorers.registry import scorer_source

    return {f"module of scorer {spec}": scorer_source(spec)
            for spec in params["scorers"]}  # type: ignore[attr-defined]


def score(tables: Tables, scorers: tuple[str, ...]) -> Tables:
    """Fit each scorer on the task inputs (with the human labels) and score every task; a
    scorer that explains itself (`leverage`) adds its `scorer_explanation` rows, read from
    the model that scored the tasks, so that they explain these scores and cost no second
    fit (the table is empty when no configured scorer explains itself)."""
    from exposure.scorers import load_scorer, score_tasks, task_inputs, task_targets
    from exposure.scorers.explain import empty_explanation, explanation_rows

    inputs = task_inputs(tables, tables["task_feature"])
    labels = task_targets(tables, inputs)
    scores, explanations = [], [empty_explanation()]
    for spec in scorers:
        scorer = load_scorer(spec, tables)
        scores.append(score_tasks(scorer, inputs, labels))  # fits `scorer` in place
        explanations.append(explanation_rows(scorer, inputs))
    return {"task_exposure": pl.concat(scores), "scorer_explanation": pl.concat(explanations)}


def rollup(tables: Tables, employment_year: int) -> Tables:
    """Every roll-up for every scorer of the task scores."""
    from exposure.rollup import (
        area_exposure,
        area_occupation_exposure,
        bls_occupation_exposure,
        education_exposure,
        headline_shares,
        major_group_exposure,
        occupation_exposure,
        occupation_scores,
        sector_exposure,
        sector_occupation_exposure,
        wage_band_exposure,
    )

    out: dict[str, list[pl.DataFrame]] = {}
    crosswalk, employment, projection = (tables[name] for name in
                                         ("crosswalk", "employment", "projection"))
    for (scorer,), scores in tables["task_exposure"].group_by("scorer", maintain_order=True):
        occupations = occupation_scores(scores, tables["task"], tables["task_rating"])
        national = occupation_exposure(occupations, tables["occupation"], crosswalk,
                                       employment, employment_year, scorer)
        results = {
            "occupation_exposure": national,
            "headline": headline_shares(national),
            "sector_exposure": sector_exposure(occupations, crosswalk, employment, scorer),
            "major_group_exposure": major_group_exposure(occupations, crosswalk, employment,
                                                         scorer),
            "area_exposure": area_exposure(occupations, crosswalk, employment, scorer),
            # at the level BLS publishes (its codes and their published employment)
            "bls_occupation_exposure": bls_occupation_exposure(
                occupations, crosswalk, employment, projection, employment_year, scorer),
            "sector_occupation_exposure": sector_occupation_exposure(
                occupations, crosswalk, employment, employment_year, scorer),
            # state depth (May 2025 state estimates)
            "area_occupation_exposure": area_occupation_exposure(
                occupations, crosswalk, employment, projection, scorer),
            "wage_band_exposure": wage_band_exposure(occupations, crosswalk, employment,
                                                     projection, scorer),
            "education_exposure": education_exposure(occupations, crosswalk, employment,
                                                     projection, scorer),
        }
        for name, frame in results.items():
            out.setdefault(name, []).append(frame)
    return {name: pl.concat(frames, how="vertical") for name, frames in out.items()}


BACKTEST_INPUTS = ("bls_occupation_exposure", "employment", "projection", "occupation",
                   "crosswalk")


def backtest(tables: Tables) -> Tables:
    """Each scorer's exposure against the change of national employment since May 2021
    (`exposure.backtest`)."""
    from exposure.backtest.table import backtest as run_backtest

    return {"backtest": run_backtest(tables["bls_occupation_exposure"], tables["employment"],
                                     tables["projection"], tables["occupation"],
                                     tables["crosswalk"])}


def state_forecast(tables: Tables) -> Tables:
    """The national occupation displacement rates of each scenario applied to each state's
    occupation mix (`exposure.rollup.area_forecast`)."""
    from exposure.rollup import area_forecast

    return {"area_forecast": area_forecast(tables["employment"],
                                           tables["displacement_forecast"])}


CALIBRATION_INPUTS = ("concentration", "pce_bridge", "bea_naics", "io_total_requirements",
                      "io_use", "io_import")
FORECAST_INPUTS = ("task_feature", "task_exposure", "sector_calibration", "task", "task_rating",
                   "occupation", "crosswalk", "projection", "employment",
                   "consumption_propensity")


def calibration(tables: Tables, calibration_file: str | None) -> Tables:
    """The sector calibration of the game (with the economy-mode columns of MODEL_SPEC §7.3)
    and a user's override file on top, and the BEA-industry demand calibration behind it."""
    from exposure.forecast import demand_calibration, load_calibration_override, sector_calibration

    demand = demand_calibration(tables)
    derived = sector_calibration(tables, demand=demand)
    if calibration_file:
        derived = load_calibration_override(calibration_file, base=derived)
    return {"sector_calibration": derived, "demand_calibration": demand}


def calibration_override(params: Mapping[str, object]) -> dict[str, Path]:
    path = params["calibration_file"]
    return {"calibration file (EXPOSURE_CALIBRATION_FILE)": Path(str(path))} if path else {}


def scenario_files(params: Mapping[str, object]) -> dict[str, Path]:
    from exposure.forecast.io.scenario_files import scenario_path

    return {f"scenario {spec}": scenario_path(spec)
            for spec in params["scenarios"]}  # type: ignore[attr-defined]


def forecast(tables: Tables, scenarios: tuple[str, ...], draws: int | None, seed: int | None,
             forecast_ceiling: str | None, runner: str) -> Tables:
    """Every scenario's Monte-Carlo forecast; `forecast_ceiling` names the scorer whose task
    scores cap each task's automatable share (None: no cap, E_i = 1 as in MODEL_SPEC §1.4)."""
    from exposure.forecast.engine import forecast as run_forecast
    from exposure.forecast.runners import get_runner

    return run_forecast(tables["task_feature"], ceiling_scores(tables, forecast_ceiling),
                        tables, list(scenarios), draws=draws,
                        seed=seed, calibration=tables["sector_calibration"],
                        runner=get_runner(runner))


FORECAST_TABLES = written_by("forecast")
ABM_TABLES = written_by("abm")


def ceiling_scores(tables: Tables, forecast_ceiling: str | None) -> pl.DataFrame | None:
    """The task scores that cap each task's automatable share (None: no cap)."""
    if not forecast_ceiling:
        return None
    return tables["task_exposure"].filter(pl.col("scorer") == forecast_ceiling)


def abm(tables: Tables, scenarios: tuple[str, ...], seed: int | None,
        forecast_ceiling: str | None, abm_share: float, abm_mode: str,
        abm_device: str, abm_alternatives: tuple[str, ...]) -> Tables:
    """The agent-based simulation (MODEL_SPEC §4) of the run's first scenario, coupled to its
    forecast (or not: `abm_mode = "emergent"`), scaled back to the workforce."""
    from exposure.abm import AbmOptions, simulate
    from exposure.forecast import prepare

    (prep,) = prepare(tables["task_feature"], ceiling_scores(tables, forecast_ceiling), tables,
                      [scenarios[0]], calibration=tables["sector_calibration"])
    options = AbmOptions(share=abm_share, mode=abm_mode, device=abm_device,
                         domestic="domestic" in abm_alternatives,
                         offshoring="offshoring" in abm_alternatives,
                         **({"seed": seed} if seed is not None else {}))
    forecasts = {name: tables[name] for name in ("displacement_forecast",
                                                 "displacement_total")}
    return simulate(tables, prep.setups[0].scenario_id, options, forecast_tables=forecasts,
                    prep=prep)


ANALYSIS_STAGES: tuple[Stage, ...] = (
    Stage("features", ("task_feature",), ("exposure.stages", "exposure.features"),
          func=features, inputs=FEATURE_INPUTS, params=("employment_year", "benchmarks_file"),
          files=benchmarks_file),
    Stage("score", ("task_exposure", "scorer_explanation"),
          ("exposure.stages", "exposure.scorers"), func=score,
          inputs=SCORE_INPUTS, params=("scorers",), files=scorer_modules),
    Stage("rollup", ROLLUP_TABLES, ("exposure.stages", "exposure.rollup"), func=rollup,
          inputs=ROLLUP_INPUTS, params=("employment_year",)),
    Stage("backtest", ("backtest",), ("exposure.stages", "exposure.backtest"), func=backtest,
          inputs=BACKTEST_INPUTS),
    Stage("calibration", ("sector_calibration", "demand_calibration"),
          ("exposure.stages", "exposure.forecast"),
          func=calibration, inputs=CALIBRATION_INPUTS,
          params=("calibration_file",), files=calibration_override),
    Stage("forecast", FORECAST_TABLES,
          ("exposure.stages", "exposure.forecast"), func=forecast, inputs=FORECAST_INPUTS,
          params=("scenarios", "draws", "seed", "forecast_ceiling", "runner"),
          unkeyed=("runner",), files=scenario_files),
    Stage("area_forecast", ("area_forecast",), ("exposure.stages", "exposure.rollup"),
          func=state_forecast, inputs=("employment", "displacement_forecast")),
    Stage("abm", ABM_TABLES, ("exposure.stages", "exposure.abm"), func=abm,
          inputs=(*FORECAST_INPUTS, "displacement_forecast", "displacement_total"),
          params=("scenarios", "seed", "forecast_ceiling", "abm_share", "abm_mode",
                  "abm_device", "abm_alternatives"), unkeyed=("abm_device",),
          files=scenario_files),
)

"""The declared stage graph: order from the tables, a stage with its ancestors only, and a
cache key that covers every file a stage reads — a scenario TOML, the benchmarks file, a
calibration override, a researcher's scorer module — so that editing one recomputes exactly
the stages that depend on it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from exposure import warehouse
from exposure.pipeline import Stage, dependency_order, upstream_of
from exposure.refresh import refresh_stages, run_refresh, stages_through
from exposure.settings import PROJECT_ROOT, Settings

PLUGIN = '''
import numpy as np
from exposure.scorers import Scorer


class TaskLength(Scorer):
    """Longer task statements score higher (a stand-in for a researcher's scorer)."""

    def predict(self, X):
        return np.minimum(X["task"].str.len_chars().to_numpy() / 200.0, 1.0)
'''


def names(stages: tuple[Stage, ...]) -> list[str]:
    return [stage.name for stage in stages]


def test_a_stage_runs_with_its_ancestors_only() -> None:
    forecast = names(stages_through("forecast"))
    assert forecast[-1] == "forecast" and "rollup" not in forecast
    assert {"features", "score", "calibration", "read_onet", "read_bea_io"} <= set(forecast)
    rollup = names(stages_through("rollup"))
    assert not {"calibration", "forecast", "read_bea_io", "read_cex"} & set(rollup)
    assert names(stages_through("read_onet")) == ["read_onet"]


def test_order_comes_from_the_tables_not_the_declaration() -> None:
    shuffled = tuple(reversed(refresh_stages()))
    ordered = dependency_order(shuffled)
    position = {name: k for k, name in enumerate(names(ordered))}
    for stage in ordered:
        for table in stage.inputs:
            producer = next(s for s in ordered if table in s.outputs)
            assert position[producer.name] < position[stage.name], (producer.name, stage.name)
    assert set(names(upstream_of(shuffled, "crosswalk"))) == {"read_onet", "read_crosswalk",
                                                              "crosswalk"}


def test_a_cycle_or_a_table_written_twice_is_refused() -> None:
    a = Stage("a", ("x",), (), func=dict, inputs=("y",))
    b = Stage("b", ("y",), (), func=dict, inputs=("x",))
    with pytest.raises(ValueError, match="cycle"):
        dependency_order((a, b))
    with pytest.raises(ValueError, match="produced by both"):
        dependency_order((Stage("c", ("x",), (), func=dict), a))


def recomputed(settings: Settings, stages: tuple[Stage, ...]) -> set[str]:
    run = run_refresh(settings, stages)
    frame = warehouse.read_frame(settings.warehouse,
                                 "SELECT stage, state FROM stage_run WHERE run_id = ?",
                                 [run.run_id])
    return {stage for stage, state in frame.rows() if state == "computed"}


def test_editing_each_kind_of_file_recomputes_exactly_its_dependants(
        raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = tmp_path / "tax.toml"
    scenario.write_text((PROJECT_ROOT / "data/scenarios/P1.toml").read_text()
                        .replace('id = "P1"', 'id = "tax"'))
    benchmarks = tmp_path / "benchmarks.csv"
    shutil.copy(PROJECT_ROOT / "data/benchmarks.csv", benchmarks)
    calibration = tmp_path / "calibration.csv"
    calibration.write_text("naics_sector,n_firms,spending_share\n52,3,0.2\n")
    plugin = tmp_path / "plugin" / "graph_test_scorer.py"
    plugin.parent.mkdir()
    plugin.write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(plugin.parent))
    monkeypatch.delitem(sys.modules, "graph_test_scorer", raising=False)
    settings = Settings(raw_dir=raw_dir, warehouse=tmp_path / "w.duckdb",
                        reports_dir=tmp_path / "reports", cache_dir=tmp_path / "cache",
                        scorers="graph_test_scorer:TaskLength", forecast_ceiling="none",
                        scenarios=str(scenario), draws=4, benchmarks_file=benchmarks,
                        calibration_file=calibration)
    stages = stages_through("forecast")
    assert recomputed(settings, stages) == set(names(stages))
    assert recomputed(settings, stages) == set()

    scenario.write_text(scenario.read_text().replace('tax_rebate = "lump_sum"',
                                                     'tax_rebate = "none"'))
    assert recomputed(settings, stages) == {"forecast"}

    benchmarks.write_text(benchmarks.read_text().replace("15-1252,Software Developers,1,",
                                                         "15-1252,Software Developers,0.5,"))
    assert recomputed(settings, stages) == {"features", "score", "forecast"}

    calibration.write_text("naics_sector,n_firms,spending_share\n52,4,0.2\n")
    assert recomputed(settings, stages) == {"calibration", "forecast"}

    plugin.write_text(PLUGIN.replace("200.0", "300.0"))
    assert recomputed(settings, stages) == {"score", "forecast"}

    calibration.unlink()
    with pytest.raises(Exception, match=r"calibration file .*calibration\.csv"):
        run_refresh(settings, stages)

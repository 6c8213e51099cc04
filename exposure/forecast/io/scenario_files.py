"""Where scenario files are: the shipped folder and a scenario id's file.

Kept apart from `scenarios` (which validates the files against the model's parameter
classes) so that keying the forecast stages by their scenario files imports no model code.
"""

from __future__ import annotations

from pathlib import Path

from exposure.errors import ConfigError

SCENARIO_DIR = Path(__file__).resolve().parents[3] / "data" / "scenarios"


def scenario_path(scenario: str | Path) -> Path:
    """The file of a scenario id of `SCENARIO_DIR` ('P0') or of a path to a ``.toml`` file."""
    path = Path(scenario)
    if path.suffix != ".toml":
        path = SCENARIO_DIR / f"{scenario}.toml"
    if not path.is_file():
        raise ConfigError(f"no scenario '{scenario}'",
                          f"use an id of {SCENARIO_DIR} (P0-P11, P0-high) or a path to a "
                          ".toml file")
    return path

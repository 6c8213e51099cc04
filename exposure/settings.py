"""One settings object; every field is documented in the README's settings table.

Each setting reads `EXPOSURE_<NAME>` from the environment; commands that use a setting also
take it as an option (`--raw-dir`, `--warehouse`, `--reports-dir`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from exposure import __version__

PROJECT_ROOT = Path(__file__).resolve().parent.parent
USER_AGENT_ENV = "EXPOSURE_USER_AGENT"
DEFAULT_USER_AGENT = (
    f"exposure/{__version__} (task-exposure research pipeline; "
    f"set {USER_AGENT_ENV} to your contact e-mail)"
)


def default_raw_dir() -> Path:
    """First of `data/raw` and `../shared/data` that exists (the env var wins before this)."""
    for candidate in (PROJECT_ROOT / "data" / "raw", PROJECT_ROOT.parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return PROJECT_ROOT / "data" / "raw"


class Settings(BaseSettings):
    """Settings of the pipeline. Field descriptions are what the README's table shows."""

    model_config = SettingsConfigDict(env_prefix="EXPOSURE_", extra="ignore")

    raw_dir: Path = Field(
        default_factory=default_raw_dir,
        description="Directory of the raw public files (O*NET, BLS, Census, BEA, GPTs-are-GPTs). "
        "Default: the first of `data/raw`, `../shared/data` that exists.",
    )
    warehouse: Path = Field(
        default=PROJECT_ROOT / "data" / "exposure.duckdb",
        description="The DuckDB warehouse file that a refresh publishes by atomic rename.",
    )
    reports_dir: Path = Field(
        default=PROJECT_ROOT / "reports",
        description="Where validation failure cases, run logs and reports are written.",
    )
    cache_dir: Path = Field(
        default=PROJECT_ROOT / ".cache",
        description="Where each stage's last result is kept, keyed on its inputs, code and "
        "parameters, so an unchanged refresh recomputes nothing.",
    )
    prefect_home: Path = Field(
        default=PROJECT_ROOT / ".prefect",
        description="Prefect's home folder (sets PREFECT_HOME unless that is already set).",
    )
    scorers: str = Field(
        default="rubric:human:beta,rubric:gpt4:beta,leverage,learned",
        description="Comma-separated scorers a refresh runs (registered names with their "
        "parameters, or pkg.module:Class); the first is the default of board queries.",
    )
    scenarios: str = Field(
        default="P0,P0-high,P1,P2,P3,P4,P5,P6,P7,P8,P9,P10,P11",
        description="Comma-separated scenarios a refresh forecasts: ids of `data/scenarios/` or "
        "paths to scenario TOML files.",
    )
    draws: int | None = Field(
        default=None, ge=1,
        description="Monte-Carlo draws per scenario (default: each scenario file's "
        "`[uncertainty] draws`).",
    )
    seed: int | None = Field(
        default=None,
        description="Seed of the Monte-Carlo draws (default: each scenario file's seed); the "
        "same seed gives identical forecasts on every runner.",
    )
    forecast_ceiling: str = Field(
        default="first",
        description="Scorer whose task scores cap each task's automatable share in the "
        "forecasts: `first` (the first of EXPOSURE_SCORERS), a scorer name, or `none` "
        "(no cap, MODEL_SPEC §1.4's default E_i = 1).",
    )
    runner: str = Field(
        default="local",
        description="Where the Monte-Carlo draws run: `local`, `dask` (a local Dask "
        "cluster) or `dask://HOST:PORT` (an existing scheduler).",
    )
    calibration_file: Path | None = Field(
        default=None,
        description="A CSV that replaces rows of the derived sector calibration (columns of "
        "`sector_calibration`).",
    )
    benchmarks_file: Path = Field(
        default=PROJECT_ROOT / "data" / "benchmarks.csv",
        description="The curated list of AI benchmarks per occupation behind the benchmark "
        "coverage feature B_o (see `data/benchmarks.md` for its columns and review rules).",
    )
    abm_share: float = Field(
        default=0.01, gt=0, le=1,
        description="Share of the OEWS May 2024 workforce sampled as agents by the agent-based "
        "simulation (0.01: about 1.5 million agents).",
    )
    abm_mode: Literal["coupled", "emergent"] = Field(
        default="coupled",
        description="`coupled`: each sector's AI take-up in the simulation follows the "
        "forecast's path for the same scenario; `emergent`: no cap.",
    )
    abm_device: str = Field(
        default="cpu",
        description="Where the agent-based simulation runs: `cpu` (NumPy) or `gpu` (CuPy or "
        "PyTorch when installed).",
    )
    abm_alternatives: str = Field(
        default="", pattern=r"^\s*((domestic|offshoring)\s*(,\s*(domestic|offshoring)\s*)*)?$",
        description="Comma-separated human alternatives to the incumbent that the agent-based "
        "simulation adds to AI (MODEL_SPEC §4.2): `domestic` (applicants), `offshoring`. Off "
        "by default: see the README's agent-based simulation section.",
    )
    user_agent: str = Field(
        default=DEFAULT_USER_AGENT,
        description="User-Agent header `exposure fetch` sends; BLS refuses requests without a "
        "descriptive one, so name yourself and give a contact e-mail.",
    )
    oews_year: int = Field(
        default=2024,
        ge=2021,
        le=2024,
        description="OEWS May estimates year used for national roll-ups (2021-2024).",
    )


    @property
    def scorer_list(self) -> tuple[str, ...]:
        return _items(self.scorers)

    @property
    def scenario_list(self) -> tuple[str, ...]:
        return _items(self.scenarios)

    @property
    def abm_alternative_list(self) -> tuple[str, ...]:
        return _items(self.abm_alternatives)

    @property
    def ceiling_scorer(self) -> str | None:
        """The scorer named by `forecast_ceiling`, None for no cap."""
        if self.forecast_ceiling == "none":
            return None
        return self.scorer_list[0] if self.forecast_ceiling == "first" else self.forecast_ceiling


def _items(text: str) -> tuple[str, ...]:
    """The items of a comma-separated setting, blanks dropped."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with command-line options (non-None) on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})

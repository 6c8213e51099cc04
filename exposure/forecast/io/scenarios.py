"""Named policy scenarios (MODEL_SPEC §6): loading, validation and resolution.

A scenario is a TOML file in ``data/scenarios/`` (P0-P11 and P0-high ship with the project).
It names an ``id`` (equal to the file name without ``.toml``), a ``title`` and a
``description``, then lists ONLY the parameters it changes, grouped in sections; everything
else keeps its default. For example ``P1.toml``::

    id = "P1"
    title = "Pigouvian automation tax"
    description = "Tax each automated wage dollar at t*_j; rebate the revenue as a lump sum."

    [policy]
    automation_tax = "pigouvian"
    tax_rebate = "lump_sum"

Sections and keys (defaults and allowed ranges in :mod:`exposure.forecast.io.scenario_schema`):

* ``[capability]`` H0_minutes, t0, Td_months (``inf`` freezes capability), beta, kappa_D,
  kappa_V, gamma_m, q_req, m_h (§2.1, §7.2);
* ``[cost]`` g_c, rho_rev, r0_sigma, a10, scale_elasticity (§7.1);
* ``[diffusion]`` L_eval, L_hold, bass_p, bass_q, bass_q_worker, f_soc, delta_D, kappa_c,
  contribution_loss (§2.3-§2.4);
* ``[game]`` mode ("economy" or "sector"), lam_tot, eta, phi, wage_concession, labour_share
  (§3, §7.3);
* ``[labour]`` theta_sub, reemployment_hazard, ui_replacement, ui_months (§7.4-§7.5);
* ``[policy]`` automation_tax ("none", "pigouvian", "fixed", "planner"), tax_rate,
  tax_rebate ("lump_sum", "retraining", "none"), planner_mu, capital_tax, ubi,
  upskilling_delta_eta, upskilling_h0_factor, retraining_cost, retraining_cap,
  worker_equity, coalition_size or coalition_share, cbi, data_dividend_eta (§6, §7.6);
* ``[uncertainty]`` draws, seed, interval, and ranges ([low, high] uniform, [low, mode, high]
  triangular) for Td_months, kappa, r0_sigma, a10, g_c, q_req, m_h (log-uniform), theta_sub,
  eta, lam_tot, reemployment_hazard (§7.0).

A key a file sets is held at that value in every draw instead of being drawn.

To write a new scenario, copy a file, rename it, set ``id`` to the new name and edit the keys.
Any mistake (unknown key, value out of range, wrong type, bad TOML) raises
:class:`~exposure.errors.ConfigError` with one sentence naming the file, the key and what is
allowed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from exposure.errors import ConfigError
from exposure.forecast.io.scenario_files import SCENARIO_DIR, scenario_path
from exposure.forecast.io.scenario_schema import (
    SECTIONS,
    ScenarioFile,
    ScenarioParameters,
    UncertaintySection,
)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file; :meth:`parameters` merges it over the defaults."""

    id: str
    title: str
    description: str
    path: Path
    file: ScenarioFile

    def changes(self) -> dict[str, dict[str, Any]]:
        """The keys the file sets, by section (what differs from the defaults by intent)."""
        sets = {s: getattr(self.file, s).model_dump(exclude_unset=True) for s in SECTIONS}
        return {s: keys for s, keys in sets.items() if keys}

    def parameters(self) -> ScenarioParameters:
        """Every parameter: the file's values over the defaults."""
        return ScenarioParameters(**{s: getattr(self.file, s) for s in SECTIONS})


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file; raises ConfigError naming file and key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"scenario file {path} does not exist", _LIST_HINT) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc})", "fix the line it names") from None
    try:
        file = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(path, exc.errors()[0]) from None
    _check_consistency(path, file)
    return Scenario(file.id, file.title, file.description, path, file)


def list_scenarios(folder: str | Path = SCENARIO_DIR) -> list[Scenario]:
    """Every ``*.toml`` scenario in ``folder``, validated, in natural order (P2 before P10)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"scenario folder {folder} does not exist", _LIST_HINT)

    def natural(p: Path) -> list[Any]:
        return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p.stem)]

    return [load_scenario(p) for p in sorted(folder.glob("*.toml"), key=natural)]


# ---------------------------------------------------------------------------------------------
# errors: one sentence naming the file, the key and what is allowed
# ---------------------------------------------------------------------------------------------

# Bounds of each [uncertainty] range (the parameter's own domain).
RANGE_LIMITS = {"Td_months": (1e-9, float("inf")), "kappa": (0.0, float("inf")),
                "r0_sigma": (0.0, float("inf")), "a10": (1e-9, 0.999),
                "g_c": (0.0, 0.999), "q_req": (1e-9, 0.999), "m_h": (1e-9, float("inf")),
                "theta_sub": (0.0, 1.0), "eta": (0.0, float("inf")), "lam_tot": (0.0, 1.0),
                "reemployment_hazard": (0.0, 1.0)}

_LIST_HINT = f"scenario files live in {SCENARIO_DIR}, named like P0.toml"


def _field(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model that holds the key at ``loc`` and the key's FieldInfo (None if unknown)."""
    model: type[BaseModel] = ScenarioFile
    for part in loc:
        info = model.model_fields.get(str(part)) if isinstance(part, str) else None
        if info is None:
            return model, None
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            model = sub
            continue
        return model, info
    return model, None


def _allowed(info: FieldInfo) -> str:
    """What a key accepts, in words, from its constraints (or its description)."""
    if info.description:
        return info.description
    ann = info.annotation
    args = get_args(ann)
    if get_origin(ann) is Literal:
        return "one of " + ", ".join(f'"{a}"' for a in args)
    kind = "an integer" if ann is int or int in args else "a number"
    lo = next((m for m in info.metadata if isinstance(m, Ge | Gt)), None)
    hi = next((m for m in info.metadata if isinstance(m, Le | Lt)), None)
    text = kind
    if lo is not None and hi is not None:
        left = "[" if isinstance(lo, Ge) else "("
        right = "]" if isinstance(hi, Le) else ")"
        lo_v = lo.ge if isinstance(lo, Ge) else lo.gt
        hi_v = hi.le if isinstance(hi, Le) else hi.lt
        text = f"{kind} in {left}{lo_v:g}, {hi_v:g}{right}"
    elif lo is not None:
        text = f"{kind} ≥ {lo.ge:g}" if isinstance(lo, Ge) else f"{kind} > {lo.gt:g}"
    elif hi is not None:
        text = f"{kind} ≤ {hi.le:g}" if isinstance(hi, Le) else f"{kind} < {hi.lt:g}"
    return text + (" (or leave the key out)" if type(None) in args else "")


def _key(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if isinstance(p, str))


def _toml(value: Any) -> str:
    """A value as the user wrote it in TOML (true, "text", [1, 2]), for the message."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _config_error(path: Path, err: Any) -> ConfigError:
    loc = tuple(err["loc"])
    key = _key(loc)
    model, info = _field(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        if len(loc) > 1:
            where, known = f"[{loc[0]}]", ", ".join(model.model_fields) if model else ""
        else:
            where = "the top level"
            known = "id, title, description and the sections " + ", ".join(
                f"[{s}]" for s in SECTIONS
            )
        return ConfigError(f"{path}: key '{key}' is not a known setting", f"{where} allows {known}")
    if kind in {"model_type", "model_attributes_type"}:
        return ConfigError(f"{path}: key '{key}' must be a table", f"write it as a [{key}] section")
    allowed = _allowed(info) if info is not None else err["msg"].lower()
    if any(isinstance(part, int) for part in loc):  # an entry of a [low, high] pair
        return ConfigError(f"{path}: key '{key}' is not a valid pair", f"it must be {allowed}")
    if kind == "missing":
        return ConfigError(f"{path}: key '{key}' is missing", f"it must be {allowed}")
    value = _toml(err["input"])
    return ConfigError(f"{path}: key '{key}' = {value} is not allowed", f"it must be {allowed}")


def _check_consistency(path: Path, file: ScenarioFile) -> None:
    """Rules that involve more than one key (or the file name)."""
    if file.id != path.stem:
        raise ConfigError(
            f"{path}: key 'id' = \"{file.id}\" does not match the file name",
            f'it must be "{path.stem}", the file name without .toml',
        )
    pol = file.policy
    if pol.coalition_size is not None and pol.coalition_share is not None:
        raise ConfigError(
            f"{path}: key 'policy.coalition_share' conflicts with 'policy.coalition_size'",
            "set only one of them",
        )
    if "tax_rate" in pol.model_fields_set and pol.automation_tax != "fixed":
        raise ConfigError(
            f"{path}: key 'policy.tax_rate' is only used with automation_tax = \"fixed\"",
            "set that too or remove tax_rate",
        )
    for name in UncertaintySection.model_fields:
        value = getattr(file.uncertainty, name)
        if not isinstance(value, tuple):
            continue
        low, high = RANGE_LIMITS[name]
        if list(value) != sorted(value) or value[0] < low or value[-1] > high:
            raise ConfigError(
                f"{path}: key 'uncertainty.{name}' = {_toml(value)} is not allowed",
                f"it must be [low, high] or [low, mode, high] in increasing order within "
                f"[{low:g}, {high:g}]",
            )


__all__ = [
    "SCENARIO_DIR",
    "Scenario",
    "list_scenarios",
    "load_scenario",
    "scenario_path",
]

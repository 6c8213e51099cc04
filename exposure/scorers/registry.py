"""Finding scorers: the `exposure.scorers` entry-point group, or `pkg.module:Class`.

Built-ins are registered in this project's pyproject.toml exactly as a researcher's
package registers its own:

    [project.entry-points."exposure.scorers"]
    mine = "my_package.scorer:MyScorer"

A spec is `name`, `name:arg1:arg2` (arguments fill the class's `spec_params`, e.g.
`rubric:gpt4:gamma`) or `pkg.module:Class` for code that is not packaged (its module
must be importable, e.g. from the current directory or PYTHONPATH).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exposure.errors import ConfigError

if TYPE_CHECKING:
    import polars as pl

GROUP = "exposure.scorers"
REQUIRED_METHODS = ("fit", "predict", "get_params", "set_params")


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def available_scorers() -> list[str]:
    """Names registered under the `exposure.scorers` entry-point group, sorted."""
    return sorted(_entry_points())


def describe_scorers() -> pl.DataFrame:
    """One row per registered scorer: name, target, package and its summary line."""
    import polars as pl

    rows = []
    for name, ep in sorted(_entry_points().items()):
        try:
            doc = (ep.load().__doc__ or "").strip().splitlines()
            summary = doc[0] if doc else ""
        except Exception as exc:  # noqa: BLE001 - a broken plugin is shown, not fatal
            summary = f"cannot be loaded: {exc}"
        rows.append({"name": name, "target": ep.value,
                     "package": ep.dist.name if ep.dist else "", "summary": summary})
    return pl.DataFrame(rows, schema={"name": pl.String, "target": pl.String,
                                      "package": pl.String, "summary": pl.String})


@lru_cache(maxsize=256)
def _name_by_target(target: str) -> str | None:
    for ep in entry_points(group=GROUP):
        if ep.value.replace(" ", "") == target:
            return ep.name
    return None


def registered_name(cls: type) -> str:
    """The entry-point name `cls` is registered under, else `module:Class`."""
    target = f"{cls.__module__}:{cls.__qualname__}"
    return _name_by_target(target) or target


def _check_scorer_type(obj: Any, spec: str) -> None:
    missing = [m for m in REQUIRED_METHODS if not callable(getattr(obj, m, None))]
    if missing:
        raise ConfigError(
            f"scorer '{spec}' lacks {', '.join(missing)}",
            "a scorer follows scikit-learn's conventions; subclass exposure.scorers.Scorer")


def _current_directory_importable() -> None:
    if "" not in sys.path:  # `--scorer mymodule:Class` from the current directory
        sys.path.append("")


def _import_target(spec: str) -> type:
    module_name, _, attr = spec.partition(":")
    _current_directory_importable()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        known = ", ".join(available_scorers()) or "none"
        raise ConfigError(
            f"unknown scorer '{spec}': no registered scorer '{module_name}' and no module "
            f"'{exc.name}' to import (known scorers: {known})",
            "use a known name, install the package that registers it, or give "
            "pkg.module:Class with the module on PYTHONPATH") from exc
    try:
        return getattr(module, attr)
    except AttributeError as exc:
        raise ConfigError(f"module '{module_name}' has no '{attr}' (scorer '{spec}')",
                          "give pkg.module:Class with the class's exact name") from exc


def scorer_source(spec: str) -> Path:
    """The source file of the module that defines scorer `spec`, found without importing
    the scorer when it can be (the refresh keys its stages before it runs any)."""
    name = spec.strip().split(":")[0]
    registered = _entry_points().get(name)
    _current_directory_importable()
    try:
        found = importlib.util.find_spec(registered.module if registered else name)
    except (ImportError, ValueError):
        found = None
    if found is not None and found.origin and found.origin.endswith(".py"):
        return Path(found.origin)
    # not a plain module file: build the scorer (which raises the error that names a bad spec)
    return Path(sys.modules[type(load_scorer(spec)).__module__].__file__ or "")


def load_scorer(spec: str, tables: Mapping[str, pl.DataFrame] | None = None) -> Any:
    """A scorer instance from `spec`; with `tables`, given the reference tables it needs."""
    from exposure.scorers.base import run_scorer, scorer_name

    spec = spec.strip()
    name, *args = spec.split(":")
    registry = _entry_points()
    if name in registry:
        try:
            cls = registry[name].load()
        except Exception as exc:
            raise ConfigError(f"scorer '{name}' ({registry[name].value}) cannot be loaded: "
                              f"{exc}", "reinstall the package that registers it") from exc
        if hasattr(cls, "from_spec"):
            scorer = cls.from_spec(*args)
        elif args:
            raise ConfigError(f"scorer '{name}' takes no arguments (got '{spec}')",
                              f"use '{name}'")
        else:
            scorer = cls()
    elif len(args) == 1 and args[0]:
        target = _import_target(spec)
        try:
            scorer = target() if isinstance(target, type) else target
        except TypeError as exc:
            raise ConfigError(f"scorer '{spec}' cannot be built without arguments ({exc})",
                              "give every __init__ parameter a default") from exc
    else:
        known = ", ".join(available_scorers()) or "none"
        raise ConfigError(f"unknown scorer '{spec}'; known scorers: {known}",
                          "use one of those names or pkg.module:Class")
    _check_scorer_type(scorer, spec)
    if tables is not None and callable(getattr(scorer, "with_tables", None)):
        bound = run_scorer(scorer_name(scorer), "with_tables", lambda: scorer.with_tables(tables))
        scorer = scorer if bound is None else bound
    return scorer

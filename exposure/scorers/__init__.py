"""Task scorers: the contract, the registry and the built-ins (`rubric`, `leverage`,
`learned`, `stacked`). See `base` for the contract and `registry` for how scorers are found.

The names below are imported on first use (PEP 562): finding a scorer's module to key the
score stage must not import scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Scorer": "base", "checked_scores": "base", "score_tasks": "base", "scorer_name": "base",
    "feature_columns": "inputs", "task_inputs": "inputs", "task_targets": "inputs",
    "available_scorers": "registry", "describe_scorers": "registry", "load_scorer": "registry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'exposure.scorers' has no attribute '{name}'")
    return getattr(importlib.import_module(f"exposure.scorers.{_EXPORTS[name]}"), name)

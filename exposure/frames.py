"""Checks on the frames that public functions take from their callers.

A researcher calls the roll-ups and the task weights on frames of their own; a missing column
is then a usage error named in one sentence, not a polars traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from exposure.errors import ConfigError


def require_columns(frame: pl.DataFrame, name: str, columns: Sequence[str]) -> None:
    """ConfigError naming the columns of `columns` that `frame` (shaped like the warehouse
    table `name`) lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"the {name} frame lacks the column(s) {', '.join(missing)}",
                          f"pass a frame shaped like the warehouse table `{name}`")

"""Occupation and industry codes, and task types: their shapes and special values, once.

Sources validate against these patterns and the roll-ups, features and forecasts build or
match codes with them, so a code that one stage accepts is one that every stage accepts.
"""

from __future__ import annotations

import polars as pl

# SOC 2018 / BLS NEM code, unanchored so that the patterns below are built from it.
_SOC = r"\d{2}-\d{4}"
SOC_MAJOR_SUFFIX = "-0000"
SOC_MAJOR = rf"\d{{2}}{SOC_MAJOR_SUFFIX}"

SOC_PATTERN = rf"^{_SOC}$"  # BLS (SOC 2018, NEM = OEWS) code, e.g. 15-1252
ONET_SOC_PATTERN = rf"^{_SOC}\.\d{{2}}$"  # O*NET-SOC 2019 code, e.g. 15-1252.00
SOC_OR_ONET_SOC_PATTERN = rf"^{_SOC}(\.\d{{2}})?$"
SOC_MAJOR_PATTERN = rf"^{SOC_MAJOR}$"  # major SOC group, e.g. 15-0000

# `naics_sector` of the OEWS cross-industry estimates (all industries together).
CROSS_INDUSTRY = "all"

# O*NET Task Statements' task types; a task may have none.
CORE = "Core"
SUPPLEMENTAL = "Supplemental"
TASK_TYPES = (CORE, SUPPLEMENTAL)


def soc_major(code: pl.Expr) -> pl.Expr:
    """The major SOC group of a SOC code ('15-1252' -> '15-0000')."""
    return code.str.slice(0, 2) + SOC_MAJOR_SUFFIX

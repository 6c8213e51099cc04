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


# FIPS code -> USPS abbreviation of the states, DC and the territories OEWS may publish, so
# that a board can name an area as it writes it ('OH', '39', 'Ohio'); see exposure.areas.
POSTAL: dict[str, str] = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
}

# The OEWS state estimates' areas: the nation as the 50 states and DC summed (see
# `exposure.rollup.area`), and the territories, reported apart from it.
NATION_CODE, NATION_NAME = "US", "United States (50 states and DC)"
TERRITORIES = ("60", "66", "69", "72", "78")  # American Samoa, Guam, N. Marianas, PR, VI

"""How a figure reads on a screen, a page or a workbook: human column headers and the kind of
number each column holds (a percent, a count of people, dollars).

Machine names stay in csv/json/parquet (they are what scripts join on); the terminal table,
the web page, the workbook and the HTML report show `header(column)` and format each cell by
`kind(column)`. Exposure is stored as a share in [0, 1] and shown as a percent; counts of
people are shown as whole numbers with thousands separators, never as "978.3".
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl


class Kind(StrEnum):
    percent = "percent"  # a share in [0, 1], shown as 12.3%
    persons = "persons"  # a count of people (or jobs), shown as 1,234
    usd = "usd"  # dollars, shown as $1,234
    count = "count"  # a count of things (tasks, firms), shown as 1,234
    number = "number"  # anything else numeric: 4 significant digits
    text = "text"  # codes, names, ids, years


HEADERS: dict[str, str] = {
    "run_id": "Run",
    "scorer": "Scorer",
    "year": "Year",
    "employment_year": "Employment year",
    "naics_sector": "NAICS sector",
    "sector_title": "Sector",
    "soc_code": "SOC code",
    "soc_title": "Occupation",
    "soc_major": "Major group code",
    "soc_major_title": "Major group",
    "onet_soc_code": "O*NET-SOC code",
    "title": "Title",
    "area_code": "Area code",
    "area_name": "Area",
    "area_type": "Area type",
    "employment": "Employment",
    "exposure": "Exposure",
    "exposure_wage_weighted": "Exposure (wage-weighted)",
    "national_exposure": "National exposure",
    "exposed_employment": "Exposed employment",
    "exposed_wage_bill": "Exposed wage bill",
    "wage_bill": "Wage bill",
    "covered_employment": "Covered employment",
    "covered_employment_share": "Covered share of employment",
    "published_employment_share": "Published share of employment",
    "covered_wage_bill_share": "Covered share of wage bill",
    "share_exposed": "Share of tasks exposed",
    "annual_mean_wage": "Mean annual wage",
    "median_annual_wage": "Median annual wage",
    "split_weight": "Split weight",
    "split_rule": "Split rule",
    "n_tasks": "Tasks",
    "n_scored": "Tasks scored",
    "weight_source": "Task weights",
    "scenario": "Scenario",
    "scenario_title": "Scenario title",
    "baseline_employment": "Baseline employment",
    "displaced_p10": "Displaced (p10)",
    "displaced_p50": "Displaced (median)",
    "displaced_p90": "Displaced (p90)",
    "displaced_mean": "Displaced (mean)",
    "automated_share_mean": "Automated share of hours (mean)",
    "measure": "Measure",
    "unit": "Unit",
    "scope": "Scope",
    "p10": "p10",
    "p50": "Median",
    "p90": "p90",
    "parameter": "Parameter",
    "description": "Description",
    "centre_value": "Centre value",
    "low_value": "Low value (p10)",
    "high_value": "High value (p90)",
    "displaced_centre": "Displaced at centre",
    "displaced_low": "Displaced at low value",
    "displaced_high": "Displaced at high value",
    "swing": "Swing",
    "threshold": "Threshold",
    "share_of_workers": "Share of workers",
    "workers": "Workers",
    "covered_workers": "Covered workers",
    "onet_release": "O*NET release",
    "employment_source": "Employment source",
    "definition": "Definition",
}

KINDS: dict[str, Kind] = {
    **dict.fromkeys(("exposure", "exposure_wage_weighted", "national_exposure",
                     "share_exposed", "covered_employment_share",
                     "published_employment_share", "covered_wage_bill_share",
                     "share_of_workers", "automated_share_mean", "split_weight",
                     "displaced_share", "threshold"), Kind.percent),
    **dict.fromkeys(("employment", "exposed_employment", "covered_employment",
                     "baseline_employment", "displaced_p10", "displaced_p50", "displaced_p90",
                     "displaced_mean", "displaced_centre", "displaced_low", "displaced_high",
                     "swing", "workers", "covered_workers"), Kind.persons),
    **dict.fromkeys(("annual_mean_wage", "median_annual_wage", "wage_bill",
                     "exposed_wage_bill"), Kind.usd),
    **dict.fromkeys(("n_tasks", "n_scored", "n_firms"), Kind.count),
    **dict.fromkeys(("year", "employment_year", "run_id"), Kind.text),
}


def header(column: str) -> str:
    """The human header of a machine column name (its words, capitalised, if not listed)."""
    return HEADERS.get(column) or column.replace("_", " ").capitalize()


def kind(column: str, dtype: pl.DataType | None = None) -> Kind:
    """What a column's numbers are; unlisted numeric columns are plain numbers."""
    if column in KINDS:
        return KINDS[column]
    if dtype is not None and dtype.is_numeric():
        return Kind.number
    return Kind.text


def format_value(value: object, what: Kind) -> str:
    """One cell as text: 12.3%, 1,234 people, $1,234; empty for a missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if what is Kind.percent:
        return f"{value:.1%}"
    if what in (Kind.persons, Kind.count):
        return f"{value:,.0f}"
    if what is Kind.usd:
        return f"${value:,.0f}"
    if what is Kind.number:
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` as text cells under human headers, for a terminal, a page or a report."""
    columns = {}
    for name, dtype in frame.schema.items():
        what = kind(name, dtype)
        columns[header(name)] = [format_value(v, what) for v in frame.get_column(name)]
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


__all__ = ["HEADERS", "KINDS", "Kind", "format_value", "header", "kind", "readable"]

"""How a figure reads on a screen, a page or a workbook: human column headers and the kind of
number each column holds (a percent, a count of people, dollars).

Machine names stay in csv/json/parquet (they are what scripts join on); the terminal table,
the web page, the workbook and the HTML report show `header(column)` and format each cell by
`kind(column)`. Exposure is stored as a share in [0, 1] and shown as a percent; counts of
people are shown as whole numbers with thousands separators, never as "978.3".
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

import polars as pl


class Kind(StrEnum):
    percent = "percent"  # a share in [0, 1], shown as 12.3%
    persons = "persons"  # a count of people (or jobs), shown as 1,234
    usd = "usd"  # dollars, shown as $1,234
    count = "count"  # a count of things (tasks, firms), shown as 1,234
    number = "number"  # anything else numeric: 4 significant digits
    points = "points"  # a figure already in percent (1.5 means 1.5%), shown as 1.50%
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
    # the BLS-level, wage-band and education tables, the workbook's policy comparison (D)
    "wage_quintile": "Wage quintile",
    "band_title": "Wage band",
    "wage_low": "Band's lowest mean wage",
    "wage_high": "Band's highest mean wage",
    "typical_education": "Typical entry education",
    "education_rank": "Education rank",
    "onet_occupations": "O*NET occupations",
    "change_from_reference": "Change from P0 (median)",
    "change_from_reference_share": "Change from P0 (%)",
    # appended (A): the state forecast
    "displaced_share": "Displaced share of employment",
    "method": "Method",
    # appended (issue 11): the backtest
    "base_year": "Base year",
    "end_year": "End year",
    "kind": "Kind",
    "term": "Term",
    "n_occupations": "Occupations",
    "employment_base": "Employment, base year",
    "employment_end": "Employment, end year",
    "growth": "Growth",
    "exposure_low": "Lowest exposure",
    "exposure_high": "Highest exposure",
    "std_error": "Std. error (HC1)",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "r_squared": "R²",
    # appended (issue 11): the occupation interval from the scorers' per-task sd
    "score_sd": "Score sd",
    "exposure_sd": "Exposure sd",
    "exposure_p10": "Exposure p10",
    "exposure_p90": "Exposure p90",
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
    # appended (D): dollars of the wage bands, counts, and the change of a scenario from P0
    **dict.fromkeys(("wage_low", "wage_high"), Kind.usd),
    **dict.fromkeys(("onet_occupations",), Kind.count),
    **dict.fromkeys(("change_from_reference",), Kind.persons),
    **dict.fromkeys(("change_from_reference_share",), Kind.percent),
    **dict.fromkeys(("wage_quintile", "education_rank"), Kind.text),
    # appended (issue 11): the backtest's employment, growth and exposure bounds
    **dict.fromkeys(("employment_base", "employment_end"), Kind.persons),
    **dict.fromkeys(("growth", "exposure_low", "exposure_high"), Kind.percent),
    **dict.fromkeys(("n_occupations",), Kind.count),
    **dict.fromkeys(("base_year", "end_year"), Kind.text),
    # appended (issue 11): the occupation interval, shares like the exposure it brackets
    **dict.fromkeys(("score_sd", "exposure_sd", "exposure_p10", "exposure_p90"),
                    Kind.percent),
}


# A table of one measure per row (labour_market_forecast) says in its `unit` column what
# its value columns hold; the value columns take their kind from it.
UNIT_KINDS: dict[str, Kind] = {"persons": Kind.persons, "share": Kind.percent,
                               "percent": Kind.points, "USD per year": Kind.usd,
                               "USD": Kind.usd}
UNIT_VALUED = ("p10", "p50", "p90", "value")

# The number format of each kind in a spreadsheet: the cell keeps the full value (a share
# stays 0.1234, so it still sums and charts), only its display is rounded.
EXCEL_FORMATS: dict[Kind, str] = {
    Kind.percent: "0.0%",
    Kind.persons: "#,##0",
    Kind.count: "#,##0",
    Kind.usd: "$#,##0",
    Kind.points: '0.00"%"',
    Kind.number: "General",
}


def header(column: str) -> str:
    """The human header of a machine column name (its words, capitalised, if not listed)."""
    return HEADERS.get(column) or column.replace("_", " ").capitalize()


def headers(columns: list[str] | tuple[str, ...]) -> list[str]:
    """The human headers of `columns`, unique: a header that another column already took
    stays the machine name (numbered if that is taken too), so no column is lost when a
    table is keyed by its headers."""
    taken: set[str] = set()
    out = []
    for column in columns:
        name = header(column)
        if name in taken:
            name = column
        base, n = name, 2
        while name in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name)
        out.append(name)
    return out


def kind(column: str, dtype: pl.DataType | None = None) -> Kind:
    """What a column's numbers are; unlisted numeric columns are plain numbers."""
    if column in KINDS:
        return KINDS[column]
    if dtype is not None and dtype.is_numeric():
        return Kind.number
    return Kind.text


def column_kinds(frame: pl.DataFrame) -> dict[str, Kind]:
    """The kind of each column of `frame`; the value columns of a one-unit table (a `unit`
    column with one value) take the unit's kind."""
    kinds = {name: kind(name, dtype) for name, dtype in frame.schema.items()}
    units = frame.get_column("unit").unique().to_list() if "unit" in frame.columns else []
    if len(units) == 1 and units[0] in UNIT_KINDS:
        for name in UNIT_VALUED:
            if name in kinds and frame.schema[name].is_numeric():
                kinds[name] = UNIT_KINDS[units[0]]
    return kinds


def excel_format(what: Kind) -> str | None:
    """The spreadsheet number format of a kind (None for text)."""
    return EXCEL_FORMATS.get(what)


def format_value(value: object, what: Kind) -> str:
    """One cell as text: 12.3%, 1,234 people, $1,234; empty for a missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, Decimal):  # DuckDB's DECIMAL arithmetic
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if what is Kind.percent:
        return f"{value:.1%}"
    if what in (Kind.persons, Kind.count):
        return f"{value:,.0f}"
    if what is Kind.usd:
        return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"
    if what is Kind.points:
        return f"{value:.2f}%"
    if what is Kind.number:
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` as text cells under human headers, for a terminal, a page or a report. The
    value columns of a table of several units (`unit` column) are formatted row by row."""
    kinds = column_kinds(frame)
    units = frame.get_column("unit").to_list() if "unit" in frame.columns else None
    columns = {}
    for name, title in zip(frame.columns, headers(frame.columns), strict=True):
        values = frame.get_column(name).to_list()
        if units is not None and name in UNIT_VALUED and kinds[name] is Kind.number:
            columns[title] = [format_value(v, UNIT_KINDS.get(u, Kind.number))
                              for v, u in zip(values, units, strict=True)]
        else:
            columns[title] = [format_value(v, kinds[name]) for v in values]
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def is_numeric(what: Kind) -> bool:
    """Whether cells of this kind are figures (right-aligned in a table)."""
    return what is not Kind.text


__all__ = ["EXCEL_FORMATS", "HEADERS", "KINDS", "UNIT_KINDS", "Kind", "column_kinds",
           "excel_format", "format_value", "header", "headers", "is_numeric", "kind",
           "readable"]

"""How figures read: human headers, the kind of each column and its formatting (a share as a
percent, people as whole numbers with separators, dollars), for terminals and workbooks."""

from __future__ import annotations

import math
from decimal import Decimal

import polars as pl
import pytest

from exposure.presentation import (
    EXCEL_FORMATS,
    Kind,
    column_kinds,
    excel_format,
    format_value,
    header,
    headers,
    kind,
    readable,
)


def test_headers_are_human_and_unique() -> None:
    assert header("displaced_p50") == "Displaced (median)"
    assert header("soc_title") == "Occupation"
    assert header("some_new_column") == "Some new column"
    # two columns whose headers clash keep both: the later one keeps its machine name
    assert headers(["p50", "p50_x"]) == ["Median", "P50 x"]
    assert headers(["soc_title", "title", "occupation"]) == ["Occupation", "Title",
                                                            "occupation"]
    assert headers(["title", "Title"]) == ["Title", "Title (2)"]


def test_kinds_of_columns() -> None:
    assert kind("exposure") is Kind.percent
    assert kind("displaced_p50") is Kind.persons
    assert kind("annual_mean_wage") is Kind.usd
    assert kind("year", pl.Int16) is Kind.text
    assert kind("unlisted", pl.Float64) is Kind.number
    assert kind("unlisted", pl.String) is Kind.text


@pytest.mark.parametrize(("value", "what", "text"), [
    (0.1234, Kind.percent, "12.3%"),
    (978.3, Kind.persons, "978"),
    (1_234_567.8, Kind.persons, "1,234,568"),
    (3_282_010, Kind.count, "3,282,010"),
    (81_234.4, Kind.usd, "$81,234"),
    (-1_500.0, Kind.usd, "-$1,500"),
    (1.534, Kind.points, "1.53%"),
    (2035, Kind.text, "2035"),
    (12_345.6, Kind.number, "12,346"),
    (0.012345, Kind.number, "0.01235"),
    (None, Kind.persons, ""),
    (math.nan, Kind.percent, ""),
    ("29-1141", Kind.text, "29-1141"),
    (Decimal("1234.6"), Kind.persons, "1,235"),  # DuckDB's DECIMAL arithmetic
])
def test_format_value(value: object, what: Kind, text: str) -> None:
    assert format_value(value, what) == text


def test_a_one_unit_table_formats_its_values_by_the_unit() -> None:
    shares = pl.DataFrame({"measure": ["ai_unemployment_rate"], "unit": ["share"],
                           "p10": [0.01], "p50": [0.025], "p90": [0.04]})
    assert column_kinds(shares)["p50"] is Kind.percent
    assert readable(shares).row(0) == ("ai_unemployment_rate", "share", "1.0%", "2.5%",
                                       "4.0%")
    money = shares.with_columns(pl.lit("USD per year").alias("unit"), pl.lit(-2.5e9)
                                .alias("p50"))
    assert readable(money)["Median"].to_list() == ["-$2,500,000,000"]


def test_a_table_of_several_units_is_formatted_row_by_row() -> None:
    frame = pl.DataFrame({"unit": ["persons", "share", "percent"],
                          "p50": [1_234_567.4, 0.0456, 1.5]})
    assert column_kinds(frame)["p50"] is Kind.number
    assert readable(frame)["Median"].to_list() == ["1,234,567", "4.6%", "1.50%"]


def test_readable_has_human_headers_and_text_cells() -> None:
    frame = pl.DataFrame({"soc_code": ["29-1141"], "soc_title": ["Registered Nurses"],
                          "employment": [3_282_010.0], "exposure": [0.3141],
                          "annual_mean_wage": [98_430.0], "year": [2024]})
    shown = readable(frame)
    assert shown.columns == ["SOC code", "Occupation", "Employment", "Exposure",
                             "Mean annual wage", "Year"]
    assert shown.row(0) == ("29-1141", "Registered Nurses", "3,282,010", "31.4%", "$98,430",
                            "2024")
    assert set(shown.schema.values()) == {pl.String}


def test_spreadsheet_formats_keep_the_full_value() -> None:
    assert excel_format(Kind.percent) == "0.0%"
    assert excel_format(Kind.persons) == "#,##0"
    assert excel_format(Kind.usd) == "$#,##0"
    assert excel_format(Kind.text) is None
    assert set(EXCEL_FORMATS) == set(Kind) - {Kind.text}

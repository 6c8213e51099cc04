"""A list answer in one of three forms, always with its provenance: a page of JSON rows, or
the whole list as CSV or as an xlsx workbook.

JSON keeps the warehouse's column names (what scripts join on) and describes each column
(its human header and the kind of number it holds, from `exposure.presentation`). CSV carries
the provenance as columns, like the command line's csv; the workbook shows human headers,
numbers formatted as percent, people or dollars, and an "About" sheet with the provenance.
Every response also names the run and the releases in `X-Exposure-*` headers.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from enum import StrEnum

import polars as pl
from fastapi import Response

from exposure import ONET_ATTRIBUTION
from exposure.presentation import column_kinds, excel_format, header, headers, kind
from exposure.queries import Provenance

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
# A workbook of more rows takes minutes to write and is past what a spreadsheet handles
# well (Excel stops at 1,048,576); CSV has no limit.
MAX_XLSX_ROWS = 100_000

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Format(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class TooLarge(Exception):
    """A list too long for the asked format (an xlsx past `MAX_XLSX_ROWS`)."""


def provenance_dict(prov: Provenance) -> dict[str, str]:
    return {"run_id": prov.run_id, "onet_release": prov.onet_release,
            "employment_source": prov.employment_source, "meaning": prov.meaning,
            "attribution": ONET_ATTRIBUTION}


def provenance_headers(prov: Provenance) -> dict[str, str]:
    """The provenance as HTTP headers (ASCII: a header cannot carry other characters)."""
    def ascii_text(text: str) -> str:
        flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[\r\n]+", " ", flat)

    return {"X-Exposure-Run": ascii_text(prov.run_id),
            "X-Exposure-Onet-Release": ascii_text(prov.onet_release),
            "X-Exposure-Employment-Source": ascii_text(prov.employment_source)}


def columns(frame: pl.DataFrame) -> list[dict[str, str]]:
    return [{"name": name, "header": header(name), "kind": str(kind(name, dtype))}
            for name, dtype in frame.schema.items()]


def respond(frame: pl.DataFrame, prov: Provenance, *, name: str, fmt: Format,
            limit: int | None, offset: int, notes: list[str] | None = None) -> Response:
    """The list `frame` (already filtered and ordered) as a page or a download."""
    total = frame.height
    headers = provenance_headers(prov) | {"X-Total-Count": str(total)}
    if fmt is Format.json:
        limit = limit or DEFAULT_LIMIT
        page = frame.slice(offset, limit)
        head = json.dumps({"provenance": provenance_dict(prov), "total": total,
                           "limit": limit, "offset": offset, "columns": columns(frame),
                           "notes": notes or []})
        # polars writes the rows (nulls for NaN and infinities); the envelope wraps them.
        body = head[:-1] + ', "rows": ' + (page.write_json() if page.width else "[]") + "}"
        return Response(body, media_type="application/json", headers=headers)
    rows = frame.slice(offset, limit) if limit or offset else frame
    disposition = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt is Format.csv:
        data = prov.stamp(rows).write_csv() if rows.width else ""
        return Response(data, media_type="text/csv; charset=utf-8",
                        headers=headers | disposition)
    if rows.height > MAX_XLSX_ROWS:
        raise TooLarge(f"this list has {rows.height:,} rows and a workbook holds at most "
                       f"{MAX_XLSX_ROWS:,} here: narrow the filters, page with limit and "
                       "offset, or download it as CSV (format=csv)")
    return Response(workbook(rows, prov, name, notes or []), media_type=XLSX,
                    headers=headers | disposition)


def workbook(frame: pl.DataFrame, prov: Provenance, name: str, notes: list[str]) -> bytes:
    """The rows under human headers with number formats, and an About sheet."""
    import xlsxwriter

    readable, formats = _for_excel(frame)
    about = pl.DataFrame({
        "About": ["List", "Run", "O*NET release", "Employment source", "What the figures mean",
                  "Attribution", *(["Note"] * len(notes))],
        "": [name, prov.run_id, prov.onet_release, prov.employment_source, prov.meaning,
             ONET_ATTRIBUTION, *notes],
    })
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        readable.write_excel(book, worksheet=name[:31], column_formats=formats,
                             autofit=True, include_header=True)
        about.write_excel(book, worksheet="About", column_widths={"About": 24, "": 100},
                          header_format={"bold": True})
    return buffer.getvalue()


def _for_excel(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    """Human headers (made unique), naive timestamps, and the Excel number format of each
    numeric column by its kind."""
    kinds = column_kinds(frame)
    renamed = dict(zip(frame.columns, headers(frame.columns), strict=True))
    formats = {renamed[column]: fmt for column, dtype in frame.schema.items()
               if dtype.is_numeric() and (fmt := excel_format(kinds[column]))}
    stripped = frame.with_columns(
        pl.col(c).dt.replace_time_zone(None) for c, t in frame.schema.items()
        if isinstance(t, pl.Datetime) and t.time_zone)
    return stripped.rename(renamed), formats


__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_XLSX_ROWS", "Format", "TooLarge", "columns",
           "provenance_dict", "provenance_headers", "respond", "workbook"]

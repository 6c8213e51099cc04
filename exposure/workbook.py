"""A spreadsheet workbook for a workforce board: `write_workbook(warehouse, "ohio.xlsx",
area="OH")`.

One xlsx per board, read from the latest run through the board queries of
`exposure.queries` (the same rows as `exposure sectors`, `occupations`, ...):

- README: the run, the sources behind each sheet, what the figures mean and do not mean,
  the O*NET attribution;
- Sectors, Occupations, Wage bands, Education;
- Forecasts (and, for the nation, Forecasts by sector), every scenario and year;
- Policies: each scenario's 2030 and 2035 displacement (median and 80% interval) and its
  difference from P0, then the labour-market outputs.

For a state (`area`) the occupations, wage bands, education and forecasts are the state's
(with the nation's bands beside them); OEWS publishes state estimates across all industries
only, so its Sectors sheet says so and shows the nation's, labelled. Cells hold the
warehouse's numbers; human headers and number formats ('0.0%', '#,##0', '$#,##0') come
from `exposure.presentation`, so a figure reads like the terminal table but still sums.
The file is written by xlsxwriter through polars' `write_excel`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import polars as pl
import xlsxwriter
import xlsxwriter.exceptions

from exposure import ONET_ATTRIBUTION, queries, warehouse
from exposure.areas import Area, resolve_area
from exposure.errors import ConfigError, StorageError, WarehouseError
from exposure.presentation import UNIT_KINDS, Kind, excel_format, format_value, header, kind
from exposure.queries import FORECAST_MEANING, LABOUR_MEASURES, MEANING, Provenance

REFERENCE = "P0"
POLICY_YEARS = (2030, 2035)
NOT_A_PREDICTION = (
    "The forecasts are projections of a model under the assumptions stated in MODEL_SPEC.md "
    "and in each scenario's file, not predictions. The 80% intervals cover the uncertain "
    "parameters drawn in the Monte-Carlo, not every way the model could be wrong. "
    "Displacement is counted against the BLS 2024-34 baseline; it is not a count of layoffs.")
NO_STATE_SECTORS = (
    "OEWS publishes state estimates across all industries only, so there is no sector table "
    "for {name}. The table below is the nation's, for reference; {name}'s own figures are "
    "on the Occupations, Wage bands, Education and Forecasts sheets.")
# Columns every row of a sheet shares (shown once, in the README) and never a sheet column.
CONSTANT = ("run_id", "scorer", "area_type")


@dataclass(frozen=True)
class Part:
    """A piece of a sheet, top to bottom: a bold title, a note, then a table of warehouse
    columns (machine names; `formats` overrides a column's format by kind)."""

    title: str = ""
    note: str = ""
    frame: pl.DataFrame | None = None
    formats: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sheet:
    name: str  # at most 31 characters (Excel)
    about: str  # one line for the README
    parts: tuple[Part, ...]
    provenance: Provenance | None = None


def _scenario_key(scenario: str) -> tuple[bool, str]:
    """P0 first, then P1, P2, ... P10 in numeric order."""
    return scenario != REFERENCE, re.sub(r"\d+", lambda m: m.group().zfill(6), scenario)


def _arrange(frame: pl.DataFrame, first: tuple[str, ...]) -> pl.DataFrame:
    """`first` (those present) in that order, then the other columns but the constant
    ones."""
    leading = [c for c in first if c in frame.columns]
    rest = [c for c in frame.columns if c not in leading and c not in CONSTANT]
    return frame.select(leading + rest)


def _missing(name: str, about: str, error: WarehouseError) -> Sheet:
    return Sheet(name, about, (Part(note=f"Not in this warehouse: {error}"),))


def _optional(name: str, about: str, build: Callable[[], Sheet]) -> Sheet:
    """A sheet whose table a warehouse of an older release may lack: the sheet then says
    so instead of failing the whole workbook."""
    try:
        return build()
    except WarehouseError as error:
        return _missing(name, about, error)


# --- the sheets ---------------------------------------------------------------------------

SECTOR_COLUMNS = ("naics_sector", "sector_title", "employment", "exposure",
                  "exposure_wage_weighted", "exposed_employment", "covered_employment_share",
                  "year")


def _sectors(path: Path, scorer: str, place: Area) -> Sheet:
    frame, prov = queries.sectors(path, scorer)
    year = frame["year"].max()
    latest = frame.filter(pl.col("year") == year)
    table = latest.select([c for c in SECTOR_COLUMNS if c in latest.columns])
    # the caption names the OEWS releases of every year read; the sheet shows the latest
    used = [r for r in prov.employment_source.split(", ") if str(year) in r]
    prov = replace(prov, employment_source=", ".join(used) or prov.employment_source)
    if place.is_nation:
        return Sheet("Sectors", "exposure of each NAICS sector (OEWS May, national)",
                     (Part(frame=table),), prov)
    return Sheet("Sectors", "no state sector table (OEWS); the nation's, for reference",
                 (Part(note=NO_STATE_SECTORS.format(name=place.name)),
                  Part(title=f"United States, for reference (not {place.name})", frame=table)),
                 prov)


OCCUPATION_COLUMNS = ("soc_code", "soc_title", "soc_major", "soc_major_title", "employment",
                      "annual_mean_wage", "wage_quintile", "typical_education", "exposure",
                      "national_exposure", "share_exposed", "exposed_employment", "area_code",
                      "area_name", "onet_occupations", "split_rule", "year")


def _occupations(path: Path, scorer: str, place: Area) -> Sheet:
    frame, prov = queries.occupations(path, scorer,
                                      area=None if place.is_nation else place.code)
    where = "national" if place.is_nation else place.name
    table = _arrange(frame, OCCUPATION_COLUMNS).drop("area_code", "area_name", strict=False)
    parts = (Part(frame=table),) if place.is_nation else (
        Part(title=f"{place.name} ({place.code}), OEWS state estimates, all industries",
             frame=table),)
    return Sheet("Occupations",
                 f"BLS detailed occupations ({where}) with published employment, mean wage "
                 "and the employment-weighted exposure of their O*NET occupations",
                 parts, prov)


def _by_band(name: str, about: str, query: Callable[..., tuple[pl.DataFrame, Provenance]],
             first: tuple[str, ...], path: Path, scorer: str, place: Area) -> Sheet:
    """Wage bands or education: the nation's rows, and a state's before them."""
    frame, prov = query(path, scorer, area=None if place.is_nation else place.code)
    shown = frame.filter(pl.col("area_code").is_in(["US", place.code]))
    shown = shown.sort(pl.col("area_code") == "US", maintain_order=True)
    return Sheet(name, about, (Part(frame=_arrange(shown, first)),), prov)


def _wage_bands(path: Path, scorer: str, place: Area) -> Sheet:
    beside = "" if place.is_nation else f"{place.name} and the nation: "
    return _by_band("Wage bands", beside + "employment and exposure per quintile of the "
                    "occupation's mean wage (the national bands)", queries.wage_bands,
                    ("area_code", "area_name", "wage_quintile", "band_title", "wage_low",
                     "wage_high", "employment", "exposure", "exposed_employment"),
                    path, scorer, place)


def _education(path: Path, scorer: str, place: Area) -> Sheet:
    beside = "" if place.is_nation else f"{place.name} and the nation: "
    return _by_band("Education", beside + "employment and exposure per typical entry "
                    "education (BLS projections)", queries.education,
                    ("area_code", "area_name", "education_rank", "typical_education",
                     "employment", "exposure", "exposed_employment"), path, scorer, place)


Displaced = tuple[pl.DataFrame, Provenance] | WarehouseError


def _national_displaced(path: Path, sector: str | None = None
                        ) -> tuple[pl.DataFrame, Provenance]:
    """Cumulative displaced persons (p10/p50/p90) per scenario and year, national or one
    sector's, as displaced_p10/p50/p90 (people)."""
    frame, prov = queries.labour_market(path, "displaced", sector=sector)
    frame = frame.rename({"p10": "displaced_p10", "p50": "displaced_p50",
                          "p90": "displaced_p90"})
    order = sorted(set(frame["scenario"]), key=_scenario_key)
    frame = frame.with_columns(pl.col("scenario").replace_strict(
        {s: i for i, s in enumerate(order)}, return_dtype=pl.Int32).alias("_order"))
    return frame.sort("_order", "year").drop("_order"), prov


FORECAST_COLUMNS = ("scenario", "scenario_title", "year", "displaced_p10", "displaced_p50",
                    "displaced_p90")


def _read(displaced: Displaced) -> tuple[pl.DataFrame, Provenance]:
    if isinstance(displaced, WarehouseError):
        raise displaced
    return displaced


def _forecasts(path: Path, place: Area, displaced: Displaced) -> Sheet:
    if place.is_nation:
        frame, prov = _read(displaced)
        return Sheet("Forecasts", "displaced employment by scenario and year, national "
                     "(cumulative; median and 80% interval)",
                     (Part(note=f"{FORECAST_MEANING} {NOT_A_PREDICTION}",
                           frame=frame.select(FORECAST_COLUMNS)),), prov)
    frame, prov = queries.area_forecasts(path, area=place.code)
    order = {s: i for i, s in enumerate(sorted(set(frame["scenario"]), key=_scenario_key))}
    frame = frame.sort(pl.col("scenario").replace_strict(order, return_dtype=pl.Int32),
                       "year", pl.col("soc_major") != "all", "soc_major")
    methods = ", ".join(sorted(set(frame["method"].drop_nulls()))) if "method" in \
        frame.columns else ""
    note = prov.meaning + (f" Method: {methods}." if methods else "")
    table = _arrange(frame, ("scenario", "scenario_title", "year", "soc_major",
                             "soc_major_title", "employment", "displaced_p10",
                             "displaced_p50", "displaced_p90", "displaced_share")
                     ).drop("method", "area_code", "area_name", strict=False)
    return Sheet("Forecasts", f"{place.name}: displaced employment by scenario, year and major "
                 "group (the state's occupation mix times the national rates)",
                 (Part(note=note), Part(title=f"{place.name} ({place.code})", frame=table)),
                 prov)


def _sector_forecasts(path: Path, scorer: str) -> Sheet:
    sectors, _ = queries.sectors(path, scorer)
    titles = dict(sectors.select("naics_sector", "sector_title").iter_rows())
    frames, prov = [], None
    for code, title in titles.items():
        try:
            frame, prov = _national_displaced(path, sector=code)
        except ConfigError:  # the engine publishes no displacement for this sector
            continue
        frames.append(frame.with_columns(pl.lit(code).alias("naics_sector"),
                                         pl.lit(title).alias("sector_title")))
    about = "displaced employment by scenario, year and NAICS sector (national)"
    if not frames:
        return Sheet("Forecasts by sector", about,
                     (Part(note="The forecast publishes no displacement by sector."),))
    table = pl.concat(frames).select("scenario", "scenario_title", "year", "naics_sector",
                                     "sector_title", "displaced_p10", "displaced_p50",
                                     "displaced_p90")
    return Sheet("Forecasts by sector", about, (Part(frame=table),), prov)


def policy_table(displaced: pl.DataFrame) -> pl.DataFrame:
    """Each scenario in 2030 and 2035: median, 80% interval and the median's difference
    from P0's (people and share; the scenarios share their random draws)."""
    rows = displaced.filter(pl.col("year").is_in(POLICY_YEARS))
    reference = rows.filter(pl.col("scenario") == REFERENCE).select(
        "year", pl.col("displaced_p50").alias("_reference"))
    rows = rows.join(reference, on="year", how="left").with_columns(
        (pl.col("displaced_p50") - pl.col("_reference")).alias("change_from_reference"),
        (pl.col("displaced_p50") / pl.col("_reference") - 1).alias(
            "change_from_reference_share"))
    return rows.select("scenario", "scenario_title", "year", "displaced_p50", "displaced_p10",
                       "displaced_p90", "change_from_reference",
                       "change_from_reference_share")


def _labour_parts(path: Path) -> list[Part]:
    """One small table per labour-market measure (national, 2030 and 2035), each in its
    own unit."""
    parts = []
    for measure, (label, _) in LABOUR_MEASURES.items():
        if measure == "displaced":
            continue  # the table above
        try:
            frame, _ = queries.labour_market(path, measure)
        except ConfigError:
            continue
        frame = frame.filter(pl.col("year").is_in(POLICY_YEARS))
        if frame.height == 0:
            continue
        order = {s: i for i, s in enumerate(sorted(set(frame["scenario"]), key=_scenario_key))}
        frame = frame.sort(pl.col("scenario").replace_strict(order, return_dtype=pl.Int32),
                           "year")
        unit = str(frame["unit"][0])
        fmt = excel_format(UNIT_KINDS[unit]) if unit in UNIT_KINDS else "General"
        parts.append(Part(title=f"{label[0].upper()}{label[1:]} ({unit}), national",
                          frame=frame.select("scenario", "scenario_title", "year", "p10",
                                             "p50", "p90"),
                          formats=dict.fromkeys(("p10", "p50", "p90"), fmt)))
    return parts


def _policies(path: Path, place: Area, national: Displaced) -> Sheet:
    displaced, prov = _read(national)
    parts = [Part(title="Displaced employment by scenario, national (cumulative)",
                  note=f"Median with the 80% interval; the change from {REFERENCE} compares "
                  "the medians, and every scenario uses the same random draws (common "
                  "random numbers), so the difference is the policy's effect, not sampling "
                  "noise.", frame=policy_table(displaced))]
    if not place.is_nation:
        state, _ = queries.area_forecasts(path, area=place.code, major="all")
        order = {s: i for i, s in enumerate(sorted(set(state["scenario"]), key=_scenario_key))}
        state = state.sort(pl.col("scenario").replace_strict(order, return_dtype=pl.Int32),
                           "year")
        parts.append(Part(title=f"{place.name}: the state's occupation mix times the "
                          "national rates (its p10 and p90 apply the national ones: not an "
                          "interval for the state)", frame=policy_table(state)))
    parts.append(Part(title="Labour-market outputs of the stock-flow model",
                      note="Median (p50) with p10 and p90. Displaced workers are cumulative; "
                      "the unemployed are the AI-displaced who have not found work yet (year "
                      "average); income and demand are dollars per year."))
    parts += _labour_parts(path)
    return Sheet("Policies", f"each scenario's {POLICY_YEARS[0]} and {POLICY_YEARS[1]} "
                 f"displacement beside {REFERENCE}'s, and the labour-market outputs",
                 tuple(parts), prov)


def _sheets(path: Path, scorer: str, place: Area) -> list[Sheet]:
    about = "not in this warehouse"
    try:  # read once: the Forecasts and Policies sheets show it
        displaced: Displaced = _national_displaced(path)
    except WarehouseError as error:
        displaced = error
    sheets = [
        _sectors(path, scorer, place),
        _optional("Occupations", about, lambda: _occupations(path, scorer, place)),
        _optional("Wage bands", about, lambda: _wage_bands(path, scorer, place)),
        _optional("Education", about, lambda: _education(path, scorer, place)),
        _optional("Forecasts", about, lambda: _forecasts(path, place, displaced))]
    if place.is_nation:
        sheets.append(_optional("Forecasts by sector", about,
                                lambda: _sector_forecasts(path, scorer)))
    sheets.append(_optional("Policies", about, lambda: _policies(path, place, displaced)))
    return sheets


def _readme(sheets: list[Sheet], scorer: str, place: Area) -> list[tuple[str, str]]:
    """(item, text) rows of the README sheet."""
    runs = sorted({s.provenance.run_id for s in sheets if s.provenance})
    where = "United States (national)" if place.is_nation else f"{place.name} ({place.code})"
    rows = [("Workbook", f"AI exposure and displacement: {where}"),
            ("Run", ", ".join(runs) or "unknown"),
            ("Scorer", scorer)]
    rows += [(f"Sheet: {s.name}", s.about) for s in sheets]
    for s in sheets:
        if s.provenance is not None:
            p = s.provenance
            rows.append((f"Sources of {s.name}",
                         f"run {p.run_id}; {p.onet_release}; {p.employment_source}"))
    rows += [("What exposure means", MEANING),
             ("What the forecasts mean", FORECAST_MEANING),
             ("What they are not", NOT_A_PREDICTION)]
    if not place.is_nation:
        rows += [("State figures", NO_STATE_SECTORS.format(name=place.name)),
                 ("State forecasts", "A state's forecast is its occupation mix times the "
                  "national occupation-level displacement rates of each scenario, not a state "
                  "model; its p10/p90 apply the national p10/p90 rates.")]
    rows += [("Numbers", "Cells hold the figures as stored: exposure and shares as fractions "
              "shown as percents, people as whole numbers, dollars per year."),
             ("Attribution", ONET_ATTRIBUTION)]
    return rows


# --- writing --------------------------------------------------------------------------------

def _format_of(column: str, dtype: pl.DataType, formats: dict[str, str]) -> str | None:
    if column in formats:
        return formats[column]
    what = kind(column, dtype)
    if what is not Kind.number and (fmt := excel_format(what)):
        return fmt
    if dtype.is_integer():
        return "0"  # a year or a quintile, not 2,024
    return None


def _width(frame: pl.DataFrame, column: str) -> int:
    """Characters the column needs as shown (header or widest cell), capped."""
    what = kind(column, frame.schema[column])
    cells = [format_value(v, what) for v in frame.get_column(column).head(2000)]
    return min(60, max([len(header(column)), *map(len, cells)]) + 2)


def _write_table(workbook: xlsxwriter.Workbook, sheet: xlsxwriter.worksheet.Worksheet,
                 row: int, part: Part, widths: dict[int, int]) -> int:
    frame = part.frame
    assert frame is not None
    named = frame.rename({c: header(c) for c in frame.columns})
    formats = {}
    for column, dtype in frame.schema.items():
        fmt = _format_of(column, dtype, part.formats)
        if fmt is not None:
            formats[header(column)] = fmt
    named.write_excel(workbook=workbook, worksheet=sheet, position=(row, 0),
                      column_formats=formats, table_style="Table Style Light 9",
                      header_format={"bold": True, "text_wrap": True, "valign": "top"})
    for i, column in enumerate(frame.columns):
        widths[i] = max(widths.get(i, 0), _width(frame, column))
    return row + frame.height + 2


def _write_sheet(workbook: xlsxwriter.Workbook, sheet: Sheet) -> None:
    worksheet = workbook.add_worksheet(sheet.name)
    bold = workbook.add_format({"bold": True, "font_size": 12})
    row, widths = 0, {}
    tables = [p for p in sheet.parts if p.frame is not None]
    for part in sheet.parts:
        if part.title:
            worksheet.write_string(row, 0, part.title, bold)
            row += 1
        if part.note:
            worksheet.write_string(row, 0, part.note)
            row += 1
        if part.frame is not None:
            if len(tables) == 1:  # keep the headers in view while scrolling
                worksheet.freeze_panes(row + 1, 0)
            row = _write_table(workbook, worksheet, row, part, widths)
        else:
            row += 1
    for column, width in widths.items():
        worksheet.set_column(column, column, width)


def _write_readme(workbook: xlsxwriter.Workbook, rows: list[tuple[str, str]]) -> None:
    worksheet = workbook.add_worksheet("README")
    bold = workbook.add_format({"bold": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    worksheet.set_column(0, 0, 26)
    worksheet.set_column(1, 1, 110)
    for i, (item, text) in enumerate(rows):
        worksheet.write_string(i, 0, item, bold)
        worksheet.write_string(i, 1, text, wrap)


def _default_scorer(path: Path) -> str:
    from exposure.settings import get_settings

    return get_settings().scorer_list[0]


def write_workbook(warehouse_path: Path, output: Path | str | IO[bytes],
                   area: str | None = None, scorer: str | None = None) -> Path | IO[bytes]:
    """Write the board's workbook of the latest run to `output` (an .xlsx path, replaced at
    once when complete, or a binary stream) and return it. `area` is a state's FIPS code,
    postal abbreviation or name (default: the nation); `scorer` defaults to the first of
    EXPOSURE_SCORERS, like the board commands."""
    path = Path(warehouse_path)
    with warehouse.one_connection(path), warehouse.pandas_unimported():
        place = resolve_area(path, area) if area else resolve_area(path, "US")
        scorer = scorer or _default_scorer(path)
        sheets = _sheets(path, scorer, place)
    if isinstance(output, str | Path):
        target = Path(output)
        if target.suffix.lower() != ".xlsx":
            raise ConfigError(f"a workbook is an .xlsx file, not '{target.name}'",
                              "name the output file with .xlsx, e.g. -o ohio.xlsx")
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            _write(partial, sheets, scorer, place)
            os.replace(partial, target)
        except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
            reason = getattr(exc, "strerror", None) or getattr(
                getattr(exc, "__context__", None), "strerror", None) or exc
            raise StorageError(f"could not write the workbook {target} ({reason})",
                               "check that its folder exists and can be written") from exc
        finally:
            partial.unlink(missing_ok=True)
        return target
    _write(output, sheets, scorer, place)
    return output


def _write(output: Path | IO[bytes], sheets: list[Sheet], scorer: str, place: Area) -> None:
    workbook = xlsxwriter.Workbook(str(output) if isinstance(output, Path) else output)
    try:
        _write_readme(workbook, _readme(sheets, scorer, place))
        for sheet in sheets:
            _write_sheet(workbook, sheet)
    finally:
        workbook.close()


__all__ = ["policy_table", "write_workbook"]

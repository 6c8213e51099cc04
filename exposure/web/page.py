"""The one web page: a place (the nation or a state), its exposure table and chart, a
drill-down to the occupations of a sector or major group, the forecasts by scenario with
the labour-market outputs, downloads, and the sources.

`page_context` gathers every figure from the query functions (in one read of one published
file) into plain cells for the template: numbers already formatted by
`exposure.presentation` (percent, people with separators, dollars).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import polars as pl

from exposure import ONET_ATTRIBUTION, filters, queries
from exposure.areas import Area, known_areas, resolve_area
from exposure.codes import NATION_CODE, NATION_NAME
from exposure.errors import ConfigError, WarehouseError
from exposure.presentation import Kind, format_value, header, kind
from exposure.web import charts, reads
from exposure.web.api import NO_STATE_SECTORS, SOURCE_NOTES, STATE_FORECAST_NOTE

DRILL_ROWS = 30  # occupations shown on the page; the downloads hold them all
MILESTONE = 2030  # a year shown beside the horizon in the scenario table
LABOUR_KINDS = {"persons": Kind.persons, "usd": Kind.usd, "share": Kind.percent}


@dataclass(frozen=True)
class PageQuery:
    scorer: str
    state: str | None = None
    sector: str | None = None
    major: str | None = None
    scenario: str | None = None

    def link(self, **changes: str | None) -> str:
        """The page's URL with some parameters changed (None drops one)."""
        values = {"state": self.state, "scorer": self.scorer, "sector": self.sector,
                  "major": self.major, "scenario": self.scenario} | changes
        return "/?" + urlencode({k: v for k, v in values.items() if v})


CODE_COLUMNS = {"naics_sector", "soc_code", "soc_major", "area_code", "onet_soc_code"}
NAME_COLUMNS = {"sector_title", "soc_major_title", "soc_title", "title", "area_name"}


def cells(frame: pl.DataFrame, columns: list[str],
          links: dict[str, list[str | None]] | None = None) -> dict:
    """A table for the template: human headers, formatted cells, right-aligned numbers and
    codes kept on one line."""
    classes = []
    for c in columns:
        numeric = frame.schema[c].is_numeric() and kind(c, frame.schema[c]) is not Kind.text
        classes.append("num" if numeric else "code" if c in CODE_COLUMNS
                       else "name" if c in NAME_COLUMNS else "")
    heads = [{"text": header(c), "cls": cls} for c, cls in zip(columns, classes, strict=True)]
    rows = []
    for i, row in enumerate(frame.select(columns).iter_rows()):
        rows.append([{"text": format_value(v, kind(c, frame.schema[c])), "cls": classes[j],
                      "href": (links or {}).get(c, [None] * frame.height)[i]}
                     for j, (c, v) in enumerate(zip(columns, row, strict=True))])
    return {"headers": heads, "rows": rows}


def page_context(path: Path, q: PageQuery) -> dict:
    """Everything the page shows, for the template."""
    areas = known_areas(path)
    place = resolve_area(path, q.state) if q.state else Area(NATION_CODE, NATION_NAME)
    # A sector chosen for the nation means nothing in a state (OEWS has no state figures by
    # sector, as the page says there): switching place drops it.
    q = PageQuery(q.scorer, None if place.is_nation else place.code,
                  q.sector if place.is_nation else None, q.major, q.scenario)
    context: dict = {
        "q": q, "place": place, "scorer": q.scorer,
        "states": [{"code": c, "name": n} for c, n in areas.items()],
        "attribution": ONET_ATTRIBUTION, "source_notes": SOURCE_NOTES,
        "exposure_meaning": queries.MEANING, "forecast_meaning": queries.FORECAST_MEANING,
    }
    context |= _exposure(path, q, place)
    context |= _drill(path, q, place, context)
    context |= _forecasts(path, q, place)
    context |= _sources(path)
    context["downloads"] = _downloads(q, place, context)
    context["workbook"] = "/api/workbook?" + urlencode(
        {"scorer": q.scorer} | ({} if place.is_nation else {"state": place.code}))
    return context


def _exposure(path: Path, q: PageQuery, place: Area) -> dict:
    if place.is_nation:
        frame, prov = queries.sectors(path, q.scorer)
        year = frame["year"].max()
        frame = frame.filter(pl.col("year") == year)
        links = [q.link(sector=s, major=None) + "#occupations" for s in frame["naics_sector"]]
        return {
            "provenance": prov, "exposure_title": f"Exposure by sector, OEWS May {year}",
            "exposure_note": None, "exposure_kind": "sector",
            "exposure_table": cells(frame, ["naics_sector", "sector_title", "employment",
                                            "exposure", "exposed_employment",
                                            "covered_employment_share"],
                                    {"sector_title": links}),
            "exposure_chart": charts.exposure_bars(frame, "sector_title",
                                                   "Exposure by sector"),
            "sector_titles": dict(zip(frame["naics_sector"], frame["sector_title"],
                                      strict=True)),
            "major_titles": _major_titles(path, q) if q.major else {},
        }
    frame, prov = reads.major_groups(path, q.scorer, place.code)
    groups = frame.filter(pl.col("soc_major") != "all")
    links = [q.link(major=m, sector=None) + "#occupations" for m in frame["soc_major"]]
    return {
        "provenance": prov,
        "exposure_title": f"Exposure by major occupation group, {place.name}, "
                          f"OEWS May {frame['year'].max()}",
        "exposure_note": NO_STATE_SECTORS.split(":")[0] + f": there are no sector figures for "
                         f"{place.name}, so its major occupation groups are shown instead, "
                         "with the nation's exposure of each group as a red tick.",
        "exposure_kind": "major group",
        "exposure_table": cells(frame, ["soc_major", "soc_major_title", "employment",
                                        "exposure", "national_exposure", "exposed_employment",
                                        "covered_employment_share"],
                                {"soc_major_title": links}),
        "exposure_chart": charts.exposure_bars(groups, "soc_major_title",
                                               f"Exposure by major group, {place.name}",
                                               national="national_exposure"),
        "sector_titles": {},
        "major_titles": dict(zip(frame["soc_major"], frame["soc_major_title"], strict=True)),
    }


def _major_titles(path: Path, q: PageQuery) -> dict[str, str]:
    frame, _ = reads.major_groups(path, q.scorer)
    return dict(zip(frame["soc_major"], frame["soc_major_title"], strict=True))


def _drill(path: Path, q: PageQuery, place: Area, context: dict) -> dict:
    """The occupations of the chosen sector (nation) or major group, most exposed first."""
    if not (q.sector or q.major):
        return {"drill": None}
    frame, prov = queries.occupations(path, q.scorer, sector=q.sector, major=q.major,
                                      area=None if place.is_nation else place.code)
    if q.sector:
        what = context["sector_titles"].get(q.sector, f"sector {q.sector}")
    else:
        major = filters.major_group(q.major)
        what = context["major_titles"].get(major, f"major group {major}")
    # An occupation's exposure is the same in every state (its tasks do not change), so the
    # state's table leaves out the national column.
    columns = [c for c in ("soc_code", "soc_title", "employment", "annual_mean_wage",
                           "exposure", "wage_quintile", "typical_education")
               if c in frame.columns]
    return {"drill": {
        "title": f"Occupations in {what}" + ("" if place.is_nation else f", {place.name}"),
        "total": frame.height, "shown": min(frame.height, DRILL_ROWS),
        "table": cells(frame.head(DRILL_ROWS), columns), "provenance": prov,
        "api": "/api/occupations?" + urlencode({k: v for k, v in {
            "scorer": q.scorer, "sector": q.sector, "major": q.major,
            "state": None if place.is_nation else place.code}.items() if v}),
    }}


def _forecasts(path: Path, q: PageQuery, place: Area) -> dict:
    scenarios, _ = reads.scenarios(path)
    ids = scenarios["scenario"].to_list()
    if q.scenario and q.scenario not in ids:
        raise ConfigError(f"unknown scenario '{q.scenario}'",
                          f"the latest forecast has {', '.join(ids)}")
    selected = q.scenario or ("P0" if "P0" in ids else ids[0])
    if place.is_nation:
        frame, prov = queries.labour_market(path, "displaced")
        note = None
    else:
        frame, prov = queries.area_forecasts(path, area=place.code, major="all")
        frame = frame.rename({"displaced_p10": "p10", "displaced_p50": "p50",
                              "displaced_p90": "p90"})
        note = STATE_FORECAST_NOTE
    horizon = int(frame["year"].max())
    wide = _scenario_table(frame, scenarios, horizon)
    chosen = scenarios.filter(pl.col("scenario") == selected).row(0, named=True)
    return {
        "scenarios": scenarios.to_dicts(), "selected": chosen, "horizon": horizon,
        "milestone": MILESTONE, "forecast_note": note, "forecast_provenance": prov,
        "paths_chart": charts.scenario_paths(
            frame, selected, f"Displaced employment by scenario, {place.name}"),
        "policy_chart": charts.policy_bars(
            frame, horizon, selected, f"Policy differences in {horizon}, {place.name}"),
        "scenario_table": wide,
        "labour": _labour(path, selected) if place.is_nation else None,
    }


def _scenario_table(frame: pl.DataFrame, scenarios: pl.DataFrame, horizon: int) -> dict:
    """One row per scenario: its title, the median at the milestone and at the horizon with
    the 80% interval, and the difference from P0 at the horizon."""
    at = frame.filter(pl.col("year").is_in([MILESTONE, horizon]))
    base = at.filter((pl.col("scenario") == "P0") & (pl.col("year") == horizon))["p50"]
    p0 = base[0] if base.len() else None
    rows = []
    for s in scenarios.iter_rows(named=True):
        mine = at.filter(pl.col("scenario") == s["scenario"])
        last = mine.filter(pl.col("year") == horizon)
        early = mine.filter(pl.col("year") == MILESTONE)
        if last.height == 0:
            continue
        p50 = last["p50"][0]
        rows.append({
            "scenario": s["scenario"], "title": s["title"],
            "milestone": format_value(early["p50"][0], Kind.persons) if early.height else "",
            "horizon": format_value(p50, Kind.persons),
            "interval": f"{format_value(last['p10'][0], Kind.persons)} – "
                        f"{format_value(last['p90'][0], Kind.persons)}",
            "versus_p0": "" if p0 is None or s["scenario"] == "P0" else
            ("+" if p50 >= p0 else "−") + format_value(abs(p50 - p0), Kind.persons),
        })
    return {"rows": rows}


def _labour(path: Path, scenario: str) -> list[dict]:
    """The national labour-market outputs of one scenario at the milestone and the
    horizon."""
    rows = []
    for measure, (label, unit) in queries.LABOUR_MEASURES.items():
        try:
            frame, _ = queries.labour_market(path, measure, scenario=scenario)
        except ConfigError:
            continue  # a measure this run does not publish
        years = sorted(frame["year"].to_list())
        wanted = [y for y in (MILESTONE, years[-1]) if y in years]
        values = {}
        for year in dict.fromkeys(wanted):
            row = frame.filter(pl.col("year") == year).row(0, named=True)
            values[year] = {k: _labour_value(row[k], unit) for k in ("p10", "p50", "p90")}
        rows.append({"measure": measure, "label": label, "values": values})
    return rows


def _labour_value(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "percent":
        return f"{value:.2f}%"
    if unit == "usd" and abs(value) >= 1e9:
        # Income and spending of the whole economy: "$30.7 billion" reads, 11 digits do not.
        return f"{'−' if value < 0 else ''}${abs(value) / 1e9:,.1f} billion"
    return format_value(value, LABOUR_KINDS.get(unit, Kind.number))


def _sources(path: Path) -> dict:
    try:
        frame, prov = reads.sources(path)
    except WarehouseError:
        return {"sources": [], "sources_provenance": None}
    if frame.height == 0:
        return {"sources": [], "sources_provenance": prov}
    grouped = (frame.group_by("release", "publisher", "licence", maintain_order=True)
               .agg(pl.col("path").n_unique().alias("files")))
    return {"sources": grouped.to_dicts(), "sources_provenance": prov}


def _downloads(q: PageQuery, place: Area, context: dict) -> list[dict]:
    """Each list on the page as CSV and as a workbook (the API's downloads)."""
    state = None if place.is_nation else place.code

    def link(name: str, label: str, endpoint: str, **params: object) -> dict:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        base = f"/api/{endpoint}?" + (query + "&" if query else "")
        return {"id": name, "label": label, "csv": base + "format=csv",
                "xlsx": base + "format=xlsx"}

    items = []
    if place.is_nation:
        items.append(link("sectors", "Sectors (every OEWS year)", "sectors", scorer=q.scorer))
    items.append(link("major-groups", f"Major occupation groups, {place.name}",
                      "major-groups", scorer=q.scorer, state=state))
    items.append(link("occupations", f"Occupations, {place.name}", "occupations",
                      scorer=q.scorer, state=state))
    if context.get("drill"):
        items.append(link("drill", context["drill"]["title"], "occupations", scorer=q.scorer,
                          sector=q.sector, major=q.major, state=state))
    scenario, horizon = context["selected"]["scenario"], context["horizon"]
    if place.is_nation:
        items.append(link("displaced", "Displaced employment, every scenario and year",
                          "labour-market", measure="displaced"))
        items.append(link("forecasts", f"Forecast by occupation and sector, {scenario}, "
                          f"{horizon}", "forecasts", scenario=scenario, year_from=horizon,
                          year_to=horizon))
    else:
        items.append(link("forecasts", f"Forecast by major group, {place.name}, {scenario}",
                          "forecasts", state=state, scenario=scenario))
    items.append(link("scenarios", "Scenarios", "scenarios"))
    items.append(link("sources", "Sources and licences", "sources"))
    return items


__all__ = ["PageQuery", "cells", "page_context"]

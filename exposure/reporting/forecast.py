"""The report's forecast sections, built from the engine's published tables.

Each section appears only when its table is in the warehouse, so a report of an older run
(or of a run without forecasts) still renders. Tables are read through their `latest_`
views, like the boards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import polars as pl

from exposure.forecast import (
    ANCHORS,
    ENTRY_LEVEL_DEFINITION,
    EQUIVALENTS,
    model_equivalents,
)
from exposure.queries import FORECAST_MEANING, LABOUR_MEASURES
from exposure.reporting import charts
from exposure.reporting.document import Block, Bullets, Chart, Section, Table, Text
from exposure.reporting.markdown import FORMATS, interval, persons, share

REFERENCE = "P0"
YEARS = (2030, 2035)

ARE_AND_ARE_NOT = (
    "**What these figures are, and are not.** They are projections of a model under the "
    "assumptions stated in MODEL_SPEC.md and in each scenario's file, not predictions: they "
    "say what would follow if those assumptions held. The 80% intervals cover the uncertain "
    "parameters drawn in the Monte-Carlo, not every way the model could be wrong. "
    "Displacement is counted against the BLS 2024-34 baseline; it is not a count of layoffs. "
    "Exposure (above) is the share of task time AI could do or speed up; it is not a "
    "probability that anyone loses a job.")


@dataclass(frozen=True)
class ForecastTables:
    """The latest run's forecast tables; None where the warehouse lacks one."""

    totals: pl.DataFrame | None
    scenarios: pl.DataFrame | None
    labour: pl.DataFrame | None
    sensitivity: pl.DataFrame | None
    equilibrium: pl.DataFrame | None
    macro: pl.DataFrame | None
    sector_titles: dict[str, str]

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, present: set[str]) -> ForecastTables:
        def read(table: str) -> pl.DataFrame | None:
            view = f"latest_{table}"
            return con.execute(f'SELECT * FROM "{view}"').pl() if view in present else None

        titles = {}
        if "latest_sector_exposure" in present:
            titles = dict(con.execute("SELECT naics_sector, any_value(sector_title) FROM "
                                      "latest_sector_exposure GROUP BY 1").fetchall())
        return cls(read("displacement_total"), read("forecast_scenario"),
                   read("labour_market_forecast"), read("forecast_sensitivity"),
                   read("sector_equilibrium"), read("macro_check"), titles)

    def titles(self) -> dict[str, str]:
        if self.scenarios is None:
            return {}
        return dict(self.scenarios.select("scenario", "title").iter_rows())

    def order(self) -> list[str]:
        """Scenario ids, P0 first, then P1, P2, ... P10 in numeric order."""
        ids: set[str] = set()
        for frame in (self.totals, self.scenarios, self.labour):
            if frame is not None:
                ids |= set(frame["scenario"].drop_nulls().to_list())
        return sorted(ids, key=lambda s: (s != REFERENCE,
                                          re.sub(r"\d+", lambda m: m.group().zfill(6), s)))


def _fan(tables: ForecastTables) -> pl.DataFrame:
    assert tables.totals is not None
    return tables.totals.select("scenario", "year", *(
        pl.col(f"displaced_{q}").alias(q) for q in ("p10", "p50", "p90")))


def scenario_table(tables: ForecastTables) -> pl.DataFrame:
    """One row per scenario: medians in 2030 and 2035, the 2035 interval, and the change
    from P0's median in percent (the scenarios share their draws)."""
    totals, titles = tables.totals, tables.titles()
    assert totals is not None
    rows = []
    ref = {y: v for _, y, v in totals.filter(pl.col("scenario") == REFERENCE)
           .select("scenario", "year", "displaced_p50").iter_rows()}
    for s in tables.order():
        own = {r["year"]: r for r in totals.filter(pl.col("scenario") == s).iter_rows(named=True)}
        if not own:
            continue
        row = {"scenario": s, "title": titles.get(s, "")}
        for y in YEARS:
            row[f"{y} median"] = persons(own[y]["displaced_p50"]) if y in own else ""
        end = own.get(2035)
        row["2035 80% interval"] = (f"{persons(end['displaced_p10'])} to "
                                    f"{persons(end['displaced_p90'])}" if end else "")
        for y in YEARS:
            base, value = ref.get(y), own.get(y, {}).get("displaced_p50")
            row[f"vs {REFERENCE} {y}"] = (
                "reference" if s == REFERENCE else
                f"{100 * (value / base - 1):+.1f}%" if base and value is not None else "")
        rows.append(row)
    return pl.DataFrame(rows)


def _scenarios_section(tables: ForecastTables) -> list[Section]:
    titles, order = tables.titles(), tables.order()
    chart = Chart.render(charts.fan_chart(
        _fan(tables), order, titles, "displaced (millions)",
        "Displaced employment by scenario, 2025-2035"), "forecast.svg",
        "displaced employment by scenario")
    blocks: list[Block] = [
        Text(f"Cumulative displaced workers (median). The change from {REFERENCE} compares "
             "the medians; every scenario uses the same random draws (common random "
             "numbers), so the difference is the policy's effect, not sampling noise."),
        Table.formatted(scenario_table(tables))]
    if tables.scenarios is not None:
        described = dict(tables.scenarios.select("scenario", "description").iter_rows())
        items = tuple(f"**{s} — {titles.get(s, '')}**: {described[s]}"
                      for s in order if described.get(s))
        if items:
            blocks.append(Bullets(items))
    return [Section("Forecasts", (Text(FORECAST_MEANING), Text(ARE_AND_ARE_NOT), chart)),
            Section("Scenarios", tuple(blocks), level=3)]


def policy_table(equilibrium: pl.DataFrame, sector_titles: dict[str, str]) -> pl.DataFrame:
    """P0's automation shares at the Nash and cooperative thresholds, the wedge and the
    Pigouvian rate per sector; P1's Nash share and its change where P1 was run."""
    p0 = equilibrium.filter(pl.col("scenario") == REFERENCE)
    p1 = dict(equilibrium.filter(pl.col("scenario") == "P1")
              .select("naics_sector", "alpha_nash").iter_rows())
    rows = []
    for r in p0.sort("wedge", descending=True).iter_rows(named=True):
        row = {"sector": r["naics_sector"], "title": sector_titles.get(r["naics_sector"], ""),
               "firms (N)": f"{r['n_firms']:,.0f}", "automated, Nash": share(r["alpha_nash"]),
               "automated, cooperative": share(r["alpha_coop"]),
               "wedge (pp)": f"{100 * r['wedge']:.2f}",
               "Pigouvian rate": share(r["pigouvian_tax"])}
        if p1:
            after = p1.get(r["naics_sector"])
            row["automated, Nash under P1"] = share(after)
            row["P1 change (pp)"] = ("" if after is None
                                     else f"{100 * (after - r['alpha_nash']):+.2f}")
        rows.append(row)
    return pl.DataFrame(rows)


def _policy_section(tables: ForecastTables) -> list[Section]:
    eq = tables.equilibrium
    assert eq is not None
    if eq.filter(pl.col("scenario") == REFERENCE).height == 0:
        return []
    horizon = eq["horizon_year"].max() if "horizon_year" in eq.columns else None
    return [Section("Policy comparison by sector", (
        Text("Share of each sector's exposed wage bill automated"
             + (f" by {horizon}" if horizon else "") + " when firms compete (Nash threshold) "
             "and when they would act together (cooperative threshold), the gap between them "
             "(the over-automation wedge), and the automation tax that closes it "
             f"(Pigouvian rate), under {REFERENCE}; the last columns show the Nash share "
             "under P1, the Pigouvian tax, where that scenario was run. Largest wedge first."),
        Table.formatted(policy_table(eq, tables.sector_titles))))]


def _sensitivity_section(tables: ForecastTables) -> list[Section]:
    sens = tables.sensitivity
    assert sens is not None
    if sens.height == 0:
        return []
    def label(r: dict) -> str:
        def g(v: float | None) -> str:
            return "?" if v is None else f"{v:.3g}"
        return (f"{r['description'] or r['parameter']} [{r['parameter']}]: "
                f"p10 {g(r['low_value'])} / p90 {g(r['high_value'])}")

    labelled = sens.with_columns(pl.struct("parameter", "description", "low_value",
                                           "high_value").map_elements(
        label, return_dtype=pl.String).alias("label"))
    year = sens["year"].max() or "horizon"  # a year of 0 would read as a date
    scenario = sens["scenario"][0]
    chart = Chart.render(charts.tornado_chart(
        labelled, f"Sensitivity of {scenario}'s {year} median displacement"),
        "sensitivity.svg", "sensitivity")
    table = labelled.with_columns((pl.col("displaced_high") - pl.col("displaced_low")).abs()
                                  .alias("swing")).sort("swing", descending=True).select(
        "parameter", "description", "centre_value", "low_value", "high_value",
        *(pl.col(c).map_elements(persons, return_dtype=pl.String) for c in (
            "displaced_low", "displaced_centre", "displaced_high", "swing")))
    return [Section("Sensitivity", (
        Text(f"{scenario}'s {year} median displacement with one uncertain parameter at its "
             "p10 or its p90 and every other at its centre, with common random numbers; the "
             "widest swing first."), chart, Table.formatted(table)))]


def labour_table(labour: pl.DataFrame, order: list[str], titles: dict[str, str]
                 ) -> pl.DataFrame:
    """National measures per scenario: 'p50 (p10 to p90)' in 2030 and 2035."""
    national = labour.filter(pl.col("scope") == "national")
    measures = [m for m in LABOUR_MEASURES if m in set(national["measure"])]
    measures += sorted(set(national["measure"]) - set(measures))
    rows = []
    for m in measures:
        label, kind = LABOUR_MEASURES.get(m, (m, "number"))
        if m == "entry_level_wc_displaced_share":
            label += " *"
        for s in order:
            cells = {r["year"]: r for r in national.filter(
                (pl.col("measure") == m) & (pl.col("scenario") == s)).iter_rows(named=True)}
            if not cells:
                continue
            row = {"measure": label, "scenario": charts.panel_label(s, titles.get(s))}
            for y in YEARS:
                c = cells.get(y)
                row[str(y)] = interval(FORMATS[kind], c["p10"], c["p50"], c["p90"]) if c else ""
            rows.append(row)
    return pl.DataFrame(rows)


def _labour_section(tables: ForecastTables) -> list[Section]:
    labour, order, titles = tables.labour, tables.order(), tables.titles()
    assert labour is not None
    blocks: list[Block] = [
        Text("National outputs of the stock-flow model (MODEL_SPEC §7.5): median with the 80% "
             "interval in brackets. Displaced workers are cumulative; the unemployed are the "
             "AI-displaced who have not found work yet (year average); income and demand are "
             "dollars per year."),
        Table.formatted(labour_table(labour, order, titles)),
        Text(f"\\* {ENTRY_LEVEL_DEFINITION[0].upper()}{ENTRY_LEVEL_DEFINITION[1:]}.")]
    unemployed = labour.filter((pl.col("measure") == "unemployed")
                               & (pl.col("scope") == "national"))
    if unemployed.height:
        blocks.append(Chart.render(charts.fan_chart(
            unemployed.select("scenario", "year", "p10", "p50", "p90"),
            [s for s in order if s in set(unemployed["scenario"])], titles,
            "unemployed (millions)", "AI-displaced unemployed, year average"),
            "unemployed.svg", "AI-displaced unemployed"))
    return [Section("Labour market", tuple(blocks))]


def anchors_table(equivalents: pl.DataFrame, order: list[str]) -> pl.DataFrame:
    """Each published anchor beside the model's equivalent under each scenario."""
    rows = []
    for a in ANCHORS:
        label, unit = EQUIVALENTS[a.model_measure]
        fmt = FORMATS["percent" if unit == "percent" else "share"]
        for year in a.model_years:
            row = {"reference row (never used in a computation)": f"{a.source}: {a.claim}",
                   "published": a.figure, "model equivalent": f"{label}, {year}"}
            for s in order:
                hit = equivalents.filter((pl.col("scenario") == s) & (pl.col("year") == year)
                                         & (pl.col("measure") == a.model_measure))
                row[s] = (interval(fmt, *hit.select("p10", "p50", "p90").row(0))
                          if hit.height else "not computed")
            rows.append(row)
    return pl.DataFrame(rows)


def _anchors_section(tables: ForecastTables) -> list[Section]:
    equivalents = model_equivalents(tables.totals, tables.labour, tables.macro)
    if equivalents.height == 0:
        return []
    order = [s for s in tables.order() if s in set(equivalents["scenario"])]
    titles = tables.titles()
    named = ", ".join(f"{s} = {titles[s]}" for s in order if titles.get(s))
    return [Section("Published anchors beside the model", (
        Text("Reference rows from published work (MODEL_SPEC §7.9), shown for orientation "
             "only: they are never used to compute or calibrate anything here. Beside each is "
             "the model's nearest equivalent under each scenario, median with the 80% "
             "interval. The definitions differ (e.g. displacement against the BLS baseline "
             "versus jobs that could disappear), so read them as orders of magnitude. Here "
             f"{ENTRY_LEVEL_DEFINITION}." + (f" Scenarios: {named}." if named else "")),
        Table.formatted(anchors_table(equivalents, order))))]


def forecast_sections(tables: ForecastTables) -> list[Section]:
    """The report's forecast sections, in reading order, for the tables present."""
    sections: list[Section] = []
    if tables.totals is not None and tables.totals.height:
        sections += _scenarios_section(tables)
    if tables.equilibrium is not None and tables.equilibrium.height:
        sections += _policy_section(tables)
    if tables.sensitivity is not None:
        sections += _sensitivity_section(tables)
    if tables.labour is not None and tables.labour.height:
        sections += _labour_section(tables)
    sections += _anchors_section(tables)
    return sections

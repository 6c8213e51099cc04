"""The run report's section on the agent-based simulation (MODEL_SPEC §4): who is displaced,
for how long, and what they lose, by wage quintile, beside the aggregate forecast."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import duckdb
import polars as pl

from exposure.reporting.document import Block, Chart, Section, Table, Text
from exposure.reporting.markdown import persons, usd

STATUS = {"still_unemployed": "still unemployed at the horizon",
          "reemployed": "back in work"}


@dataclass(frozen=True)
class AbmTables:
    """The run's simulation tables; None where the run has none."""

    duration: pl.DataFrame | None
    earnings: pl.DataFrame | None
    comparison: pl.DataFrame | None

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, present: set[str]) -> AbmTables:
        def read(table: str) -> pl.DataFrame | None:
            view = f"latest_{table}"
            return con.execute(f'SELECT * FROM "{view}"').pl() if view in present else None

        return cls(read("abm_duration"), read("abm_earnings"), read("abm_comparison"))


def quintile_chart(duration: pl.DataFrame) -> alt.Chart:
    """Stacked bars per wage quintile: the displaced still unemployed and those back in work."""
    long = duration.unpivot(index="quintile", on=list(STATUS), variable_name="status",
                            value_name="workers").with_columns(
        pl.col("status").replace_strict(STATUS))
    return alt.Chart(alt.Data(values=long.to_dicts())).mark_bar().encode(
        x=alt.X("quintile:N", title="wage quintile (q1 lowest)"),
        y=alt.Y("workers:Q", title="AI-displaced workers", stack="zero"),
        color=alt.Color("status:N", title=None),
    ).properties(width=360, title="Unemployment of the AI-displaced by wage quintile")


def abm_section(tables: AbmTables) -> list[Section]:
    """The section (none when the run did not simulate)."""
    if tables.duration is None or tables.duration.height == 0:
        return []
    duration = tables.duration.sort("quintile")
    scenario = duration["scenario"][0]
    chart = Chart.render(quintile_chart(duration), "abm_quintiles.svg",
                         "unemployment by wage quintile")
    table = duration.select(
        "quintile",
        pl.col("displaced").map_elements(persons, return_dtype=pl.String),
        pl.col("still_unemployed").map_elements(persons, return_dtype=pl.String)
        .alias("still unemployed"),
        pl.col("mean_months_unemployed").map_elements(lambda m: f"{m:.1f}",
                                                      return_dtype=pl.String)
        .alias("mean months out of work"))
    if tables.earnings is not None:
        lost = tables.earnings.select(
            "quintile", pl.col("loss_per_displaced").map_elements(
                usd, return_dtype=pl.String).alias("earnings lost per displaced"))
        table = table.join(lost, on="quintile", how="left")
    blocks: list[Block] = [
        Text(f"Scenario {scenario}, simulated worker by worker on a sample of the OEWS May "
             "2024 workforce, scaled back to it (MODEL_SPEC §4; `abm_*` tables). Counts are of "
             "jobs cut, which the simulation does only when most of a job's time is "
             "automated; the forecast above counts θ_sub of every automated hour."),
        chart, Table.formatted(table)]
    comparison = tables.comparison
    if comparison is not None and comparison.height:
        last = comparison.sort("year").row(-1, named=True)
        where = "inside" if last["inside_80"] else "outside"
        blocks.append(Text(
            f"By {last['year']} the simulation displaces {persons(last['abm_displaced'])}, "
            f"{where} the forecast's 80% interval ({persons(last['forecast_p10'])} to "
            f"{persons(last['forecast_p90'])})."))
    return [Section("Who is displaced (agent-based simulation)", tuple(blocks))]


__all__ = ["AbmTables", "abm_section", "quintile_chart"]

"""BLS CPS Table 42, union affiliation by occupation and industry, 2015 and 2016 (SOURCES.md
caveat C10), and `union_density`: the union representation rate of each SOC 2018 major group,
the organised share G_o of the collective-bargaining scenario (MODEL_SPEC §7.6 P7) and of the
`gatekeeping` task feature.

The sheet has a three-line title, a year row (row 4: 2015 in column B, 2016 in column G), a
measure row (row 5) and a sub-measure row (row 6); data from row 8. Per year five columns:
total employed, members of unions (thousands, percent of employed), represented by unions
(thousands, percent). Labels carry footnote markers ('Information(3)'), which are removed.
Rows below 'OCCUPATION' are CPS occupation groups, below 'INDUSTRY' CPS industry groups.
"""

from __future__ import annotations

import re
from typing import ClassVar

import pandera.polars as pa
import polars as pl

from exposure.errors import InputError
from exposure.sources.base import (
    REDOWNLOAD_HINT,
    ROW,
    IngestContext,
    read_grid,
    to_number,
    validate,
)

FILE = "bls_union/cpsaat42_2015-2016.xlsx"
YEAR_ROW, MEASURE_ROW, FIRST_DATA_ROW = 4, 5, 8
MEASURES = ("employed", "members", "members_pct", "represented", "represented_pct")
# Words the measure row (row 5) must hold above each year's first, second and fourth column.
MEASURE_WORDS = {0: "Total employed", 1: "Members", 3: "Represented"}
SECTIONS = {"OCCUPATION": "occupation", "INDUSTRY": "industry"}
MARKER = re.compile(r"\(\d+\)")
SOURCE = "BLS CPS Table 42 (union affiliation by occupation), annual average"

# CPS occupation group (2010 Census occupation classification, built on SOC 2010 major
# groups) -> the SOC 2018 major group it covers. The finest CPS groups of Table 42 are the
# 22 SOC major groups one to one (SOC 2018 kept the 2010 major groups); the broader CPS
# rows ('Service occupations', 'Sales and office occupations', ...) sum several of them and
# are not used. Military (55) has no CPS wage-and-salary row, so no rate.
SOC_MAJOR: dict[str, str] = {
    "Management occupations": "11",
    "Business and financial operations occupations": "13",
    "Computer and mathematical occupations": "15",
    "Architecture and engineering occupations": "17",
    "Life, physical, and social science occupations": "19",
    "Community and social service occupations": "21",
    "Legal occupations": "23",
    "Education, training, and library occupations": "25",
    "Arts, design, entertainment, sports, and media occupations": "27",
    "Healthcare practitioner and technical occupations": "29",
    "Healthcare support occupations": "31",
    "Protective service occupations": "33",
    "Food preparation and serving related occupations": "35",
    "Building and grounds cleaning and maintenance occupations": "37",
    "Personal care and service occupations": "39",
    "Sales and related occupations": "41",
    "Office and administrative support occupations": "43",
    "Farming, fishing, and forestry occupations": "45",
    "Construction and extraction occupations": "47",
    "Installation, maintenance, and repair occupations": "49",
    "Production occupations": "51",
    "Transportation and material moving occupations": "53",
}
PERCENT = {"min_value": 0, "max_value": 100}


class UnionAffiliation(pa.DataFrameModel):
    """`union_affiliation`: one row per year and CPS group; counts in thousands."""

    year: pl.Int16 = pa.Field(ge=1983)
    section: str = pa.Field(isin=["total", *SECTIONS.values()])
    cps_group: str
    employed: pl.Float64 = pa.Field(gt=0)
    members: pl.Float64 = pa.Field(ge=0)
    members_pct: pl.Float64 = pa.Field(in_range=PERCENT)
    represented: pl.Float64 = pa.Field(ge=0)
    represented_pct: pl.Float64 = pa.Field(in_range=PERCENT)

    class Config:
        unique: ClassVar[list[str]] = ["year", "section", "cps_group"]


def _header(grid: pl.DataFrame, names: list[str]) -> dict[int, list[str]]:
    """Year -> its five columns, from the year row; checks the measure row above them."""
    years = grid.filter(pl.col(ROW) == YEAR_ROW).row(0, named=True)
    measures = grid.filter(pl.col(ROW) == MEASURE_ROW).row(0, named=True)
    blocks = {}
    for i, column in enumerate(names):
        text = str(years[column] or "").strip()
        if re.fullmatch(r"\d{4}", text):
            block = names[i:i + len(MEASURES)]
            for offset, words in MEASURE_WORDS.items():
                found = " ".join(str(measures[block[offset]] or "").split()) if offset < len(
                    block) else ""
                if not found.startswith(words):
                    raise InputError(FILE, f"the header above the {text} figures is not "
                                     f"'{words}'", REDOWNLOAD_HINT, row=MEASURE_ROW,
                                     column=f"{text} {words}")
            blocks[int(text)] = block
    if not blocks:
        raise InputError(FILE, "no year (e.g. 2016) in the header row", REDOWNLOAD_HINT,
                         row=YEAR_ROW)
    return blocks


def read_union(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """`union_affiliation` for every year of the table (C10)."""
    path = ctx.locate(FILE)
    grid = read_grid(path, FILE)
    names = [c for c in grid.columns if c != ROW]
    blocks = _header(grid, names)
    label = (pl.col(names[0]).fill_null("").str.replace_all(MARKER.pattern, "")
             .str.strip_chars())
    body = grid.filter(pl.col(ROW) >= FIRST_DATA_ROW).with_columns(label.alias("cps_group"))
    body = body.with_columns(
        pl.when(pl.col("cps_group").is_in(list(SECTIONS)))
        .then(pl.col("cps_group").replace_strict(SECTIONS, default=None))
        .otherwise(None).forward_fill().fill_null("total").alias("section"))
    body = body.filter(pl.col(names[1]).is_not_null() & (pl.col("cps_group") != ""))
    frames = []
    for year, block in blocks.items():
        frame = body.select(ROW, pl.lit(year, pl.Int16).alias("year"), "section", "cps_group",
                            *[pl.col(c).alias(m) for c, m in zip(block, MEASURES, strict=True)])
        for measure in MEASURES:
            try:
                frame = to_number(frame, measure, FILE)
            except InputError as exc:
                raise InputError(FILE, exc.problem, exc.hint, row=exc.row,
                                 column=f"{year} {measure}") from None
        frames.append(frame)
    table = validate(pl.concat(frames), UnionAffiliation, FILE, ctx)
    ctx.record("union_affiliation", path, f"{SOURCE}s {min(blocks)}-{max(blocks)}",
               table.height)
    return {"union_affiliation": table}


def union_density(affiliation: pl.DataFrame, year: int | None = None) -> pl.DataFrame:
    """Union representation and membership rates (percent) per SOC 2018 major group for
    `year` (default: the newest in the table): soc_major, cps_group, represented_pct,
    members_pct, year, source. A CPS group of `SOC_MAJOR` missing from the table is an
    error, since every major group but military must get a rate."""
    year = year or int(affiliation.get_column("year").max())
    rows = affiliation.filter((pl.col("year") == year) & (pl.col("section") == "occupation")
                              & pl.col("cps_group").is_in(list(SOC_MAJOR)))
    missing = sorted(set(SOC_MAJOR) - set(rows.get_column("cps_group").to_list()))
    if missing:
        raise InputError(FILE, f"the occupation group '{missing[0]}' has no {year} row",
                         REDOWNLOAD_HINT, column="Occupation and industry")
    return rows.select(
        pl.col("cps_group").replace_strict(SOC_MAJOR).alias("soc_major"), "cps_group",
        "represented_pct", "members_pct", pl.col("year").cast(pl.Int16),
        pl.lit(f"{SOURCE} {year}").alias("source"),
    ).sort("soc_major")

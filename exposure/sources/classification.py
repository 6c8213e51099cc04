"""Reference classifications: the SOC 2018 hierarchy and the NAICS 2022 sectors.

`soc_structure` lists every SOC 2018 group. The BLS workbook puts each code in the column of
its level (A major, B minor, C broad, D detailed) and the title in column E, which has no
header; the level is therefore read from the column, and checked against the code's shape.

`naics_sector` lists the 20 NAICS sectors and adds OEWS's sector `99` (federal, state and
local government, excluding state and local schools and hospitals and the Postal Service),
because the OEWS sector files report government under that code instead of NAICS 92.
"""

from __future__ import annotations

from typing import ClassVar

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from exposure.codes import SOC_MAJOR_PATTERN, SOC_PATTERN, soc_major
from exposure.errors import InputError
from exposure.sources.base import REDOWNLOAD_HINT, ROW, IngestContext, read_sheet, validate

SOC_FILE = "soc_naics/soc_structure_2018.xlsx"
SOC_HEADER_ROW = 8  # seven title and blank rows come first
LEVELS = {  # header of the code column -> level
    "Major Group": "major",
    "Minor Group": "minor",
    "Broad Group": "broad",
    "Detailed Occupation": "detailed",
}
# the shape of each level's code; SOC 2018 minor groups 15-1200, 31-1100, 51-5100 end in 00
SHAPES = {
    "major": SOC_MAJOR_PATTERN,
    "minor": r"^\d{2}-\d{2}00$",
    "broad": r"^\d{2}-\d{3}0$",
    "detailed": r"^\d{2}-\d{3}[1-9]$",
}

NAICS_FILE = "soc_naics/2-6 digit_2022_Codes.xlsx"
NAICS_CODE, NAICS_TITLE = "2022 NAICS US   Code", "2022 NAICS US Title"  # sic: three blanks
SECTOR = r"^\d{2}(-\d{2})?$"  # '11', or a range such as '31-33'
OEWS_GOVERNMENT = {
    "naics_sector": "99",
    "title": "Federal, State, and Local Government (OEWS designation)",
    "note": "BLS OEWS grouping, not a NAICS sector: federal, state and local government "
    "excluding state and local government schools and hospitals and the U.S. Postal Service",
}


class SocStructureModel(pa.DataFrameModel):
    """One SOC 2018 group at one of four levels."""

    soc_code: str = pa.Field(str_matches=SOC_PATTERN)
    level: str = pa.Field(isin=list(LEVELS.values()))
    title: str
    major_code: str = pa.Field(str_matches=SHAPES["major"])

    class Config:
        unique: ClassVar[list[str]] = ["soc_code"]

    @pa.dataframe_check
    def code_fits_level(cls, data: PolarsData) -> pl.LazyFrame:
        """A code in the wrong column would put it at the wrong level of the hierarchy."""
        fits = pl.lit(False)
        for level, shape in SHAPES.items():
            fits = fits | ((pl.col("level") == level) & pl.col("soc_code").str.contains(shape))
        return data.lazyframe.select(fits)


class NaicsSectorModel(pa.DataFrameModel):
    """One NAICS 2022 sector, or OEWS's government designation `99`."""

    naics_sector: str = pa.Field(str_matches=SECTOR)
    title: str
    note: str = pa.Field(nullable=True)

    class Config:
        unique: ClassVar[list[str]] = ["naics_sector"]


def _normalise_soc(raw: pl.DataFrame, file: str) -> pl.DataFrame:
    """One code per row -> soc_code, level, title, major_code; `_row` kept."""
    extra = [c for c in raw.columns if c not in LEVELS and c != ROW]
    if not extra:
        raise InputError(file, "the title column (E) is missing", REDOWNLOAD_HINT,
                         row=SOC_HEADER_ROW)
    filled = pl.sum_horizontal(pl.col(*LEVELS).is_not_null())
    crowded = raw.filter(filled != 1)
    if crowded.height:
        raise InputError(file, "the row must hold exactly one code in columns A-D",
                         f"correct the row or {REDOWNLOAD_HINT}", row=crowded.item(0, ROW))
    level = pl.coalesce(pl.when(pl.col(c).is_not_null()).then(pl.lit(v)) for c, v in LEVELS.items())
    code = pl.coalesce(*LEVELS).str.strip_chars()
    return raw.select(
        ROW,
        code.alias("soc_code"),
        level.alias("level"),
        pl.col(extra[0]).str.strip_chars().alias("title"),
        soc_major(code).alias("major_code"),
    )


def _normalise_naics(raw: pl.DataFrame) -> pl.DataFrame:
    """Two-digit sectors with any trailing 'T' footnote marker dropped, plus OEWS's 99."""
    sectors = raw.select(
        ROW,
        pl.col(NAICS_CODE).str.strip_chars().alias("naics_sector"),
        pl.col(NAICS_TITLE).str.strip_chars().str.replace(r"([a-z)])T$", "$1").alias("title"),
        pl.lit(None, pl.String).alias("note"),
    ).filter(pl.col("naics_sector").str.contains(SECTOR))
    extra = pl.DataFrame({ROW: [None], **{k: [v] for k, v in OEWS_GOVERNMENT.items()}},
                         schema=sectors.schema)
    return pl.concat([sectors, extra])


def read_classification(ctx: IngestContext) -> dict[str, pl.DataFrame]:
    """The `soc_structure` and `naics_sector` tables."""
    soc_path = ctx.locate(SOC_FILE)
    soc_file = ctx.relative(soc_path)
    raw = read_sheet(soc_path, soc_file, list(LEVELS), header_row=SOC_HEADER_ROW)
    soc = validate(_normalise_soc(raw, soc_file), SocStructureModel, soc_file, ctx)
    ctx.record("soc_structure", soc_path, "SOC 2018", soc.height)

    naics_path = ctx.locate(NAICS_FILE)
    naics_file = ctx.relative(naics_path)
    raw = read_sheet(naics_path, naics_file, [NAICS_CODE, NAICS_TITLE])
    naics = validate(_normalise_naics(raw), NaicsSectorModel, naics_file, ctx)
    ctx.record("naics_sector", naics_path, "NAICS 2022", naics.height)
    return {"soc_structure": soc, "naics_sector": naics}

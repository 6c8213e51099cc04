"""The fewest rows each raw file may give each table it feeds.

A header-only or badly truncated export can pass every column and value check (there is
little or nothing left to check) and would publish near-empty tables. So:

- a delimited file or worksheet with a header and no data rows is refused as it is read
  (`require_data_rows`, called by the readers of `exposure.sources.base`);
- every (table, file) pair that the ingest records in `source_file` declares below the
  fewest rows it may contribute, well below what every release has (the mirror's count is
  in the comment), and `IngestContext.record` refuses fewer (`check_rows`). The check comes
  after the readers' own checks, so a file cut in the middle of a line is still reported at
  that line, and a file cut at a line boundary is caught here.

Keys are (table, glob on the path relative to the raw directory); O*NET's globs cover both
editions (.xlsx and .txt).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from exposure.errors import InputError

REDOWNLOAD = "download the official file again (or run `exposure fetch`) and rerun"

MIN_ROWS: dict[tuple[str, str], int] = {
    # O*NET 29.2
    ("occupation", "onet_29_2/Occupation Data.*"): 800,  # 1,016
    ("occupation", "onet_29_2/Job Zones.*"): 700,  # 923
    ("task", "onet_29_2/Task Statements.*"): 12_000,  # 18,796
    ("work_activity", "onet_29_2/IWA Reference.*"): 200,  # 332
    ("work_activity", "onet_29_2/DWA Reference.*"): 1_500,  # 2,087
    ("task_dwa", "onet_29_2/Tasks to DWAs.*"): 15_000,  # 23,233
    ("technology_skill", "onet_29_2/Technology Skills.*"): 20_000,  # 32,627
    ("content_model", "onet_29_2/Content Model Reference.*"): 400,  # 627
    ("occupation_descriptor", "onet_29_2/Skills.*"): 40_000,  # 61,530
    ("occupation_descriptor", "onet_29_2/Knowledge.*"): 40_000,  # 58,014
    ("occupation_descriptor", "onet_29_2/Education, Training, and Experience.*"):
        20_000,  # 36,209
    # Optional O*NET files: the mirror lacks them, so there is no count to go by; a file
    # with a header and no rows is still refused as it is read.
    ("occupation_descriptor", "onet_29_2/Work Activities.*"): 1,
    ("occupation_descriptor", "onet_29_2/Work Context.*"): 1,
    ("occupation_descriptor", "onet_29_2/Abilities.*"): 1,
    ("task_rating", "onet_29_2/Task Ratings.*"): 1,
    # GPTs are GPTs (pinned commit)
    ("task_label", "gpts_are_gpts/full_labelset.tsv"): 12_000,  # 19,265
    ("task_label", "gpts_are_gpts/automation_gpt4_human_labels.tsv"): 12_000,  # 19,265
    ("occupation_label", "gpts_are_gpts/occ_level.csv"): 700,  # 923
    ("occupation_context", "gpts_are_gpts/occupations_onet_work_contexts.csv"): 600,  # 873
    ("occupation_context", "gpts_are_gpts/occupations_onet_basic_skills.csv"): 600,  # 873
    ("occupation_context", "gpts_are_gpts/full_labelset.tsv"): 600,  # 873
    ("crosswalk", "gpts_are_gpts/nem-onet-to-soc-crosswalk.xlsx"): 700,  # 997
    # BLS
    ("employment", "bls_oews/national_M*_dl.xlsx"): 1_000,  # 1,395-1,396
    ("employment", "bls_oews/natsector_M*_dl.xlsx"): 10_000,  # 15,889-16,324
    ("employment", "bls_oews_state/oews-2025.sqlite.gz"): 20_000,  # 37,408
    ("projection", "bls_ep/occupation*.xlsx"): 800,  # 1,113
    ("ce_income_quintile", "bls_cex/cu-income-quintiles-before-taxes-*.xlsx"):
        6,  # 6: all consumer units and five quintiles, by construction
    ("union_affiliation", "bls_union/cpsaat42_*.xlsx"): 80,  # 142
    # Census, classifications, BEA
    ("concentration", "census_concentration/EC*SIZECONCEN.dat"): 1_000,  # 1,866-1,935
    ("soc_structure", "soc_naics/soc_structure_2018.xlsx"): 1_000,  # 1,447
    ("naics_sector", "soc_naics/2-6 digit_2022_Codes.xlsx"): 15,  # 21 sectors
    ("soc_2010_crosswalk", "soc_naics/soc_2010_to_soc_2018_crosswalk.csv"): 700,  # 900
    ("pce_bridge", "bea_pce/PCEBridge_Summary.xlsx"): 150,  # 297
    ("bea_naics", "bea_pce/PCEBridge_Summary.xlsx"): 200,  # 406
    ("io_total_requirements", "bea_io/BEA - Commodity-by-Commodity Total Requirements*"):
        3_000,  # 5,329
    ("io_use", "bea_io/BEA - The Use of Commodities by Industry*"): 4_000,  # 7,636
    ("io_import", "bea_io/BEA - Import Matrix*"): 4_000,  # 6,789
}


def minimum_rows(table: str, file: str) -> int | None:
    """The declared minimum of `file` (relative path) for `table`; None if undeclared."""
    for (name, pattern), minimum in MIN_ROWS.items():
        if name == table and fnmatchcase(file, pattern):
            return minimum
    return None


def check_rows(table: str, file: str, rows: int | None) -> None:
    """An `InputError` naming `file` when it gives `table` fewer rows than declared."""
    minimum = minimum_rows(table, file) if rows is not None else None
    if minimum is not None and rows is not None and rows < minimum:
        raise InputError(
            file,
            f"the file gives {rows:,} row(s) to the table {table}, fewer than the "
            f"{minimum:,} every release of this source has, so it is truncated or an "
            "incomplete export",
            REDOWNLOAD,
        )


def require_data_rows(file: str, rows: int) -> None:
    """An `InputError` naming `file` when it has a header and no data rows."""
    if rows == 0:
        raise InputError(file, "the file has a header but no data rows", REDOWNLOAD)

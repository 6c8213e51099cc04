"""Empty and short raw files are refused by name (exit 2) and nothing is published."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from exposure import warehouse
from exposure.errors import InputError
from exposure.settings import Settings
from exposure.sources.base import IngestContext
from exposure.sources.gpts import read_gpts
from exposure.sources.minimums import minimum_rows
from tests.cli_runs import assert_one_sentence, env_for, exposure, warm_cache
from tests.helpers import raw_copy

OCC_LEVEL = "gpts_are_gpts/occ_level.csv"
TECHNOLOGY_SKILLS = "onet_29_2/Technology Skills.xlsx"


def header_only_csv(raw_dir: Path) -> Callable[[Path], None]:
    header = (raw_dir / OCC_LEVEL).read_text(encoding="utf-8").splitlines(keepends=True)[0]
    return lambda out: out.write_text(header, encoding="utf-8")


def header_only_xlsx(raw_dir: Path) -> Callable[[Path], None]:
    columns = pl.read_excel(raw_dir / TECHNOLOGY_SKILLS, read_options={"n_rows": 1}).columns
    return lambda out: pl.DataFrame(schema=dict.fromkeys(columns, pl.String)).write_excel(out)


HEADER_ONLY = {OCC_LEVEL: (header_only_csv, "read_gpts"),
               TECHNOLOGY_SKILLS: (header_only_xlsx, "read_onet")}


@pytest.mark.parametrize("file", list(HEADER_ONLY))
def test_a_header_only_file_is_refused_by_name(file: str, ingested: Settings, raw_dir: Path,
                                               tmp_path: Path) -> None:
    make, stage = HEADER_ONLY[file]
    raw = raw_copy(raw_dir, tmp_path / "raw", {file: make(raw_dir)})
    published = tmp_path / "exposure.duckdb"
    published.write_bytes(ingested.warehouse.read_bytes())
    before = published.read_bytes()
    reports = tmp_path / "reports"
    done = exposure("ingest", "--raw-dir", str(raw), "--warehouse", str(published),
                    "--reports-dir", str(reports),
                    env=env_for(warm_cache(ingested, tmp_path / "cache")))
    message = assert_one_sentence(done, 2)
    assert message.startswith(f"error: {file}: the file has a header but no data rows; ")
    assert published.read_bytes() == before, "nothing is published"
    log = pl.read_ndjson(reports / "runs.jsonl")
    assert log["status"].to_list() == ["failed"] and log["failed_stage"].to_list() == [stage]


def test_a_file_cut_at_a_line_boundary_is_refused(raw_dir: Path, tmp_path: Path) -> None:
    """Every line is well formed, so only the declared minimum can tell."""
    lines = (raw_dir / OCC_LEVEL).read_text(encoding="utf-8").splitlines(keepends=True)

    def first_100(out: Path) -> None:
        out.write_text("".join(lines[:101]), encoding="utf-8")

    root = raw_copy(raw_dir, tmp_path / "raw", {OCC_LEVEL: first_100})
    with pytest.raises(InputError) as caught:
        read_gpts(IngestContext(root))
    assert caught.value.file == OCC_LEVEL
    assert str(caught.value).startswith(
        f"{OCC_LEVEL}: the file gives 100 row(s) to the table occupation_label, fewer than "
        "the 700 every release of this source has")


def test_every_file_the_ingest_reads_declares_a_minimum_below_its_rows(
        ingested: Settings) -> None:
    files = warehouse.read_frame(
        ingested.warehouse, "SELECT table_name, path, rows FROM source_file WHERE rows "
        "IS NOT NULL")
    assert files.height >= 40
    for table, path, rows in files.iter_rows():
        minimum = minimum_rows(table, path)
        assert minimum is not None, f"{path} declares no minimum for {table}"
        assert minimum <= rows, (path, table, rows, minimum)

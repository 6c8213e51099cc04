"""The SOC 2010 -> SOC 2018 crosswalk source (`soc_2010_crosswalk`)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from exposure.errors import InputError
from exposure.sources.base import IngestContext
from exposure.sources.soc_2010 import FILE, read_soc_2010


def test_the_crosswalk_keeps_every_published_pair(ctx: IngestContext) -> None:
    table = read_soc_2010(ctx)["soc_2010_crosswalk"]
    assert table.height == 900
    assert table.get_column("soc_2010_code").n_unique() == 840
    split = table.filter(pl.col("soc_2010_code") == "11-2031")
    assert split.get_column("soc_2018_code").to_list() == ["11-2032", "11-2033"]
    assert split.get_column("n_2018").to_list() == [2, 2]
    merged = table.filter(pl.col("soc_2018_code") == "13-2054")
    assert merged.get_column("n_2010").to_list() == [2, 2]  # 13-2051 and 13-2099
    assert ctx.files[-1].table_name == "soc_2010_crosswalk" and ctx.files[-1].rows == 900


def test_a_truncated_crosswalk_is_refused(tmp_path: Path, raw_dir: Path) -> None:
    target = tmp_path / FILE
    target.parent.mkdir(parents=True)
    lines = (raw_dir / FILE).read_text(encoding="utf-8").splitlines()[:101]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="100 row"):
        read_soc_2010(IngestContext(tmp_path))


def test_a_bad_code_names_its_row(tmp_path: Path, raw_dir: Path) -> None:
    target = tmp_path / FILE
    target.parent.mkdir(parents=True)
    lines = (raw_dir / FILE).read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace("11-", "11/", 1)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_soc_2010(IngestContext(tmp_path))
    assert info.value.row == 6 and info.value.column == "soc_2010_code"

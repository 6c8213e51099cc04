"""`exposure compare` on a real refreshed warehouse: SOC 2010 files through the BLS
crosswalk, column names in any case, unknown codes listed or refused (`--strict`), several
scorers at once, the warning for scorers fitted on the human labels, and the chart."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polars as pl
import pytest

from exposure.scorers.compare import compare, warehouse_inputs
from exposure.scorers.reference import read_reference
from exposure.settings import Settings
from tests.cli_runs import assert_one_sentence, env_for, exposure

# Real SOC 2010 codes: 11-2031 and 15-1132 were split in SOC 2018 (11-2032 + 11-2033,
# 15-1252 + 15-1253), 15-1111 and 15-1121 renumbered (15-1221, 15-1211); the others kept.
SOC_2010 = {"11-2031": 0.40, "15-1111": 0.70, "15-1121": 0.65, "15-1132": 0.80,
            "11-1011": 0.30, "29-1141": 0.20, "43-9022": 0.90, "47-2061": 0.05}
UNKNOWN = {"99-9999": 0.5, "15-12": 0.1}  # a SOC-shaped code no version has; a bad shape


@pytest.fixture(scope="module")
def index_2010(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SOC 2010 index with upper-case headers and the unknown codes last."""
    path = tmp_path_factory.mktemp("compare") / "index_2010.csv"
    codes = {**SOC_2010, **UNKNOWN}
    pl.DataFrame({"SOC_CODE_2010": list(codes), "Exposure_Index": list(codes.values()),
                  "Employment": [1] * len(codes)}).write_csv(path)
    return path


def _run(refreshed: Settings, *args: str) -> subprocess.CompletedProcess:
    return exposure("compare", "--warehouse", str(refreshed.warehouse), *args,
                    env=env_for(refreshed.cache_dir))


def test_soc_2010_codes_map_through_the_crosswalk(refreshed: Settings, index_2010: Path
                                                  ) -> None:
    ours, tables, _ = warehouse_inputs(refreshed.warehouse, ["rubric:gpt4:beta"])
    reference = read_reference(index_2010, column="exposure_index")  # any case
    assert reference.code_column == "SOC_CODE_2010" and reference.level == "soc"
    result = compare(reference, ours, tables)
    assert "detected as SOC 2010" in result.notes[0]
    assert "employment-weighted" in result.notes[1]
    matched = dict(result.matched.select("soc_code", "exposure").iter_rows())
    assert set(matched) == set(SOC_2010)

    per_2018 = ours.drop_nulls("exposure").group_by(
        pl.col("onet_soc_code").str.slice(0, 7).alias("soc")).agg(
        ((pl.col("exposure") * pl.col("employment")).sum() / pl.col("employment").sum())
        .alias("exposure"), pl.col("employment").sum())
    one = dict(per_2018.select("soc", "exposure").iter_rows())
    assert matched["15-1111"] == pytest.approx(one["15-1221"])  # renumbered
    split = per_2018.filter(pl.col("soc").is_in(["11-2032", "11-2033"]))
    weights = split.get_column("employment")
    assert weights.min() > 0 and one["11-2032"] != one["11-2033"]
    expected = (split.get_column("exposure") * weights).sum() / weights.sum()
    assert matched["11-2031"] == pytest.approx(expected)  # split: employment-weighted
    assert result.matched.filter(pl.col("soc_code") == "11-2031").item(0, "title") == \
        "Public Relations and Fundraising Managers"  # the SOC 2010 title


def test_compare_lists_unknown_codes_and_names_every_scorer(refreshed: Settings,
                                                            index_2010: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "agreement.csv"
    done = _run(refreshed, "--reference", str(index_2010), "--column", "EXPOSURE_INDEX",
                "--disagree", "3", "--disagreements", str(tmp_path / "apart.csv"),
                "-o", str(out))
    assert done.returncode == 0, done.stderr
    metrics = pl.read_csv(out)
    # every scorer of the run, by default
    assert metrics.get_column("scorer").to_list() == sorted(refreshed.scorer_list)
    assert (metrics.get_column("level") == "SOC 2010").all()
    assert (metrics.get_column("n_unknown") == 2).all()
    assert (metrics.get_column("n_matched") == len(SOC_2010)).all()
    notes = " ".join(done.stderr.split())
    assert "2 reference codes name no SOC 2010 occupation" in notes
    assert "99-9999 (row 10), 15-12 (row 11)" in notes
    # fitted on the human labels: warned; the GPT-4 labels: not
    assert "warning: learned was trained on the human GPTs-are-GPTs task labels" in notes
    assert "warning: rubric:gpt4:beta" not in notes
    trained = dict(metrics.select("scorer", "trained_on").iter_rows())
    assert trained["learned"] and trained["rubric:gpt4:beta"] is None
    apart = pl.read_csv(tmp_path / "apart.csv")
    assert apart.group_by("scorer", "direction").len().get_column("len").max() == 3
    assert apart.filter(pl.col("direction") == "scorer higher").get_column("gap").min() > 0
    charts = [tmp_path / f"agreement.scatter{s}" for s in (".png", ".svg", ".html")]
    assert all(p.stat().st_size > 1000 for p in charts)  # beside -o's file


def test_named_scorers_compare_in_the_order_given(refreshed: Settings, index_2010: Path,
                                                  tmp_path: Path) -> None:
    done = _run(refreshed, "--reference", str(index_2010), "--column", "exposure_index",
                "-s", "rubric:gpt4:beta", "-s", "learned", "--chart", str(tmp_path / "c"),
                "-f", "csv")
    assert done.returncode == 0, done.stderr
    metrics = pl.read_csv(done.stdout.encode())
    assert metrics.get_column("scorer").to_list() == ["rubric:gpt4:beta", "learned"]
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "c.svg").read_text(encoding="utf-8")


def test_strict_refuses_an_unknown_code_by_file_row_and_column(refreshed: Settings,
                                                               index_2010: Path) -> None:
    done = _run(refreshed, "--reference", str(index_2010), "--column", "exposure_index",
                "--strict")
    message = assert_one_sentence(done, 2)
    assert f"{index_2010}, row 10, column 'SOC_CODE_2010'" in message
    assert "'99-9999' is not a SOC 2010 code (2 such rows)" in message


def test_a_forced_version_reads_renumbered_codes_as_unknown(refreshed: Settings,
                                                            index_2010: Path) -> None:
    ours, tables, _ = warehouse_inputs(refreshed.warehouse, ["rubric:gpt4:beta"])
    reference = read_reference(index_2010, column="Exposure_Index")
    result = compare(reference, ours, tables, soc_version="2018")
    unknown = set(result.unknown.get_column("soc_code"))
    assert {"15-1111", "15-1121", "15-1132", "11-2031"} <= unknown  # gone in SOC 2018
    assert result.metrics.item(0, "level") == "SOC 2018 / BLS"

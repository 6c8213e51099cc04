"""Two runs sharing one stage cache (two warehouses, one EXPOSURE_CACHE_DIR) may save and
replace the same stage's results at once: a result that vanishes while it is read is a miss,
and a key saved twice keeps one copy."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from exposure.pipeline import Stage, StageCache

STAGE = Stage("demo", ("demo",), ("exposure.pipeline",))
TABLES = {"demo": pl.DataFrame({"x": [1, 2, 3]})}


def test_a_result_replaced_while_read_is_a_miss(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    cache.save(STAGE, "k1", TABLES, [])
    assert cache.load(STAGE, "k1")[0]["demo"].equals(TABLES["demo"])
    # the other run's save removes k1's files between our meta read and parquet read
    (tmp_path / "demo" / "k1" / "demo.parquet").unlink()
    assert cache.load(STAGE, "k1") is None


def test_the_same_key_saved_twice_keeps_one_result(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = StageCache(tmp_path), StageCache(tmp_path)
    first.save(STAGE, "k1", TABLES, [])
    (tmp_path / "demo" / "k1" / "marker").write_text("first")
    # a save that finds the key already there (another run got there first) keeps it
    original = Path.iterdir

    def keep_k1(self: Path):  # the other run's result appears between cleanup and rename
        return (p for p in original(self) if p.name != "k1")

    with monkeypatch.context() as patch:
        patch.setattr(Path, "iterdir", keep_k1)
        second.save(STAGE, "k1", TABLES, [])
    assert (tmp_path / "demo" / "k1" / "marker").read_text() == "first"
    assert [p.name for p in (tmp_path / "demo").iterdir()] == ["k1"]
    assert second.load(STAGE, "k1")[0]["demo"].equals(TABLES["demo"])

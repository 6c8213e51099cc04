"""One table registry: the README, the stage graph and the published warehouse agree with it."""

from __future__ import annotations

import re
from pathlib import Path

from exposure import warehouse
from exposure.refresh import refresh_stages
from exposure.settings import Settings
from exposure.tables import RUN, TABLES

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_bullets() -> dict[str, str]:
    section = README.read_text(encoding="utf-8").split("## The warehouse", 1)[1]
    section = section.split("\n## ", 1)[0]
    return dict(re.findall(r"^- `(\w+)`: (.*)$", section, flags=re.M))


def test_the_readme_has_one_bullet_per_table_that_starts_with_its_description() -> None:
    bullets = readme_bullets()
    assert set(bullets) == {t.name for t in TABLES}
    wrong = [t.name for t in TABLES if not bullets[t.name].startswith(t.about)]
    assert not wrong, f"README bullets that do not start with the registry's text: {wrong}"
    for t in TABLES:  # history tables say so by listing run_id first
        assert bullets[t.name].split("Columns: ", 1)[1].startswith("`run_id`") == t.history, \
            t.name


def test_every_stage_output_is_registered_under_that_stage() -> None:
    written = {table: stage.name for stage in refresh_stages() for table in stage.outputs
               if not table.startswith("_")}
    registered = {t.name: t.stage for t in TABLES if t.stage != RUN}
    assert written == registered


def test_the_warehouse_lists_derive_from_the_registry() -> None:
    assert set(warehouse.HISTORY_TABLES) == {t.name for t in TABLES if t.history}
    assert set(warehouse.RUN_RESULTS) == {t.name for t in TABLES if t.result}


def test_the_refreshed_warehouse_holds_exactly_the_registered_tables(refreshed: Settings
                                                                      ) -> None:
    con = warehouse.connect_read_only(refreshed.warehouse)
    try:
        present = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()}
        views = {r[0] for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal "
            "AND database_name = current_database()").fetchall()}
        assert present == {t.name for t in TABLES}
        assert views == {f"latest_{t.name}" for t in TABLES if t.result}
        for t in TABLES:
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                "AND database_name = current_database()", [t.name]).fetchall()]
            assert (columns[0] == "run_id") == t.history, t.name
            model = t.schema()
            if model is None:
                continue
            frame = con.execute(f'SELECT * FROM "{t.name}"').pl()
            keys = [k for k in ("run_id", "scorer") if k in frame.columns]
            for part in frame.partition_by(keys) if keys else [frame]:
                # a model describes one scorer's rows of one run
                model.validate(part.drop("run_id", strict=False), lazy=True)
    finally:
        con.close()

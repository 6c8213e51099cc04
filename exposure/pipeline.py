"""Stages and their cache: what makes a refresh recompute only what changed.

A stage is a pure function from named tables (and parameters) to named tables. It declares
everything it reads: its input tables, its output tables, its parameters, the raw files it
reads (glob patterns under the raw directory) and the project files it reads (scenario
TOMLs, `data/benchmarks.csv`, a calibration override, a researcher's scorer module), the
latter as a function of its parameters. The order of a run is derived from the tables
(`dependency_order`), and `upstream_of` gives a stage with its ancestors only.

Its cache key is a digest of
- its code (the source files of the modules it names),
- its parameters,
- the content (sha256) of every raw and project file it reads,
- the keys of the stages that produced its input tables.
Keys chain, so changing one file changes the key of the stages that read it and of every
stage downstream of their tables, and nothing else. Results are kept as Parquet files under
the cache folder, one folder per stage and key.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from exposure.errors import ConfigError
from exposure.sources.base import FileRecord, IngestContext

Tables = dict[str, pl.DataFrame]
COMPUTED, CACHED = "computed", "cached"


@dataclass(frozen=True)
class Stage:
    """One node of the refresh.

    A source stage has `reader` (reads raw files through an `IngestContext`) and `patterns`
    (globs under the raw directory that it may read); `renames` renames some of the tables
    it returns. A compute stage has `func`, called as `func(tables, **params)` with the
    tables named in `inputs`. Either may be given as `"package.module:function"`, imported
    only when the stage runs: keying every stage (a warm refresh) then imports no reader,
    no pandera schema and no model library.
    """

    name: str
    outputs: tuple[str, ...]
    code: tuple[str, ...]
    reader: Callable[[IngestContext], Tables] | str | None = None
    patterns: tuple[str, ...] = ()
    renames: tuple[tuple[str, str], ...] = ()  # (returned name, published name) pairs
    func: Callable[..., Tables] | str | None = None
    inputs: tuple[str, ...] = ()
    params: tuple[str, ...] = ()  # names of the run options passed to `func` as keywords
    unkeyed: tuple[str, ...] = ()  # params that cannot change the result (where it runs)
    retries: int = 0
    # The project files it reads given its params: {what the file is: path}.
    files: Callable[[Mapping[str, object]], Mapping[str, Path]] | None = None


@dataclass
class StageResult:
    stage: str
    key: str
    state: str
    seconds: float
    tables: Tables
    files: list[FileRecord] = field(default_factory=list)


def resolve(target: Callable[..., Tables] | str) -> Callable[..., Tables]:
    """A stage's function, importing its module when it is named as `"module:function"`."""
    if callable(target):
        return target
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def code_digest(modules: tuple[str, ...]) -> str:
    """Digest of the source files of `modules` (a package name covers all its files)."""
    sources = []
    for name in modules:
        # found, not imported: a warm refresh keys every stage before it runs any
        spec = importlib.util.find_spec(name)
        path = Path(spec.origin if spec and spec.origin else "")
        files = sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]
        sources.extend((f.name, hashlib.sha256(f.read_bytes()).hexdigest()) for f in files)
    return _digest(sources)


def matching_digests(ctx: IngestContext, patterns: tuple[str, ...]) -> dict[str, str]:
    """sha256 of every raw file matching `patterns`, by path relative to the raw directory."""
    found: dict[str, str] = {}
    for pattern in patterns:
        for path in sorted(ctx.raw_dir.glob(pattern)):
            if path.is_file():
                found[ctx.relative(path)] = ctx.sha256(path)
    return found


class StageCache:
    """Stage outputs as Parquet under `root/<stage>/<key>/`; `root=None` caches nothing.

    With `reuse=False` every stage recomputes (`--no-cache`) and the results still refresh
    the cache for the next run.
    """

    def __init__(self, root: Path | None, reuse: bool = True) -> None:
        self.root = Path(root) if root is not None else None
        self.reuse = reuse

    def _folder(self, stage: str, key: str) -> Path:
        assert self.root is not None
        return self.root / stage / key

    def load(self, stage: Stage, key: str) -> tuple[Tables, list[FileRecord]] | None:
        if self.root is None or not self.reuse:
            return None
        folder = self._folder(stage.name, key)
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text())
            tables = {name: pl.read_parquet(folder / f"{name}.parquet")
                      for name in meta["tables"]}
        except (OSError, ValueError, pl.exceptions.ComputeError):
            # another run on the same cache replaced this result while we read it: a miss
            return None
        return tables, [FileRecord(**f) for f in meta["files"]]

    def save(self, stage: Stage, key: str, tables: Tables, files: list[FileRecord]) -> None:
        if self.root is None:
            return
        folder = self._folder(stage.name, key)
        tmp = folder.with_name(f".{key}.{uuid.uuid4().hex[:8]}")
        tmp.mkdir(parents=True)
        for name, frame in tables.items():
            frame.write_parquet(tmp / f"{name}.parquet")
        meta = {"tables": list(tables), "files": [vars(f) for f in files]}
        (tmp / "meta.json").write_text(json.dumps(meta))
        # Older keys of this stage are dead weight: a stage keeps only its latest result.
        for old in folder.parent.iterdir():
            if old != tmp and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
        try:
            tmp.rename(folder)
        except OSError:
            # another run on the same cache saved this key first: same inputs, same result
            shutil.rmtree(tmp, ignore_errors=True)


def file_digests(stage: Stage, params: Mapping[str, object]) -> dict[str, str]:
    """sha256 of every project file ``stage`` declares for ``params``, by path."""
    if stage.files is None:
        return {}
    found: dict[str, str] = {}
    for what, path in stage.files(params).items():
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"the {what} {path} that stage '{stage.name}' reads does not exist",
                              "fix the setting or option that names it")
        found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def stage_key(stage: Stage, params: Mapping[str, object], input_keys: Mapping[str, str],
              files: Mapping[str, str]) -> str:
    return _digest(stage.name, code_digest(stage.code), dict(params), dict(input_keys), files)


def _key_of(stage: Stage, params: Mapping[str, object], input_keys: Mapping[str, str],
            ctx: IngestContext) -> str:
    files = matching_digests(ctx, stage.patterns) if stage.reader else {}
    files.update(file_digests(stage, params))
    keyed = {name: value for name, value in params.items() if name not in stage.unkeyed}
    return stage_key(stage, keyed, input_keys, files)


def stage_keys(stages: Iterable[Stage], ctx: IngestContext,
               options: Mapping[str, object]) -> dict[str, str]:
    """The key each stage would have in a run with `options`, without running any: what a
    refresh compares with the last run's keys to see that nothing changed."""
    keys: dict[str, str] = {}
    by_table: dict[str, str] = {}
    for stage in dependency_order(stages):
        params = {name: options[name] for name in stage.params}
        keys[stage.name] = _key_of(stage, params,
                                   {name: by_table[name] for name in stage.inputs}, ctx)
        by_table.update(dict.fromkeys(stage.outputs, keys[stage.name]))
    return keys


def run_stage(stage: Stage, upstream: Mapping[str, StageResult], params: Mapping[str, object],
              cache: StageCache, ctx: IngestContext) -> StageResult:
    """Run `stage` or take its result from the cache when its key is unchanged.

    `upstream` maps each table name to the result of the stage that produced it.
    """
    started = time.perf_counter()
    key = _key_of(stage, params, {name: upstream[name].key for name in stage.inputs}, ctx)
    cached = cache.load(stage, key)
    if cached is not None:
        tables, records = cached
        ctx.files.extend(records)
        return StageResult(stage.name, key, CACHED, time.perf_counter() - started, tables,
                           records)
    if stage.reader is not None:
        before = len(ctx.files)
        renames = dict(stage.renames)
        tables = {renames.get(name, name): frame
                  for name, frame in resolve(stage.reader)(ctx).items()}
        records = ctx.files[before:]
    else:
        assert stage.func is not None
        tables = resolve(stage.func)({name: upstream[name].tables[name]
                                      for name in stage.inputs}, **params)
        records = []
    cache.save(stage, key, tables, records)
    return StageResult(stage.name, key, COMPUTED, time.perf_counter() - started, tables,
                       records)


def dependency_order(stages: Iterable[Stage]) -> tuple[Stage, ...]:
    """``stages`` with every producer of a table before the stages that read it (declaration
    order among stages that do not depend on each other)."""
    stages = tuple(stages)
    producer: dict[str, str] = {}
    for stage in stages:
        for table in stage.outputs:
            if table in producer:
                raise ValueError(f"table {table} is produced by both {producer[table]} and "
                                 f"{stage.name}")
            producer[table] = stage.name
    needs = {stage.name: {producer[t] for t in stage.inputs if t in producer}
             for stage in stages}
    ordered: list[Stage] = []
    done: set[str] = set()
    while len(ordered) < len(stages):
        ready = [s for s in stages if s.name not in done and needs[s.name] <= done]
        if not ready:
            raise ValueError("the stages' tables form a cycle: "
                             + ", ".join(s.name for s in stages if s.name not in done))
        ordered.append(ready[0])
        done.add(ready[0].name)
    return tuple(ordered)


def upstream_of(stages: Iterable[Stage], last: str) -> tuple[Stage, ...]:
    """Stage ``last`` and the stages whose tables it needs, directly or not, in dependency
    order."""
    stages = dependency_order(stages)
    by_name = {stage.name: stage for stage in stages}
    if last not in by_name:
        raise ValueError(f"no stage named {last}")
    producer = {table: stage.name for stage in stages for table in stage.outputs}
    wanted, todo = set(), [last]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(producer[t] for t in by_name[name].inputs if t in producer)
    return tuple(stage for stage in stages if stage.name in wanted)


def run_stages(stages: tuple[Stage, ...], ctx: IngestContext, cache: StageCache,
               options: Mapping[str, object] | None = None,
               execute: Callable[[Callable[[], StageResult], Stage], StageResult] | None = None,
               ) -> dict[str, StageResult]:
    """Run `stages` in dependency order; return the result that produced each table, by
    table name.

    Each stage gets the `options` it names in `Stage.params`; they are part of its key.

    `execute(call, stage)` runs one stage's `call()`; an orchestrator passes its own (a
    Prefect task) to add retries and observability without owning any logic.
    """
    produced: dict[str, StageResult] = {}
    for stage in dependency_order(stages):
        missing = [t for t in stage.inputs if t not in produced]
        if missing:
            raise ValueError(f"stage {stage.name} reads {', '.join(missing)}, which no stage "
                             "of this run produces")

        def call(stage: Stage = stage) -> StageResult:
            params = {name: (options or {})[name] for name in stage.params}
            return run_stage(stage, produced, params, cache, ctx)
        result = execute(call, stage) if execute else call()
        produced.update(dict.fromkeys(stage.outputs, result))
    return produced

"""The published warehouse as a long-running server sees it: always the newest file, never a
mix, and no request refused while a refresh publishes.

A refresh publishes by atomic rename, so the path names the old file until the rename and
the new one after it. DuckDB, though, keeps one database instance per file path in a
process: while any connection to the path is open, a new `connect` returns another
connection to the *old* file. Under steady load some request always holds one, so a server
that merely opened a connection per request could serve the old file for ever.

`LiveWarehouse` therefore notices the change (the file's identity: device, inode, size and
modification time) and switches in one step: new requests wait while the requests that are
reading the old file finish (milliseconds), DuckDB then drops its instance of the old file,
and the next connection opens the new one. Between switches it holds one connection open
(the "keeper") so that every request's connections reuse the open instance instead of
opening the file again.

Because a published file never changes, results computed from one are kept (`ResultCache`)
under that file's identity and dropped when it is replaced.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import TypeVar

import duckdb

from exposure.errors import WarehouseError
from exposure.warehouse import connect_read_only

Identity = tuple[int, int, int, int]
T = TypeVar("T")


def file_identity(path: Path) -> Identity | None:
    """What changes when a new warehouse is renamed over `path` (None: there is none)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class LiveWarehouse:
    """The warehouse at `path`, switched to each newly published file between requests."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._cond = threading.Condition()
        self._active = 0  # requests reading the current file
        self._switching = False
        self._identity: Identity | None = None
        self._keeper: duckdb.DuckDBPyConnection | None = None
        self.switches = 0  # how many files this server has read (for tests and logs)

    @property
    def identity(self) -> Identity | None:
        """The identity of the file that requests read now (None before the first)."""
        return self._identity

    def current(self) -> Identity | None:
        """The identity of the file published at the path now (a stat, no lock)."""
        return file_identity(self.path)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Identity | None]:
        """Read the newest published file for the length of the block; yields its identity.

        Blocks (briefly) while a switch to a newly published file is under way. Call it from
        a worker thread, never from the event loop.
        """
        self._enter()
        try:
            yield self._identity
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    def _enter(self) -> None:
        published = file_identity(self.path)
        with self._cond:
            while self._switching:
                self._cond.wait()
            if published != self._identity or (published and self._keeper is None):
                self._switching = True
                try:
                    while self._active:
                        self._cond.wait()
                    self._switch(published)
                finally:
                    self._switching = False
                    self._cond.notify_all()
            self._active += 1

    def _switch(self, published: Identity | None) -> None:
        """Drop the old file (no request reads it now) and open the published one."""
        self.close()
        if published is None:
            # No warehouse (yet): the query functions say so in their own words.
            self._identity = None
            return
        try:
            self._keeper = connect_read_only(self.path)
        except WarehouseError:
            # A file that cannot be opened (yet): leave the identity unset so that the next
            # request tries again, and let this one report the error itself.
            self._identity = None
            return
        # The keeper's file is the one published at the time it was opened, which a rename
        # in between makes newer than `published`; then the next request switches again.
        self._identity = published
        self.switches += 1

    def close(self) -> None:
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None


class ResultCache:
    """Results computed from one published file, kept until a newer file replaces it.

    Bounded by the total size the `size` function reports (bytes); an entry larger than a
    quarter of the bound is computed but not kept.
    """

    def __init__(self, max_bytes: int = 256 * 1024**2) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._identity: Identity | None = None
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, identity: Identity | None, key: Hashable) -> object | None:
        """The result kept for `key` from the file `identity`, or None."""
        if identity is None:
            return None
        with self._lock:
            if identity != self._identity or key not in self._entries:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return self._entries[key][0]

    def put(self, identity: Identity | None, key: Hashable, value: object, size: int) -> None:
        if identity is None:
            return
        with self._lock:
            self.misses += 1
            if identity != self._identity:
                # A newer file: nothing computed from the old one may be served again.
                self._entries.clear()
                self._bytes = 0
                self._identity = identity
            if size > self.max_bytes // 4:
                return
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                self._bytes -= self._entries.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._identity = None


def cached(live: LiveWarehouse, cache: ResultCache, key: Hashable,
           compute: Callable[[Path], T], size: Callable[[T], int]) -> T:
    """`compute(path)` on the newest published file, or its kept result; blocking (call it
    from a worker thread)."""
    hit = cache.get(live.current(), key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    with live.reading() as identity:
        value = compute(live.path)
    cache.put(identity, key, value, size(value))
    return value


__all__ = ["Identity", "LiveWarehouse", "ResultCache", "cached", "file_identity"]

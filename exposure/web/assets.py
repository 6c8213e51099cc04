"""The page's JavaScript, served from this server: vega, vega-lite and vega-embed in one
bundle that vl-convert-python builds from the copies inside its wheel (no network).

Building the bundle takes seconds, so it is built once per vl-convert version into the
stage-cache folder (`EXPOSURE_CACHE_DIR/web/`), and started in the background when the
server starts so that the first page does not wait for it.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
import uuid
from pathlib import Path

VERSION = importlib.metadata.version("vl-convert-python")
BUNDLE = f"vega-{VERSION}.js"  # the file name under /static (versioned: cached for good)


class VegaBundle:
    """The vega bundle, built at most once per process and kept on disk."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = Path(cache_dir) / "web" / BUNDLE
        self._lock = threading.Lock()
        self._data: bytes | None = None

    def start(self) -> None:
        """Build (or read) the bundle in a background thread."""
        threading.Thread(target=self.get, name="vega-bundle", daemon=True).start()

    def get(self) -> bytes:
        with self._lock:
            if self._data is None:
                self._data = self._read() or self._build()
            return self._data

    def _read(self) -> bytes | None:
        try:
            return self.path.read_bytes() or None
        except OSError:
            return None

    def _build(self) -> bytes:
        import vl_convert

        data = vl_convert.javascript_bundle().encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only cache folder: serve it from memory, build again next start
        return data


__all__ = ["BUNDLE", "VERSION", "VegaBundle"]

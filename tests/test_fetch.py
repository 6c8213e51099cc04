"""`exposure fetch` against a local HTTP server that serves the mirror by URL layout.

The server (127.0.0.1, a free port) serves `<host>/<path>` of every manifest URL from a
temporary tree built from the raw directory, with the zip archives built here for entries
that have a `member`. Like BLS it refuses (403) requests without a descriptive User-Agent,
and it records every request's headers. No test contacts any other host.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import typer
from typer.testing import CliRunner

from exposure.errors import ConfigError, ExposureError, InputError
from exposure.fetch import (
    DEFAULT_USER_AGENT,
    USER_AGENT_ENV,
    DownloadError,
    ManifestEntry,
    default_user_agent,
    fetch,
    load_manifest,
    map_url,
    select,
)
from exposure.ingest import Ingested
from exposure.settings import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "data" / "sources.toml"
AGENT = "exposure-tests/1.0 (test suite; tests@example.org)"

PLAIN = "gpts_are_gpts/occ_level.csv"
ENCODED = "soc_naics/2-6 digit_2022_Codes.xlsx"  # its URL has %20
ONET_A = "onet_29_2/Job Zones.xlsx"  # two members of one O*NET archive
ONET_B = "onet_29_2/Read Me.txt"
STATE_DB = "bls_oews_state/oews-2025.sqlite.gz"  # a member of the PyPI wheel
FEW = (PLAIN, ENCODED, ONET_A, ONET_B, STATE_DB)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_files(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones too) by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file()}


@dataclass
class Mirror:
    """A local HTTP server for one test; `publish` lays out what it serves."""

    root: Path
    raw_dir: Path
    base_url: str = ""
    requests: list[dict[str, str | None]] = field(default_factory=list)

    def publish(self, entries: list[ManifestEntry],
                override: dict[str, bytes] | None = None) -> None:
        """Serve `entries` from the raw directory (or `override[path]`) under their URLs."""
        override = override or {}
        archives: dict[Path, dict[str, bytes]] = {}
        for entry in entries:
            data = override.get(entry.path)
            if data is None:
                data = (self.raw_dir / entry.path).read_bytes()
            url = urlsplit(entry.url)
            local = self.root / url.netloc / unquote(url.path.lstrip("/"))
            local.parent.mkdir(parents=True, exist_ok=True)
            if entry.member:
                members = archives.setdefault(local, {"decoy/README.txt": b"not this one"})
                members[entry.member] = data
            else:
                local.write_bytes(data)
        for local, members in archives.items():
            with zipfile.ZipFile(local, "w", zipfile.ZIP_STORED) as zf:
                for name, data in members.items():
                    zf.writestr(name, data)

    def paths(self) -> list[str]:
        return [str(r["path"]) for r in self.requests]


class _Handler(SimpleHTTPRequestHandler):
    """Files from the tree; 403 without a descriptive User-Agent; every request recorded."""

    def do_GET(self) -> None:
        agent = self.headers.get("User-Agent")
        self.server.requests.append({"path": self.path, "user_agent": agent})  # type: ignore[attr-defined]
        if not agent or agent.startswith(("python-httpx", "python-requests", "curl")):
            self.send_error(403, "Access Denied: send a descriptive User-Agent")
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def entries() -> dict[str, ManifestEntry]:
    return {e.path: e for e in load_manifest(MANIFEST)}


@pytest.fixture()
def mirror(tmp_path: Path, raw_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mirror]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    state = Mirror(tmp_path / "www", raw_dir)
    state.root.mkdir()
    handler = functools.partial(_Handler, directory=str(state.root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests = state.requests  # type: ignore[attr-defined]
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_fetch_plain_files_and_members_then_up_to_date(
        mirror: Mirror, entries: dict[str, ManifestEntry], tmp_path: Path) -> None:
    chosen = [entries[p] for p in FEW]
    mirror.publish(chosen)
    dest = tmp_path / "raw"
    messages: list[str] = []

    results = fetch(chosen, dest, base_url=mirror.base_url, user_agent=AGENT,
                    progress=messages.append)

    assert [r.status for r in results] == ["downloaded"] * len(FEW)
    for path in FEW:
        data = (dest / path).read_bytes()
        assert data == (mirror.raw_dir / path).read_bytes()
        assert sha256(data) == entries[path].sha256
    assert set(tree_files(dest)) == set(FEW)  # no temporary files or archives left behind
    assert {r["user_agent"] for r in mirror.requests} == {AGENT}
    # The O*NET archive serves two entries but is downloaded once; %20 reaches the server.
    assert mirror.paths().count("/www.onetcenter.org/dl_files/database/db_29_2_excel.zip") == 1
    assert "/www.census.gov/naics/2022NAICS/2-6%20digit_2022_Codes.xlsx" in mirror.paths()
    assert len(mirror.requests) == 4
    assert messages[0] == f"downloading {PLAIN}"

    requests_before = len(mirror.requests)
    again = fetch(chosen, dest, base_url=mirror.base_url, user_agent=AGENT)
    assert [r.status for r in again] == ["up to date"] * len(FEW)
    assert len(mirror.requests) == requests_before  # nothing downloaded


def test_server_refuses_requests_without_a_descriptive_user_agent(
        mirror: Mirror, entries: dict[str, ManifestEntry], tmp_path: Path) -> None:
    mirror.publish([entries[PLAIN]])
    with pytest.raises(DownloadError) as caught:
        fetch([entries[PLAIN]], tmp_path / "raw", base_url=mirror.base_url,
              user_agent="python-httpx/0.28.1")
    message = str(caught.value)
    assert "HTTP 403" in message
    assert f"{mirror.base_url}/raw.githubusercontent.com/openai/GPTs-are-GPTs/" in message
    assert USER_AGENT_ENV in message
    assert tree_files(tmp_path / "raw") == {}

    with pytest.raises(ConfigError, match="User-Agent"):
        fetch([entries[PLAIN]], tmp_path / "raw", base_url=mirror.base_url, user_agent=" ")


def test_default_user_agent_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(USER_AGENT_ENV, raising=False)
    assert default_user_agent() == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("exposure/") and USER_AGENT_ENV in DEFAULT_USER_AGENT
    monkeypatch.setenv(USER_AGENT_ENV, "my-study/2 (me@example.org)")
    assert default_user_agent() == "my-study/2 (me@example.org)"


@pytest.mark.parametrize("path", [PLAIN, ONET_A])
def test_checksum_mismatch_is_refused_and_leaves_dest_untouched(
        mirror: Mirror, entries: dict[str, ManifestEntry], tmp_path: Path, path: str) -> None:
    entry = entries[path]
    good = (mirror.raw_dir / path).read_bytes()
    modified = good + b"\n"
    mirror.publish([entry], override={path: modified})
    dest = tmp_path / "raw"
    previous = dest / path  # a file from an earlier release, kept until a good one arrives
    previous.parent.mkdir(parents=True)
    previous.write_bytes(b"previous release")
    before = tree_files(dest)

    with pytest.raises(InputError) as caught:
        fetch([entry], dest, base_url=mirror.base_url, user_agent=AGENT)

    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert sha256(modified)[:12] in message and entry.sha256[:12] in message
    assert sha256(modified) not in message  # short hashes
    assert "--accept-new-release" in message and "\n" not in message
    assert tree_files(dest) == before  # the old file as it was; nothing partial


def test_accept_new_release_records_the_new_sha256(
        mirror: Mirror, entries: dict[str, ManifestEntry], tmp_path: Path) -> None:
    manifest = tmp_path / "sources.toml"
    shutil.copyfile(MANIFEST, manifest)
    original = manifest.read_text(encoding="utf-8")
    entry = entries[PLAIN]
    modified = (mirror.raw_dir / PLAIN).read_bytes() + b"\n"
    mirror.publish([entry, entries[ENCODED]], override={PLAIN: modified})
    dest = tmp_path / "raw"

    results = fetch([entry, entries[ENCODED]], dest, base_url=mirror.base_url, user_agent=AGENT,
                    accept_new_release=True, manifest_path=manifest)

    assert [r.status for r in results] == ["new release", "downloaded"]
    assert results[0].previous_sha256 == entry.sha256
    assert results[0].sha256 == sha256(modified)
    assert (dest / PLAIN).read_bytes() == modified
    reloaded = {e.path: e for e in load_manifest(manifest)}
    assert reloaded[PLAIN].sha256 == sha256(modified)
    assert {p: e for p, e in reloaded.items() if p != PLAIN} == {
        p: e for p, e in entries.items() if p != PLAIN}
    changed = [(a, b) for a, b in zip(original.splitlines(), manifest.read_text().splitlines(),
                                      strict=True) if a != b]
    assert changed == [(f'sha256 = "{entry.sha256}"', f'sha256 = "{sha256(modified)}"')]
    assert MANIFEST.read_text(encoding="utf-8") == original  # the real manifest is untouched

    again = fetch([reloaded[PLAIN]], dest, base_url=mirror.base_url, user_agent=AGENT)
    assert again[0].status == "up to date"


def test_http_404_and_missing_member_are_clear_errors(
        mirror: Mirror, entries: dict[str, ManifestEntry], tmp_path: Path) -> None:
    dest = tmp_path / "raw"
    with pytest.raises(DownloadError) as caught:  # nothing published: every URL is a 404
        fetch([entries[PLAIN]], dest, base_url=mirror.base_url, user_agent=AGENT)
    url = map_url(entries[PLAIN].url, mirror.base_url)
    assert str(caught.value).startswith(f"{url} answered HTTP 404")
    assert "data/sources.toml" in str(caught.value)

    mirror.publish([entries[ONET_A]])
    wrong = entries[ONET_A].model_copy(update={"member": "db_29_2_excel/No Such File.xlsx"})
    with pytest.raises(DownloadError, match=r"has no member 'db_29_2_excel/No Such File\.xlsx'"):
        fetch([wrong], dest, base_url=mirror.base_url, user_agent=AGENT)
    assert list(dest.rglob("*")) == []  # not even an empty folder


def test_unreachable_server_is_a_clear_error(entries: dict[str, ManifestEntry],
                                             tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port on 127.0.0.1 that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DownloadError, match=r"could not download http://127\.0\.0\.1:"):
        fetch([entries[PLAIN]], tmp_path / "raw", base_url=f"http://127.0.0.1:{port}",
              user_agent=AGENT, timeout=5)


def test_cli_fetch_command(mirror: Mirror, entries: dict[str, ManifestEntry], tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    from exposure.cli.fetch import fetch_command

    monkeypatch.setenv(USER_AGENT_ENV, AGENT)
    mirror.publish([entries[ONET_A], entries[ONET_B], entries[PLAIN]])
    app = typer.Typer()
    app.command()(fetch_command)
    app.command("noop")(lambda: None)  # two commands, so `fetch` is named on the command line
    dest = tmp_path / "raw"
    args = ["fetch-command", "--dest", str(dest), "--manifest", str(MANIFEST),
            "--base-url", mirror.base_url, "--only", ONET_A, "--only", ONET_B, "--only", PLAIN]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "downloaded" in result.output
    assert set(tree_files(dest)) == {ONET_A, ONET_B, PLAIN}
    assert {r["user_agent"] for r in mirror.requests} == {AGENT}


def test_map_url() -> None:
    url = "https://www.bls.gov/oes/special-requests/oesm24nat.zip"
    assert map_url(url, None) == url
    assert map_url(url, "http://127.0.0.1:8000/") == (
        "http://127.0.0.1:8000/www.bls.gov/oes/special-requests/oesm24nat.zip")
    assert map_url("https://h.example/a%20b.xlsx?x=1", "http://m.example/raw") == (
        "http://m.example/raw/h.example/a%20b.xlsx?x=1")


def test_select(entries: dict[str, ManifestEntry]) -> None:
    every = list(entries.values())
    assert select(every, []) == every
    assert {e.path for e in select(every, ["bls_oews_state/"])} == {
        STATE_DB, "bls_oews_state/manifest.json"}
    with pytest.raises(ConfigError, match=r"no manifest entry has the path 'nope\.xlsx'"):
        select(every, ["nope.xlsx"])


GOOD = """
[[file]]
path = "a/b.csv"
url = "https://example.org/b.csv"
sha256 = "{sha}"
release = "r"
publisher = "p"
licence = "l"
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("[[file]\n", "is not valid TOML"),
    ("x = 1\n", "unknown top-level key 'x'"),
    ("", "has no [[file]] tables"),
    (GOOD.replace('url = "https://example.org/b.csv"\n', ""), "(a/b.csv): key 'url' is missing"),
    (GOOD.replace("{sha}", "abc"), "key 'sha256' must be 64 hexadecimal digits"),
    (GOOD.replace('licence = "l"', 'licence = "l"\nmirror = "m"'),
     "key 'mirror' is not a known key"),
    (GOOD.replace("a/b.csv", "../b.csv"), "key 'path' must be a relative path"),
    (GOOD.replace("https://example.org", "ftp://example.org"), "key 'url' must be an http(s)"),
    (GOOD + GOOD, "[[file]] number 2 (a/b.csv): key 'path' repeats [[file]] number 1"),
])
def test_bad_manifest_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    manifest = tmp_path / "sources.toml"
    manifest.write_text(text.replace("{sha}", "0" * 64), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_manifest(manifest)
    assert str(manifest) in str(caught.value)
    assert expected in str(caught.value)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ExposureError, match="does not exist"):
        load_manifest(tmp_path / "nope.toml")


def test_manifest_covers_every_file_the_ingest_reads(
        raw_dir: Path, read_once: Ingested, entries: dict[str, ManifestEntry]) -> None:
    recorded = {f.path: f.sha256 for f in read_once.files}
    # `Read Me.txt` is read for the release name (ctx.find) but records no table.
    assert set(entries) - set(recorded) == {"onet_29_2/Read Me.txt"}
    assert set(recorded) <= set(entries)
    for path, entry in entries.items():
        data = (raw_dir / path).read_bytes()
        assert entry.sha256 == sha256(data), path
        assert recorded.get(path, entry.sha256) == entry.sha256, path
        assert urlsplit(entry.url).scheme == "https", path

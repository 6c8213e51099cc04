"""`exposure fetch`: download the official raw files of the source manifest.

The command prints a table of what it did on stderr; errors are `ExposureError`s that the
entry point (`exposure.cli.run`) prints as one sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from exposure.cli.common import app
from exposure.settings import DEFAULT_USER_AGENT, PROJECT_ROOT, USER_AGENT_ENV

if TYPE_CHECKING:  # exposure.fetch imports httpx: only `exposure fetch` needs it
    from exposure.fetch import FetchResult

DEFAULT_DEST = PROJECT_ROOT / "data" / "raw"
DEFAULT_MANIFEST = PROJECT_ROOT / "data" / "sources.toml"

_STYLE = {"downloaded": "green", "replaced": "green", "up to date": "dim",
          "new release": "yellow"}


@app.command("fetch", rich_help_panel="Data")
def fetch_command(
    dest: Annotated[Path, typer.Option(
        "--dest", help="Folder to download into (the raw directory layout).")] = DEFAULT_DEST,
    manifest: Annotated[Path, typer.Option(
        "--manifest", help="Source manifest listing every file, its URL and sha256.")
    ] = DEFAULT_MANIFEST,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="Fetch every URL from BASE_URL/<host>/<path> instead (a mirror).")
    ] = None,
    accept_new_release: Annotated[bool, typer.Option(
        "--accept-new-release",
        help="Accept files whose sha256 differs from the manifest's and record the new sha256.")
    ] = False,
    user_agent: Annotated[str | None, typer.Option(
        "--user-agent",
        help=f"User-Agent header sent with every request [{USER_AGENT_ENV}; default: "
             f"'{DEFAULT_USER_AGENT}'].")
    ] = None,
    only: Annotated[list[str] | None, typer.Option(
        "--only", metavar="PATH",
        help="Fetch only this manifest path, or the files under this folder (repeatable).")
    ] = None,
) -> None:
    """Download the official O*NET, BLS, Census, BEA and GPTs-are-GPTs files and check sha256."""
    from exposure.fetch import default_user_agent, fetch, load_manifest, select

    err = Console(stderr=True, markup=False)  # paths and URLs are never markup
    entries = select(load_manifest(manifest), only or [])
    with err.status("fetching") as status:
        results = fetch(entries, dest, base_url=base_url, accept_new_release=accept_new_release,
                        user_agent=user_agent or default_user_agent(), manifest_path=manifest,
                        progress=status.update)
    err.print(results_table(results, dest))
    accepted = [r for r in results if r.status == "new release"]
    if accepted:
        err.print(f"{len(accepted)} new release(s) accepted; their sha256 is now "
                  f"recorded in {manifest} (update each entry's `release` too).", style="yellow")


def results_table(results: list[FetchResult], dest: Path) -> Table:
    table = Table(title=Text(f"exposure fetch -> {dest}"))
    for column in ("file", "status", "sha256", "MB"):
        table.add_column(column, justify="right" if column == "MB" else "left")
    for r in results:
        digest = r.sha256[:12]
        if r.previous_sha256:
            digest = f"{r.previous_sha256[:12]} -> {digest}"
        table.add_row(Text(r.path), Text(r.status, style=_STYLE[r.status]), digest,
                      f"{r.bytes / 1e6:.2f}")
    return table

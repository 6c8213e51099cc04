"""The run report as a web page: `reports/runs/<run_id>/index.html` beside report.md, and
`reports/latest/`, after a real refresh; and, on the small forecast warehouse, that the page
is self-contained, escapes the data and that `latest/` follows the newest run only."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from exposure import ONET_ATTRIBUTION, warehouse
from exposure.presentation import Kind, format_value
from exposure.report import write_report
from exposure.runs import latest_run_id
from exposure.settings import Settings
from tests import forecast_warehouse as fw


class Page(HTMLParser):
    """The page's tables (as rows of cell texts), inline <svg> elements and every URL it
    references (src, href, url(...), @import)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.svgs = 0
        self.urls: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", html)
        self.urls += re.findall(r"@import\s+['\"]?([^'\";]+)", html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "data", "poster") and value:
                self.urls.append(value)
        if tag == "svg":
            self.svgs += 1
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def external(urls: list[str]) -> list[str]:
    """URLs that would load something from elsewhere than the page (a link to a sibling
    report file or an in-page anchor is not an asset)."""
    return [u for u in urls if re.match(r"^\s*(https?:)?//", u, flags=re.I)]


# --- after a real refresh ---------------------------------------------------------------------

def test_refresh_writes_the_page_beside_report_md(refreshed: Settings) -> None:
    run_id = latest_run_id(refreshed.warehouse)
    folder = Path(refreshed.reports_dir) / "runs" / run_id
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert (folder / "report.md").is_file()
    assert f"Run {run_id}" in html and ONET_ATTRIBUTION in html
    assert "not a probability of job loss" in html and "not an official forecast" in html
    page = Page(html)
    assert page.svgs >= 4  # sectors, forecast fan, sensitivity tornado, unemployed
    assert external(page.urls) == []
    assert not [u for u in page.urls if u.endswith((".svg", ".png", ".css", ".js"))]

    scorer = warehouse.read_frame(refreshed.warehouse, "SELECT scorer FROM run WHERE run_id "
                                  "= ?", [run_id])["scorer"][0].split(",")[0]
    headline = warehouse.read_frame(refreshed.warehouse, """
        SELECT threshold, inclusive, share_of_workers, workers FROM latest_headline
        WHERE scorer = ? ORDER BY 1, 2""", [scorer])
    table = next(t for t in page.tables if t[0][:2] == ["Threshold", "Inclusive"])
    assert table[0] == ["Threshold", "Inclusive", "Share of workers", "Workers"]
    assert table[1:] == [[format_value(r["threshold"], Kind.percent), str(r["inclusive"]),
                          format_value(r["share_of_workers"], Kind.percent),
                          format_value(r["workers"], Kind.persons)]
                         for r in headline.iter_rows(named=True)]
    finance = warehouse.read_frame(refreshed.warehouse, """
        SELECT employment, exposure FROM latest_sector_exposure WHERE scorer = ?
        AND naics_sector = '52' AND year = 2024""", [scorer]).row(0)
    sectors = next(t for t in page.tables if t[0][:2] == ["NAICS sector", "Sector"])
    assert ["52", "Finance and Insurance", format_value(finance[0], Kind.persons),
            format_value(finance[1], Kind.percent)] in [row[:4] for row in sectors]


def test_latest_is_the_newest_run(refreshed: Settings) -> None:
    run_id = latest_run_id(refreshed.warehouse)
    reports = Path(refreshed.reports_dir)
    latest = (reports / "latest" / "index.html").read_text(encoding="utf-8")
    assert f"<h1>Run {run_id}</h1>" in latest
    assert (reports / "latest" / "report.md").read_text().startswith(f"# Run {run_id}")
    # the same page, but links to the change summary from its own folder
    own = (reports / "runs" / run_id / "index.html").read_text(encoding="utf-8")
    assert f'href="../../changes/{run_id}.md"' in own
    assert latest == own.replace(f'href="../../changes/{run_id}.md"',
                                 f'href="../changes/{run_id}.md"')
    assert (reports / "changes" / f"{run_id}.md").is_file()
    assert not list((reports / "latest").glob(".*partial"))


# --- on the small forecast warehouse ---------------------------------------------------------

@pytest.fixture()
def small(tmp_path: Path) -> Path:
    built = fw.build(tmp_path / "exposure.duckdb")
    con = duckdb.connect(str(built))
    try:  # an older successful run with rows of its own, and data that looks like markup
        con.execute("INSERT INTO run (run_id, status) VALUES (?, 'succeeded')", [fw.OLD_RUN])
        con.execute("UPDATE forecast_scenario SET title = '<script>alert(1)</script> & tax' "
                    "WHERE scenario = 'P1'")
    finally:
        con.close()
    return built


def test_page_is_self_contained_and_escapes_the_data(small: Path, tmp_path: Path) -> None:
    report = write_report(small, tmp_path / "reports", fw.RUN, "rubric:human:beta")
    html = (report.parent / "index.html").read_text(encoding="utf-8")
    page = Page(html)
    charts = sorted(p.name for p in report.parent.glob("*.svg"))
    assert charts == ["forecast.svg", "sectors.svg", "sensitivity.svg", "unemployed.svg"]
    assert page.svgs == len(charts) and external(page.urls) == []
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; tax" in html
    # the same figures as report.md, under the same headings
    text = report.read_text()
    for heading in re.findall(r"^#+ (.+)$", text, flags=re.M)[1:]:
        assert f">{heading}</h" in html.replace("&#39;", "'"), heading
    scenarios = next(t for t in page.tables if t[0][:2] == ["scenario", "title"])
    assert ["P0", "No policy", "0.75M", "3.00M", "1.80M to 4.50M", "reference",
            "reference"] in scenarios
    assert "<strong>What these figures are, and are not.</strong>" in html  # **bold**
    assert "<code>abm_*</code>" not in html  # no simulation in this warehouse


def test_latest_follows_the_newest_run_only(small: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write_report(small, reports, fw.RUN, "rubric:human:beta")
    latest = reports / "latest" / "index.html"
    assert f"<h1>Run {fw.RUN}</h1>" in latest.read_text()
    older = write_report(small, reports, fw.OLD_RUN, "rubric:human:beta")
    assert (older.parent / "index.html").is_file()
    assert f"<h1>Run {fw.RUN}</h1>" in latest.read_text()  # not replaced by the older run
    assert sorted(p.name for p in latest.parent.iterdir()) == [
        "forecast.svg", "index.html", "report.md", "sectors.svg", "sensitivity.svg",
        "unemployed.svg"]

"""Pieces of the run report: Markdown formatting, Altair charts and the forecast sections.

`exposure.report.write_report` assembles them; each module stays small so a section can be
changed without reading the others.
"""

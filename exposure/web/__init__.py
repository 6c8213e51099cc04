"""`exposure serve`: a read-only HTTP API and one web page over the warehouse.

- `app`: the FastAPI application (`create_app`), its error answers and static assets
- `api`: the /api routes; `params`: their validated parameters; `listing`: a list as a JSON
  page, CSV or xlsx, always with its provenance
- `page`, `charts`, `templates/`, `static/`: the web page (Jinja2, Vega-Lite specs from
  altair rendered by locally served vega files, `assets`)
- `live`: the newest published warehouse, switched safely while requests run; `service`:
  what the routes share; `reads`: the few reads `exposure.queries` lacks
"""

from __future__ import annotations

from exposure.web.app import create_app

__all__ = ["create_app"]

"""The Mini App's page and its static files. The page is the same for everyone and holds no
data (the API gives it, once the init data is checked); static files are named by their
content's hash (webapp/build.mjs), so they are cached for a year and never go stale."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 3600
PAGE = """<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>Overview</title>
<link rel="stylesheet" href="{static}/{leaflet.css}">
<link rel="stylesheet" href="{static}/{markercluster.css}">
<link rel="stylesheet" href="{static}/{markercluster-default.css}">
<link rel="stylesheet" href="{static}/{app.css}">
</head>
<body>
<div id="app" data-static="{static}" data-geojson="{kyrgyzstan.geojson}"></div>
<script src="{static}/{leaflet.js}"></script>
<script src="{static}/{markercluster.js}"></script>
<script src="{static}/{chart.js}"></script>
<script src="{static}/{app.js}"></script>
</body>
</html>
"""


@cache
def manifest() -> dict[str, str]:
    """Logical name -> the hashed file build.mjs wrote."""
    return json.loads((STATIC_DIR / "manifest.json").read_text(encoding="utf-8"))


def page_html(prefix: str) -> str:
    html = PAGE.replace("{static}", f"{prefix}/static")
    for logical, file in manifest().items():
        html = html.replace("{" + logical + "}", file)
    return html


def add_page_routes(web_app: web.Application, prefix: str) -> None:
    served = set(manifest().values())
    html = page_html(prefix)

    async def page(_: web.Request) -> web.Response:
        # The page names this build's files: a new build must be fetched at once.
        return web.Response(
            text=html, content_type="text/html", headers={"Cache-Control": "no-cache"}
        )

    async def static(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in served:
            raise web.HTTPNotFound()
        return web.FileResponse(
            STATIC_DIR / name,
            headers={"Cache-Control": f"public, max-age={YEAR}, immutable"},
        )

    web_app.router.add_get(prefix, page)
    web_app.router.add_get(f"{prefix}/", page)
    web_app.router.add_get(f"{prefix}/static/{{name}}", static)

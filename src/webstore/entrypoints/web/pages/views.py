"""The storefront (``/``) and the back office (``/admin/``): static pages over the JSON API.

The pages hold no server-side logic: HTML rendered once per app, and their CSS and JavaScript
modules served from memory under ``/static/<version>/``, where the version is a hash of every
asset, so browsers may keep them for a year and a new release is fetched at once. The scripts
talk to the store only through the public API, as any other front end would.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.exceptions import NotFound

bp = Blueprint("pages", __name__, template_folder="templates")
EXTENSION = "webstore.pages"
# Nothing inline and nothing from another host: an injected string cannot run, load or frame.
PAGE_POLICY = "default-src 'self'; frame-ancestors 'none'"
MIME_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
ASSETS_CACHE = "public, max-age=31536000, immutable"
PAGES = {"store": "store.html", "admin": "admin.html"}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str


class Pages:
    """The assets, read once from the package, and the two pages, rendered on first use.

    Worked out lazily (an app that never serves a page pays nothing); two threads racing on
    first use compute the same values, so no lock is needed.
    """

    @cached_property
    def assets(self) -> dict[str, Asset]:
        folder = resources.files("webstore.entrypoints.web.pages") / "static"
        return {
            item.name: Asset(item.read_bytes(), MIME_TYPES[_suffix(item.name)])
            for item in folder.iterdir()
            if _suffix(item.name) in MIME_TYPES
        }

    @cached_property
    def version(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.assets):
            digest.update(name.encode() + b"\0" + self.assets[name].body)
        return digest.hexdigest()[:12]

    @cached_property
    def html(self) -> dict[str, str]:
        static = f"/static/{self.version}"
        return {page: render_template(name, static=static) for page, name in PAGES.items()}


def init_app(app: Flask) -> None:
    """Serve the storefront, the back office and their assets."""
    app.register_blueprint(bp)
    app.extensions[EXTENSION] = Pages()


@bp.get("/")
def storefront() -> Response:
    return _page("store")


@bp.get("/admin/")
def back_office() -> Response:
    return _page("admin")


@bp.get("/static/<version>/<name>")
def asset(version: str, name: str) -> Response:
    pages = _pages()
    found = pages.assets.get(name)
    if found is None:
        raise NotFound()
    response = Response(found.body, content_type=found.content_type)
    # A page from an older release asking for its own version gets today's file, uncached.
    response.headers["Cache-Control"] = ASSETS_CACHE if version == pages.version else "no-cache"
    return _conditional(response)


@bp.after_request
def page_headers(response: Response) -> Response:
    """What every page and asset carries, including their 304s and 404s."""
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _page(page: str) -> Response:
    response = Response(_pages().html[page], mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"  # always revalidated: new releases show at once
    return _conditional(response)


def _conditional(response: Response) -> Response:
    response.add_etag()
    response.make_conditional(request)  # 304 when the browser's copy is still current
    return response


def _suffix(name: str) -> str:
    return "." + name.rpartition(".")[2]


def _pages() -> Pages:
    pages: Pages = current_app.extensions[EXTENSION]
    return pages

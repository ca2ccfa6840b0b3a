"""The storefront and back office as served: headers, assets, and no inline code."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

import pytest
from flask.testing import FlaskClient

PAGES = ["/", "/admin/", "/admin"]
POLICY = "default-src 'self'; frame-ancestors 'none'"
STATIC = resources.files("webstore.entrypoints.web.pages") / "static"


class Inline(HTMLParser):
    """Collects what a strict Content-Security-Policy would block: inline script and style."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "style" or "style" in named or any(name.startswith("on") for name in named):
            self.found.append(tag)
        if tag == "script" and not named.get("src"):
            self.found.append("inline script")
        self.assets += [value for name, value in attrs if name in ("src", "href") and value]


def parsed(html: str) -> Inline:
    parser = Inline()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_are_html_under_a_strict_content_security_policy(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-cache"
    page = parsed(response.get_data(as_text=True))
    assert page.found == []
    assert all(link.startswith(("/", "#")) and not link.startswith("//") for link in page.assets)


def test_assets_are_versioned_cached_for_a_year_and_typed(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    (version,) = set(re.findall(r"/static/([0-9a-f]{12})/", html))
    kinds = {"store.js": "text/javascript", "style.css": "text/css", "favicon.svg": "image/svg+xml"}
    for name, mimetype in kinds.items():
        response = client.get(f"/static/{version}/{name}")
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Security-Policy"] == POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    stale = client.get("/static/000000000000/store.js")
    assert stale.status_code == 200
    assert stale.headers["Cache-Control"] == "no-cache"


def test_a_page_not_changed_since_the_last_visit_is_a_304(client: FlaskClient) -> None:
    first = client.get("/admin/")
    again = client.get("/admin/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


@pytest.mark.parametrize("path", ["/nope", "/admin/nope", "/static/x/nope.js", "/static/store.js"])
def test_anything_else_is_still_the_json_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.json == {"detail": "Not found."}


def test_the_pages_answer_only_safe_methods(client: FlaskClient) -> None:
    response = client.post("/")
    assert response.status_code == 405
    assert response.json == {"detail": 'Method "POST" not allowed.'}


def test_the_scripts_insert_data_as_text_never_as_html(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    (version,) = set(re.findall(r"/static/([0-9a-f]{12})/", html))
    scripts = [item.name for item in STATIC.iterdir() if item.name.endswith(".js")]
    assert {"api.js", "account.js", "store.js", "admin.js", "confirm.js"} <= set(scripts)
    for name in scripts:
        script = client.get(f"/static/{version}/{name}").get_data(as_text=True)
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)
        assert not re.search(r"(?:local|session)Storage[^\n]*(?:token|access)", script, re.I)


def test_the_api_docs_link_to_both_pages(client: FlaskClient) -> None:
    html = client.get("/api/docs").get_data(as_text=True)
    assert 'href="/"' in html
    assert 'href="/admin/"' in html

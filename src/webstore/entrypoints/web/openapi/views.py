"""``/api/openapi.json`` and ``/api/docs``: the API's description, built once per app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template
from markupsafe import Markup, escape

from webstore.entrypoints.web.json_codec import JsonResponse, dumps
from webstore.entrypoints.web.openapi.document import build_spec

bp = Blueprint("docs", __name__, url_prefix="/api", template_folder="templates")
EXTENSION = "webstore.docs"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# The page loads nothing and runs nothing; it only needs its own inline style.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
NOTES = (
    *("enum", "minimum", "maximum", "minLength", "maxLength"),
    *("minItems", "maxItems", "pattern", "example"),
)


class ApiDocs:
    """The document and its page, built on first use and then kept for the app's lifetime.

    Built lazily, so that an app (or a test) that never serves them pays nothing. Flask
    refuses new routes once it has served a request, so the document cannot go stale.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app

    @cached_property
    def spec(self) -> dict[str, Any]:
        return build_spec(self._app)

    @cached_property
    def json(self) -> str:
        return dumps(self.spec)

    @cached_property
    def html(self) -> str:
        return render_template("docs.html", **page(self.spec), notes=notes, text=code_spans)


def init_app(app: Flask) -> None:
    """Serve the OpenAPI document of ``app`` and a page that shows it."""
    app.register_blueprint(bp)
    app.extensions[EXTENSION] = ApiDocs(app)


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return JsonResponse(_docs().json)


@bp.get("/docs")
def docs_page() -> Response:
    response = Response(_docs().html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


def _docs() -> ApiDocs:
    docs: ApiDocs = current_app.extensions[EXTENSION]
    return docs


# --- the page --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageOperation:
    id: str
    method: str
    path: str
    summary: str
    description: str
    needs: str
    parameters: list[dict[str, Any]]
    body: tuple[str, dict[str, Any]] | None
    responses: list[tuple[str, dict[str, Any]]]


def page(spec: dict[str, Any]) -> dict[str, Any]:
    """What ``docs.html`` shows: the document, its references resolved for reading."""
    components = spec.get("components", {})
    return {
        "info": spec["info"],
        "openapi": spec["openapi"],
        "document_url": f"{bp.url_prefix}/openapi.json",
        "schemes": components.get("securitySchemes", {}),
        "schemas": components.get("schemas", {}),
        "operations": list(_operations(spec)),
    }


def _operations(spec: dict[str, Any]) -> Iterator[PageOperation]:
    for path, item in spec["paths"].items():
        for method in (method for method in HTTP_METHODS if method in item):
            operation = item[method]
            content = operation.get("requestBody", {}).get("content", {})
            yield PageOperation(
                id=operation.get("operationId", f"{method}-{path}"),
                method=method.upper(),
                path=path,
                summary=operation.get("summary", ""),
                description=operation.get("description", ""),
                needs=_needs(operation.get("security", spec.get("security", []))),
                parameters=[*item.get("parameters", []), *operation.get("parameters", [])],
                body=next(((media, body["schema"]) for media, body in content.items()), None),
                responses=[
                    (status, _resolve(spec, response))
                    for status, response in operation["responses"].items()
                ],
            )


def _needs(security: list[dict[str, list[str]]]) -> str:
    """``[{"a": [], "b": []}, {}]`` -> "a + b, or nothing"."""
    if not security:
        return "nothing"
    return ", or ".join(" + ".join(requirement) or "nothing" for requirement in security)


def _resolve(spec: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """A ``#/components/...`` reference followed (one level: enough for responses)."""
    if "$ref" not in value:
        return value
    target: dict[str, Any] = spec
    for part in value["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return target


def notes(schema: dict[str, Any], description: str | None = None) -> str:
    """A schema's constraints and description, as one line of text."""
    parts = [f"{key}: {_text(schema[key])}" for key in NOTES if key in schema]
    parts += [text for text in (schema.get("description"), description) if text]
    if schema.get("readOnly"):
        parts.append("response only")
    if schema.get("writeOnly"):
        parts.append("request only")
    return "; ".join(parts)


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


_CODE_SPAN = re.compile(r"`([^`]+)`")


def code_spans(text: str | None) -> Markup:
    """``text`` as HTML, its `backquoted` parts as ``<code>`` (as Markdown shows them; the
    page runs no script to render Markdown)."""
    escaped = str(escape(text or ""))
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))

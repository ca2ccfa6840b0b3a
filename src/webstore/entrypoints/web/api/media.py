"""The stored copies of products' pictures, for ``<img>``: public, and kept by browsers for good.

Outside ``/api``: a picture is no JSON, and the refresh cookie (``Path=/api``) is never sent
with it, so that any cache in front may keep it. A URL names the copy's bytes by their digest
(``picture_urls.py``), so its answer never changes: a new picture has new URLs. The answer is
the stored copy, re-encoded at upload, never what was uploaded; it is typed by what was
stored, never sniffed, and sandboxed should it ever be opened as a document.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import NotFound

from webstore.domain.pictures import SIZES
from webstore.entrypoints.web.api.picture_urls import EXTENSIONS, FILE_NAME, PREFIX
from webstore.entrypoints.web.json_codec import webstore

bp = Blueprint("media", __name__, url_prefix=PREFIX)
FOREVER = "public, max-age=31536000, immutable"
IMAGE_POLICY = "default-src 'none'; sandbox"


@bp.get("/<id:product_id>/<name>")
def product_image(product_id: int, name: str) -> Response:
    parts = FILE_NAME.fullmatch(name)
    if parts is None or int(parts["size"]) not in SIZES:
        raise NotFound()
    variant = webstore().get_product_image(product_id, int(parts["size"]), parts["digest"])
    if EXTENSIONS[variant.content_type] != parts["extension"]:
        raise NotFound()
    response = Response(variant.data, content_type=variant.content_type)
    response.headers["Cache-Control"] = FOREVER
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(variant.digest)
    response.make_conditional(request)  # 304 when the browser's copy is this one
    return response

"""A product's picture, set and removed by staff (the copies are served by ``media.py``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from webstore.domain.pictures import MAX_UPLOAD_BYTES
from webstore.entrypoints.web.api import serializers, uploads
from webstore.entrypoints.web.json_codec import (
    larger_body,
    no_content,
    stop_reading_together,
    webstore,
)
from webstore.entrypoints.web.security import current_principal, require_auth

bp = Blueprint("pictures", __name__, url_prefix="/api")
IMAGE = "/products/<id:product_id>/image"
# The form around the file: its boundaries and part headers take a few hundred bytes.
FORM_ALLOWANCE = 16 * 1024


@bp.post(IMAGE)
@larger_body(MAX_UPLOAD_BYTES + FORM_ALLOWANCE)
@require_auth
def upload_image(product_id: int) -> dict[str, Any]:
    store, actor = webstore(), current_principal()
    store.require_superuser(actor)  # 403, then 404, before the body is read (as PATCH)
    store.get_product(actor, product_id, with_image=False)
    stop_reading_together()  # no transaction stays open while the client sends megabytes
    product = store.set_product_image(actor, product_id, uploads.image_file())
    return serializers.product_detail(product)


@bp.delete(IMAGE)
@require_auth
def remove_image(product_id: int) -> Response:
    webstore().remove_product_image(current_principal(), product_id)
    return no_content()

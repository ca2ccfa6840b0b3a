"""The catalogue: the original listing and the superuser's product endpoints."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from webstore.entrypoints import serializers
from webstore.entrypoints.http import json_object, no_content, webstore
from webstore.entrypoints.security import current_principal, require_auth

bp = Blueprint("products", __name__, url_prefix="/api")
PRODUCT_ID = "<int(min=1, max=9223372036854775807):product_id>"


@bp.get("/get_all_products")
@require_auth
def get_all_products() -> tuple[list[dict[str, Any]], int, dict[str, str]]:
    page = webstore().list_products(request.args.get("limit"), request.args.get("offset"))
    body = [serializers.product(product) for product in page.items]
    return body, 200, {"X-Total-Count": str(page.total)}


@bp.get(f"/products/{PRODUCT_ID}")
@require_auth
def get_product(product_id: int) -> dict[str, Any]:
    return serializers.product_detail(webstore().get_product(current_principal(), product_id))


@bp.post("/products")
@require_auth
def create_product() -> tuple[dict[str, Any], int]:
    store, actor = webstore(), current_principal()
    store.require_superuser(actor)  # a regular user hears 403 before anything about the body
    product = store.add_product(actor, json_object())
    return serializers.product_detail(product), 201


@bp.patch(f"/products/{PRODUCT_ID}")
@require_auth
def update_product(product_id: int) -> dict[str, Any]:
    store, actor = webstore(), current_principal()
    store.require_superuser(actor)  # 403, then 404, before the body is read (as DRF)
    store.get_product(actor, product_id)
    product = store.update_product(actor, product_id, json_object())
    return serializers.product_detail(product)


@bp.delete(f"/products/{PRODUCT_ID}")
@require_auth
def deactivate_product(product_id: int) -> Response:
    webstore().deactivate_product(current_principal(), product_id)
    return no_content()

"""The catalogue: the original listing and the superuser's product endpoints."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from webstore.domain.errors import ProductNotFound
from webstore.entrypoints import serializers
from webstore.entrypoints.http import JsonResponse, LazyBody, no_content, webstore
from webstore.entrypoints.listing_cache import listing_cache
from webstore.entrypoints.schemas import ProductCreateSchema, ProductUpdateSchema
from webstore.entrypoints.security import current_principal, require_auth

bp = Blueprint("products", __name__, url_prefix="/api")
CREATE = ProductCreateSchema()
UPDATE = ProductUpdateSchema()
PRODUCT_ID = "<int(min=1, max=9223372036854775807):product_id>"


@bp.errorhandler(ProductNotFound)
def product_not_found(error: ProductNotFound) -> Response:
    # A missing resource here; a missing product named in an order is a 400 (orders.py).
    return JsonResponse.of({"detail": "Not found."}, 404)


@bp.get("/get_all_products")
@require_auth
def get_all_products() -> Response:
    store, limit, offset = webstore(), request.args.get("limit"), request.args.get("offset")
    return listing_cache().response(
        ("products", limit, offset),
        store.catalogue_version(),
        lambda: store.list_products(limit, offset),
        serializers.product,
    )


@bp.get(f"/products/{PRODUCT_ID}")
@require_auth
def get_product(product_id: int) -> dict[str, Any]:
    return serializers.product_detail(webstore().get_product(current_principal(), product_id))


@bp.post("/products")
@require_auth
def create_product() -> tuple[dict[str, Any], int]:
    product = webstore().add_product(current_principal(), LazyBody(CREATE))
    return serializers.product_detail(product), 201


@bp.patch(f"/products/{PRODUCT_ID}")
@require_auth
def update_product(product_id: int) -> dict[str, Any]:
    product = webstore().update_product(current_principal(), product_id, LazyBody(UPDATE))
    return serializers.product_detail(product)


@bp.delete(f"/products/{PRODUCT_ID}")
@require_auth
def deactivate_product(product_id: int) -> Response:
    webstore().deactivate_product(current_principal(), product_id)
    return no_content()

"""The catalogue: the original listing and the superuser's product endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, request

from webstore.application.dto import Principal
from webstore.application.snapshots import ProductSnapshot
from webstore.application.store import Webstore
from webstore.entrypoints.web.api import serializers, uploads
from webstore.entrypoints.web.fast_listings.cache import Listing, listing_cache
from webstore.entrypoints.web.json_codec import json_object, no_content, webstore
from webstore.entrypoints.web.openapi.request_schemas import (
    ProductCreateSchema,
    ProductUpdateSchema,
)
from webstore.entrypoints.web.security import current_principal, require_auth

bp = Blueprint("products", __name__, url_prefix="/api")
PRODUCT_ID = "<id:product_id>"
# What a request body may set; other fields are ignored, as in DRF (``stock``, which Python
# callers may use, included: over HTTP the stock is ``amount``).
CREATE_FIELDS = frozenset(ProductCreateSchema().fields)
UPDATE_FIELDS = frozenset(ProductUpdateSchema().fields)


@bp.get("/get_all_products")
@require_auth
def get_all_products() -> Response:
    return listing_cache().response(*all_products(webstore(), current_principal(), request.args))


def all_products(
    store: Webstore, actor: Principal, args: Mapping[str, str]
) -> Listing[ProductSnapshot]:
    """What ``get_all_products`` lists (``fast_listings.py`` answers it too)."""
    return (
        "products",
        lambda known: store.list_products_versioned(
            known, args.get("limit"), args.get("offset"), args.get("search"), with_images=False
        ),
        serializers.product,
    )


@bp.get("/products")
@require_auth
def list_products() -> Response:
    store, actor, args = webstore(), current_principal(), request.args
    return listing_cache().response(
        "products in detail",
        lambda known: store.list_products_versioned(
            known,
            args.get("limit"),
            args.get("offset"),
            args.get("search"),
            actor=actor,
            include_inactive=True,
        ),
        serializers.product_detail,
    )


@bp.get(f"/products/{PRODUCT_ID}")
@require_auth
def get_product(product_id: int) -> dict[str, Any]:
    actor = current_principal()
    # A regular user sees exactly what the listing shows (the original API's product, no
    # picture); only superusers see is_active and the picture's URLs.
    if not actor.is_superuser:
        return serializers.product(webstore().get_product(actor, product_id, with_image=False))
    return serializers.product_detail(webstore().get_product(actor, product_id))


@bp.post("/products")
@require_auth
def create_product() -> tuple[dict[str, Any], int]:
    store, actor = webstore(), current_principal()
    store.require_superuser(actor)  # a regular user hears 403 before anything about the body
    product = store.add_product(actor, described(json_object(), CREATE_FIELDS))
    return serializers.product_detail(product), 201


@bp.patch(f"/products/{PRODUCT_ID}")
@require_auth
def update_product(product_id: int) -> dict[str, Any]:
    store, actor = webstore(), current_principal()
    store.require_superuser(actor)  # 403, then 404, before the body is parsed (as DRF)
    store.get_product(actor, product_id)
    product = store.update_product(actor, product_id, described(json_object(), UPDATE_FIELDS))
    return serializers.product_detail(product)


def described(body: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {name: value for name, value in body.items() if name in names}


@bp.delete(f"/products/{PRODUCT_ID}")
@require_auth
def deactivate_product(product_id: int) -> Response:
    webstore().deactivate_product(current_principal(), product_id)
    return no_content()


@bp.post("/products/import")
@require_auth
def import_products() -> tuple[dict[str, Any], int]:
    report = webstore().import_product_file(current_principal(), uploads.product_file)
    return {"imported": report.added}, 201

"""Responses as plain dicts: the request path's fast twin of the response schemas."""

from __future__ import annotations

from typing import Any

from webstore.application.dto import Principal
from webstore.application.snapshots import OrderSnapshot, ProductSnapshot, UserSnapshot
from webstore.domain.orders import Order
from webstore.domain.products import Product
from webstore.entrypoints.web.api import picture_urls
from webstore.entrypoints.web.openapi.response_schemas import utc_iso

SIGNED_IN = {"massage": "success", "message": "success"}
LOGGED_OUT = {"detail": "Successfully logged out."}


def product(item: Product | ProductSnapshot) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "price": str(item.price),
        "amount": item.stock,
    }


def product_detail(item: ProductSnapshot) -> dict[str, Any]:
    """A product as staff see it: whether it is on sale, and its picture's URLs (or nulls)."""
    return {**product(item), "is_active": item.is_active, **picture_urls.urls(item.id, item.image)}


def catalogue_product(item: ProductSnapshot) -> dict[str, Any]:
    """A product of the public catalogue: the listing's object and its picture's URLs (or nulls)."""
    return {**product(item), **picture_urls.urls(item.id, item.image)}


def order(item: Order | OrderSnapshot) -> dict[str, Any]:
    return {
        "id": item.id,
        "user": item.user_id,
        "address": item.address,
        "phone": item.phone,
        "status": item.status.value,
        "completed": item.completed,
        "created_at": utc_iso(item.created_at),
        "total_price": str(item.total_price),
        "items": [
            {
                "product_id": line.product_id,
                "product_name": line.product_name,
                "amount": line.quantity,
                "price": str(line.price),
            }
            for line in item.lines
        ],
    }


def user(principal: Principal) -> dict[str, Any]:
    return {"id": principal.user_id, "username": principal.username, "email": principal.email}


def me(principal: Principal) -> dict[str, Any]:
    return {**user(principal), "is_superuser": principal.is_superuser}


def account(item: UserSnapshot) -> dict[str, Any]:
    """A user account as staff see it."""
    return {
        "id": item.id,
        "username": item.username,
        "email": item.email,
        "is_active": item.is_active,
        "is_superuser": item.is_superuser,
        "date_joined": utc_iso(item.date_joined),
    }

"""Orders: the original listing and placing, and the superuser's transitions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from webstore.entrypoints import serializers
from webstore.entrypoints.http import load, webstore
from webstore.entrypoints.schemas import PlaceOrderSchema
from webstore.entrypoints.security import current_principal, require_auth

bp = Blueprint("orders", __name__, url_prefix="/api")
PLACE = PlaceOrderSchema()
ORDER_ID = "<int(min=1, max=9223372036854775807):order_id>"


@bp.get("/get_order")
@require_auth
def get_order() -> tuple[list[dict[str, Any]], int, dict[str, str]]:
    args = request.args
    page = webstore().list_orders(
        current_principal(),
        args.get("category"),
        args.get("user_id"),
        args.get("limit"),
        args.get("offset"),
    )
    body = [serializers.order(order) for order in page.items]
    return body, 200, {"X-Total-Count": str(page.total)}


@bp.post("/post_order")
@require_auth
def post_order() -> tuple[dict[str, Any], int]:
    # Idempotency-Key (CONTRACT §1) wraps this call: replay a stored 201, or record a new one.
    data = load(PLACE)
    order = webstore().place_order(
        current_principal(), data["address"], data["phone"], data["items"]
    )
    return serializers.order(order), 201


@bp.post(f"/orders/{ORDER_ID}/complete")
@require_auth
def complete_order(order_id: int) -> dict[str, Any]:
    return serializers.order(webstore().complete_order(current_principal(), order_id))


@bp.post(f"/orders/{ORDER_ID}/cancel")
@require_auth
def cancel_order(order_id: int) -> dict[str, Any]:
    return serializers.order(webstore().cancel_order(current_principal(), order_id))

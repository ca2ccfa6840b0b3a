"""Orders: the original listing and placing, and the superuser's transitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, request

from webstore.application.dto import Principal
from webstore.application.ordering.idempotency import IdempotencyRequest
from webstore.application.snapshots import OrderSnapshot
from webstore.application.store import Webstore
from webstore.entrypoints.web.api import serializers
from webstore.entrypoints.web.api.idempotency import fingerprint, keyed_response, requested_key
from webstore.entrypoints.web.bodies import fields_of
from webstore.entrypoints.web.fast_listings.cache import Listing, listing_cache
from webstore.entrypoints.web.json_codec import JsonResponse, json_object, webstore
from webstore.entrypoints.web.openapi.request_schemas import PlaceOrderSchema
from webstore.entrypoints.web.security import (
    authenticated,
    current_principal,
    require_auth,
    require_auth_rechecked,
)

bp = Blueprint("orders", __name__, url_prefix="/api")
PLACE = PlaceOrderSchema()
ORDER_ID = "<id:order_id>"


@bp.get("/get_order")
@require_auth
def get_order() -> Response:
    return listing_cache().response(*orders_listed(webstore(), current_principal(), request.args))


def orders_listed(
    store: Webstore, actor: Principal, args: Mapping[str, str]
) -> Listing[OrderSnapshot]:
    """What ``get_order`` lists (``fast_listings.py`` answers it too). Listings that match the
    same orders are the same listing, whoever asks for them."""
    return (
        "orders",
        lambda known: store.list_orders_versioned(
            known,
            actor,
            args.get("category"),
            args.get("user_id"),
            args.get("limit"),
            args.get("offset"),
            ignore_unused_filters=True,  # the original API ignores them
        ),
        serializers.order,
    )


@bp.post("/post_order")
@require_auth_rechecked  # place_order rechecks the login session first, in its transaction
def post_order() -> Response:
    key = requested_key()  # a bad header is refused before the body is looked at
    data = json_object()
    address, phone, items = fields_of(data, PLACE)
    if key is None:
        order_input = (current_principal(), address, phone, items)
        return JsonResponse.of(serializers.order(webstore().place_order(*order_input)), 201)
    # A keyed request may be answered by a replay, without the recheck: authenticated first.
    keyed = IdempotencyRequest(key, fingerprint(data, PLACE))
    order_input = (authenticated(), address, phone, items)
    return keyed_response(webstore().place_order_once(*order_input, keyed))


@bp.post(f"/orders/{ORDER_ID}/complete")
@require_auth
def complete_order(order_id: int) -> dict[str, Any]:
    return serializers.order(webstore().complete_order(current_principal(), order_id))


@bp.post(f"/orders/{ORDER_ID}/cancel")
@require_auth
def cancel_order(order_id: int) -> dict[str, Any]:
    return serializers.order(webstore().cancel_order(current_principal(), order_id))

"""What the order endpoints take and answer."""

from __future__ import annotations

from typing import Any

from webstore.entrypoints.web.openapi.operations.objects import (
    TOKEN,
    TOKEN_AND_CSRF,
    TOTAL,
    array,
    header,
    operation,
    returns,
)
from webstore.entrypoints.web.openapi.request_schemas import OrderQuerySchema, PlaceOrderSchema
from webstore.entrypoints.web.openapi.response_schemas import OrderSchema

IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "1..255 printable ASCII characters, chosen by the client, scoped to the user. Sending "
        "the same key with the same body within 24 hours replays the stored 201 (header "
        "Idempotent-Replayed: true) and places no second order; with a different body: 422; "
        "while the first request is still running: the replay, or 409. An invalid key: 400."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}
ORDER = returns("The order.", OrderSchema)

ORDER_OPERATIONS: dict[str, dict[str, Any]] = {
    "orders.get_order": operation(
        "Orders, newest first: a regular user's own, or a superuser's selection.",
        TOKEN,
        {"200": returns("Orders.", array(OrderSchema), X_Total_Count=TOTAL)},
        ("400", "403"),
        parameters=[{"in": "query", "schema": OrderQuerySchema}],
    ),
    "orders.post_order": operation(
        "Place an order; stock is checked and taken atomically.",
        TOKEN_AND_CSRF,
        {
            "201": returns(
                "Placed (or, with Idempotent-Replayed, placed by an earlier request).",
                OrderSchema,
                Idempotent_Replayed=header(
                    "`true` when this is the stored response to an earlier request with the "
                    "same Idempotency-Key; absent otherwise."
                ),
            )
        },
        ("403", "409", "422"),
        body=PlaceOrderSchema,
        parameters=[IDEMPOTENCY_KEY],
    ),
    "orders.complete_order": operation(
        "Complete a pending order (superuser).",
        TOKEN_AND_CSRF,
        {"200": ORDER},
        ("403", "404", "409"),
    ),
    "orders.cancel_order": operation(
        "Cancel a pending order and return its stock (superuser or the order's owner).",
        TOKEN_AND_CSRF,
        {"200": ORDER},
        ("403", "404", "409"),
    ),
}

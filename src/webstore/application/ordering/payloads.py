"""An order snapshot as text and back: what an Idempotency-Key record keeps, exactly."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from webstore.application.snapshots import OrderSnapshot
from webstore.domain.orders import OrderLine, OrderStatus
from webstore.domain.values import Money


def encode(order: OrderSnapshot) -> str:
    """Compact JSON of every field; decimals and times as text, so nothing is rounded."""
    return json.dumps(
        {
            "id": order.id,
            "user_id": order.user_id,
            "address": order.address,
            "phone": order.phone,
            "status": order.status.value,
            "created_at": order.created_at.isoformat(),
            "lines": [
                [line.product_id, line.product_name, line.quantity, str(line.price)]
                for line in order.lines
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(payload: str) -> OrderSnapshot:
    """The snapshot ``encode`` wrote."""
    data = json.loads(payload)
    return OrderSnapshot(
        id=data["id"],
        user_id=data["user_id"],
        address=data["address"],
        phone=data["phone"],
        status=OrderStatus(data["status"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        lines=tuple(
            OrderLine(product_id, name, quantity, Money(Decimal(price)))
            for product_id, name, quantity, price in data["lines"]
        ),
    )

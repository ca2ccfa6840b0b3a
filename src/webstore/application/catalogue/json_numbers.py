"""JSON numbers with a fraction or an exponent, read exactly, as prices need them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def exact_decimal(text: str) -> Decimal:
    """``parse_float`` for ``json.loads``: a ``ValueError`` (bad JSON) when Decimal cannot
    hold the number, as for an exponent of thousands of digits."""
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("a number too large to read") from None

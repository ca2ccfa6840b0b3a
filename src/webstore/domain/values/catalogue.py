"""A product's name and description."""

from __future__ import annotations

from typing import Any

from webstore.domain.values.fields import MISSING, text

NAME_MAX = 200
DESCRIPTION_MAX = 5000


def product_name(raw: Any) -> str:
    return text(raw, max_length=NAME_MAX)


def product_description(raw: Any) -> str:
    """Optional: left out or ``null`` reads as empty."""
    empty = raw is None or raw is MISSING
    return text("" if empty else raw, min_length=0, max_length=DESCRIPTION_MAX)

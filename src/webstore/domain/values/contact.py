"""Where an order goes: the delivery address and the phone number."""

from __future__ import annotations

import re
from typing import Any

from webstore.domain.values.fields import InvalidValue, text

ADDRESS_MAX = 500
PHONE_CHARACTERS = r"[0-9 +()\-]{5,32}"
PHONE_MIN_DIGITS = 5


_PHONE = re.compile(PHONE_CHARACTERS)


def address(raw: Any) -> str:
    return text(raw, max_length=ADDRESS_MAX)


def phone(raw: Any) -> str:
    """5..32 characters of digits, spaces and ``+()-``, at least 5 of them digits."""
    value = text(raw, max_length=32)
    if not _PHONE.fullmatch(value) or sum(ch.isdigit() for ch in value) < PHONE_MIN_DIGITS:
        raise InvalidValue(
            "Enter a valid phone number: 5 to 32 digits, spaces and +()- with at least 5 digits."
        )
    return value

"""The ``limit``/``offset`` and ``search`` rules shared by the listings."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from webstore.domain import values

MAX_LIMIT = 1000
# Plain ASCII decimal digits with an optional sign; 30 digits exceed every bound already,
# and keep int() far from its limit on the length of what it converts.
_DECIMAL_INTEGER = re.compile(r"[+-]?[0-9]{1,30}\Z")


def _optional_int(raw: Any, *, minimum: int, maximum: int) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        if not _DECIMAL_INTEGER.match(raw.strip()):
            raise values.InvalidValue("A valid integer is required.")
        raw = int(raw)
    return values.integer(raw, minimum=minimum, maximum=maximum)


def page_checks(limit: Any, offset: Any) -> dict[str, tuple[Callable[[Any], Any], Any]]:
    """The ``values.validated`` checks of ``limit`` and ``offset``, to run beside others."""
    return {
        "limit": (lambda raw: _optional_int(raw, minimum=1, maximum=MAX_LIMIT), limit),
        "offset": (lambda raw: _optional_int(raw, minimum=0, maximum=2**62), offset),
    }


def pagination(limit: Any, offset: Any) -> tuple[int | None, int]:
    """Checked ``(limit, offset)``: limit 1..1000 or none, offset >= 0; text is accepted."""
    clean = values.validated(**page_checks(limit, offset))
    return clean["limit"], clean["offset"] or 0


def optional_id(raw: Any) -> int | None:
    """An id given as an integer or as decimal text, as query strings carry it."""
    return _optional_int(raw, minimum=1, maximum=2**63 - 1)


def search_filter(raw: Any) -> str | None:
    """The key a listing's ``search`` looks for (``values.search_key``); ``None`` (no filter)
    when absent or blank."""
    if raw is None:
        return None
    return values.search_key(values.search_text(raw)) or None

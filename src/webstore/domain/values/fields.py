"""How a field is checked: present or missing, one problem or all of them at once, and the
plain rules (text, integers, booleans) that the others build on."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from webstore.domain.errors import InvalidInput

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_A_STRING = "Not a valid string."
NOT_AN_INTEGER = "Not a valid integer."
NOT_A_BOOLEAN = "Must be a valid boolean."
BLANK = "This field may not be blank."


class _Missing:
    """The value of a field a request left out (``None`` is a field sent as ``null``)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def present(raw: Any) -> Any:
    """``raw``, unless it is missing (``REQUIRED``) or null (``NOT_NULL``)."""
    if raw is MISSING:
        raise InvalidValue(REQUIRED)
    if raw is None:
        raise InvalidValue(NOT_NULL)
    return raw


def json_type(value: object) -> str:
    """The Python name DRF shows for a parsed JSON value (numbers with a point are floats)."""
    return "float" if isinstance(value, Decimal) else type(value).__name__


class InvalidValue(ValueError):
    """One field broke one rule; gathered into ``InvalidInput`` by ``validated``."""


def validated(**checks: tuple[Callable[[Any], Any], Any]) -> dict[str, Any]:
    """Run ``name=(rule, raw)`` checks; return the clean values or raise every problem at once."""
    clean: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, (rule, raw) in checks.items():
        try:
            clean[name] = rule(raw)
        except InvalidInput as nested:
            errors[name] = dict(nested.errors)
        except InvalidValue as problem:
            errors[name] = [str(problem)]
    if errors:
        raise InvalidInput(errors)
    return clean


def text(raw: Any, *, min_length: int = 1, max_length: int, strip: bool = True) -> str:
    """A string, trimmed as DRF's CharField trims, within length bounds."""
    present(raw)
    if not isinstance(raw, str):
        raise InvalidValue(NOT_A_STRING)
    _refuse_unstorable(raw)
    value = raw.strip() if strip else raw
    if not value and min_length > 0:
        raise InvalidValue(BLANK)
    if len(value) < min_length:
        raise InvalidValue(f"Ensure this field has at least {min_length} characters.")
    if len(value) > max_length:
        raise InvalidValue(f"Ensure this field has no more than {max_length} characters.")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_unstorable(value: str) -> None:
    """As DRF's CharField: no NUL (PostgreSQL refuses it) and no lone surrogate (not UTF-8)."""
    if "\x00" in value:
        raise InvalidValue("Null characters are not allowed.")
    if (surrogate := _SURROGATE.search(value)) is not None:
        raise InvalidValue(f"Surrogate characters are not allowed: U+{ord(surrogate[0]):X}.")


def integer(raw: Any, *, minimum: int, maximum: int) -> int:
    """A true integer (booleans and floats are refused) within bounds."""
    present(raw)
    if type(raw) is not int:
        raise InvalidValue(NOT_AN_INTEGER)
    if raw < minimum:
        raise InvalidValue(f"Must be at least {minimum}.")
    if raw > maximum:
        raise InvalidValue(f"Must be at most {maximum}.")
    return raw


def boolean(raw: Any) -> bool:
    """A true boolean: ``1`` and ``"true"`` are refused."""
    if not isinstance(present(raw), bool):
        raise InvalidValue(NOT_A_BOOLEAN)
    return bool(raw)

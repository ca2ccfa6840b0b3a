"""Usernames (and the key that makes them unique), email addresses and passwords."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from webstore.domain.values.fields import InvalidValue, text

USERNAME_MAX = 150
EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 8, 1024


_USERNAME = re.compile(r"^[\w.@+-]+\Z")  # Django's UnicodeUsernameValidator


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def username(raw: Any) -> str:
    """A username as Django stores it: trimmed, NFKC-normalized, 1..150 of letters/digits/@.+-_."""
    value = _nfkc(text(raw, max_length=USERNAME_MAX))
    if len(value) > USERNAME_MAX:
        raise InvalidValue(f"Ensure this field has no more than {USERNAME_MAX} characters.")
    if not _USERNAME.match(value):
        raise InvalidValue(
            "Enter a valid username. This value may contain only letters, "
            "numbers, and @/./+/-/_ characters."
        )
    return value


def username_key(name: str) -> str:
    """The key that makes ``Alice``, ``ALICE`` and (full-width) ``\\uff21lice`` one username.

    Unicode's compatibility caseless match, plus upper-casing first so that a letter and its
    capital always share a key (``casefold`` alone keeps the dotless ``\\u0131`` apart from ``I``).
    Decomposing before each case mapping keeps the key stable: ``username_key`` of a key is
    that key.
    """
    upper = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).upper())
    return _nfkc(upper.casefold())


_LOCAL_PART = re.compile(r"^[-!#$%&'*+/=?^_`{}|~0-9a-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*\Z", re.I)
_DOMAIN = re.compile(
    r"^((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+)(?:[a-z0-9-]{2,63}(?<!-))\Z", re.I
)
_INVALID_EMAIL = "Enter a valid email address."


def email(raw: Any) -> str:
    """A valid address (max 254), with its domain lower-cased as Django's normalize_email does."""
    value = text(raw, max_length=EMAIL_MAX)
    local, at, domain = value.rpartition("@")
    if not at or not local or not _LOCAL_PART.match(local) or len(local) > 64:
        raise InvalidValue(_INVALID_EMAIL)
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidValue(_INVALID_EMAIL) from None
    if not _DOMAIN.match(ascii_domain):
        raise InvalidValue(_INVALID_EMAIL)
    return f"{local}@{domain.lower()}"


def password(raw: Any) -> str:
    """A password used exactly as sent: 8..1024 characters, not entirely numeric."""
    value = text(raw, min_length=0, max_length=PASSWORD_MAX, strip=False)
    if len(value) < PASSWORD_MIN:
        raise InvalidValue(
            f"This password is too short. It must contain at least {PASSWORD_MIN} characters."
        )
    if value.isdigit():
        raise InvalidValue("This password is entirely numeric.")
    return value

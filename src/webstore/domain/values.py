"""Value objects and the field rules of docs/api.md ("Validation rules"), each in one place.

These rules run once, in the use cases; the HTTP layer's schemas only describe them (OpenAPI)
and take their limits from the constants below.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from webstore.domain.errors import InvalidInput

T = TypeVar("T")

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_A_STRING = "Not a valid string."
NOT_AN_INTEGER = "Not a valid integer."
NOT_A_BOOLEAN = "Must be a valid boolean."
BLANK = "This field may not be blank."

USERNAME_MAX = 150
EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
ADDRESS_MAX = 500
PHONE_CHARACTERS = r"[0-9 +()\-]{5,32}"
PHONE_MIN_DIGITS = 5
ID_MAX = 2**63 - 1
ORDER_QUANTITY_MAX = 10_000
NAME_MAX = 200
DESCRIPTION_MAX = 5000
# The most a product can be set to. Cancelled orders return their units on top of the stock
# of the moment, which may then exceed this: storage keeps 64 bits, so returning can never fail.
MAX_STOCK = 2_147_483_647


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


# --- users -----------------------------------------------------------------------------------

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


# --- orders ----------------------------------------------------------------------------------

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


def is_storable_id(value: int) -> bool:
    """Whether a row could have this id (an id past the 64-bit range cannot be looked up)."""
    return 1 <= value <= ID_MAX


def product_id(raw: Any) -> int:
    return integer(raw, minimum=1, maximum=ID_MAX)


def order_amount(raw: Any) -> int:
    return integer(raw, minimum=1, maximum=ORDER_QUANTITY_MAX)


def stock_amount(raw: Any) -> int:
    return integer(raw, minimum=0, maximum=MAX_STOCK)


def product_name(raw: Any) -> str:
    return text(raw, max_length=NAME_MAX)


def product_description(raw: Any) -> str:
    """Optional: left out or ``null`` reads as empty."""
    empty = raw is None or raw is MISSING
    return text("" if empty else raw, min_length=0, max_length=DESCRIPTION_MAX)


def boolean(raw: Any) -> bool:
    """A true boolean: ``1`` and ``"true"`` are refused."""
    if not isinstance(present(raw), bool):
        raise InvalidValue(NOT_A_BOOLEAN)
    return bool(raw)


MAX_SEARCH = 200


def search_text(raw: Any) -> str:
    """What a catalogue search looks for: trimmed text of up to 200 characters, maybe empty."""
    return text(raw, min_length=0, max_length=MAX_SEARCH)


# Letters that Unicode does not decompose into a base letter and a mark, folded as a reader
# who types plain Latin letters expects: a stroke or a ligature is, for a search, an accent.
_UNDECOMPOSED_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b", "ɨ": "i", "æ": "ae", "œ": "oe"}
)


def _without_marks(value: str) -> str:
    """``value`` decomposed (NFKD), without its combining marks: ``É`` is ``E``, ``ﬁ`` is ``fi``."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_key(value: str) -> str:
    """The form searches compare, ignoring case and accents alike.

    ``cafe`` finds ``Café``, ``e`` finds ``Éclair``, ``SS`` finds ``Straße``, ``lodz`` finds
    ``Łódź``, ``oeuvre`` finds ``Œuvre``, ``istanbul`` finds ``İstanbul`` (the dotless
    ``\u0131`` is ``i`` too). Marks go before and after the case mapping (``İ`` lower-cases to
    ``i`` and a combining dot); the caseless part is the key usernames are matched by. A search
    matches when its key is a substring of the name's key. The stored keys are recomputed by a
    migration whenever this changes (0008).
    """
    folded = _without_marks(username_key(_without_marks(value)))
    return unicodedata.normalize("NFKC", folded).translate(_UNDECOMPOSED_LETTERS)


# --- money -----------------------------------------------------------------------------------

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount with two decimal places; never a float."""

    amount: Decimal

    def __post_init__(self) -> None:
        amount = self.amount
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise TypeError("Money needs a finite Decimal")
        exact = amount.quantize(CENT)
        if exact != amount:
            raise ValueError(f"{amount} has more than two decimal places")
        object.__setattr__(self, "amount", exact)

    @classmethod
    def zero(cls) -> Money:
        return cls(Decimal("0.00"))

    @classmethod
    def _exact(cls, amount: Decimal) -> Money:
        """Skip the checks for results that keep two places by construction (sums, multiples)."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount)
        return money

    def __add__(self, other: Money) -> Money:
        return Money._exact(self.amount + other.amount)

    def __mul__(self, quantity: int) -> Money:
        return Money._exact(self.amount * quantity)

    def __lt__(self, other: Money) -> bool:
        return self.amount < other.amount

    def __str__(self) -> str:
        return f"{self.amount:.2f}"


# Ten digits, as DRF's DecimalField(max_digits=10, decimal_places=2).
MAX_PRICE = Decimal("99999999.99")
NOT_A_NUMBER = "A valid number is required."


def _decimal(raw: int | float | str | Decimal) -> Decimal:
    if isinstance(raw, int):
        return Decimal(raw)  # exact, and free of str()'s limit on the digits of huge integers
    if isinstance(raw, float):
        return Decimal(repr(raw)) if math.isfinite(raw) else Decimal("NaN")
    try:
        return Decimal(raw.strip() if isinstance(raw, str) else raw)
    except InvalidOperation:
        return Decimal("NaN")


def price(raw: Any) -> Money:
    """A positive price from a JSON number or a decimal string with at most two places.

    Places are counted as written, as DRF does: ``"1.500"`` has three. No check quantizes an
    unchecked value, since that raises for values wider than the decimal context.
    """
    if isinstance(present(raw), bool) or not isinstance(raw, int | float | str | Decimal):
        raise InvalidValue(NOT_A_NUMBER)
    value = _decimal(raw)
    if not value.is_finite():
        raise InvalidValue(NOT_A_NUMBER)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite Decimal's exponent is a number
    if exponent < -2:
        raise InvalidValue("Ensure that there are no more than 2 decimal places.")
    if value <= 0:
        raise InvalidValue("Ensure this value is greater than 0.")
    if value > MAX_PRICE:
        raise InvalidValue("Ensure that there are no more than 10 digits in total.")
    return Money(value.quantize(CENT))

"""Value objects and the field rules of docs/api.md ("Validation rules"), each in one place.

These rules run once, in the use cases; the HTTP layer's schemas only describe them (OpenAPI)
and take their limits from the constants below. By concept: ``fields`` (how a field is
checked, and plain text, integers and booleans), ``accounts`` (usernames, emails, passwords),
``contact`` (address, phone), ``quantities`` (ids, amounts, stock), ``catalogue`` (a product's
name and description), ``search`` and ``money``. Everything is importable from here.
"""

from webstore.domain.values.accounts import (
    EMAIL_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    USERNAME_MAX,
    email,
    password,
    username,
    username_key,
)
from webstore.domain.values.catalogue import (
    DESCRIPTION_MAX,
    NAME_MAX,
    product_description,
    product_name,
)
from webstore.domain.values.contact import (
    ADDRESS_MAX,
    PHONE_CHARACTERS,
    PHONE_MIN_DIGITS,
    address,
    phone,
)
from webstore.domain.values.fields import (
    BLANK,
    MISSING,
    NOT_A_BOOLEAN,
    NOT_A_STRING,
    NOT_AN_INTEGER,
    NOT_NULL,
    REQUIRED,
    InvalidValue,
    boolean,
    integer,
    json_type,
    present,
    text,
    validated,
)
from webstore.domain.values.money import CENT, MAX_PRICE, NOT_A_NUMBER, Money, price
from webstore.domain.values.quantities import (
    ID_MAX,
    MAX_STOCK,
    ORDER_QUANTITY_MAX,
    is_storable_id,
    order_amount,
    product_id,
    stock_amount,
)
from webstore.domain.values.search import MAX_SEARCH, search_key, search_text

__all__ = [
    "ADDRESS_MAX",
    "BLANK",
    "CENT",
    "DESCRIPTION_MAX",
    "EMAIL_MAX",
    "ID_MAX",
    "MAX_PRICE",
    "MAX_SEARCH",
    "MAX_STOCK",
    "MISSING",
    "NAME_MAX",
    "NOT_AN_INTEGER",
    "NOT_A_BOOLEAN",
    "NOT_A_NUMBER",
    "NOT_A_STRING",
    "NOT_NULL",
    "ORDER_QUANTITY_MAX",
    "PASSWORD_MAX",
    "PASSWORD_MIN",
    "PHONE_CHARACTERS",
    "PHONE_MIN_DIGITS",
    "REQUIRED",
    "USERNAME_MAX",
    "InvalidValue",
    "Money",
    "address",
    "boolean",
    "email",
    "integer",
    "is_storable_id",
    "json_type",
    "order_amount",
    "password",
    "phone",
    "present",
    "price",
    "product_description",
    "product_id",
    "product_name",
    "search_key",
    "search_text",
    "stock_amount",
    "text",
    "username",
    "username_key",
    "validated",
]

"""marshmallow schemas of request bodies and query strings, for the OpenAPI document.

They validate nothing: the use cases run every rule, once (``webstore.domain.values``), and
the limits written here are those same constants.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from webstore.application.accounts.users import MAX_IDS
from webstore.application.ordering.orders import MAX_LINES, OrderCategory
from webstore.application.paging import MAX_LIMIT
from webstore.domain import values


def limits(minimum: int | None = None, maximum: int | None = None) -> dict[str, int]:
    return {
        key: value
        for key, value in (("minimum", minimum), ("maximum", maximum))
        if value is not None
    }


class RequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # fields a request does not need are ignored, as in DRF


class SignInSchema(RequestSchema):
    username = fields.String(
        required=True,
        metadata={
            "minLength": 1,
            "maxLength": values.USERNAME_MAX,
            "description": "letters, digits and @.+-_",
        },
    )
    email = fields.String(
        required=True, metadata={"format": "email", "maxLength": values.EMAIL_MAX}
    )
    password = fields.String(
        required=True,
        load_only=True,
        metadata={
            "minLength": values.PASSWORD_MIN,
            "maxLength": values.PASSWORD_MAX,
            "description": "not entirely numeric",
        },
    )


class LoginSchema(RequestSchema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


NEW_PASSWORD = {
    "minLength": values.PASSWORD_MIN,
    "maxLength": values.PASSWORD_MAX,
    "description": "sign-up's rules: not entirely numeric",
}


class ChangePasswordSchema(RequestSchema):
    old_password = fields.String(required=True, load_only=True)
    new_password = fields.String(required=True, load_only=True, metadata=NEW_PASSWORD)


class PasswordResetSchema(RequestSchema):
    username_or_email = fields.String(
        required=True,
        metadata={"minLength": 1, "maxLength": max(values.USERNAME_MAX, values.EMAIL_MAX)},
    )


class PasswordResetConfirmSchema(RequestSchema):
    token = fields.String(
        required=True,
        load_only=True,
        metadata={"description": "from the link the mail holds: <public URL>/#reset=<token>"},
    )
    new_password = fields.String(required=True, load_only=True, metadata=NEW_PASSWORD)


class OrderLineRequestSchema(RequestSchema):
    product_id = fields.Integer(required=True, metadata=limits(1))
    amount = fields.Integer(required=True, metadata=limits(1, values.ORDER_QUANTITY_MAX))


class PlaceOrderSchema(RequestSchema):
    address = fields.String(
        required=True, metadata={"minLength": 1, "maxLength": values.ADDRESS_MAX}
    )
    phone = fields.String(
        required=True,
        metadata={
            "pattern": f"^{values.PHONE_CHARACTERS}$",
            "description": f"at least {values.PHONE_MIN_DIGITS} digits",
        },
    )
    items = fields.List(
        fields.Nested(OrderLineRequestSchema),
        required=True,
        metadata={"minItems": 1, "maxItems": MAX_LINES},
    )


NAME = {"minLength": 1, "maxLength": values.NAME_MAX}
DESCRIPTION = {"maxLength": values.DESCRIPTION_MAX, "description": "null reads as empty"}
PRICE = {
    "type": ["string", "number"],  # OpenAPI 3.1
    "example": "19.99",
    "description": "greater than 0, at most 2 places and 10 digits",
}
STOCK = limits(0, values.MAX_STOCK)


class ProductCreateSchema(RequestSchema):
    name = fields.String(required=True, metadata=NAME)
    description = fields.String(allow_none=True, metadata=DESCRIPTION)
    price = fields.Raw(required=True, metadata=PRICE)
    amount = fields.Integer(required=True, metadata=STOCK)


class ProductUpdateSchema(RequestSchema):
    name = fields.String(metadata=NAME)
    description = fields.String(allow_none=True, metadata=DESCRIPTION)
    price = fields.Raw(metadata=PRICE)
    amount = fields.Integer(metadata=STOCK)
    is_active = fields.Boolean()


class PageQuerySchema(RequestSchema):
    """``?limit&offset`` of every listing."""

    limit = fields.Integer(metadata=limits(1, MAX_LIMIT))
    offset = fields.Integer(metadata=limits(0))


class ProductQuerySchema(PageQuerySchema):
    """``?limit&offset&search`` of the product listings."""

    search = fields.String(
        metadata={
            "maxLength": values.MAX_SEARCH,
            "description": "only products whose name contains this text, in any case; "
            "no wildcards; empty: every product",
        }
    )


class UserQuerySchema(PageQuerySchema):
    """``?limit&offset&search&ids`` of the staff's list of users."""

    search = fields.String(
        metadata={
            "maxLength": values.MAX_SEARCH,
            "description": "only users whose username or email contains this text, ignoring "
            "case and accents; no wildcards; empty: every user",
        }
    )
    ids = fields.String(
        metadata={
            "example": "1,2,3",
            "description": f"only these users: comma-separated ids, at most {MAX_IDS}; "
            "empty: nobody",
        }
    )


class OrderQuerySchema(PageQuerySchema):
    """A superuser's filters of ``get_order``; a regular user's are ignored."""

    category = fields.String(metadata={"enum": [category.value for category in OrderCategory]})
    user_id = fields.Integer(metadata=limits(1))

"""marshmallow schemas: they describe requests and responses for the OpenAPI document.

They validate nothing: the use cases run every rule, once (``webstore.domain.values``), and
the limits written here are those same constants. Response schemas describe what
``serializers`` builds (a test keeps the two in step).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, fields

from webstore.application.accounts.users import MAX_IDS
from webstore.application.ordering.orders import MAX_LINES, OrderCategory
from webstore.application.paging import MAX_LIMIT
from webstore.domain import values
from webstore.domain.pictures import LARGE, THUMBNAIL
from webstore.domain.values import json_type
from webstore.entrypoints.web.api import picture_urls

__all__ = ["json_type"]  # the name DRF gives a JSON value, for the body checks of ``http``


class UtcDateTime(fields.DateTime):
    """ISO 8601 in UTC ending in ``Z``, as DRF writes ``DateTimeField``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else utc_iso(value)


def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def limits(minimum: int | None = None, maximum: int | None = None) -> dict[str, int]:
    return {
        key: value
        for key, value in (("minimum", minimum), ("maximum", maximum))
        if value is not None
    }


# --- requests --------------------------------------------------------------------------------


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


# --- responses -------------------------------------------------------------------------------


class ProductSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    price = fields.String(required=True, metadata={"example": "19.99"})
    amount = fields.Integer(required=True, attribute="stock")


class PictureUrl(fields.String):
    """The URL of the product's picture at one size: a path on this server, or null."""

    def __init__(self, size: int, description: str) -> None:
        self.size = size
        super().__init__(
            required=True,
            allow_none=True,
            metadata={
                "format": "uri-reference",
                "description": f"{description} ({size} px on its longest side at most, WebP), "
                "a path on this server whose bytes never change; null without a picture",
                "example": f"/media/products/1/3fa9c2e1b4d05a77-{size}.webp",
            },
        )

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return picture_urls.url_of_size(obj.id, getattr(obj, "image", None), self.size)


IMAGE = "the product's picture"
THUMBNAIL_IMAGE = "the picture's small copy, for listings"


class ProductDetailSchema(ProductSchema):
    is_active = fields.Boolean(required=True)
    image = PictureUrl(LARGE, IMAGE)
    thumbnail = PictureUrl(THUMBNAIL, THUMBNAIL_IMAGE)


class CatalogueProductSchema(ProductSchema):
    image = PictureUrl(LARGE, IMAGE)
    thumbnail = PictureUrl(THUMBNAIL, THUMBNAIL_IMAGE)


class ImportResultSchema(Schema):
    imported = fields.Integer(required=True, metadata={"description": "products added"})


class OrderLineSchema(Schema):
    product_id = fields.Integer(required=True)
    product_name = fields.String(required=True)
    amount = fields.Integer(required=True, attribute="quantity")
    price = fields.String(required=True, metadata={"example": "19.99"})


class OrderSchema(Schema):
    id = fields.Integer(required=True)
    user = fields.Integer(required=True, attribute="user_id")
    address = fields.String(required=True)
    phone = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["pending", "completed", "cancelled"]})
    completed = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True, metadata={"example": "2026-11-26T20:12:30Z"})
    total_price = fields.String(required=True, metadata={"example": "39.98"})
    items = fields.List(fields.Nested(OrderLineSchema), required=True, attribute="lines")


class UserSchema(Schema):
    id = fields.Integer(required=True, attribute="user_id")
    username = fields.String(required=True)
    email = fields.String(required=True)


class MeSchema(UserSchema):
    is_superuser = fields.Boolean(required=True)


class AccountSchema(Schema):
    """A user account as staff see it."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    is_active = fields.Boolean(required=True)
    is_superuser = fields.Boolean(required=True)
    date_joined = UtcDateTime(required=True, metadata={"example": "2026-11-26T20:12:30Z"})


class SignInResponseSchema(Schema):
    massage = fields.String(required=True, metadata={"description": "the original's spelling"})
    message = fields.String(required=True)


class LoginResponseSchema(Schema):
    access_token = fields.String(required=True)
    user = fields.Nested(UserSchema, required=True)


class AccessTokenSchema(Schema):
    access_token = fields.String(required=True)


class DetailSchema(Schema):
    detail = fields.String(required=True)


class ServerErrorSchema(Schema):
    detail = fields.String(required=True)
    request_id = fields.String(metadata={"description": "the id the server logged it under"})


class ValidationErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "the first problem"})
    errors = fields.Dict(metadata={"description": "field -> messages, nested by list index"})


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "unavailable"]})

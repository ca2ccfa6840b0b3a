"""marshmallow schemas of response bodies, for the OpenAPI document.

They describe what ``serializers`` builds (a test keeps the two in step).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields

from webstore.domain.pictures import LARGE, THUMBNAIL
from webstore.entrypoints.web.api import picture_urls


class UtcDateTime(fields.DateTime):
    """ISO 8601 in UTC ending in ``Z``, as DRF writes ``DateTimeField``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else utc_iso(value)


def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


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

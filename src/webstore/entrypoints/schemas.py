"""marshmallow schemas: requests are loaded through them, responses are documented by them.

Request fields check presence and JSON types (integers strictly: no booleans, floats or
strings), and run the domain's own field rules so that every problem is reported at once, as
DRF does. The use cases apply the same rules again; they are the authority for Python callers.
Response schemas describe what ``serializers`` builds (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load

from webstore.application.orders import MAX_LINES
from webstore.domain import values

NOT_NULL = "This field may not be null."


def messages(**specific: str) -> dict[str, str]:
    """A field's error messages in DRF's words."""
    return {"required": values.REQUIRED, "null": NOT_NULL, **specific}


def json_type(value: object) -> str:
    """The Python name DRF shows for a parsed JSON value (numbers with a point are floats)."""
    return "float" if isinstance(value, Decimal) else type(value).__name__


def rule(check: Callable[[Any], object]) -> Callable[[Any], None]:
    """A marshmallow validator running one of the domain's field rules."""

    def validate(value: Any) -> None:
        try:
            check(value)
        except values.InvalidValue as problem:
            raise ValidationError(str(problem)) from None

    return validate


# --- fields ----------------------------------------------------------------------------------


class Text(fields.String):
    default_error_messages = messages(invalid=values.NOT_A_STRING)


class StrictInteger(fields.Integer):
    """A JSON integer and nothing else: ``true``, ``1.0``, ``1.5`` and ``"5"`` are refused."""

    default_error_messages = messages(invalid=values.NOT_AN_INTEGER)

    def _validated(self, value: Any) -> int:
        if type(value) is not int:
            raise self.make_error("invalid")
        return value


class StrictBoolean(fields.Boolean):
    default_error_messages = messages(invalid="Must be a valid boolean.")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Price(fields.Field):
    """A JSON number or a decimal string with at most two places, kept exact."""

    default_error_messages = messages(invalid="A valid number is required.")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            raise self.make_error("invalid")
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class Lines(fields.List):
    """A list of 1..``maximum`` order lines, errors keyed by the line's index."""

    default_error_messages = messages(
        invalid='Expected a list of items but got type "{input_type}".',
        empty="This list may not be empty.",
        too_long="Ensure this field has no more than {maximum} elements.",
    )

    def __init__(self, inner: fields.Field, *, maximum: int, **kwargs: Any) -> None:
        super().__init__(inner, **kwargs)
        self.maximum = maximum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, list):
            raise self.make_error("invalid", input_type=json_type(value))
        if not value:
            raise self.make_error("empty")
        if len(value) > self.maximum:
            raise self.make_error("too_long", maximum=self.maximum)
        return super()._deserialize(value, attr, data, **kwargs)


class UtcDateTime(fields.DateTime):
    """ISO 8601 in UTC ending in ``Z``, as DRF writes ``DateTimeField``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else utc_iso(value)


def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- requests --------------------------------------------------------------------------------


class RequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def expect_object(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            message = f"Invalid data. Expected a dictionary, but got {json_type(data)}."
            raise ValidationError(message, field_name="non_field_errors")
        return data


class SignInSchema(RequestSchema):
    username = Text(
        required=True,
        validate=rule(values.username),
        metadata={"minLength": 1, "maxLength": 150, "description": "letters, digits and @.+-_"},
    )
    email = Text(
        required=True, validate=rule(values.email), metadata={"format": "email", "maxLength": 254}
    )
    password = Text(
        required=True,
        load_only=True,
        validate=rule(values.password),
        metadata={"minLength": 8, "maxLength": 1024, "description": "not entirely numeric"},
    )


class LoginSchema(RequestSchema):
    username = Text(required=True)
    password = Text(required=True, load_only=True)


class OrderLineRequestSchema(RequestSchema):
    product_id = StrictInteger(
        required=True, validate=rule(values.product_id), metadata={"minimum": 1}
    )
    amount = StrictInteger(
        required=True,
        validate=rule(values.order_amount),
        metadata={"minimum": 1, "maximum": 10_000},
    )


class PlaceOrderSchema(RequestSchema):
    address = Text(
        required=True, validate=rule(values.address), metadata={"minLength": 1, "maxLength": 500}
    )
    phone = Text(
        required=True,
        validate=rule(values.phone),
        metadata={"pattern": r"^[0-9 +()\-]{5,32}$", "description": "at least 5 digits"},
    )
    items = Lines(
        fields.Nested(OrderLineRequestSchema, error_messages={"null": NOT_NULL}),
        maximum=MAX_LINES,
        required=True,
        metadata={"minItems": 1, "maxItems": MAX_LINES},
    )


NAME = {"minLength": 1, "maxLength": 200}
DESCRIPTION = {"maxLength": 5000, "description": "null reads as empty"}
PRICE = {
    "type": ["string", "number"],  # OpenAPI 3.1
    "example": "19.99",
    "description": "greater than 0, at most 2 places and 10 digits",
}
STOCK = {"minimum": 0, "maximum": values.MAX_STOCK}


class ProductCreateSchema(RequestSchema):
    name = Text(required=True, validate=rule(values.product_name), metadata=NAME)
    description = Text(
        allow_none=True, validate=rule(values.product_description), metadata=DESCRIPTION
    )
    price = Price(required=True, validate=rule(values.price), metadata=PRICE)
    amount = StrictInteger(required=True, validate=rule(values.stock_amount), metadata=STOCK)


class ProductUpdateSchema(RequestSchema):
    name = Text(validate=rule(values.product_name), metadata=NAME)
    description = Text(
        allow_none=True, validate=rule(values.product_description), metadata=DESCRIPTION
    )
    price = Price(validate=rule(values.price), metadata=PRICE)
    amount = StrictInteger(validate=rule(values.stock_amount), metadata=STOCK)
    is_active = StrictBoolean()


class PageQuerySchema(RequestSchema):
    """``?limit&offset`` of every listing (checked by the use cases)."""

    limit = fields.Integer(metadata={"minimum": 1, "maximum": 1000})
    offset = fields.Integer(metadata={"minimum": 0})


class ProductQuerySchema(PageQuerySchema):
    """``?limit&offset&search`` of the product listings."""

    search = fields.String(
        metadata={
            "maxLength": values.MAX_SEARCH,
            "description": "only products whose name contains this text, in any case; "
            "no wildcards; empty: every product",
        }
    )


class OrderQuerySchema(PageQuerySchema):
    """A superuser's filters of ``get_order``; a regular user's are ignored."""

    category = fields.String(metadata={"enum": ["completed", "uncompleted", "cancelled", "user"]})
    user_id = fields.Integer(metadata={"minimum": 1})


# --- responses -------------------------------------------------------------------------------


class ProductSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    price = fields.String(required=True, metadata={"example": "19.99"})
    amount = fields.Integer(required=True)


class ProductDetailSchema(ProductSchema):
    is_active = fields.Boolean(required=True)


class ImportResultSchema(Schema):
    imported = fields.Integer(required=True, metadata={"description": "products added"})


class OrderLineSchema(Schema):
    product_id = fields.Integer(required=True)
    product_name = fields.String(required=True)
    amount = fields.Integer(required=True)
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


class ValidationErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "the first problem"})
    errors = fields.Dict(metadata={"description": "field -> messages, nested by list index"})


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "unavailable"]})

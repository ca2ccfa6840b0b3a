"""The fast serializers and the documented response schemas describe the same JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from marshmallow import Schema

from webstore.application.catalogue import products
from webstore.application.dto import Principal
from webstore.application.snapshots import ProductSnapshot, UserSnapshot
from webstore.domain.orders import Order, OrderLine, OrderStatus
from webstore.domain.pictures import ImageRef, ProductImage
from webstore.domain.products import Product
from webstore.domain.values import Money
from webstore.entrypoints.web.api import picture_urls, serializers
from webstore.entrypoints.web.openapi import request_schemas, response_schemas

CHAIR = Product("Red Chair", Money(Decimal("19.99")), 10, "A sturdy red chair", id=1)
LAMP = Product("Brass Lamp", Money(Decimal("35")), 0, "", is_active=False, id=3)
PICTURE = ProductImage(
    (ImageRef(400, "a" * 64, "image/webp"), ImageRef(1200, "b" * 64, "image/webp"))
)
PICTURED_LAMP = ProductSnapshot.of(LAMP, PICTURE)
ALICE = Principal(7, "Zoë", "zoe@example.com", False, "session")
MARGARET = Principal(1, "margaret", "margaret@example.com", True)
ZOE = UserSnapshot(7, "Zoë", "zoe@example.com", True, False, datetime(2026, 11, 26, tzinfo=UTC))
ORDERS = [
    Order(
        7,
        "221B Baker Street",
        "+44 20 7946 0958",
        datetime(2026, 11, 26, 20, 12, 30, tzinfo=UTC),
        [
            OrderLine(1, "Red Chair", 2, Money(Decimal("19.99"))),
            OrderLine(3, "Brass Lamp", 1, Money(Decimal("35.00"))),
        ],
        id=4,
    ),
    Order(
        7,
        "1 Elm Street",
        "5550100",
        datetime(2026, 11, 26, 20, 12, 30, 123456, tzinfo=UTC),
        [OrderLine(1, "Red Chair", 1, Money(Decimal("0.10")))],
        OrderStatus.CANCELLED,
        id=5,
    ),
]


@pytest.mark.parametrize(
    ("serialize", "schema", "item"),
    [
        (serializers.product, response_schemas.ProductSchema(), CHAIR),
        (
            serializers.product_detail,
            response_schemas.ProductDetailSchema(),
            ProductSnapshot.of(LAMP),
        ),
        (serializers.product_detail, response_schemas.ProductDetailSchema(), PICTURED_LAMP),
        (serializers.order, response_schemas.OrderSchema(), ORDERS[0]),
        (serializers.order, response_schemas.OrderSchema(), ORDERS[1]),
        (serializers.user, response_schemas.UserSchema(), ALICE),
        (serializers.me, response_schemas.MeSchema(), MARGARET),
        (serializers.account, response_schemas.AccountSchema(), ZOE),
    ],
)
def test_the_fast_serializer_writes_what_the_schema_documents(
    serialize: object, schema: Schema, item: object
) -> None:
    fast = serialize(item)  # type: ignore[operator]

    assert fast == schema.dump(item)
    assert list(fast) == list(schema.fields)
    assert schema.validate(fast) == {}


@pytest.mark.parametrize("picture", [None, PICTURE])
def test_a_catalogue_product_is_the_listings_object_and_its_pictures_urls(
    picture: ProductImage | None,
) -> None:
    chair = ProductSnapshot.of(CHAIR, picture)
    fast = serializers.catalogue_product(chair)

    assert fast == {**serializers.product(chair), **picture_urls.urls(1, picture)}
    assert fast == response_schemas.CatalogueProductSchema().dump(chair)
    assert list(fast) == list(response_schemas.CatalogueProductSchema().fields)
    assert response_schemas.CatalogueProductSchema().validate(fast) == {}


def test_a_pictures_urls_name_its_copies_by_product_digest_and_size() -> None:
    chair = ProductSnapshot.of(CHAIR, PICTURE)

    assert (
        serializers.catalogue_product(chair)["image"] == f"/media/products/1/{'b' * 16}-1200.webp"
    )
    assert (
        serializers.catalogue_product(chair)["thumbnail"]
        == f"/media/products/1/{'a' * 16}-400.webp"
    )
    assert serializers.product_detail(ProductSnapshot.of(CHAIR))["image"] is None


def test_times_are_utc_iso_8601_ending_in_z() -> None:
    assert serializers.order(ORDERS[0])["created_at"] == "2026-11-26T20:12:30Z"
    assert serializers.order(ORDERS[1])["created_at"] == "2026-11-26T20:12:30.123456Z"


def test_the_order_schema_knows_the_total() -> None:
    assert serializers.order(ORDERS[0])["total_price"] == "74.98"


@pytest.mark.parametrize(
    ("body", "schema"),
    [
        ({"massage": "success", "message": "success"}, response_schemas.SignInResponseSchema()),
        (serializers.LOGGED_OUT, response_schemas.DetailSchema()),
        ({"access_token": "a.b.c"}, response_schemas.AccessTokenSchema()),
        (
            {"access_token": "a.b.c", "user": serializers.user(ALICE)},
            response_schemas.LoginResponseSchema(),
        ),
    ],
)
def test_fixed_bodies_match_their_schemas(body: dict[str, object], schema: Schema) -> None:
    assert schema.validate(body) == {}
    assert set(body) == set(schema.fields)


def test_the_product_request_schemas_name_the_fields_the_use_cases_read() -> None:
    assert list(request_schemas.ProductCreateSchema().fields) == list(products.PRODUCT_RULES)
    assert set(request_schemas.ProductUpdateSchema().fields) == set(products.EDITABLE)
    required = {
        name
        for name, field in request_schemas.ProductCreateSchema().fields.items()
        if field.required
    }
    assert required == {"name", "price", "amount"}

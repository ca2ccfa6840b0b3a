"""Every rule runs once, in the use cases; the schemas only describe it, with its constants."""

from __future__ import annotations

import pytest
from marshmallow import Schema

from tests.conftest import fast_settings
from webstore.application.ordering.orders import MAX_LINES
from webstore.domain import values
from webstore.entrypoints.web.app import create_app
from webstore.entrypoints.web.openapi import request_schemas

REQUEST_SCHEMAS = [
    request_schemas.SignInSchema,
    request_schemas.LoginSchema,
    request_schemas.OrderLineRequestSchema,
    request_schemas.PlaceOrderSchema,
    request_schemas.ProductCreateSchema,
    request_schemas.ProductUpdateSchema,
    request_schemas.PageQuerySchema,
    request_schemas.OrderQuerySchema,
]


@pytest.mark.parametrize("schema", REQUEST_SCHEMAS, ids=lambda s: s.__name__)
def test_request_schemas_run_no_rule_of_their_own(schema: type[Schema]) -> None:
    for name, field in schema().fields.items():
        assert not field.validators, f"{schema.__name__}.{name} validates"


def test_the_documented_limits_are_the_constants_the_rules_use() -> None:
    spec = create_app(fast_settings()).test_client().get("/api/openapi.json").json
    assert spec is not None
    components = spec["components"]["schemas"]
    order = components["PlaceOrder"]["properties"]
    line = components["OrderLineRequest"]["properties"]
    product = components["ProductCreate"]["properties"]
    sign_in = components["SignIn"]["properties"]
    assert order["items"]["maxItems"] == MAX_LINES
    assert order["address"]["maxLength"] == values.ADDRESS_MAX
    assert order["phone"]["pattern"] == f"^{values.PHONE_CHARACTERS}$"
    assert line["amount"]["maximum"] == values.ORDER_QUANTITY_MAX
    assert product["amount"]["maximum"] == values.MAX_STOCK
    assert product["name"]["maxLength"] == values.NAME_MAX
    assert sign_in["password"]["maxLength"] == values.PASSWORD_MAX

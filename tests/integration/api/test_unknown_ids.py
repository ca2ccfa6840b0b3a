"""Any id that is not a product or an order is 404 for every method its route allows."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import Shopper, answer
from webstore.domain.products import Product

NOT_FOUND = (404, {"detail": "Not found."})
NO_SUCH_IDS = ["0", "999", "9223372036854775807", "9223372036854775808", "1" + "0" * 40]


@pytest.mark.parametrize("product_id", NO_SUCH_IDS)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_product_id_that_names_no_product_is_not_found(
    admin: Shopper, catalogue: dict[str, Product], method: str, product_id: str
) -> None:
    response = admin.client.open(
        f"/api/products/{product_id}", method=method, json={}, headers=admin.headers()
    )

    assert answer(response) == NOT_FOUND


@pytest.mark.parametrize("order_id", NO_SUCH_IDS)
@pytest.mark.parametrize("action", ["complete", "cancel"])
def test_an_order_id_that_names_no_order_is_not_found(
    admin: Shopper, order_id: str, action: str
) -> None:
    assert answer(admin.post(f"/api/orders/{order_id}/{action}")) == NOT_FOUND


@pytest.mark.parametrize("path", ["/api/products/-1", "/api/products/x1", "/api/orders/1e3/cancel"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE", "POST"])
def test_a_path_that_holds_no_id_is_not_found_for_any_method(
    admin: Shopper, path: str, method: str
) -> None:
    response = admin.client.open(path, method=method, json={}, headers=admin.headers())

    assert answer(response) == NOT_FOUND


def test_a_regular_user_still_gets_403_before_404_on_superuser_routes(alice: Shopper) -> None:
    response = alice.patch("/api/products/9223372036854775808", json={})

    assert response.status_code == 403

"""What a freshly started server worker does first must work without anything warmed up."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import fast_settings
from webstore import Principal, bootstrap


def test_a_listing_is_the_first_thing_a_new_process_can_do(sqlite_url: str) -> None:
    store = bootstrap(fast_settings(sqlite_url), migrate=True)
    admin = Principal(store.create_superuser("root", "r@example.com", "root password").user_id,
                      "root", "r@example.com", is_superuser=True)  # fmt: skip
    store.add_product(admin, {"name": "Red chair", "price": "19.99", "amount": 5})
    script = textwrap.dedent(f"""
        from tests.conftest import fast_settings
        from webstore import Principal, bootstrap
        store = bootstrap(fast_settings({sqlite_url!r}))
        products = store.list_products().items
        orders = store.list_orders(Principal(1, "root", "r@example.com", is_superuser=True))
        print(products[0].id, products[0].name, products[0].price, len(orders.items))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "Red", "chair", "19.99", "0"]

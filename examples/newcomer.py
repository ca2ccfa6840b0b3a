"""A tour of the Python API: a shop over SQLite, from an empty file to filtered listings.

Run it with ``.venv/bin/python examples/newcomer.py [DATABASE_FILE]``; it makes a fresh
database in a temporary folder unless given a file. Everything it uses is in ``webstore``
and ``webstore.errors``, documented by ``help(webstore.Webstore)`` and by the reference that
``make docs`` builds.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from webstore import (
    OrderCategory,
    OrderItem,
    OrderSnapshot,
    Principal,
    ProductSnapshot,
    Settings,
    Webstore,
    bootstrap,
)
from webstore.errors import (
    IllegalTransition,
    InsufficientStock,
    InvalidInput,
    PermissionDenied,
    UnknownProduct,
    UsernameTaken,
)

ADDRESS, PHONE = "1 Rabbit Hole, Oxford", "+44 1865 000000"


def open_shop(database: Path) -> Webstore:
    """A store over an SQLite file, its schema brought up to date first."""
    settings = Settings(
        database_url=f"sqlite:///{database}",
        secret_key=secrets.token_bytes(32),  # a server keeps one; a script may make its own
    )
    return bootstrap(settings, migrate=True)


def stock_the_shelves(store: Webstore, admin: Principal) -> list[ProductSnapshot]:
    chair = store.add_product(  # "stock", as the snapshot reads it (or "amount", as in HTTP)
        admin, {"name": "Red chair", "description": "Beech", "price": "49.90", "stock": 10}
    )
    more = store.import_products(
        admin,
        [
            {"name": "Desk lamp", "price": "24.99", "amount": 3},
            {"name": "Coffee mug", "price": "9.99", "amount": 100},
        ],
    )
    return [chair, *more]


def buy(store: Webstore, who: Principal, product: ProductSnapshot, quantity: int) -> str:
    """One order of ``quantity``, or why not."""
    try:
        order = store.place_order(who, ADDRESS, PHONE, [OrderItem(product.id, quantity)])
    except InsufficientStock as refused:
        return f"refused: {refused.requested} wanted, {refused.available} left"
    return f"order {order.id}: {order.total_price}"


def rush(store: Webstore, buyers: list[Principal], lamp: ProductSnapshot) -> list[str]:
    """Six buyers at once for three lamps: exactly three get one."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(lambda who: buy(store, who, lamp, 1), buyers * 3))


def show(title: str, orders: list[OrderSnapshot]) -> None:
    print(f"{title}: {[(o.id, o.status.value, str(o.total_price)) for o in orders]}")


def main(database: Path) -> None:
    with open_shop(database) as store:  # its database connections are closed at the end
        tour(store)


def tour(store: Webstore) -> None:
    admin = store.create_superuser("admin", "admin@example.com", "a long admin password")
    chair, lamp, mug = stock_the_shelves(store, admin)

    store.register_user("alice", "alice@example.com", "wonderland-42")
    store.register_user("bob", "bob@example.com", "builder-of-things")
    alice = store.authenticate(store.log_in("Alice", "wonderland-42").access_token)
    bob = store.log_in("bob", "builder-of-things").user  # a login's user is a principal too
    mugs = store.place_order(bob, ADDRESS, PHONE, [{"product_id": mug.id, "amount": 2}])

    outcomes = rush(store, [alice, bob], lamp)
    print(f"lamps sold: {sum(o.startswith('order') for o in outcomes)} of {len(outcomes)} tries")

    big = store.place_order(alice, ADDRESS, PHONE, [OrderItem(chair.id, 2), OrderItem(mug.id, 4)])
    store.cancel_order(alice, big.id)  # the chairs and mugs go back on the shelf
    store.complete_order(admin, mugs.id)

    show("alice sees", list(store.list_orders(alice).items))
    show("cancelled", list(store.list_orders(admin, OrderCategory.CANCELLED).items))
    show("completed", list(store.list_orders(admin, OrderCategory.COMPLETED).items))
    page = store.list_orders(admin, OrderCategory.USER, bob.user_id, limit=1)
    print(f"bob's orders: {page.total}, the oldest: {mugs.id}, newest: {page.items[0].id}")
    print(f"on the shelf: {[(p.name, p.stock) for p in store.list_products().items]}")

    try:
        store.register_user("ALICE", "other@example.com", "another password")
    except UsernameTaken as error:
        print(f"UsernameTaken: {error}")
    try:
        store.place_order(alice, "", "12", [])
    except InvalidInput as error:
        print(f"InvalidInput: {sorted(error.errors)}")
    try:
        store.place_order(alice, ADDRESS, PHONE, [{"product_id": 999, "amount": 1}])
    except UnknownProduct as error:
        print(f"UnknownProduct: {error}")
    try:
        store.add_product(bob, {"name": "Bargain", "price": "1.00", "amount": 1})
    except PermissionDenied as error:
        print(f"PermissionDenied: {error}")
    try:
        store.cancel_order(admin, big.id)
    except IllegalTransition as error:
        print(f"IllegalTransition: {error}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(Path(folder) / "shop.db")

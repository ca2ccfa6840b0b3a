"""The repository contract for products and orders, on every storage."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.persistence.helpers import (
    NOW,
    Backend,
    add_order,
    add_product,
    add_user,
    money,
)
from webstore.application.ports import OrderQuery, ProductQuery
from webstore.domain.orders import Order, OrderLine, OrderStatus
from webstore.domain.products import Product

ACTIVE = ProductQuery()
EVERY = ProductQuery(include_inactive=True)


def test_a_product_is_stored_with_its_exact_price(backend: Backend) -> None:
    product_id = add_product(backend.uow, "RED-CHAIR", "99999999.99", 7)
    with backend.uow(read_only=True) as work:
        product = work.products.get(product_id)
        assert work.products.get(2**62) is None
    assert product is not None
    assert (product.name, product.description, product.price, product.stock) == (
        "RED-CHAIR",
        "A red-chair",
        money("99999999.99"),
        7,
    )
    assert product.is_active


def test_active_products_are_listed_by_id_in_slices_and_counted(backend: Backend) -> None:
    ids = [add_product(backend.uow, f"ITEM-{n}", active=n != 2) for n in range(5)]
    active = [ids[0], ids[1], ids[3], ids[4]]
    with backend.uow(read_only=True) as work:
        everything = [p.id for p in work.products.list(ACTIVE)]
        middle = [p.id for p in work.products.list(ACTIVE, limit=2, offset=1)]
        tail = [p.id for p in work.products.list(ACTIVE, offset=3)]
        beyond = work.products.list(ACTIVE, limit=10, offset=10)
        count = work.products.count(ACTIVE)
    assert (everything, middle, tail, beyond, count) == (active, active[1:3], active[3:], [], 4)


def test_every_product_active_or_not_is_listed_by_id_and_sliced(backend: Backend) -> None:
    ids = [add_product(backend.uow, f"ITEM-{n}", active=n != 2) for n in range(5)]
    with backend.uow(read_only=True) as work:
        everything = [(p.id, p.is_active) for p in work.products.list(EVERY)]
        middle = [p.id for p in work.products.list(EVERY, limit=2, offset=1)]
        beyond = work.products.list(EVERY, limit=10, offset=10)
        count = work.products.count(EVERY)
    assert everything == [(pid, pid != ids[2]) for pid in ids]
    assert (middle, beyond, count) == (ids[1:3], [], 5)


def test_get_for_update_returns_the_existing_products_in_id_order(backend: Backend) -> None:
    first, second = add_product(backend.uow, "RED-CHAIR"), add_product(backend.uow, "BLUE-SOFA")
    withdrawn = add_product(backend.uow, "OLD-LAMP", active=False)
    with backend.uow() as work:
        found = work.products.get_for_update([withdrawn, 2**62, second, first, second])
    assert [p.id for p in found] == [first, second, withdrawn]


def test_changes_to_locked_products_are_stored_on_commit(backend: Backend) -> None:
    chair = add_product(backend.uow, "RED-CHAIR", stock=10)
    with backend.uow() as work:
        [product] = work.products.get_for_update([chair])
        product.reserve(4)
        product.revise(price=money("24.50"))
        work.commit()
    with backend.uow(read_only=True) as work:
        stored = work.products.get(chair)
    assert stored is not None and (stored.stock, stored.price) == (6, money("24.50"))


def test_an_order_round_trips_with_its_lines_in_order(backend: Backend) -> None:
    user = add_user(backend.uow)
    chair, sofa = add_product(backend.uow, "RED-CHAIR"), add_product(backend.uow, "BLUE-SOFA")
    lines = [
        OrderLine(sofa, "BLUE-SOFA", 1, money("1299.00")),
        OrderLine(chair, "RED-CHAIR", 3, money("19.99")),
    ]
    order = Order(user, "1 Main Street", "+1 555 0100", NOW, lines)
    with backend.uow() as work:
        work.orders.add(order)
        work.commit()
    assert order.id is not None
    with backend.uow(read_only=True) as work:
        stored = work.orders.get(order.id)
        assert work.orders.get(2**62) is None
    assert stored is not None
    assert (stored.user_id, stored.address, stored.phone, stored.created_at) == (
        user,
        "1 Main Street",
        "+1 555 0100",
        NOW,
    )
    assert stored.lines == lines
    assert stored.status is OrderStatus.PENDING
    assert stored.total_price == money("1358.97")


def test_an_order_changed_after_it_was_added_is_stored_as_changed(backend: Backend) -> None:
    # add() writes the order at once; what changes in it afterwards, in the same unit of
    # work, must still be saved by the commit, and a change after that commit by the next.
    user, chair = add_user(backend.uow), add_product(backend.uow)
    line = OrderLine(chair, "RED-CHAIR", 1, money("19.99"))
    order = Order(user, "1 Main Street", "+1 555 0100", NOW, [line])
    with backend.uow() as work:
        work.orders.add(order)
        order.complete()
        work.commit()
        assert order.id is not None
        with backend.uow(read_only=True) as other:
            first = other.orders.get(order.id)
        order.address = "2 Side Street"
        work.commit()
    with backend.uow(read_only=True) as work:
        second = work.orders.get(order.id)
    assert first is not None and first.status is OrderStatus.COMPLETED
    assert first.address == "1 Main Street"
    assert second is not None and second.address == "2 Side Street"


def test_an_added_order_is_not_kept_without_a_commit(backend: Backend) -> None:
    user, chair = add_user(backend.uow), add_product(backend.uow)
    order = Order(user, "1 Main Street", "+1 555 0100", NOW, [OrderLine(chair, "C", 1, money("1"))])
    with backend.uow() as work:
        work.orders.add(order)
        assert order.id is not None
    with backend.uow(read_only=True) as work:
        assert work.orders.get(order.id) is None
        assert work.orders.count(OrderQuery()) == 0


def test_orders_are_listed_newest_first_per_query_and_counted(backend: Backend) -> None:
    alice, bob = add_user(backend.uow, "alice"), add_user(backend.uow, "bob")
    chair = add_product(backend.uow)
    hour = timedelta(hours=1)
    oldest = add_order(backend.uow, alice, chair, created_at=NOW - 2 * hour)
    tie_a = add_order(backend.uow, bob, chair, created_at=NOW - hour)
    tie_b = add_order(
        backend.uow, alice, chair, created_at=NOW - hour
    )  # same time: higher id first
    newest = add_order(backend.uow, bob, chair, created_at=NOW)
    _set_status(backend, tie_a, OrderStatus.COMPLETED)
    _set_status(backend, newest, OrderStatus.CANCELLED)
    expected = {
        OrderQuery(): [newest, tie_b, tie_a, oldest],
        OrderQuery(user_id=alice): [tie_b, oldest],
        OrderQuery(user_id=bob): [newest, tie_a],
        OrderQuery(status=OrderStatus.PENDING): [tie_b, oldest],
        OrderQuery(status=OrderStatus.COMPLETED): [tie_a],
        OrderQuery(user_id=alice, status=OrderStatus.CANCELLED): [],
    }
    with backend.uow(read_only=True) as work:
        listed = {query: [o.id for o in work.orders.list(query)] for query in expected}
        counts = {query: work.orders.count(query) for query in expected}
        page = [o.id for o in work.orders.list(OrderQuery(), limit=2, offset=1)]
        lines = [o.lines for o in work.orders.list(OrderQuery())]
    assert listed == expected
    assert counts == {query: len(ids) for query, ids in expected.items()}
    assert page == [tie_b, tie_a]
    assert all(len(order_lines) == 1 and order_lines[0].quantity == 2 for order_lines in lines)


def _set_status(backend: Backend, order_id: int, status: OrderStatus) -> None:
    with backend.uow() as work:
        order = work.orders.get_for_update(order_id)
        assert order is not None
        if status is OrderStatus.COMPLETED:
            order.complete()
        else:
            ordered = work.products.get_for_update([line.product_id for line in order.lines])
            order.cancel({product.product_id: product for product in ordered})
        work.commit()


def test_a_cancelled_order_returns_its_stock_in_one_unit_of_work(backend: Backend) -> None:
    user, chair = add_user(backend.uow), add_product(backend.uow, stock=10)
    order_id = add_order(backend.uow, user, chair)  # two chairs, not taken from stock here
    with backend.uow() as work:
        order = work.orders.get_for_update(order_id)
        assert order is not None
        [product] = work.products.get_for_update([line.product_id for line in order.lines])
        order.cancel({product.product_id: product})
        work.commit()
    with backend.uow(read_only=True) as work:
        stored_order, stored_product = work.orders.get(order_id), work.products.get(chair)
    assert stored_order is not None and stored_order.status is OrderStatus.CANCELLED
    assert stored_product is not None and stored_product.stock == 12


def test_entities_stay_readable_after_their_unit_of_work_ends(backend: Backend) -> None:
    chair = add_product(backend.uow, "RED-CHAIR", "19.99", 3)
    with backend.uow(read_only=True) as work:
        product = work.products.get(chair)
        listed = work.products.list(ACTIVE)
    assert product is not None and product.price == money("19.99") and product.stock == 3
    assert [p.name for p in listed] == ["RED-CHAIR"]


def test_a_new_product_has_an_id_before_commit(backend: Backend) -> None:
    with backend.uow() as work:
        product = Product("RED-CHAIR", money("19.99"), 1)
        work.products.add(product)
        assert product.id is not None
        assert work.products.get(product.id) is product

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.fakes import FakeClock
from tests.unit.conftest import stock_of
from webstore import Principal, Webstore
from webstore.domain.orders import Order, OrderStatus
from webstore.domain.products import Product
from webstore.errors import IllegalTransition, InvalidInput, OrderNotFound, PermissionDenied


@dataclass
class Ledger:
    """Alice's three orders and Bob's one, placed a minute apart; one completed, one cancelled."""

    alices_pending: Order
    alices_completed: Order
    bobs_pending: Order
    alices_cancelled: Order


def order_one(store: Webstore, who: Principal, product: Product, amount: int = 1) -> Order:
    return store.place_order(
        who, "221B Baker Street", "+44 20 7946 0000", [{"product_id": product.id, "amount": amount}]
    )


@pytest.fixture
def ledger(
    store: Webstore,
    clock: FakeClock,
    admin: Principal,
    alice: Principal,
    bob: Principal,
    red_chair: Product,
) -> Ledger:
    placed = []
    for who in (alice, alice, bob, alice):
        placed.append(order_one(store, who, red_chair))
        clock.advance(60)
    ledger = Ledger(*placed)
    assert ledger.alices_completed.id is not None and ledger.alices_cancelled.id is not None
    store.complete_order(admin, ledger.alices_completed.id)
    store.cancel_order(admin, ledger.alices_cancelled.id)
    return ledger


def ids(orders: object) -> list[int | None]:
    assert isinstance(orders, list | tuple)
    return [order.id for order in orders]


def test_a_superuser_lists_every_order_newest_first(
    store: Webstore, admin: Principal, ledger: Ledger
) -> None:
    page = store.list_orders(admin)
    assert ids(page.items) == [4, 3, 2, 1]
    assert page.total == 4


def test_orders_placed_in_the_same_instant_list_the_later_one_first(
    store: Webstore, admin: Principal, alice: Principal, red_chair: Product
) -> None:
    first, second = order_one(store, alice, red_chair), order_one(store, alice, red_chair)
    assert ids(store.list_orders(admin).items) == [second.id, first.id]


@pytest.mark.parametrize(
    ("category", "user_id", "expected"),
    [
        ("completed", None, [2]),
        ("uncompleted", None, [3, 1]),
        ("cancelled", None, [4]),
        ("user", 3, [3]),
        ("user", "2", [4, 2, 1]),
        ("user", 99, []),
    ],
)
def test_a_superuser_filters_orders_by_category(
    store: Webstore,
    admin: Principal,
    ledger: Ledger,
    category: str,
    user_id: object,
    expected: list[int],
) -> None:
    assert ids(store.list_orders(admin, category, user_id).items) == expected


@pytest.mark.parametrize(
    ("category", "user_id", "field"),
    [
        ("pending", None, "category"),
        ("", None, "category"),
        ("COMPLETED", None, "category"),
        ("user", None, "user_id"),
        ("user", "bob", "user_id"),
        ("user", "0", "user_id"),
        ("user", True, "user_id"),
    ],
)
def test_an_unknown_category_or_a_user_without_an_integer_id_is_invalid(
    store: Webstore, admin: Principal, category: str, user_id: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store.list_orders(admin, category, user_id)
    assert list(caught.value.errors) == [field]


@pytest.mark.parametrize(
    ("category", "user_id"), [(None, None), ("completed", None), ("user", 3), ("nonsense", "x")]
)
def test_a_regular_user_sees_only_their_own_orders_whatever_they_ask_over_http(
    store: Webstore, alice: Principal, ledger: Ledger, category: str | None, user_id: object
) -> None:
    page = store.list_orders(alice, category, user_id, ignore_unused_filters=True)  # type: ignore[arg-type]
    assert ids(page.items) == [4, 2, 1]
    assert {order.user_id for order in page.items} == {alice.user_id}


def test_order_listings_can_be_sliced_and_still_count_everything(
    store: Webstore, admin: Principal, alice: Principal, ledger: Ledger
) -> None:
    assert (
        ids(store.list_orders(admin, limit=2).items),
        store.list_orders(admin, limit=2).total,
    ) == (
        [4, 3],
        4,
    )
    assert ids(store.list_orders(admin, limit="2", offset="1").items) == [3, 2]
    assert ids(store.list_orders(admin, offset=3).items) == [1]
    assert store.list_orders(alice, limit=1, offset=1).total == 3
    with pytest.raises(InvalidInput):
        store.list_orders(alice, limit=0)


def test_an_order_lists_its_status_and_lines(
    store: Webstore, admin: Principal, ledger: Ledger
) -> None:
    statuses = [(order.status, order.completed) for order in store.list_orders(admin).items]
    assert statuses == [
        (OrderStatus.CANCELLED, False),
        (OrderStatus.PENDING, False),
        (OrderStatus.COMPLETED, True),
        (OrderStatus.PENDING, False),
    ]


def test_a_superuser_completes_a_pending_order_without_touching_stock(
    store: Webstore, admin: Principal, alice: Principal, red_chair: Product
) -> None:
    order = order_one(store, alice, red_chair, 2)
    assert order.id is not None and red_chair.id is not None
    completed = store.complete_order(admin, order.id)
    assert completed.status is OrderStatus.COMPLETED
    assert stock_of(store, red_chair.id) == 3
    assert store.list_orders(alice).items[0].completed


def test_only_a_superuser_may_complete_an_order(
    store: Webstore, alice: Principal, admin: Principal, ledger: Ledger
) -> None:
    assert ledger.alices_pending.id is not None
    with pytest.raises(PermissionDenied):
        store.complete_order(alice, ledger.alices_pending.id)
    assert store.list_orders(admin, "uncompleted").total == 2


@pytest.mark.parametrize("action", ["complete_order", "cancel_order"])
def test_an_order_that_is_not_pending_cannot_be_completed_or_cancelled(
    store: Webstore, admin: Principal, ledger: Ledger, action: str
) -> None:
    for settled in (ledger.alices_completed, ledger.alices_cancelled):
        assert settled.id is not None
        with pytest.raises(IllegalTransition):
            getattr(store, action)(admin, settled.id)
    assert ids(store.list_orders(admin, "completed").items) == [2]
    assert ids(store.list_orders(admin, "cancelled").items) == [4]


@pytest.mark.parametrize("action", ["complete_order", "cancel_order"])
def test_an_unknown_order_is_not_found(store: Webstore, admin: Principal, action: str) -> None:
    with pytest.raises(OrderNotFound, match=r"^order 99 does not exist$"):
        getattr(store, action)(admin, 99)


def test_the_owner_cancels_a_pending_order_and_the_stock_comes_back(
    store: Webstore, alice: Principal, red_chair: Product, blue_lamp: Product
) -> None:
    items = [{"product_id": red_chair.id, "amount": 2}, {"product_id": blue_lamp.id, "amount": 2}]
    order = store.place_order(alice, "221B Baker Street", "+44 20 7946 0000", items)
    assert order.id is not None and red_chair.id is not None and blue_lamp.id is not None
    assert (stock_of(store, red_chair.id), stock_of(store, blue_lamp.id)) == (3, 0)
    cancelled = store.cancel_order(alice, order.id)
    assert cancelled.status is OrderStatus.CANCELLED
    assert (stock_of(store, red_chair.id), stock_of(store, blue_lamp.id)) == (5, 2)


def test_a_superuser_may_cancel_anyones_order(
    store: Webstore, admin: Principal, alice: Principal, red_chair: Product
) -> None:
    order = order_one(store, alice, red_chair, 5)
    assert order.id is not None and red_chair.id is not None
    store.cancel_order(admin, order.id)
    assert stock_of(store, red_chair.id) == 5


def test_another_users_order_is_not_found_and_stays_as_it_was(
    store: Webstore, alice: Principal, bob: Principal, red_chair: Product
) -> None:
    order = order_one(store, alice, red_chair, 2)
    assert order.id is not None and red_chair.id is not None
    with pytest.raises(OrderNotFound, match=f"^order {order.id} does not exist$"):
        store.cancel_order(bob, order.id)
    assert store.list_orders(alice).items[0].status is OrderStatus.PENDING
    assert stock_of(store, red_chair.id) == 3


def test_cancelling_twice_is_an_illegal_transition_and_returns_the_stock_once(
    store: Webstore, alice: Principal, red_chair: Product
) -> None:
    order = order_one(store, alice, red_chair, 2)
    assert order.id is not None and red_chair.id is not None
    store.cancel_order(alice, order.id)
    with pytest.raises(IllegalTransition, match="is cancelled and cannot become cancelled"):
        store.cancel_order(alice, order.id)
    assert stock_of(store, red_chair.id) == 5


def test_cancelling_returns_stock_even_to_a_withdrawn_product(
    store: Webstore, admin: Principal, alice: Principal, red_chair: Product
) -> None:
    order = order_one(store, alice, red_chair, 2)
    assert order.id is not None and red_chair.id is not None
    store.deactivate_product(admin, red_chair.id)
    store.cancel_order(alice, order.id)
    assert stock_of(store, red_chair.id) == 5

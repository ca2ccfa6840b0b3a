"""A Hypothesis state machine that runs the shop's use cases in random order against a model.

``StoreMachine`` builds its store in ``make_store`` (in memory by default). To run the same
rules over another storage, subclass it, override ``make_store`` (build the store over
``self.clock``) and, if needed, ``teardown``; then make a TestCase of the subclass::

    class SqliteStoreMachine(StoreMachine):
        def make_store(self) -> Webstore:
            ...

    class TestSqliteStore(SqliteStoreMachine.TestCase):
        settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakePasswordHasher, FakeRandom
from webstore import Principal, Webstore, bootstrap
from webstore.domain.orders import Order, OrderStatus, merge_lines
from webstore.domain.values import Money, username_key
from webstore.errors import (
    IllegalTransition,
    InsufficientStock,
    OrderNotFound,
    UnknownProduct,
    UsernameTaken,
)

NAMES = ["alice", "Alice", "BOB", "bob", "carol", "Dave", "\uff45rin"]  # the last is full-width
PRICES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
MOVES_ON = {OrderStatus.PENDING: {OrderStatus.COMPLETED, OrderStatus.CANCELLED}}


@dataclass
class ProductModel:
    price: Money
    stock: int
    given: int  # units put in by its creation and every later change of its amount
    active: bool = True


@dataclass
class OrderModel:
    owner: int
    lines: dict[int, tuple[int, Money]]  # product id -> (units, unit price when placed)
    status: OrderStatus = OrderStatus.PENDING


@dataclass
class Expectation:
    """What placing an order should do, worked out from the model alone."""

    error: Exception | None = None
    lines: dict[int, tuple[int, Money]] = field(default_factory=dict)


class StoreMachine(RuleBasedStateMachine):
    users = Bundle("users")
    products = Bundle("products")
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.store = self.make_store()
        self.store.create_superuser("root", "root@example.com", "correct horse battery staple")
        self.admin = self.log_in("root", "correct horse battery staple")
        self.usernames: set[str] = set()
        self.customers: list[Principal] = []
        self.catalogue: dict[int, ProductModel] = {}
        self.ledger: dict[int, OrderModel] = {}

    def make_store(self) -> Webstore:
        """A fresh, empty store whose clock is ``self.clock``."""
        return bootstrap(
            fast_settings(), clock=self.clock, hasher=FakePasswordHasher(), random=FakeRandom()
        )

    def log_in(self, username: str, password: str) -> Principal:
        return self.store.authenticate(self.store.log_in(username, password).access_token)

    # --- rules -----------------------------------------------------------------------------

    @rule(target=users, name=st.sampled_from(NAMES))
    def register(self, name: str) -> object:
        if username_key(name) in self.usernames:
            try:
                self.store.register_user(name, "twin@example.com", "a different secret")
            except UsernameTaken:
                return multiple()
            raise AssertionError(f"{name!r} was registered twice")
        email = f"customer{len(self.customers)}@example.com"
        self.store.register_user(name, email, f"{name}'s secret")
        self.usernames.add(username_key(name))
        customer = self.log_in(name.upper(), f"{name}'s secret")
        assert not customer.is_superuser
        self.customers.append(customer)
        return customer

    @rule(target=products, price=PRICES, amount=st.integers(0, 12))
    def add_product(self, price: Decimal, amount: int) -> int:
        data = {"name": f"Chair no. {len(self.catalogue) + 1}", "price": str(price)}
        product = self.store.add_product(self.admin, {**data, "amount": amount})
        assert product.id is not None and product.id not in self.catalogue
        self.catalogue[product.id] = ProductModel(Money(price), amount, amount)
        return product.id

    @rule(product_id=products, change=st.integers(-6, 10))
    def change_stock(self, product_id: int, change: int) -> None:
        model = self.catalogue[product_id]
        new_amount = max(0, model.stock + change)
        self.store.update_product(self.admin, product_id, {"amount": new_amount})
        model.given += new_amount - model.stock
        model.stock = new_amount

    @rule(product_id=products, price=PRICES)
    def reprice(self, product_id: int, price: Decimal) -> None:
        self.store.update_product(self.admin, product_id, {"price": price})
        self.catalogue[product_id].price = Money(price)

    @rule(product_id=products, active=st.booleans())
    def withdraw_or_restore(self, product_id: int, active: bool) -> None:
        if active:
            self.store.update_product(self.admin, product_id, {"is_active": True})
        else:
            self.store.deactivate_product(self.admin, product_id)
        self.catalogue[product_id].active = active

    @rule(
        target=orders,
        customer=users,
        items=st.lists(st.tuples(products, st.integers(1, 6)), min_size=1, max_size=4),
    )
    def place_order(self, customer: Principal, items: list[tuple[int, int]]) -> object:
        expected = self.expect(items)
        lines = [{"product_id": pid, "amount": amount} for pid, amount in items]
        try:
            order = self.store.place_order(customer, "1 Main St", "+1 555 0100", lines)
        except (UnknownProduct, InsufficientStock) as error:
            assert str(error) == str(expected.error)
            return multiple()
        assert expected.error is None, f"expected {expected.error}"
        assert order.id is not None and order.id not in self.ledger
        assert {li.product_id: (li.quantity, li.price) for li in order.lines} == expected.lines
        for pid, (units, _) in expected.lines.items():
            self.catalogue[pid].stock -= units
        self.ledger[order.id] = OrderModel(customer.user_id, expected.lines)
        return order.id

    def expect(self, items: list[tuple[int, int]]) -> Expectation:
        expected = Expectation()
        wanted = merge_lines(items)
        # Every product must exist (be active) before any line's stock is considered.
        for pid in wanted:
            if not self.catalogue[pid].active:
                return Expectation(UnknownProduct(pid))
        for pid, units in wanted.items():
            model = self.catalogue[pid]
            if units > model.stock:
                return Expectation(InsufficientStock(pid, units, model.stock))
            expected.lines[pid] = (units, model.price)
        return expected

    @rule(order_id=orders)
    def complete(self, order_id: int) -> None:
        model = self.ledger[order_id]
        try:
            order = self.store.complete_order(self.admin, order_id)
        except IllegalTransition:
            assert model.status is not OrderStatus.PENDING
            return
        assert model.status is OrderStatus.PENDING and order.completed
        model.status = OrderStatus.COMPLETED

    @rule(order_id=orders, who=st.sampled_from(["owner", "admin", "stranger"]), data=st.data())
    def cancel(self, order_id: int, who: str, data: st.DataObject) -> None:
        model = self.ledger[order_id]
        strangers = [c for c in self.customers if c.user_id != model.owner]
        if who == "stranger" and strangers:
            with_no_right = data.draw(st.sampled_from(strangers))
            try:
                self.store.cancel_order(with_no_right, order_id)
            except OrderNotFound:
                return
            raise AssertionError("a stranger cancelled somebody else's order")
        actor = self.admin if who != "owner" else self.customer(model.owner)
        try:
            self.store.cancel_order(actor, order_id)
        except IllegalTransition:
            assert model.status is not OrderStatus.PENDING
            return
        assert model.status is OrderStatus.PENDING
        model.status = OrderStatus.CANCELLED
        for pid, (units, _) in model.lines.items():
            self.catalogue[pid].stock += units

    def customer(self, user_id: int) -> Principal:
        return next(c for c in self.customers if c.user_id == user_id)

    @rule(seconds=st.integers(0, 90))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)

    # --- invariants --------------------------------------------------------------------------

    def all_orders(self) -> list[Order]:
        return list(self.store.list_orders(self.admin).items)

    @invariant()
    def stock_is_never_negative_and_matches_the_model(self) -> None:
        for pid, model in self.catalogue.items():
            product = self.store.get_product(self.admin, pid)
            assert product.stock >= 0
            assert (product.stock, product.price, product.is_active) == (
                model.stock,
                model.price,
                model.active,
            )

    @invariant()
    def stock_plus_units_in_live_orders_is_what_was_given(self) -> None:
        held = {pid: 0 for pid in self.catalogue}
        for order in self.all_orders():
            if order.status is not OrderStatus.CANCELLED:
                for line in order.lines:
                    held[line.product_id] += line.quantity
        for pid, model in self.catalogue.items():
            assert self.store.get_product(self.admin, pid).stock + held[pid] == model.given

    @invariant()
    def orders_keep_their_lines_totals_and_one_way_statuses(self) -> None:
        listed = self.all_orders()
        assert {order.id for order in listed} == set(self.ledger)
        for order in listed:
            assert order.id is not None
            model = self.ledger[order.id]
            assert order.status is model.status
            assert {li.product_id: (li.quantity, li.price) for li in order.lines} == model.lines
            subtotals = [line.price * line.quantity for line in order.lines]
            assert order.total_price == sum(subtotals, Money.zero())
        assert [(o.created_at, o.id) for o in listed] == sorted(
            ((o.created_at, o.id) for o in listed), reverse=True
        )

    @invariant()
    def customers_see_exactly_their_own_orders(self) -> None:
        for customer in self.customers:
            seen = self.store.list_orders(
                customer, "user", self.admin.user_id, ignore_unused_filters=True
            )
            mine = {oid for oid, model in self.ledger.items() if model.owner == customer.user_id}
            assert {order.id for order in seen.items} == mine
            assert all(order.user_id == customer.user_id for order in seen.items)

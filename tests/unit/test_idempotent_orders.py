from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock, FakePasswordHasher, UnitOfWorkWrapper
from tests.unit.conftest import new_product, stock_of
from webstore import KeyedOrder, OrderSnapshot, Principal, ProductSnapshot, Webstore, bootstrap
from webstore.adapters.memory import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory
from webstore.application.dto import IdempotencyRecord
from webstore.application.ordering.idempotency import IdempotencyRequest
from webstore.errors import (
    IdempotencyConflict,
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidIdempotencyKey,
    InvalidInput,
)

BAKER_STREET = "221B Baker Street, London"
PHONE = "+44 20 7946 0000"
KEY = "order-2026-11-26-tea-party"


def keyed(key: str = KEY, fingerprint: str = "a" * 64) -> IdempotencyRequest:
    return IdempotencyRequest(key, fingerprint)


def place(
    store: Webstore,
    who: Principal,
    product: ProductSnapshot,
    amount: int = 1,
    request: IdempotencyRequest | None = None,
) -> KeyedOrder:
    items = [{"product_id": product.id, "amount": amount}]
    return store.place_order_once(who, BAKER_STREET, PHONE, items, request or keyed())


def order_count(store: Webstore, admin: Principal) -> int:
    return store.list_orders(admin).total


def stock(store: Webstore, product: ProductSnapshot) -> int:
    assert product.id is not None
    return stock_of(store, product.id)


def test_a_new_key_places_the_order_and_answers_with_it(
    store: Webstore, alice: Principal, admin: Principal, red_chair: ProductSnapshot
) -> None:
    answer = place(store, alice, red_chair, 2)

    assert not answer.replayed and isinstance(answer.order, OrderSnapshot)
    assert (answer.order.id, str(answer.order.total_price)) == (1, "39.98")
    assert (order_count(store, admin), stock(store, red_chair)) == (1, 3)


def test_the_same_key_again_replays_the_first_answer_and_places_nothing(
    store: Webstore, alice: Principal, admin: Principal, red_chair: ProductSnapshot
) -> None:
    first = place(store, alice, red_chair, 2)

    again = place(store, alice, red_chair, 2)

    assert again == KeyedOrder(first.order, replayed=True)
    assert (order_count(store, admin), stock(store, red_chair)) == (1, 3)


def test_a_replay_answers_as_the_first_time_even_when_the_stock_has_run_out(
    store: Webstore, alice: Principal, red_chair: ProductSnapshot
) -> None:
    first = place(store, alice, red_chair, 5)

    assert place(store, alice, red_chair, 5).order == first.order
    assert stock(store, red_chair) == 0


def test_the_same_key_for_a_different_request_is_refused_and_changes_nothing(
    store: Webstore, alice: Principal, admin: Principal, red_chair: ProductSnapshot
) -> None:
    place(store, alice, red_chair, 2)

    with pytest.raises(IdempotencyKeyReused) as caught:
        place(store, alice, red_chair, 3, keyed(fingerprint="b" * 64))

    assert caught.value.detail == "Idempotency-Key reused with a different request."
    assert (order_count(store, admin), stock(store, red_chair)) == (1, 3)


def test_keys_belong_to_one_user(
    store: Webstore, alice: Principal, bob: Principal, admin: Principal, red_chair: ProductSnapshot
) -> None:
    for_alice = place(store, alice, red_chair, 1)

    for_bob = place(store, bob, red_chair, 1)

    assert not for_bob.replayed and for_bob.order != for_alice.order
    assert (order_count(store, admin), stock(store, red_chair)) == (2, 3)


def test_different_keys_of_one_user_place_different_orders(
    store: Webstore, alice: Principal, admin: Principal, red_chair: ProductSnapshot
) -> None:
    place(store, alice, red_chair, 1, keyed("first"))
    place(store, alice, red_chair, 1, keyed("First"))  # keys are case-sensitive

    assert (order_count(store, admin), stock(store, red_chair)) == (2, 3)


def test_a_key_is_remembered_for_24_hours_and_then_free_again(
    store: Webstore,
    alice: Principal,
    admin: Principal,
    red_chair: ProductSnapshot,
    clock: FakeClock,
) -> None:
    first = place(store, alice, red_chair, 1)
    clock.advance(hours=24, seconds=-1)
    assert place(store, alice, red_chair, 1).replayed

    clock.advance(1)
    later = place(store, alice, red_chair, 1, keyed(fingerprint="b" * 64))

    assert not later.replayed and later.order != first.order
    assert (order_count(store, admin), stock(store, red_chair)) == (2, 3)
    assert place(store, alice, red_chair, 1, keyed(fingerprint="b" * 64)).order == later.order


def test_a_failed_request_is_not_remembered_and_may_be_sent_again(
    store: Webstore, alice: Principal, admin: Principal, red_chair: ProductSnapshot
) -> None:
    with pytest.raises(InsufficientStock):
        place(store, alice, red_chair, 6)
    store.update_product(admin, red_chair.id, {"amount": 6})

    answer = place(store, alice, red_chair, 6)

    assert not answer.replayed
    assert (order_count(store, admin), stock(store, red_chair)) == (1, 0)


def test_invalid_input_is_refused_before_the_key_is_looked_at(
    store: Webstore, alice: Principal, admin: Principal, red_chair: ProductSnapshot
) -> None:
    place(store, alice, red_chair, 1)

    with pytest.raises(InvalidInput):
        store.place_order_once(alice, "", PHONE, [], keyed())

    assert order_count(store, admin) == 1


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "caf\u00e9", "tab\there", "new\nline", "\x7f", "\x00"],
    ids=["empty", "256-chars", "non-ascii", "tab", "newline", "delete", "nul"],
)
def test_a_key_must_be_1_to_255_printable_ascii_characters(key: str) -> None:
    with pytest.raises(InvalidIdempotencyKey) as caught:
        keyed(key)

    assert caught.value.detail == "Invalid Idempotency-Key header."


@pytest.mark.parametrize("key", ["k", "x" * 255, " spaces and ~!@#$%^&*()_+{}|:<>? "])
def test_any_printable_ascii_key_of_up_to_255_characters_is_valid(key: str) -> None:
    assert keyed(key).key == key


# --- a request that loses the race for its key -----------------------------------------------


class RacedIdempotency:
    """Idempotency records whose ``add`` is always beaten to the key by ``rival``.

    ``rival`` runs just before our record is added: it may commit another request's record
    (the winner got in first), or return ``None`` (the winner has not committed yet).
    """

    def __init__(self, inner: Any, rival: Callable[[], object]) -> None:
        self._inner = inner
        self._rival = rival

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def add(self, record: IdempotencyRecord) -> None:
        if self._rival() is None:
            raise IdempotencyConflict()  # as PostgreSQL's unique index refuses it
        self._inner.add(record)


class RacedUnitOfWork(UnitOfWorkWrapper):
    def __init__(self, inner: InMemoryUnitOfWork, rival: Callable[[], object]) -> None:
        super().__init__(inner)
        self._rival = rival

    def __enter__(self) -> Self:
        super().__enter__()
        self.idempotency = RacedIdempotency(self._inner.idempotency, self._rival)
        return self


class RacedFactory:
    """Units of work over one in-memory database; the first writer after ``rival`` is set
    gets raced, every other one is plain."""

    def __init__(self) -> None:
        self.memory = InMemoryUnitOfWorkFactory()
        self.rival: Callable[[], object] | None = None

    def __call__(self, *, read_only: bool = False) -> Any:
        inner = self.memory(read_only=read_only)
        if read_only or self.rival is None:
            return inner
        rival, self.rival = self.rival, None
        return RacedUnitOfWork(inner, rival)


@pytest.fixture
def raced() -> RacedFactory:
    return RacedFactory()


@pytest.fixture
def raced_store(raced: RacedFactory) -> Webstore:
    return bootstrap(fast_settings(), uow=raced, hasher=FakePasswordHasher(), clock=FakeClock())


def shop(store: Webstore) -> tuple[Principal, Principal, ProductSnapshot]:
    store.create_superuser("root", "root@example.com", "correct horse battery staple")
    admin = store.authenticate(store.log_in("root", "correct horse battery staple").access_token)
    store.register_user("alice", "alice@example.com", "down the rabbit hole")
    alice = store.authenticate(store.log_in("alice", "down the rabbit hole").access_token)
    return admin, alice, new_product(store, admin)


def test_a_request_beaten_to_its_key_answers_with_the_winners_response(
    raced_store: Webstore, raced: RacedFactory
) -> None:
    admin, alice, chair = shop(raced_store)
    winner: list[KeyedOrder] = []
    # The winner runs inside our unit of work (the in-memory lock is re-entrant) and commits.
    raced.rival = lambda: winner.append(place(raced_store, alice, chair, 2)) or winner

    loser = place(raced_store, alice, chair, 2)

    assert not winner[0].replayed
    assert loser == KeyedOrder(winner[0].order, replayed=True)
    assert (order_count(raced_store, admin), stock(raced_store, chair)) == (1, 3)


def test_a_request_beaten_to_its_key_by_one_still_running_is_told_so(
    raced_store: Webstore, raced: RacedFactory
) -> None:
    admin, alice, chair = shop(raced_store)
    raced.rival = lambda: None

    with pytest.raises(IdempotencyConflict) as caught:
        place(raced_store, alice, chair, 2)

    assert caught.value.detail == "A request with this Idempotency-Key is still being processed."
    assert (order_count(raced_store, admin), stock(raced_store, chair)) == (0, 5)

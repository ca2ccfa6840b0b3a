"""Hypothesis: memory, SQLite and PostgreSQL find exactly the names ``search_key`` says.

Each example writes its products (or users) in a unit of work that is never committed, asks
every storage the same question inside it, and rolls back: the databases stay empty between
examples, and a database is made once per module, not per example.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import postgres_schema, require_postgres
from tests.integration.persistence.helpers import money
from webstore.adapters.memory import InMemoryUnitOfWorkFactory
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.ports import ProductQuery, UnitOfWorkFactory, UserQuery
from webstore.domain.products import Product
from webstore.domain.users import User
from webstore.domain.values import search_key

# Text as shop owners and customers type it: letters with and without accents, in every case,
# decomposed or not, with the characters that case mapping and SQL treat specially.
PIECES = st.sampled_from(
    ["a", "e", "i", "o", "s", "z", "A", "E", "I", "S", "é", "É", "e\u0301", "è", "ê", "ë", "ï",
     "ß", "ẞ", "ss", "SS", "İ", "\u0131", "i\u0307", "ﬁ", "Œ", "œ", "oe", "Æ", "ł", "Ł", "ø",
     "ő", "ñ", "n\u0303", "ç", "\uff21", "\uff45", "ς", "\u03c3", "Σ", "ά", "ё", "Й", "가", "が",
     " ", "%", "_", "\\", "'", "0", "1"]
)  # fmt: skip
TEXT = st.lists(PIECES, min_size=1, max_size=8).map("".join)
NAMES = st.lists(TEXT, min_size=1, max_size=6)
AGREEMENT = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _transformed(text: str, how: str) -> str:
    if how == "upper":
        return text.upper()
    if how == "lower":
        return text.lower()
    if how == "bare":
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return text


@st.composite
def searches(draw: st.DrawFn, names: list[str]) -> str:
    """Often a piece of a name, changed in case or accents; sometimes any text at all."""
    if draw(st.booleans()):
        return draw(TEXT)
    name = draw(st.sampled_from(names))
    start = draw(st.integers(0, len(name)))
    end = draw(st.integers(start, len(name)))
    piece = name[start:end]
    if piece and draw(st.booleans()):  # a character swapped for one that SQL's LIKE would read
        at = draw(st.integers(0, len(piece) - 1))
        piece = piece[:at] + draw(st.sampled_from("_%\\")) + piece[at + 1 :]
    return _transformed(piece, draw(st.sampled_from(["upper", "lower", "bare", "as is"])))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[UnitOfWorkFactory]]:
    """The in-memory store and one migrated database, for the whole module."""
    if request.param == "sqlite":
        folder: Path = tmp_path_factory.mktemp("agreement")
        yield from _migrated(f"sqlite:///{folder}/webstore.db")
        return
    with postgres_schema(require_postgres()) as url:
        yield from _migrated(url)


def _migrated(url: str) -> Iterator[list[UnitOfWorkFactory]]:
    upgrade(url)
    factory = SqlAlchemyUnitOfWorkFactory.from_url(url)
    try:
        yield [InMemoryUnitOfWorkFactory(), factory]
    finally:
        factory.dispose()


def _products_found(uow: UnitOfWorkFactory, names: list[str], search: str) -> list[str]:
    query = ProductQuery(name_key_contains=search_key(search) or None)
    with uow() as work:  # never committed: rolled back at the end of the block
        work.products.add_all([Product(name, money("1.00"), 1) for name in names])
        found = [product.name for product in work.products.list(query)]
        assert work.products.count(query) == len(found)
    return found


def _users_found(uow: UnitOfWorkFactory, names: list[str], search: str) -> list[str]:
    query = UserQuery(search_key_contains=search_key(search) or None)
    with uow() as work:  # never committed: rolled back at the end of the block
        for number, name in enumerate(names):
            # Unique usernames (the key's unique index); the name itself goes in the email.
            work.users.add(User(f"u{number}", f"{name}@example.com", "argon2-hash"))
        found = [user.email.removesuffix("@example.com") for user in work.users.list(query)]
        assert work.users.count(query) == len(found)
    return found


@AGREEMENT
@given(data=st.data(), names=NAMES)
def test_every_storage_finds_the_products_the_key_says(
    databases: list[UnitOfWorkFactory], data: st.DataObject, names: list[str]
) -> None:
    search = data.draw(searches(names))
    key = search_key(search)
    expected = [name for name in names if key in search_key(name)]

    for uow in databases:
        assert _products_found(uow, names, search) == expected


@AGREEMENT
@given(data=st.data(), names=NAMES)
def test_every_storage_finds_the_users_the_key_says(
    databases: list[UnitOfWorkFactory], data: st.DataObject, names: list[str]
) -> None:
    search = data.draw(searches(names))
    key = search_key(search)
    # A user is found by username ("u<number>", see ``_users_found``) or by email.
    expected = [
        name
        for number, name in enumerate(names)
        if key in search_key(f"u{number}") or key in search_key(f"{name}@example.com")
    ]

    for uow in databases:
        assert _users_found(uow, names, search) == expected

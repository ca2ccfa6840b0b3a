"""Product listings by name and activity: the same answers on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.integration.persistence.helpers import Backend, add_product, money, statements
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.application.ports import ProductQuery
from webstore.domain.products import Product
from webstore.domain.values import search_key

FULL_WIDTH_MUG = "\uff26\uff55\uff4c\uff4c width mug"  # "Full" in full-width letters
NAMES = [
    "Éclair",
    "Straße lamp",
    "STRASSE sign",
    "100% wool_rug",
    "Back\\slash shelf",
    "1000 wool rugs",
    FULL_WIDTH_MUG,
    "\u0130stanbul tile",
    "Red chair",
    "Café table",
    "cafe stool",
    "Łódź map",
]


def _names_found(backend: Backend, search: str, *, include_inactive: bool = False) -> list[str]:
    query = ProductQuery(include_inactive, search_key(search))
    with backend.uow(read_only=True) as work:
        found = [p.name for p in work.products.list(query)]
        assert work.products.count(query) == len(found)
    return found


@pytest.fixture
def shelf(backend: Backend) -> Backend:
    for name in NAMES:
        add_product(backend.uow, name)
    return backend


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        (
            "é",
            [
                "Éclair",
                "Straße lamp",
                "STRASSE sign",
                "Back\\slash shelf",
                "\u0130stanbul tile",
                "Red chair",
                "Café table",
                "cafe stool",
            ],
        ),  # accents do not count: é is e
        ("ÉCLAIR", ["Éclair"]),
        ("eclair", ["Éclair"]),
        ("cafe", ["Café table", "cafe stool"]),
        ("CAFÉ", ["Café table", "cafe stool"]),
        ("ca\u0301fe\u0301", ["Café table", "cafe stool"]),
        ("lodz", ["Łódź map"]),
        ("istanbul", ["\u0130stanbul tile"]),
        ("e\u0301clair", ["Éclair"]),  # decomposed: the same text to a reader
        ("straße", ["Straße lamp", "STRASSE sign"]),
        ("STRASSE", ["Straße lamp", "STRASSE sign"]),
        ("ß", ["Straße lamp", "STRASSE sign"]),
        ("full", [FULL_WIDTH_MUG]),
        ("\uff4d\uff55\uff47", [FULL_WIDTH_MUG]),
        ("\u0130STANBUL", ["\u0130stanbul tile"]),
        ("i\u0307stanbul", ["\u0130stanbul tile"]),  # \u0130 lower-cased: i, combining dot
        ("%", ["100% wool_rug"]),
        ("_", ["100% wool_rug"]),
        ("0%", ["100% wool_rug"]),
        ("wool_", ["100% wool_rug"]),
        ("\\", ["Back\\slash shelf"]),
        ("k\\s", ["Back\\slash shelf"]),
        ("wool", ["100% wool_rug", "1000 wool rugs"]),
        ("'; drop table products; --", []),
        ("nothing like it", []),
    ],
)
def test_a_search_finds_names_containing_it_in_any_case_or_accents_and_nothing_else(
    shelf: Backend, search: str, expected: list[str]
) -> None:
    assert _names_found(shelf, search) == expected


def test_searches_slice_by_id_and_count_every_match(backend: Backend) -> None:
    ids = [add_product(backend.uow, f"Chair {n}", active=n != 3) for n in range(6)]
    add_product(backend.uow, "Table")
    query = ProductQuery(name_key_contains="chair")
    with backend.uow(read_only=True) as work:
        page = [p.id for p in work.products.list(query, limit=2, offset=1)]
        total = work.products.count(query)
    assert (page, total) == ([ids[1], ids[2]], 5)


def test_the_full_catalogue_includes_deactivated_products_with_their_state(
    backend: Backend,
) -> None:
    shown = add_product(backend.uow, "Red chair")
    hidden = add_product(backend.uow, "Red lamp", active=False)
    query = ProductQuery(include_inactive=True, name_key_contains="red")
    with backend.uow(read_only=True) as work:
        listed = [(p.id, p.is_active) for p in work.products.list(query)]
        counted = work.products.count(query)
        active_only = [p.id for p in work.products.list(ProductQuery(name_key_contains="red"))]
    assert (listed, counted, active_only) == ([(shown, True), (hidden, False)], 2, [shown])


def test_a_renamed_product_is_found_by_its_new_name_only(backend: Backend) -> None:
    chair = add_product(backend.uow, "Red chair")
    with backend.uow() as work:
        [product] = work.products.get_for_update([chair])
        product.revise(name="Blue sofa")
        work.commit()
    assert _names_found(backend, "sofa") == ["Blue sofa"]
    assert _names_found(backend, "chair") == []


def test_products_added_together_get_ids_in_order(backend: Backend) -> None:
    batch = [Product(f"Item {n}", money("1.00"), n) for n in range(3)]
    with backend.uow() as work:
        work.products.add_all(batch)
        work.commit()
    with backend.uow(read_only=True) as work:
        stored = [(p.id, p.name, p.stock) for p in work.products.list(ProductQuery())]
    assert stored == [(p.id, p.name, p.stock) for p in batch]
    assert _names_found(backend, "ITEM 2") == ["Item 2"]


def test_a_search_is_one_statement_and_its_count_another(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    for n in range(30):
        add_product(sql_uow, f"Chair {n}")
    query = ProductQuery(name_key_contains="chair 1")
    with sql_uow(read_only=True) as work:
        work.ping()
        with statements(sql_uow.engine) as seen:
            assert len(work.products.list(query, limit=5)) == 5
            assert work.products.count(query) == 11
    assert len(seen) == 2
    assert all(" LIKE " not in statement.upper() for statement, _ in seen)


def test_products_are_found_by_their_name_key_withdrawn_ones_too(backend: Backend) -> None:
    first = add_product(backend.uow, "Café table")
    withdrawn = add_product(backend.uow, "Red chair", active=False)
    again = add_product(backend.uow, "CAFE TABLE")
    add_product(backend.uow, "Café tables")
    keys = [search_key("cafe table"), search_key("red chair"), search_key("blue sofa")]
    with backend.uow(read_only=True) as work:
        found = work.products.ids_by_name_key(keys)
    assert found == {search_key("café table"): [first, again], search_key("red chair"): [withdrawn]}

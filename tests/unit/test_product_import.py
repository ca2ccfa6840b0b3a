from __future__ import annotations

import pytest

from webstore import ImportReport, Principal, Webstore
from webstore.application.catalogue.product_files import FileFormat, ProductFile
from webstore.errors import InvalidImport, InvalidInput, PermissionDenied


def csv_file(text: str) -> ProductFile:
    return ProductFile(text.encode(), FileFormat.CSV)


def catalogue(store: Webstore) -> list[tuple[str, str, str, int]]:
    page = store.list_products()
    return [(p.name, p.description, str(p.price), p.stock) for p in page.items]


def test_a_good_file_is_imported_whole(store: Webstore) -> None:
    text = "price,name,amount\n19.99,Red chair,5\n7.5,Blue lamp,0\n"

    assert store.import_product_file(store.operator, csv_file(text)) == ImportReport(2, 0)
    assert catalogue(store) == [("Red chair", "", "19.99", 5), ("Blue lamp", "", "7.50", 0)]


def test_one_bad_line_imports_nothing_and_is_named_by_its_line(store: Webstore) -> None:
    text = "name,description,price,amount\nRed chair,Beech,19.99,5\nBroken,,-3,1\n"

    with pytest.raises(InvalidImport) as caught:
        store.import_product_file(store.operator, csv_file(text))

    assert str(caught.value) == "line 3: price: Ensure this value is greater than 0."
    assert caught.value.errors == {"3": {"price": ["Ensure this value is greater than 0."]}}
    assert catalogue(store) == []


def test_every_bad_line_is_reported_with_each_of_its_fields(store: Webstore) -> None:
    text = "Good,,1.00,1\n,,x,²\nAlso good,,2.00,2\nLamp,,1.001,1\n"

    with pytest.raises(InvalidImport) as caught:
        store.import_product_file(store.operator, csv_file(text))

    assert caught.value.errors == {
        "2": {
            "name": ["This field is required."],
            "price": ["A valid number is required."],
            "amount": ["Not a valid integer."],
        },
        "4": {"price": ["Ensure that there are no more than 2 decimal places."]},
    }
    assert caught.value.problems == [
        "line 2: name: This field is required.",
        "line 4: price: Ensure that there are no more than 2 decimal places.",
    ]


def test_beyond_twenty_bad_lines_the_rest_are_counted(store: Webstore) -> None:
    text = "".join(f"Lamp {n},,free,1\n" for n in range(1, 26))

    with pytest.raises(InvalidImport) as caught:
        store.import_product_file(store.operator, csv_file(text))

    error = caught.value
    listed = [key for key in error.errors if key != "non_field_errors"]
    assert listed == [str(n) for n in range(1, 21)]
    assert error.errors["non_field_errors"] == ["25 lines have errors; the first 20 are listed."]
    assert error.bad_lines == 25
    assert error.problems[-1] == "25 lines have errors; the first 20 are listed."
    assert isinstance(error, InvalidInput)  # what Python callers and the HTTP layer expect


@pytest.mark.parametrize("text", ["", "\n\n", "name,description,price,amount\n", "\ufeff"])
def test_a_file_without_products_is_refused(store: Webstore, text: str) -> None:
    with pytest.raises(InvalidImport) as caught:
        store.import_product_file(store.operator, csv_file(text))

    assert str(caught.value) == "The file has no products."
    assert caught.value.errors == {"non_field_errors": ["The file has no products."]}


def test_a_regular_user_is_refused_before_the_file_is_read(
    store: Webstore, alice: Principal
) -> None:
    def unreadable() -> ProductFile:
        raise AssertionError("the file was read")

    with pytest.raises(PermissionDenied):
        store.import_product_file(alice, unreadable)


def test_a_superuser_imports_a_file_read_on_demand(store: Webstore, admin: Principal) -> None:
    text = '{"name": "Red chair", "price": 19.99, "amount": 5}\n'

    imported = store.import_product_file(
        admin, lambda: ProductFile(text.encode(), FileFormat.JSON_LINES)
    )

    assert imported == ImportReport(added=1, updated=0)
    assert catalogue(store) == [("Red chair", "", "19.99", 5)]


def test_progress_is_reported_in_rows_checked(store: Webstore) -> None:
    text = "".join(f"Item {n},,1.00,1\n" for n in range(250))
    seen: list[tuple[int, int]] = []

    store.import_product_file(
        store.operator, csv_file(text), progress=lambda done, steps: seen.append((done, steps))
    )

    assert seen == [(100, 250), (200, 250), (250, 250)]


@pytest.mark.parametrize(
    "text",
    [
        "name;description;price;amount\nRed chair;Beech, painted;19,99;5\nLamp;;7.50;2\n",
        "Red chair;Beech, painted;19,99;5\nLamp;;7.50;2\n",
        "name\tdescription\tprice\tamount\nRed chair\tBeech, painted\t19,99\t5\nLamp\t\t7.50\t2\n",
        "Red chair\tBeech, painted\t19,99\t5\nLamp\t\t7.50\t2\n",
    ],
)
def test_semicolons_and_tabs_separate_columns_too(store: Webstore, text: str) -> None:
    with pytest.raises(InvalidImport) as caught:  # a decimal comma is still not a price
        store.import_product_file(store.operator, csv_file(text))
    assert caught.value.problems == [
        f"line {2 if 'name' in text else 1}: price: A valid number is required."
    ]

    fixed = text.replace("19,99", "19.99")
    assert store.import_product_file(store.operator, csv_file(fixed)) == ImportReport(2, 0)
    assert catalogue(store) == [
        ("Red chair", "Beech, painted", "19.99", 5),
        ("Lamp", "", "7.50", 2),
    ]


def test_a_comma_file_whose_text_holds_semicolons_stays_a_comma_file(store: Webstore) -> None:
    text = "name,description,price,amount\nRed chair,Beech; painted,19.99,5\n"
    assert store.import_product_file(store.operator, csv_file(text)) == ImportReport(1, 0)
    assert catalogue(store) == [("Red chair", "Beech; painted", "19.99", 5)]


def test_a_name_that_exists_already_is_refused_and_nothing_is_imported(
    store: Webstore,
) -> None:
    chair = store.add_product(store.operator, {"name": "Red chair", "price": "9", "amount": 1})
    text = "name,price,amount\nOak table,349,2\nRED CHAIR,19.99,5\n"

    with pytest.raises(InvalidImport) as caught:
        store.import_product_file(store.operator, csv_file(text))

    assert caught.value.errors == {
        "3": {"name": [f'A product named "RED CHAIR" exists already (id {chair.id}).']}
    }
    assert caught.value.existing_names == 1
    assert catalogue(store) == [("Red chair", "", "9.00", 1)]


def test_a_name_twice_in_one_file_is_refused(store: Webstore) -> None:
    text = "name,price,amount\nCafé table,1,1\nLamp,2,2\ncafe TABLE,3,3\n"

    with pytest.raises(InvalidImport) as caught:
        store.import_product_file(store.operator, csv_file(text))

    assert caught.value.problems == ["line 4: name: Line 2 has this name too."]


def test_update_changes_the_products_named_and_adds_the_others(store: Webstore) -> None:
    chair = store.add_product(
        store.operator, {"name": "Café chair", "description": "Beech", "price": "9", "amount": 1}
    )
    lamp = store.add_product(
        store.operator, {"name": "Lamp", "description": "LED", "price": "5", "amount": 4}
    )
    store.deactivate_product(store.operator, lamp.id)
    text = "name,description,price,amount\nCAFE CHAIR,,19.99,5\nlamp,Brass,6,0\nRug,Wool,80,2\n"

    report = store.import_product_file(store.operator, csv_file(text), update=True)

    assert report == ImportReport(added=1, updated=2)
    shelf = store.list_products(actor=store.operator, include_inactive=True).items
    assert [(p.id, p.name, p.description, str(p.price), p.stock, p.is_active) for p in shelf] == [
        (chair.id, "Café chair", "Beech", "19.99", 5, True),  # an empty cell changes nothing
        (lamp.id, "Lamp", "Brass", "6.00", 0, False),
        (lamp.id + 1, "Rug", "Wool", "80.00", 2, True),
    ]


def test_update_refuses_a_name_that_several_products_share(store: Webstore) -> None:
    first, second = store.import_products(
        store.operator,
        [{"name": "Mug", "price": "1", "amount": 1}, {"name": "mug", "price": "2", "amount": 2}],
    )
    text = "name,price,amount\nMug,3,3\n"

    with pytest.raises(InvalidImport) as caught:
        store.import_product_file(store.operator, csv_file(text), update=True)

    assert caught.value.problems == [
        f'line 2: name: 2 products are named "Mug" (ids {first.id}, {second.id}): change them '
        "one by one."
    ]
    assert [p.price for p in store.list_products().items] == [first.price, second.price]

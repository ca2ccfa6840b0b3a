from __future__ import annotations

import pytest

from webstore import Principal, Webstore
from webstore.application.product_files import FileFormat, ProductFile
from webstore.errors import InvalidImport, InvalidInput, PermissionDenied


def csv_file(text: str) -> ProductFile:
    return ProductFile(text.encode(), FileFormat.CSV)


def catalogue(store: Webstore) -> list[tuple[str, str, str, int]]:
    page = store.list_products()
    return [(p.name, p.description, str(p.price), p.stock) for p in page.items]


def test_a_good_file_is_imported_whole(store: Webstore) -> None:
    text = "price,name,amount\n19.99,Red chair,5\n7.5,Blue lamp,0\n"

    assert store.import_product_file(store.operator, csv_file(text)) == 2
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

    assert imported == 1
    assert catalogue(store) == [("Red chair", "", "19.99", 5)]


def test_progress_is_reported_in_rows_checked(store: Webstore) -> None:
    text = "".join(f"Item {n},,1.00,1\n" for n in range(250))
    seen: list[tuple[int, int]] = []

    store.import_product_file(
        store.operator, csv_file(text), progress=lambda done, steps: seen.append((done, steps))
    )

    assert seen == [(100, 250), (200, 250), (250, 250)]

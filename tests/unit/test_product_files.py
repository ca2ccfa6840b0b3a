from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from webstore.application.catalogue.product_files import (
    FileFormat,
    NumberedRow,
    ProductFile,
    guess_format,
    read_rows,
)


def csv_rows(text: str | bytes) -> list[NumberedRow]:
    data = text.encode() if isinstance(text, str) else text
    return list(read_rows(ProductFile(data, FileFormat.CSV)))


def json_rows(text: str | bytes) -> list[NumberedRow]:
    data = text.encode() if isinstance(text, str) else text
    return list(read_rows(ProductFile(data, FileFormat.JSON_LINES)))


def fields(rows: list[NumberedRow]) -> list[tuple[int, dict[str, Any]]]:
    assert all(not row.problems for row in rows), rows
    return [(row.line, row.fields) for row in rows]


def problems(rows: list[NumberedRow]) -> dict[int, dict[str, list[str]]]:
    return {row.line: row.problems for row in rows if row.problems}


CHAIR = {"name": "Red chair", "description": "Beech", "price": "19.99", "amount": 5}


@pytest.mark.parametrize(
    "header",
    [
        "name,description,price,amount",
        "price,amount,description,name",
        " Amount , NAME,Price,description",
    ],
)
def test_a_csv_header_is_matched_by_column_names_in_any_order(header: str) -> None:
    names = [name.strip().lower() for name in header.split(",")]
    row = ",".join(str(CHAIR[name]) for name in names)

    assert fields(csv_rows(f"{header}\n{row}\n")) == [(2, CHAIR)]


def test_the_description_column_may_be_left_out() -> None:
    rows = csv_rows("name,price,amount\nRed chair,19.99,5\n")

    assert fields(rows) == [(2, {"name": "Red chair", "price": "19.99", "amount": 5})]


def test_without_a_header_the_columns_are_name_description_price_amount() -> None:
    rows = csv_rows('Red chair,Beech,19.99,5\n"Oak table","Seats six, oiled",349,2\n')

    assert fields(rows) == [
        (1, CHAIR),
        (2, {"name": "Oak table", "description": "Seats six, oiled", "price": "349", "amount": 2}),
    ]


def test_a_product_named_like_a_column_is_still_a_product() -> None:
    assert fields(csv_rows("Name,Amount,9.99,3\n")) == [
        (1, {"name": "Name", "description": "Amount", "price": "9.99", "amount": 3})
    ]


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (
            "name,colour,price,amount",
            'Unknown column "colour"; the columns are name, description, price, amount.',
        ),
        ("name,price,price,amount", 'Column "price" appears more than once.'),
        ("name,description,price", 'Missing column "amount".'),
    ],
)
def test_a_bad_header_is_refused_by_name_and_ends_the_reading(header: str, problem: str) -> None:
    rows = csv_rows(f"{header}\nRed chair,Beech,19.99,5\n")

    assert problems(rows) == {1: {"non_field_errors": [problem]}}
    assert len(rows) == 1


def test_rows_are_numbered_by_the_line_they_start_on() -> None:
    text = 'name,description,price,amount\n\n"Desk","Two\nlines",5,1\n\nLamp,,x,1\n'

    rows = csv_rows(text)

    assert [row.line for row in rows] == [3, 6]
    assert rows[0].fields["description"] == "Two\nlines"
    assert rows[1].fields["price"] == "x"


def test_empty_cells_are_missing_values_and_a_stock_is_an_ascii_integer() -> None:
    rows = csv_rows("Lamp,,,\nMug,,1.00,²\nCup,,1.00,٣\nBowl,,1.00, -2 \n")

    assert [row.fields for row in rows] == [
        {"name": "Lamp"},
        {"name": "Mug", "price": "1.00", "amount": "²"},
        {"name": "Cup", "price": "1.00", "amount": "٣"},
        {"name": "Bowl", "price": "1.00", "amount": -2},
    ]


def test_a_row_with_the_wrong_number_of_cells_is_a_problem_of_its_line() -> None:
    rows = csv_rows("name,price,amount\nRed chair,19.99\nLamp,1,2,3\nMug,1,2\n")

    assert problems(rows) == {
        2: {"non_field_errors": ["Expected 3 columns (name, price, amount), but got 2."]},
        3: {"non_field_errors": ["Expected 3 columns (name, price, amount), but got 4."]},
    }
    assert rows[-1].fields == {"name": "Mug", "price": "1", "amount": 2}


def test_a_field_over_the_csv_size_limit_ends_the_reading_at_its_line() -> None:
    rows = csv_rows("Red chair,Beech,19.99,5\nLamp," + "x" * (128 * 1024 + 1) + ",1,1\nMug,,1,1\n")

    assert problems(rows) == {
        2: {"non_field_errors": ["A field is longer than 131072 characters."]}
    }
    assert len(rows) == 2


def test_a_byte_order_mark_is_skipped_and_bad_utf8_is_reported_on_its_line() -> None:
    assert fields(csv_rows("\ufeffRed chair,Beech,19.99,5\n".encode())) == [(1, CHAIR)]

    rows = csv_rows(b"Red chair,Beech,19.99,5\nChaise,H\xeatre,19.99,5\n")

    assert problems(rows) == {
        2: {"non_field_errors": ["Not valid UTF-8 text (invalid continuation byte)."]}
    }


def test_json_lines_keep_their_types_and_exact_prices() -> None:
    text = '{"name": "Lamp", "price": 24.99, "amount": 40}\n\n{"name": "Mug", "price": "9.99"}\r\n'

    assert fields(json_rows(text)) == [
        (1, {"name": "Lamp", "price": Decimal("24.99"), "amount": 40}),
        (3, {"name": "Mug", "price": "9.99"}),
    ]


def test_a_json_string_may_hold_a_line_separator() -> None:
    rows = json_rows('{"name": "Two\u2028lines", "price": 1, "amount": 1}\n')

    assert fields(rows) == [(1, {"name": "Two\u2028lines", "price": 1, "amount": 1})]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "{",
            {
                "non_field_errors": [
                    "Not valid JSON: Expecting property name enclosed in double quotes."
                ]
            },
        ),
        ("[1, 2]", {"non_field_errors": ["Expected a JSON object, but got an array."]}),
        ('"Lamp"', {"non_field_errors": ["Expected a JSON object, but got a string."]}),
        ("[" * 100_000, {"non_field_errors": ["Not valid JSON: nested too deeply."]}),
        ('{"price": NaN}', {"non_field_errors": ["Not valid JSON: NaN is not a number."]}),
        ('{"name": "Lamp", "colour": "red"}', {"colour": ["Unknown field."]}),
    ],
)
def test_a_bad_json_line_is_a_problem_of_its_own_line(line: str, problem: dict[str, Any]) -> None:
    rows = json_rows(f'{{"name": "Mug", "price": 1, "amount": 1}}\n{line}\n')

    assert problems(rows) == {2: problem}


def test_a_json_integer_too_long_to_convert_is_a_problem_not_a_crash() -> None:
    rows = json_rows('{"name": "Mug", "price": 1, "amount": ' + "9" * 5000 + "}\n")

    [message] = rows[0].problems["non_field_errors"]
    assert message.startswith("Not valid JSON: ")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"name": "Mug"}\n', FileFormat.JSON_LINES),
        (b'\xef\xbb\xbf\n  {"name": "Mug"}\n', FileFormat.JSON_LINES),
        (b"name,price,amount\n", FileFormat.CSV),
        (b"", FileFormat.CSV),
    ],
)
def test_the_command_line_tells_json_lines_from_csv_by_the_first_character(
    data: bytes, expected: FileFormat
) -> None:
    assert guess_format(data) is expected

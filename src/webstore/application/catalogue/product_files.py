"""Product files, CSV or JSON lines, read into rows numbered by the line they start on.

Reading only: a row that cannot be read carries its problems; the import (``imports``) checks
the fields of the others. A problem that leaves the rest of the file unreadable (bad UTF-8, a
bad header, a CSV field over the size limit) ends the reading there.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn

from webstore.application.catalogue.json_numbers import exact_decimal

COLUMNS = ("name", "description", "price", "amount")
REQUIRED_COLUMNS = ("name", "price", "amount")
DELIMITERS = (",", ";", "\t")  # in order of preference
LINE = "non_field_errors"  # the key of a problem of the whole line rather than of one field
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}\Z")  # ASCII only: int() would also take "²" or "٣"
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)\Z")


class FileFormat(StrEnum):
    CSV = "csv"
    JSON_LINES = "json-lines"


@dataclass(frozen=True, slots=True)
class ProductFile:
    """What is imported: the bytes of a file (UTF-8, a leading BOM is skipped) and its format."""

    data: bytes
    format: FileFormat


@dataclass(frozen=True, slots=True)
class NumberedRow:
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)


def guess_format(data: bytes) -> FileFormat:
    """JSON lines when the first thing in the file is ``{``, CSV otherwise."""
    opening = data.lstrip(b"\xef\xbb\xbf \t\r\n")  # a BOM and blank lines may come first
    return FileFormat.JSON_LINES if opening.startswith(b"{") else FileFormat.CSV


def read_rows(file: ProductFile) -> Iterator[NumberedRow]:
    """Every non-blank row of the file, numbered by the line it starts on."""
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = file.data[: error.start].count(b"\n") + 1
        yield _problem(line, f"Not valid UTF-8 text ({error.reason}).")
        return
    yield from (_json_rows if file.format is FileFormat.JSON_LINES else _csv_rows)(text)


def _problem(line: int, message: str) -> NumberedRow:
    return NumberedRow(line, problems={LINE: [message]})


# --- JSON lines ------------------------------------------------------------------------------


def _json_rows(text: str) -> Iterator[NumberedRow]:
    # Split on "\n" only: JSON strings may hold U+2028 and other breaks that splitlines() cuts.
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield _json_row(number, line)


def _json_row(number: int, line: str) -> NumberedRow:
    try:
        row = json.loads(line, parse_float=exact_decimal, parse_constant=_refuse_constant)
    except RecursionError:
        return _problem(number, "Not valid JSON: nested too deeply.")
    except ValueError as error:  # JSONDecodeError, or an integer too long to convert
        reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        return _problem(number, f"Not valid JSON: {reason}.")
    if not isinstance(row, dict):
        return _problem(number, f"Expected a JSON object, but got {_json_type(row)}.")
    unknown = {key: ["Unknown field."] for key in row if key not in COLUMNS}
    if unknown:
        return NumberedRow(number, problems=unknown)
    return NumberedRow(number, fields=row)


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number")


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


# --- CSV -------------------------------------------------------------------------------------


def _csv_rows(text: str) -> Iterator[NumberedRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    columns: tuple[str, ...] = COLUMNS
    first = True
    line = 1  # where the next record starts
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not cells or not any(cell.strip() for cell in cells):
                continue
            if first and _is_header(cells):
                first = False
                problem = _header_problem(cells)
                if problem:
                    yield _problem(start, problem)
                    return
                columns = tuple(cell.strip().lower() for cell in cells)
                continue
            first = False
            yield _csv_row(start, columns, cells)
    except csv.Error as error:
        limit = csv.field_size_limit()
        message = (
            f"A field is longer than {limit} characters."
            if "field larger than field limit" in str(error)
            else f"Not readable as CSV ({error})."
        )
        yield _problem(line, message)


def _delimiter(text: str) -> str:
    """The delimiter the file's first line reads with: the first of ``DELIMITERS`` under which
    it is a header, or else has one cell per column; a comma when none fits.

    Spreadsheets write semicolons where the decimal separator is a comma, and many exports
    use tabs. Counting delimiters would not do: a semicolon file's prices hold commas.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    cells = {delimiter: _cells(first, delimiter) for delimiter in DELIMITERS}
    for delimiter in DELIMITERS:
        if _is_header(cells[delimiter]):
            return delimiter
    for delimiter in DELIMITERS:
        if len(cells[delimiter]) == len(COLUMNS):
            return delimiter
    return DELIMITERS[0]


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # the reading proper reports it, with its line number
        return []


def _is_header(cells: list[str]) -> bool:
    """A first row naming a column, with no number in it (a product row has two)."""
    names = [cell.strip().lower() for cell in cells]
    return any(name in COLUMNS for name in names) and not any(_NUMBER.match(n) for n in names)


def _header_problem(cells: list[str]) -> str | None:
    names = [cell.strip().lower() for cell in cells]
    for name in names:
        if name not in COLUMNS:
            known = ", ".join(COLUMNS)
            return f'Unknown column "{name}"; the columns are {known}.'
        if names.count(name) > 1:
            return f'Column "{name}" appears more than once.'
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        return f'Missing column "{missing[0]}".'
    return None


def _csv_row(line: int, columns: tuple[str, ...], cells: list[str]) -> NumberedRow:
    if len(cells) != len(columns):
        expected = f"{len(columns)} columns ({', '.join(columns)})"
        return _problem(line, f"Expected {expected}, but got {len(cells)}.")
    fields: dict[str, Any] = {}
    for name, cell in zip(columns, cells, strict=True):
        value = cell.strip()
        # An empty cell is a missing value (left out, not null); CSV has only text, and the
        # stock must be an integer.
        if value:
            fields[name] = int(value) if _is_integer(name, value) else value
    return NumberedRow(line, fields=fields)


def _is_integer(column: str, value: str) -> bool:
    return column == "amount" and _INTEGER.match(value) is not None

"""Importing a product file: every line checked by the catalogue's rules, then all or nothing.

One use case for ``webstore products import`` and ``POST /api/products/import``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from webstore.application.catalog import clean_product, store_products
from webstore.application.dto import Principal
from webstore.application.permissions import require_superuser
from webstore.application.ports import Clock, UnitOfWorkFactory
from webstore.application.product_files import LINE, NumberedRow, ProductFile, read_rows
from webstore.domain.errors import InvalidInput, WebstoreError
from webstore.domain.products import Product

MAX_LISTED = 20  # bad lines named in an error; the others are only counted
EMPTY = "The file has no products."
# Told how far the import has got: (rows checked, rows in all). Storing them all afterwards
# is one batch of statements.
Progress = Callable[[int, int], None]


class InvalidImport(InvalidInput):
    """A product file with bad lines; nothing was imported.

    ``errors`` maps the number of each of the first ``MAX_LISTED`` bad lines to its field
    errors (plus ``non_field_errors`` saying how many more there are); ``problems`` has one
    sentence per listed line (``line 3: price: A valid number is required.``).
    """

    def __init__(self, errors: Mapping[str, Any], problems: list[str], bad_lines: int) -> None:
        self.errors = errors
        self.problems = problems
        self.bad_lines = bad_lines
        WebstoreError.__init__(self, problems[0])

    @classmethod
    def of(cls, bad: list[NumberedRow], bad_lines: int) -> InvalidImport:
        errors: dict[str, Any] = {str(row.line): row.problems for row in bad}
        problems = [_sentence(row) for row in bad]
        if bad_lines > len(bad):
            more = f"{bad_lines} lines have errors; the first {len(bad)} are listed."
            errors[LINE] = [more]
            problems.append(more)
        return cls(errors, problems, bad_lines)

    @classmethod
    def empty(cls) -> InvalidImport:
        return cls({LINE: [EMPTY]}, [EMPTY], 0)


def _sentence(row: NumberedRow) -> str:
    name, messages = next(iter(row.problems.items()))
    where = f"line {row.line}" if name == LINE else f"line {row.line}: {name}"
    return f"{where}: {messages[0]}"


def import_product_file(
    actor: Principal,
    source: ProductFile | Callable[[], ProductFile],
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    progress: Progress | None = None,
) -> int:
    """Add every product of the file, or none if any line is bad; the number added.

    ``actor`` must be a superuser (the command line's is the store's operator), rechecked as
    the products are stored. ``source`` may be a function, so that a caller without
    permission is refused before the file is read.
    """
    require_superuser(actor)
    file = source if isinstance(source, ProductFile) else source()
    rows = list(read_rows(file))
    report = progress or _ignore
    products = _checked(rows, lambda done: report(done, len(rows)))
    store_products(actor, products, uow=uow, clock=clock)
    return len(products)


def _checked(rows: list[NumberedRow], checked: Callable[[int], None]) -> list[Product]:
    products: list[Product] = []
    bad: list[NumberedRow] = []
    bad_lines = 0
    for done, row in enumerate(rows, start=1):
        problems = row.problems
        if not problems:
            try:
                products.append(Product(**clean_product(row.fields)))
            except InvalidInput as problem:
                problems = dict(problem.errors)
        if problems:
            bad_lines += 1
            if len(bad) < MAX_LISTED:
                bad.append(NumberedRow(row.line, problems=problems))
        if done % 100 == 0 or done == len(rows):
            checked(done)
    if bad:
        raise InvalidImport.of(bad, bad_lines)
    if not products:
        raise InvalidImport.empty()
    return products


def _ignore(done: int, steps: int) -> None:
    pass

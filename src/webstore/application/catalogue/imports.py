"""Importing a product file: every line checked by the catalogue's rules, then all or nothing.

One use case for ``webstore products import`` and ``POST /api/products/import``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from webstore.application.accounts.actors import live_superuser
from webstore.application.accounts.permissions import require_superuser
from webstore.application.catalogue.product_files import LINE, NumberedRow, ProductFile, read_rows
from webstore.application.catalogue.products import clean_product
from webstore.application.dto import Principal
from webstore.application.ports import Clock, UnitOfWorkFactory
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
    sentence per listed line (``line 3: price: A valid number is required.``);
    ``existing_names`` counts the lines refused because a product has their name already.
    """

    def __init__(
        self,
        errors: Mapping[str, Any],
        problems: list[str],
        bad_lines: int,
        existing_names: int = 0,
    ) -> None:
        self.errors = errors
        self.problems = problems
        self.bad_lines = bad_lines
        self.existing_names = existing_names
        WebstoreError.__init__(self, problems[0])

    @classmethod
    def of(cls, bad: list[NumberedRow], bad_lines: int, existing_names: int = 0) -> InvalidImport:
        errors: dict[str, Any] = {str(row.line): row.problems for row in bad}
        problems = [_sentence(row) for row in bad]
        if bad_lines > len(bad):
            more = f"{bad_lines} lines have errors; the first {len(bad)} are listed."
            errors[LINE] = [more]
            problems.append(more)
        return cls(errors, problems, bad_lines, existing_names)

    @classmethod
    def empty(cls) -> InvalidImport:
        return cls({LINE: [EMPTY]}, [EMPTY], 0)


def _sentence(row: NumberedRow) -> str:
    name, messages = next(iter(row.problems.items()))
    where = f"line {row.line}" if name == LINE else f"line {row.line}: {name}"
    return f"{where}: {messages[0]}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: how many products it added and, with ``update``, changed."""

    added: int
    updated: int = 0


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    product: Product
    given: frozenset[str]  # the fields the line gave; an empty cell gives none


def import_product_file(
    actor: Principal,
    source: ProductFile | Callable[[], ProductFile],
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    progress: Progress | None = None,
    update: bool = False,
) -> ImportReport:
    """Add every product of the file, or none if any line is bad.

    A line whose name (ignoring case and accents) is a product's already is refused, unless
    ``update``: then it changes that product's price, stock and, when given, description.
    ``actor`` must be a superuser (the command line's is the store's operator), rechecked as
    the products are stored. ``source`` may be a function, so that a caller without
    permission is refused before the file is read.
    """
    require_superuser(actor)
    file = source if isinstance(source, ProductFile) else source()
    rows = list(read_rows(file))
    report = progress or _ignore
    lines = _checked(rows, lambda done: report(done, len(rows)))
    return _stored(actor, lines, update=update, uow=uow, clock=clock)


def _checked(rows: list[NumberedRow], checked: Callable[[int], None]) -> list[_Line]:
    lines: list[_Line] = []
    bad: list[NumberedRow] = []
    bad_lines = 0
    first_line_of: dict[str, int] = {}  # name key -> the line that names it first
    for done, row in enumerate(rows, start=1):
        problems = row.problems
        if not problems:
            try:
                product = Product(**clean_product(row.fields))
            except InvalidInput as problem:
                problems = dict(problem.errors)
            else:
                first = first_line_of.setdefault(product.name_key, row.line)
                if first != row.line:
                    problems = {"name": [f"Line {first} has this name too."]}
                lines.append(_Line(row.line, product, frozenset(row.fields)))
        if problems:
            bad_lines += 1
            if len(bad) < MAX_LISTED:
                bad.append(NumberedRow(row.line, problems=problems))
        if done % 100 == 0 or done == len(rows):
            checked(done)
    if bad:
        raise InvalidImport.of(bad, bad_lines)
    if not lines:
        raise InvalidImport.empty()
    return lines


def _stored(
    actor: Principal, lines: list[_Line], *, update: bool, uow: UnitOfWorkFactory, clock: Clock
) -> ImportReport:
    """Add the new products and (``update``) change the others, in one transaction."""
    with uow() as work:
        live_superuser(work, actor, clock.now())
        existing = work.products.ids_by_name_key({line.product.name_key for line in lines})
        _refuse_clashes(lines, existing, update=update)
        changes = {ids[0]: line for line in lines if (ids := existing.get(line.product.name_key))}
        for product in work.products.get_for_update(changes):
            _revise(product, changes[product.product_id])
        added = [line.product for line in lines if line.product.name_key not in existing]
        work.products.add_all(added)
        work.commit()
    return ImportReport(len(added), len(changes))


def _revise(product: Product, line: _Line) -> None:
    """The line's price and stock, and its description if it gives one; the name stays."""
    given = line.product
    description = given.description if "description" in line.given else None
    product.revise(description=description, price=given.price, stock=given.stock)


def _refuse_clashes(lines: list[_Line], existing: Mapping[str, list[int]], *, update: bool) -> None:
    """``InvalidImport`` for the lines naming products that exist (any, without ``update``;
    with it, a name that several products share)."""
    bad: list[NumberedRow] = []
    for line in lines:
        ids = existing.get(line.product.name_key, [])
        if len(ids) > (1 if update else 0):
            bad.append(NumberedRow(line.number, problems={"name": [_clash(line.product, ids)]}))
    if bad:
        raise InvalidImport.of(bad[:MAX_LISTED], len(bad), existing_names=len(bad))


def _clash(product: Product, ids: list[int]) -> str:
    if len(ids) == 1:
        return f'A product named "{product.name}" exists already (id {ids[0]}).'
    listed = ", ".join(map(str, ids))
    return f'{len(ids)} products are named "{product.name}" (ids {listed}): change them one by one.'


def _ignore(done: int, steps: int) -> None:
    pass

"""A listing read together with the version of what it shows, for callers that keep copies.

The version and the rows are read in one read-only unit of work, version first: on PostgreSQL
that is one snapshot (repeatable read), so the rows are exactly the version's; on SQLite the
read transaction holds its snapshot from the first read. A caller that already keeps the
listing for that version says so through ``Known``, and the rows are not read at all.

Product listings keep no stock: their version follows what they show but stock, and each
answer carries the stock of its page, read in the same unit of work (so that no checkout has
to write a row every other checkout writes, and a listing still shows the stock of the very
moment it was read).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from webstore.application.dto import Page

T = TypeVar("T")

# Whether the caller keeps the listing under this key (the query, normalised) at this version.
Known = Callable[[Hashable, int], bool]


class PageStock(NamedTuple):
    """The listed products' ids and their stock, in the listing's order, each as decimal
    numbers joined by commas: what the database hands over in one row, and what a kept
    listing compares and splices in without a step per product."""

    ids: str
    amounts: str

    @classmethod
    def of(cls, levels: Iterable[tuple[int, int]]) -> PageStock:
        """From each product's id and stock."""
        pairs = list(levels)
        return cls(",".join(str(pid) for pid, _ in pairs), ",".join(str(n) for _, n in pairs))


@dataclass(frozen=True, slots=True)
class Versioned(Generic[T]):
    """What a listing matches (``key``), its version (``None``: not kept, never reuse it) and
    its page, or ``None`` when the caller said it keeps that very version; for products, the
    stock of the page as it is now (``None`` for other listings)."""

    key: Hashable
    version: int | None
    page: Page[T] | None
    stock: PageStock | None = None

"""A listing read together with the version of what it shows, for callers that keep copies.

The version and the rows are read in one read-only unit of work, version first: on PostgreSQL
that is one snapshot (repeatable read), so the rows are exactly the version's; on SQLite the
read transaction holds its snapshot from the first read. A caller that already keeps the
listing for that version says so through ``Known``, and the rows are not read at all.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from webstore.application.dto import Page

T = TypeVar("T")

# Whether the caller keeps the listing under this key (the query, normalised) at this version.
Known = Callable[[Hashable, int], bool]


@dataclass(frozen=True, slots=True)
class Versioned(Generic[T]):
    """What a listing matches (``key``), its version (``None``: not kept, never reuse it) and
    its page, or ``None`` when the caller said it keeps that very version."""

    key: Hashable
    version: int | None
    page: Page[T] | None

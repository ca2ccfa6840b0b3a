"""Ids in URLs: any decimal number matches, so that an id no row can have is a 404, not a 405."""

from __future__ import annotations

from werkzeug.routing import BaseConverter

MAX_ID = 2**63 - 1  # the largest id a BIGINT column can hold
MAX_DIGITS = len(str(MAX_ID))
NO_ID = 0  # what an id no row can have becomes: ids start at 1


class IdConverter(BaseConverter):
    """``<id:name>``: digits only, as an ``int``; out of the database's range, ``NO_ID``.

    werkzeug's ``int(max=...)`` refuses a number over its maximum by not matching, and the
    router then answers 405 for the methods of the routes that still match the path (a 405
    for ``PATCH /api/products/9223372036854775808``). Matching every number and letting the
    lookup find nothing gives the 404 of a missing row for every method the route allows.
    """

    regex = r"[0-9]+"
    weight = 50  # as werkzeug's own numeric converters

    def to_python(self, value: str) -> int:
        # Counted before int() sees it: past 4300 digits, int() raises instead of converting.
        digits = value.lstrip("0")
        if len(digits) > MAX_DIGITS:
            return NO_ID
        number = int(digits or "0")
        return number if number <= MAX_ID else NO_ID

    def to_url(self, value: object) -> str:
        return str(value)

"""Public answers that caches may keep: a strong ETag over the exact bytes, and the
conditional requests of RFC 9110 (section 13) that revalidate them.

The tag is a digest of what the answer says (its body, and any header that says more, such as
``X-Total-Count``), so equal answers have equal tags and any change gives a new one, whichever
worker, node or cache produced it. The answer is built first and its conditions looked at
after: a request that would be an error (400, 404) is that error, whatever it sends.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from flask import Response, request

from webstore.entrypoints.web.json_codec import JsonResponse

PRECONDITION_FAILED = "Precondition failed."
# One list element of If-Match / If-None-Match: an entity-tag, or nothing (RFC 9110 5.6.1
# lets a list have empty elements). An opaque tag may hold commas, never a DQUOTE or a space.
_ELEMENT = re.compile(r'[ \t]*(?:(W/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(?:,|\Z)')


def strong_etag(*parts: bytes) -> str:
    """A strong entity tag of exactly these bytes (each part framed by its length)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return f'"{digest.hexdigest()}"'


def public_answer(
    body: bytes, *, max_age: int, headers: Mapping[str, str] | None = None
) -> Response:
    """``200`` with ``body`` and ``headers``, cacheable by anyone for ``max_age`` seconds; or
    the ``304`` (no body) or ``412`` the request's preconditions call for."""
    extra = dict(headers or {})
    tag = strong_etag(body, *(f"{name}: {value}".encode() for name, value in extra.items()))
    validators = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}"}
    if not _if_match(request.headers.get("If-Match"), tag):
        return JsonResponse.of({"detail": PRECONDITION_FAILED}, 412)
    if _matches_none(request.headers.get("If-None-Match"), tag):
        return JsonResponse(status=304, headers=validators)
    return JsonResponse(body, 200, headers={**extra, **validators})


def entity_tags(field: str) -> list[tuple[bool, str]] | None:
    """The ``(weak, opaque-tag)`` of each entity-tag a field lists; ``None`` if malformed.

    Opaque tags keep their quotes: ``W/"a"`` is ``(True, '"a"')``.
    """
    tags: list[tuple[bool, str]] = []
    position = 0
    while position < len(field):
        element = _ELEMENT.match(field, position)
        if element is None or element.end() == position:
            return None
        if element.group(2) is not None:
            tags.append((element.group(1) is not None, f'"{element.group(2)}"'))
        position = element.end()
    return tags


def _if_match(field: str | None, tag: str) -> bool:
    """Whether If-Match lets the request go on: ``*`` (the answer exists) or a tag equal to
    ours under the strong comparison. An absent or malformed field is no condition."""
    if field is None or field.strip() == "*":
        return True
    tags = entity_tags(field)
    if not tags:
        return True
    return any(not weak and opaque == tag for weak, opaque in tags)


def _matches_none(field: str | None, tag: str) -> bool:
    """Whether If-None-Match names this answer (then a GET gets ``304``): ``*``, or a tag
    equal to ours under the weak comparison (``W/"x"`` names ``"x"``: a proxy that compressed
    the answer weakened its tag)."""
    if field is None:
        return False
    if field.strip() == "*":
        return True
    return any(opaque == tag for _, opaque in entity_tags(field) or ())

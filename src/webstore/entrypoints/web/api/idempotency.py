"""The Idempotency-Key header of post_order: read it, fingerprint the request, answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from flask import request
from marshmallow import Schema

from webstore.application.ordering.idempotency import KeyedOrder, idempotency_key
from webstore.entrypoints.web.api import serializers
from webstore.entrypoints.web.bodies import known_fields
from webstore.entrypoints.web.json_codec import JsonResponse

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


def requested_key() -> str | None:
    """The request's Idempotency-Key (``None`` without one); ``InvalidIdempotencyKey`` if bad."""
    raw = request.headers.get(HEADER)
    return None if raw is None else idempotency_key(raw)


def fingerprint(data: Mapping[str, Any], schema: Schema) -> str:
    """SHA-256 of the body as canonical JSON: key order and spacing do not count.

    Only the fields ``schema`` names are taken: fields the endpoint ignores do not count,
    while any difference in a field it reads does.
    """
    asked = known_fields(data, schema)
    # default=str: a body not valid yet may hold decimals; it is refused before any key is used.
    canonical = json.dumps(asked, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def keyed_response(answer: KeyedOrder) -> JsonResponse:
    """201 with the order, new or (marked so) replayed: only placed orders are remembered."""
    response = JsonResponse.of(serializers.order(answer.order), 201)
    if answer.replayed:
        response.headers[REPLAYED] = "true"
    return response

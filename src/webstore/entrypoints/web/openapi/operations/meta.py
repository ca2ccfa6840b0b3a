"""What the endpoints about the service itself answer: its health, and this document."""

from __future__ import annotations

from typing import Any

from webstore.entrypoints.web.openapi.operations.objects import NOBODY, header, operation, returns
from webstore.entrypoints.web.openapi.response_schemas import DetailSchema, HealthSchema

META_OPERATIONS: dict[str, dict[str, Any]] = {
    "meta.health": operation(
        "Whether the database answers.",
        NOBODY,
        {
            "200": returns("Up.", HealthSchema),
            "503": returns(
                "The database does not answer (from the front proxy: no node does).",
                {"oneOf": [HealthSchema, DetailSchema]},
                Retry_After=header("Seconds to wait before asking again.", "integer"),
            ),
        },
    ),
    "docs.openapi_json": operation(
        "This document.", NOBODY, {"200": returns("OpenAPI 3.1.", {"type": "object"})}
    ),
    "docs.docs_page": operation(
        "This document as a web page.",
        NOBODY,
        {"200": {"description": "HTML.", "content": {"text/html": {"schema": {"type": "string"}}}}},
    ),
}

"""Request bodies handed to the use cases as they came: the use cases validate them, once.

The schemas name the fields (and describe them for the OpenAPI document); a field the
client left out is passed as ``MISSING``, so that the use case can tell it ("This field is
required.") from a ``null`` ("This field may not be null.").
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from webstore.domain.values import MISSING


def fields_of(data: dict[str, Any], schema: Schema) -> list[Any]:
    """The values of ``schema``'s fields in ``data``, in the schema's order."""
    return [data.get(name, MISSING) for name in schema.fields]


def known_fields(data: Any, schema: Schema) -> Any:
    """``data`` with only the fields ``schema`` declares, nested lists and objects too.

    What a request asks, whatever else it carries: the Idempotency-Key fingerprint is taken
    of this. Values are kept exactly as sent (no trimming), so any change to a field counts.
    """
    if not isinstance(data, dict):
        return data
    kept: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if name in data:
            kept[name] = _known(data[name], field)
    return kept


def _known(value: Any, field: fields.Field) -> Any:
    if isinstance(field, fields.List) and isinstance(value, list):
        return [_known(item, field.inner) for item in value]
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        return known_fields(value, field.schema)
    return value

"""A product file sent as the request body, for the import endpoint."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from webstore.application.product_files import FileFormat, ProductFile
from webstore.entrypoints.http import raw_body

FORMATS = {"text/csv": FileFormat.CSV, "application/x-ndjson": FileFormat.JSON_LINES}


def product_file() -> ProductFile:
    """The body as a product file of the format its Content-Type names (UTF-8 either way)."""
    file_format = FORMATS.get(request.mimetype)
    if file_format is None:
        content_type = request.headers.get("Content-Type", "")
        raise UnsupportedMediaType(f'Unsupported media type "{content_type}" in request.')
    return ProductFile(raw_body(), file_format)

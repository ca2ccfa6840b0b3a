"""Files sent to the store: a product file as the request body (import), a picture as a form's
file (a product's image)."""

from __future__ import annotations

import io
from typing import IO

from flask import request
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.formparser import FormDataParser

from webstore.application.catalogue.product_files import FileFormat, ProductFile
from webstore.domain import pictures
from webstore.domain.errors import InvalidImage
from webstore.entrypoints.web.json_codec import raw_body

FORMATS = {"text/csv": FileFormat.CSV, "application/x-ndjson": FileFormat.JSON_LINES}


def product_file() -> ProductFile:
    """The body as a product file of the format its Content-Type names (UTF-8 either way)."""
    file_format = FORMATS.get(request.mimetype)
    if file_format is None:
        content_type = request.headers.get("Content-Type", "")
        raise UnsupportedMediaType(f'Unsupported media type "{content_type}" in request.')
    return ProductFile(raw_body(), file_format)


IMAGE_FIELD = "image"
MAX_FORM_FIELD = 500_000  # bytes of a field that is no file (as Flask): else 413
MAX_PARTS = 100  # fields and files of one form: else 413
NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."
ONE_FILE = "Send one file only."


def image_file() -> bytes:
    """The bytes of the one file a ``multipart/form-data`` body sends as its ``image`` field.

    Read whole (up to the route's limit, ``http.larger_body``): 413 past it, 415 for another
    kind of body, 400 for a broken stream, and ``InvalidImage`` when there is no such file.
    """
    if request.mimetype != "multipart/form-data":
        content_type = request.headers.get("Content-Type", "")
        raise UnsupportedMediaType(f'Unsupported media type "{content_type}" in request.')
    raw = raw_body()
    # Parsed from the bytes in memory, its files too: werkzeug's default would spool a large
    # file to a temporary file on disk, which the body, read whole already, does not need.
    parser = FormDataParser(
        stream_factory=_in_memory, max_form_memory_size=MAX_FORM_FIELD, max_form_parts=MAX_PARTS
    )
    _, form, found = parser.parse(
        io.BytesIO(raw), request.mimetype, len(raw), request.mimetype_params
    )
    files = found.getlist(IMAGE_FIELD)  # a malformed form has none
    sent_as_text = IMAGE_FIELD in form
    if len(files) > 1:
        raise InvalidImage(ONE_FILE)
    if not files:
        raise InvalidImage(NOT_A_FILE if sent_as_text else pictures.NO_FILE)
    data: bytes = files[0].read()
    return data


def _in_memory(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None,
    content_length: int | None = None,
) -> IO[bytes]:
    return io.BytesIO()

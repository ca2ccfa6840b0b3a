"""Files sent to the store: a product file as the request body (import), a picture as a form's
file (a product's image)."""

from __future__ import annotations

from flask import request
from gunicorn.http.errors import ParseException as ServerParseError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from webstore.application.product_files import FileFormat, ProductFile
from webstore.domain import pictures
from webstore.domain.errors import InvalidImage
from webstore.entrypoints.http import body_limit, raw_body

FORMATS = {"text/csv": FileFormat.CSV, "application/x-ndjson": FileFormat.JSON_LINES}


def product_file() -> ProductFile:
    """The body as a product file of the format its Content-Type names (UTF-8 either way)."""
    file_format = FORMATS.get(request.mimetype)
    if file_format is None:
        content_type = request.headers.get("Content-Type", "")
        raise UnsupportedMediaType(f'Unsupported media type "{content_type}" in request.')
    return ProductFile(raw_body(), file_format)


IMAGE_FIELD = "image"
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
    try:
        raw = request.get_data(cache=True)  # kept: the form is parsed from these bytes
    except (OSError, ServerParseError) as problem:  # e.g. a broken chunked encoding
        raise BadRequest(f"Malformed request body - {problem}") from None
    if len(raw) > body_limit():
        raise RequestEntityTooLarge()
    files = request.files.getlist(IMAGE_FIELD)  # a malformed form has no files
    sent_as_text = IMAGE_FIELD in request.form
    if len(files) > 1:
        raise InvalidImage(ONE_FILE)
    if not files:
        raise InvalidImage(NOT_A_FILE if sent_as_text else pictures.NO_FILE)
    data: bytes = files[0].read()
    return data

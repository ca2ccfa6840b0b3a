"""Read what is left of a request body before answering, so that the client hears the answer.

A response may go out before the body it answers was read: a 413 for a declared length over
the limit, a 403 before a body was looked at. A client that does not wait for ``100 Continue``
is still sending then; when the server closes the connection with bytes unread, the kernel
resets it, and the client gets an error writing instead of the response. Reading (and
dropping) the rest first, up to a bound, lets every client finish sending and read the answer
on a connection that stays usable.
"""

from __future__ import annotations

from flask import Flask, Response, request
from gunicorn.http.errors import ParseException as ServerParseError

DRAIN_LIMIT = 16 * 1024 * 1024  # bytes read and dropped at most; past that, the server resets
_PIECE = 64 * 1024


def init_app(app: Flask) -> None:
    app.after_request(drain_unread_body)


def drain_unread_body(response: Response) -> Response:
    declared = request.content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if (chunked or declared) and (declared or 0) <= DRAIN_LIMIT:
        _drain(DRAIN_LIMIT)
    return response


def _drain(limit: int) -> None:
    """Read the unread rest of the body (the server's stream, not werkzeug's limited view)."""
    stream = request.environ["wsgi.input"]
    read = 0
    try:
        while read <= limit and (piece := stream.read(_PIECE)):
            read += len(piece)
    except (OSError, ValueError, ServerParseError):
        pass  # a broken chunked body: the server closes the connection after this answer

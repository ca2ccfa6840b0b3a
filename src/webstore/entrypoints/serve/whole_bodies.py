"""Request bodies are read whole before the app looks at the request, and the rest drained after.

No transaction may wait on a client. Authentication opens the request's read transaction (a
pooled connection, and a snapshot that keeps SQLite from checkpointing its log); a body still
arriving after it would hold both for as long as the client cares to trickle it. So the body is
read here first, up to the size limit and within a time that grows with its length; only then
does the app see the request, its body in memory.

A problem reading it (too slow, a broken chunked encoding, a client gone) is not answered here:
it is kept, and raised when the view reads the body (``http.raw_body``), so that the order of
checks stands: a client without a valid token hears 403 whatever its body did.

A body over the limit is not read past it. When the answer goes out before the whole body was
read (a 413), the rest is read and dropped first, up to a bound: a client that does not wait for
``100 Continue`` is still sending then, and if the server closed the connection with bytes
unread, the kernel would reset it and the client would get an error writing instead of the
answer.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from gunicorn.http.errors import ParseException as ServerParseError
from werkzeug.exceptions import BadRequest, ClientDisconnected, HTTPException, RequestTimeout

from webstore.entrypoints.web.json_codec import BODY_PROBLEM, MAX_BODY

if TYPE_CHECKING:
    from _typeshed.wsgi import InputStream, StartResponse, WSGIApplication, WSGIEnvironment

# A body has this long to arrive, and a second more for each BODY_RATE bytes it has sent: an
# order comes in one packet; 1 MiB at 64 KiB a second is still welcome (26 s).
BODY_SECONDS = 10.0
BODY_RATE = 64 * 1024
DRAIN_LIMIT = 16 * 1024 * 1024  # bytes read and dropped at most; past that, the server resets
TIMED_OUT = "The request body did not arrive in time."
_PIECE = 64 * 1024

# A key of the WSGI environ: how the server bounds a read in time (see ``Deadline``).
READ_DEADLINE = "webstore.read_deadline"

Deadline = Callable[[float], AbstractContextManager[object]]
"""``deadline(seconds)``: a block that raises ``BodyTimedOut`` once it has lasted that long.

Only the server knows how to interrupt a read it is waiting on (the gevent worker passes its
``Timeout``); without one, reads are not bounded (the test client's bodies are in memory).
"""


class BodyTimedOut(Exception):
    """The client did not send its body in time (an ``Exception``: the server then closes the
    connection, since where the next request would start is unknown)."""


class WholeBodies:
    """WSGI middleware in front of the app: see the module."""

    def __init__(
        self, following: WSGIApplication, limit: Callable[[WSGIEnvironment], int] | None = None
    ) -> None:
        self.following = following
        # The most bytes a request's body may have: MAX_BODY, or what its route allows.
        self.limit = limit or (lambda environ: MAX_BODY)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        declared = _declared_length(environ)
        if declared is None:
            return self.following(environ, start_response)
        stream = environ["wsgi.input"]
        deadline: Deadline = environ.get(READ_DEADLINE, _no_deadline)
        limit = self.limit(environ)
        # Over the limit by its declared length: refused with 413 before anything reads it.
        rest_unread = declared > limit or _read_first(environ, declared, limit, deadline)
        answer = self.following(environ, start_response)
        if rest_unread and declared <= DRAIN_LIMIT:
            read_within(stream, DRAIN_LIMIT, deadline, keep=False)
        return answer


def _read_first(environ: WSGIEnvironment, declared: int, limit: int, deadline: Deadline) -> bool:
    """Put the body in memory for the app, with the problem met reading it, if any; whether
    some is left unread (a chunked body past the limit)."""
    # One byte past the limit for a chunked body: one cut off there is told from one that fits.
    body, problem = read_within(environ["wsgi.input"], declared or limit + 1, deadline)
    if problem is None and len(body) < declared:
        problem = ClientDisconnected()  # the connection ended before the body did
    environ["wsgi.input"] = io.BytesIO(body)
    if problem is not None:
        environ[BODY_PROBLEM] = problem
    return problem is None and len(body) > limit


def _declared_length(environ: WSGIEnvironment) -> int | None:
    """The body's declared length, 0 for a chunked body, None without a body."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return 0
    length = environ.get("CONTENT_LENGTH") or "0"
    return int(length) if length.isdigit() and int(length) > 0 else None


def read_within(
    stream: InputStream, size: int, deadline: Deadline, *, keep: bool = True
) -> tuple[bytes, HTTPException | None]:
    """Up to ``size`` bytes of ``stream`` (fewer if it ends), with what went wrong, if anything.

    The body is read piece by piece, each within what is left of its time; ``keep=False``
    drops the bytes as they come.
    """
    pieces: list[bytes] = []
    received = 0
    started = time.monotonic()
    try:
        while received < size:
            allowed = BODY_SECONDS + received / BODY_RATE - (time.monotonic() - started)
            if allowed <= 0:
                raise BodyTimedOut()
            with deadline(allowed):
                piece = stream.read(min(_PIECE, size - received))
            if not piece:
                break
            received += len(piece)
            if keep:
                pieces.append(piece)
    except BodyTimedOut:
        return b"".join(pieces), RequestTimeout(TIMED_OUT)
    except (OSError, ValueError, ServerParseError) as problem:  # e.g. a broken chunked encoding
        return b"".join(pieces), BadRequest(f"Malformed request body - {problem}")
    return b"".join(pieces), None


def _no_deadline(seconds: float) -> AbstractContextManager[object]:
    return nullcontext()

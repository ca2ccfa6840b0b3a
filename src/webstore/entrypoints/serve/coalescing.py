"""A response's head sent with the first bytes of its body: one ``send`` instead of two."""

from __future__ import annotations

from typing import Any

from gunicorn.http.wsgi import Response


class _Held:
    """Stands in for the socket while gunicorn writes a response's head: keeps the bytes."""

    def __init__(self) -> None:
        self.data = b""

    def sendall(self, data: bytes) -> None:
        self.data += data


class CoalescingResponse(Response):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's response, whose head waits for the first body bytes written after it.

    gunicorn writes a response's head and its body with a ``send`` each; for a kept listing
    the head's own ``send`` was a tenth of a worker's time, and the client woke up twice. A
    head written by ``write`` (the path of a WSGI app's body) is held until the first bytes
    of the body and sent with them; it goes alone when no body will follow (none allowed, or
    its length reached) and at ``close``. Chunked answers and ``sendfile`` are gunicorn's own.
    """

    sock: Any  # gunicorn's, set in its __init__
    _held = b""
    _holding = False

    def send_headers(self) -> None:
        if not self._holding or self.headers_sent:
            super().send_headers()
            return
        sock, held = self.sock, _Held()
        self.sock = held
        try:
            super().send_headers()
        finally:
            self.sock = sock
        self._held = held.data

    def write(self, arg: Any) -> None:
        self._holding = not self.headers_sent and not self.chunked
        try:
            super().write(arg)
        except BaseException:
            self._flush_held()
            raise
        finally:
            self._holding = False
        if self._omits_body or (
            self.response_length is not None and self.sent >= self.response_length
        ):
            self._flush_held()  # no body bytes will follow

    def _emit_body(self, data: bytes) -> None:
        if not self._held:
            super()._emit_body(data)
        elif data:  # never chunked: the bytes are their own framing
            held, self._held = self._held, b""
            self.sock.sendall(held + data)

    def sendfile(self, respiter: Any) -> bool:
        self._flush_held()
        return bool(super().sendfile(respiter))

    def close(self) -> None:
        self._flush_held()
        super().close()

    def _flush_held(self) -> None:
        held, self._held = self._held, b""
        if held:
            self.sock.sendall(held)

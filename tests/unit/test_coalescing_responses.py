"""A response's head goes out with its first body bytes, and the bytes are gunicorn's own."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import gunicorn.util
import pytest
from gunicorn.http.wsgi import Response
from hypothesis import given
from hypothesis import strategies as st

from webstore.entrypoints.serve.coalescing import CoalescingResponse


@dataclass
class Request:
    """What gunicorn's response reads of its request."""

    method: str
    version: tuple[int, int]
    closing: bool

    def should_close(self) -> bool:
        return self.closing


class Wire:
    """A socket that keeps each ``sendall``."""

    def __init__(self) -> None:
        self.sends: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.sends.append(bytes(data))


@dataclass(frozen=True)
class Case:
    request: Request
    status: str
    headers: list[tuple[str, str]]
    body: list[bytes]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    body = draw(st.lists(st.binary(max_size=40), max_size=3))
    length = sum(map(len, body))
    headers = [("Content-Type", "application/json")]
    declared = draw(st.sampled_from(["exact", "shorter", "none"]))
    if declared != "none":
        shorter = draw(st.integers(0, length)) if declared == "shorter" else length
        headers.append(("Content-Length", str(shorter)))
    request = Request(
        draw(st.sampled_from(["GET", "HEAD", "POST"])),
        draw(st.sampled_from([(1, 0), (1, 1)])),
        draw(st.booleans()),
    )
    status = draw(st.sampled_from(["200 OK", "201 Created", "204 No Content", "304 Not Modified"]))
    return Case(request, status, headers, body)


def served(kind: type[Response], case: Case) -> Wire:
    """What gunicorn's worker does with a WSGI app's answer: start, write each item, close."""
    wire = Wire()
    response = kind(case.request, wire, SimpleNamespace(protocol="http"))
    response.start_response(case.status, list(case.headers))
    for item in case.body:
        response.write(item)
    response.close()
    return wire


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gunicorn.util, "http_date", lambda *_: "Mon, 07 Dec 2026 12:00:00 GMT")


@given(cases())
def test_the_client_receives_exactly_the_bytes_gunicorn_would_send(case: Case) -> None:
    ours, theirs = served(CoalescingResponse, case), served(Response, case)
    assert b"".join(ours.sends) == b"".join(theirs.sends)
    assert len(ours.sends) <= len(theirs.sends)


@given(cases())
def test_a_body_with_a_length_goes_out_in_the_same_send_as_its_head(case: Case) -> None:
    wire = served(CoalescingResponse, case)
    first = next((item for item in case.body if item), None)
    no_body = case.request.method == "HEAD" or case.status[:3] in ("204", "304")
    lengths = [int(v) for k, v in case.headers if k == "Content-Length"]
    if no_body or first is None or not lengths or lengths[0] == 0:
        return  # nothing of the body to go with the head
    head, _, rest = wire.sends[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and rest  # the head and body bytes, together
    # gunicorn sends an empty write as an empty send, after the head as before
    assert len([sent for sent in wire.sends if sent]) <= len([item for item in case.body if item])


def test_a_listing_is_one_send(monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'[{"id":1}]'
    case = Case(
        Request("GET", (1, 1), False),
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        [body],
    )
    [sent] = served(CoalescingResponse, case).sends
    assert sent.startswith(b"HTTP/1.1 200 OK\r\n") and sent.endswith(b"\r\n\r\n" + body)
    assert len(served(Response, case).sends) == 2  # gunicorn's own: the head, then the body

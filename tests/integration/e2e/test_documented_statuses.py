"""Whatever refuses a request (the HTTP server or the app around its views), the status is one
that the OpenAPI document gives for that operation, with its JSON error body."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.integration.e2e.conftest import Server, serve
from tests.integration.e2e.test_malformed_http import exchange

pytestmark = pytest.mark.slow

Operation = tuple[str, str]  # method, path with its ids filled in
# Past every route's limit: 1 MiB, or a picture's upload (5 MiB and a form's allowance).
OVER_EVERY_LIMIT = 6 * 1024 * 1024


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("statuses")
    yield from serve(f"sqlite:///{folder}/webstore.db", folder / "server.log", workers=1)


@pytest.fixture(scope="module")
def documented(shop: Server) -> dict[Operation, dict[str, Any]]:
    """Each operation of the served document, and its responses with references resolved."""
    spec = requests.get(f"{shop.base_url}/api/openapi.json", timeout=10).json()
    operations = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                responses = {
                    status: resolved(spec, response)
                    for status, response in operation["responses"].items()
                }
                operations[method.upper(), re.sub(r"\{\w+\}", "1", path)] = responses
    return operations


def resolved(spec: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in response:
        return response
    target: Any = spec
    for part in response["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return dict(target)


def each_answer(
    server: Server,
    documented: dict[Operation, dict[str, Any]],
    request: Callable[[str, str], bytes],
) -> Iterator[tuple[Operation, int, dict[str, str], bytes]]:
    for method, path in documented:
        yield (method, path), *exchange(server, request(method, path))


def assert_documented(
    documented: dict[Operation, dict[str, Any]],
    answers: Iterator[tuple[Operation, int, dict[str, str], bytes]],
    expected: int,
) -> None:
    undocumented = []
    for operation, status, headers, body in answers:
        assert (operation, status) == (operation, expected)
        assert headers["content-type"] == "application/json"
        assert isinstance(json.loads(body)["detail"], str)
        response = documented[operation].get(str(status))
        if response is None:
            undocumented.append(operation)
        else:
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Detail"}, (operation, schema)
    assert undocumented == []


def test_a_request_line_over_the_limit_is_a_documented_414(
    shop: Server, documented: dict[Operation, dict[str, Any]]
) -> None:
    def too_long(method: str, path: str) -> bytes:
        return f"{method} {path}?pad={'x' * 9000} HTTP/1.1\r\nHost: shop\r\n\r\n".encode()

    assert_documented(documented, each_answer(shop, documented, too_long), 414)


def test_a_header_over_the_limit_is_a_documented_431(
    shop: Server, documented: dict[Operation, dict[str, Any]]
) -> None:
    def too_large(method: str, path: str) -> bytes:
        return f"{method} {path} HTTP/1.1\r\nHost: shop\r\nX-Pad: {'x' * 17000}\r\n\r\n".encode()

    assert_documented(documented, each_answer(shop, documented, too_large), 431)


def test_a_request_the_server_cannot_read_is_a_documented_400(
    shop: Server, documented: dict[Operation, dict[str, Any]]
) -> None:
    def malformed(method: str, path: str) -> bytes:
        return f"{method} {path} HTTP/1.1\r\nHost: shop\r\nBad Header: x\r\n\r\n".encode()

    answers = list(each_answer(shop, documented, malformed))
    for operation, status, _, _ in answers:
        assert str(status) in documented[operation], operation
    assert {status for _, status, _, _ in answers} == {400}


def test_a_transfer_coding_the_server_lacks_is_a_documented_501(
    shop: Server, documented: dict[Operation, dict[str, Any]]
) -> None:
    def unknown_coding(method: str, path: str) -> bytes:
        return (
            f"{method} {path} HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: foo, chunked\r\n"
            "Connection: close\r\n\r\n0\r\n\r\n"
        ).encode()

    answers = list(each_answer(shop, documented, unknown_coding))
    for operation, status, _, _ in answers:
        assert (operation, status, str(status) in documented[operation]) == (operation, 501, True)


def test_a_body_over_the_limit_is_a_documented_413_on_every_operation(
    shop: Server, documented: dict[Operation, dict[str, Any]]
) -> None:
    undocumented = []
    for method, path in documented:
        answer = requests.request(
            method, f"{shop.base_url}{path}", data=b"x" * OVER_EVERY_LIMIT, timeout=30
        )
        assert ((method, path), answer.status_code) == ((method, path), 413)
        assert isinstance(answer.json()["detail"], str)
        if "413" not in documented[method, path]:
            undocumented.append((method, path))
    assert undocumented == []


def test_a_method_another_route_of_the_path_takes_is_a_documented_405(
    shop: Server, documented: dict[Operation, dict[str, Any]]
) -> None:
    answer = requests.get(f"{shop.base_url}/api/products/import", timeout=10)

    assert answer.status_code == 405 and answer.headers["Allow"]
    assert answer.json() == {"detail": 'Method "GET" not allowed.'}
    assert "405" in documented["GET", "/api/products/1"]
    assert {op for op, responses in documented.items() if "405" not in responses} == set()


def test_every_operation_documents_a_slow_body_and_the_front_proxys_answers(
    documented: dict[Operation, dict[str, Any]],
) -> None:
    for operation, responses in documented.items():
        assert {"408", "502", "503", "504"} <= set(responses), operation
        assert "Retry-After" in responses["502"]["headers"]

from __future__ import annotations

import io
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import BaseConverter

from tests.conftest import fast_settings
from tests.integration.api.conftest import Shopper, answer
from tests.integration.api.endpoints import EVERY_PATH
from webstore import Webstore, bootstrap
from webstore.domain.products import Product
from webstore.entrypoints.web.app import create_app

MiB = 1024 * 1024


class UnreachableDatabase:
    """A unit-of-work factory whose database is down."""

    def __call__(self, *, read_only: bool = False) -> None:
        raise ConnectionError("could not connect to server: Connection refused")


@pytest.fixture
def broken_client() -> FlaskClient:
    store = bootstrap(fast_settings(), uow=UnreachableDatabase())  # type: ignore[arg-type]
    return create_app(fast_settings(), store).test_client()


# --- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), EVERY_PATH)
def test_every_path_answers_the_same_with_a_trailing_slash_and_never_redirects(
    admin: Shopper, catalogue: dict[str, Product], method: str, path: str
) -> None:
    without = admin.client.open(path, method=method, headers=admin.headers(), json={})
    with_slash = admin.client.open(f"{path}/", method=method, headers=admin.headers(), json={})

    assert without.status_code < 300 or without.status_code >= 400
    assert with_slash.status_code == without.status_code
    assert "Location" not in with_slash.headers


@pytest.mark.parametrize(
    "path", ["/nope", "/api", "/api/nothing", "/api//sign_in", "/api/products/x"]
)  # "/" is the storefront
def test_an_unknown_path_is_a_json_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert answer(response) == (404, {"detail": "Not found."})
    assert response.content_type == "application/json"


def test_a_wrong_method_is_a_405_with_an_allow_header(client: FlaskClient) -> None:
    response = client.get("/api/sign_in")

    assert answer(response) == (405, {"detail": 'Method "GET" not allowed.'})
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/api/get_all_products"), ("PUT", "/api/products/1"), ("GET", "/api/post_order")],
)
def test_the_405_names_the_method_that_was_used(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method)

    assert answer(response) == (405, {"detail": f'Method "{method}" not allowed.'})
    assert "Allow" in response.headers


# --- bodies ----------------------------------------------------------------------------------


def test_a_body_over_one_mebibyte_is_refused(client: FlaskClient) -> None:
    body = '{"username": "' + "a" * MiB + '"}'

    response = client.post("/api/sign_in", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.content_type == "application/json"
    assert set(response.json) == {"detail"}


def test_a_body_of_exactly_one_mebibyte_is_read(client: FlaskClient) -> None:
    body = '{"username": "alice", "padding": "' + "a" * (MiB - 36) + '"}'
    assert len(body) == MiB

    response = client.post("/api/sign_in", data=body, content_type="application/json")

    assert response.status_code == 400  # email and password are missing


def test_a_large_body_is_refused_even_where_it_would_not_be_read(client: FlaskClient) -> None:
    response = client.post("/api/logout", data="x" * (MiB + 1), content_type="text/plain")

    assert response.status_code == 413


@pytest.mark.parametrize("size", [MiB + 1, 2 * MiB])
def test_a_large_chunked_body_without_a_length_is_cut_off(client: FlaskClient, size: int) -> None:
    body = ('{"username": "' + "a" * (size - 16) + '"}').encode()
    assert len(body) == size

    response = client.post(
        "/api/sign_in",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert response.status_code == 413
    assert response.content_type == "application/json"


def test_a_chunked_body_of_exactly_one_mebibyte_is_read(client: FlaskClient) -> None:
    body = ('{"username": "alice", "padding": "' + "a" * (MiB - 36) + '"}').encode()

    response = client.post(
        "/api/sign_in",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert response.status_code == 400  # email and password are missing


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ],
)
def test_a_body_that_is_not_json_is_an_unsupported_media_type(
    client: FlaskClient, content_type: str
) -> None:
    response = client.post("/api/sign_in", data="username=alice", content_type=content_type)

    assert answer(response) == (
        415,
        {"detail": f'Unsupported media type "{content_type}" in request.'},
    )


def test_a_body_without_a_content_type_is_an_unsupported_media_type(client: FlaskClient) -> None:
    response = client.post("/api/sign_in", data='{"username": "alice"}')

    assert answer(response) == (415, {"detail": 'Unsupported media type "" in request.'})


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON"],
)
def test_a_json_content_type_may_carry_a_charset_and_any_case(
    client: FlaskClient, content_type: str
) -> None:
    body = '{"username": "zoë", "email": "zoe@example.com", "password": "correct horse"}'

    response = client.post("/api/sign_in", data=body.encode(), content_type=content_type)

    assert response.status_code == 200


def test_a_latin_1_body_is_decoded_with_its_charset(client: FlaskClient) -> None:
    body = '{"username": "zoë", "email": "zoe@example.com", "password": "correct horse"}'

    response = client.post(
        "/api/sign_in",
        data=body.encode("latin-1"),
        content_type="application/json; charset=latin-1",
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (
            "{not json",
            "JSON parse error - Expecting property name enclosed in double quotes:"
            " line 1 column 2 (char 1)",
        ),
        ("{\"a\": 'single'}", "JSON parse error - Expecting value: line 1 column 7 (char 6)"),
        (
            '{"amount": NaN}',
            "JSON parse error - Out of range float values are not JSON compliant: 'NaN'",
        ),
        (
            '{"amount": Infinity}',
            "JSON parse error - Out of range float values are not JSON compliant: 'Infinity'",
        ),
    ],
)
def test_malformed_json_is_a_400_with_the_parse_error(
    client: FlaskClient, data: str, detail: str
) -> None:
    response = client.post("/api/sign_in", data=data, content_type="application/json")

    assert answer(response) == (400, {"detail": detail})


def test_a_body_that_is_not_utf_8_is_a_parse_error(client: FlaskClient) -> None:
    response = client.post(
        "/api/sign_in", data=b'{"username": "\xff"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json["detail"].startswith("JSON parse error - 'utf-8' codec can't decode")


@pytest.mark.parametrize(
    ("data", "kind"),
    [("[]", "list"), ('"alice"', "str"), ("42", "int"), ("4.2", "float"), ("null", "NoneType")],
)
def test_a_json_body_that_is_not_an_object_is_a_validation_error(
    client: FlaskClient, data: str, kind: str
) -> None:
    response = client.post("/api/sign_in", data=data, content_type="application/json")

    message = f"Invalid data. Expected a dictionary, but got {kind}."
    assert answer(response) == (
        400,
        {"error": f"non_field_errors: {message}", "errors": {"non_field_errors": [message]}},
    )


# --- failures --------------------------------------------------------------------------------


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    @app.get("/api/explode")
    def explode() -> None:
        raise RuntimeError("the flux capacitor melted")

    return app


def test_an_unexpected_failure_is_a_plain_500_and_is_logged_with_its_id(
    failing_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/api/explode")

    request_id = response.headers["X-Request-ID"]
    assert answer(response) == (
        500,
        {"detail": "A server error occurred.", "request_id": request_id},
    )
    assert response.content_type == "application/json"
    assert b"flux capacitor" not in response.data
    record = next(r for r in caplog.records if request_id in r.getMessage())
    assert record.exc_info is not None
    assert "the flux capacitor melted" in caplog.text
    assert "Traceback" in caplog.text


class BrokenConverter(BaseConverter):
    def to_python(self, value: str) -> str:
        raise RuntimeError("the router's converter melted")


def test_a_failure_before_any_view_runs_gets_the_same_plain_500(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.url_map.converters["broken"] = BrokenConverter
    app.add_url_rule("/api/broken/<broken:part>", view_func=lambda part: part)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/broken/x")

    request_id = response.headers["X-Request-ID"]
    assert answer(response) == (
        500,
        {"detail": "A server error occurred.", "request_id": request_id},
    )
    assert "converter melted" in caplog.text and request_id in caplog.text


def test_a_well_formed_request_id_from_the_proxy_is_kept(
    failing_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get(
            "/api/explode", headers={"X-Request-ID": "req-42.abc"}
        )

    assert response.headers["X-Request-ID"] == "req-42.abc"
    assert "req-42.abc" in caplog.text


def test_a_request_id_that_could_forge_log_lines_is_replaced(
    failing_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get(
            "/api/explode", headers={"X-Request-ID": "x\tFAKE LOG LINE"}
        )

    assert "FAKE" not in response.headers["X-Request-ID"]


def test_a_database_outage_is_a_500_without_details(
    broken_client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = broken_client.post(
            "/api/sign_in",
            json={"username": "alice", "email": "alice@example.com", "password": "correct horse"},
        )

    assert answer(response) == (
        500,
        {"detail": "A server error occurred.", "request_id": response.headers["X-Request-ID"]},
    )
    assert "Connection refused" in caplog.text


def test_health_is_ok_when_the_database_answers(client: FlaskClient) -> None:
    assert answer(client.get("/api/health")) == (200, {"status": "ok"})


def test_health_is_503_when_the_database_does_not_answer(broken_client: FlaskClient) -> None:
    assert answer(broken_client.get("/api/health/")) == (503, {"status": "unavailable"})


# --- every response is JSON ------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), EVERY_PATH)
def test_every_response_is_json_whatever_the_method(
    alice: Shopper, catalogue: dict[str, Product], method: str, path: str
) -> None:
    for verb in (method, "OPTIONS", "HEAD", "PUT", "TRACE"):
        response = alice.client.open(path, method=verb, headers=alice.headers(), json={})
        assert response.content_type == "application/json", (verb, response.status_code)


def test_the_automatic_options_answer_has_a_json_body_and_an_allow_header(
    client: FlaskClient,
) -> None:
    response = client.options("/api/products/1")

    assert answer(response) == (
        200,
        {"renders": ["application/json"], "parses": ["application/json"]},
    )
    assert set(response.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PATCH",
        "DELETE",
    }


def test_head_answers_like_get_without_a_body(
    alice: Shopper, catalogue: dict[str, Product]
) -> None:
    response = alice.client.head("/api/get_all_products", headers=alice.headers())

    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["X-Total-Count"] == "3"
    assert response.content_type == "application/json"


def test_json_is_written_compact_and_in_utf_8(client: FlaskClient, store: Webstore) -> None:
    store.register_user("Zoë", "zoe@example.com", "correct horse")

    response = client.post("/api/login_view", json={"username": "zoë", "password": "correct horse"})

    assert '"username":"Zoë"'.encode() in response.data
    assert b": " not in response.data

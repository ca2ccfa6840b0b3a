"""schemathesis against a real ``webstore serve``: every answer is one its OpenAPI document names.

Each operation gets a few generated requests, valid and invalid, as a superuser (so that the
checks behind the token are reached too); every answer must have a documented status, the
documented content type, a body and headers of the documented shapes, and never be a 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import fast_settings
from tests.integration.e2e.running import Customer, Running, add_product, admin, running
from webstore import bootstrap
from webstore.entrypoints.web.app import create_app
from webstore.entrypoints.web.openapi.document import build_spec

pytestmark = pytest.mark.slow

EXAMPLES = 8  # generated per operation, besides the boundary values of the coverage phase
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("conformance")
    url = f"sqlite:///{folder}/webstore.db"
    # Tokens outlive the run; logins are not throttled out by a fuzzer's wrong passwords.
    with running(url, folder / "server.log", workers=2, WEBSTORE_ACCESS_TOKEN_TTL="3600") as shop:
        yield shop


@pytest.fixture(scope="module")
def superuser(shop: Running) -> Customer:
    root = admin(shop)
    add_product(shop, root, "Red chair", 50)
    return root


def document() -> dict[str, Any]:
    """The document ``webstore serve`` serves, made here to collect one test per operation."""
    settings = fast_settings()
    return build_spec(create_app(settings, bootstrap(settings)))


# The product import takes text: sent as schemathesis sends text/plain.
schemathesis.serializer.alias(["text/csv", "application/x-ndjson"], "text/plain")
schema = schemathesis.openapi.from_dict(
    document(), config=SchemathesisConfig.from_dict({"generation": {"max-examples": EXAMPLES}})
)


def test_the_server_serves_the_document_the_cases_come_from(shop: Running) -> None:
    served = requests.get(f"{shop.api}/openapi.json", timeout=10).json()
    assert served == json.loads(json.dumps(document()))


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented_and_none_is_a_server_error(
    case: Case, shop: Running, superuser: Customer
) -> None:
    csrf = superuser.headers["X-CSRFTOKEN"]
    headers = {
        "Authorization": superuser.headers["Authorization"],
        "X-CSRFToken": csrf,
        "Cookie": f"csrftoken={csrf}",
    }
    case.call_and_validate(
        base_url=shop.server.base_url, headers=headers, checks=CHECKS, timeout=30
    )


def test_the_server_log_holds_no_traceback(shop: Running) -> None:
    assert "Traceback" not in shop.log_text()

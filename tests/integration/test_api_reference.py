"""docs/api.md names every endpoint the app serves and every fixed message it answers with."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import fast_settings
from webstore.entrypoints.web.app import create_app
from webstore.entrypoints.web.errors import STATUS

API_DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")


def served_routes() -> list[str]:
    app = create_app(replace(fast_settings(), metrics=True))
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/metrics":
            path = re.sub(r"<[^>]*:(\w+)_id>", "<id>", rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):  # type: ignore[operator]
                found.add(f"`{method} {path}`")
    return sorted(found)


@pytest.mark.parametrize("route", served_routes())
def test_every_endpoint_is_documented(route: str) -> None:
    assert route in API_DOC


@pytest.mark.parametrize(
    "message",
    sorted({fixed or kind.message for kind, (_, _, fixed) in STATUS.items()} - {"webstore error"}),
)
def test_every_fixed_error_message_is_documented(message: str) -> None:
    assert message in API_DOC

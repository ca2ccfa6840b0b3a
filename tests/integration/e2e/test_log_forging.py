"""A real server's log: no request can write a line that passes for one of the server's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.integration.e2e.running import Running, running

pytestmark = pytest.mark.slow

FAKE = "2026-01-01T00:00:00.000Z WARNING webstore.security login throttled for client 6.6.6.6"
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1e", "\x85", "\u2028", "\u2029"]
RECORD_START = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [A-Z]+ [\w.]+ ")


def forge(shop: Running) -> None:
    for line_break in BREAKS:
        answer = requests.get(f"{shop.api}/nowhere{quote(line_break + FAKE)}", timeout=10)
        assert answer.status_code == 404
    refused = requests.post(
        f"{shop.api}/logout", headers={"Origin": b"https://evil.example\x85" + FAKE.encode()}
    )
    assert refused.status_code == 403
    assert shop.stop() == 0


def test_the_text_log_has_one_line_per_record_whatever_the_path_holds(
    sqlite_url: str, tmp_path: Path
) -> None:
    with running(sqlite_url, tmp_path / "server.log", workers=1) as shop:
        forge(shop)

    lines = shop.log_text().splitlines()  # the strictest reader: every Unicode line break
    assert [line for line in lines if line.startswith(FAKE)] == []
    assert [line for line in lines if not RECORD_START.match(line) and line[:1] != " "] == []
    assert [line for line in lines if FAKE in line and " webstore.access " in line] == [
        line for line in lines if FAKE in line and "GET /api/nowhere" in line
    ]
    forged = [line for line in lines if FAKE in line]
    assert len(forged) == len(BREAKS) + 1  # each request's own line, and the warning
    assert any("/api/nowhere\\n" + FAKE in line for line in forged)
    assert any("https://evil.example\\x85" + FAKE in line for line in forged)


def test_the_json_log_parses_line_by_line_whatever_the_path_holds(
    sqlite_url: str, tmp_path: Path
) -> None:
    with running(
        sqlite_url, tmp_path / "server.log", workers=1, WEBSTORE_LOG_FORMAT="json"
    ) as shop:
        forge(shop)

    entries = [json.loads(line) for line in shop.log_text().splitlines()]
    paths = {entry.get("path") for entry in entries}
    assert {f"/api/nowhere{line_break}{FAKE}" for line_break in BREAKS} <= paths

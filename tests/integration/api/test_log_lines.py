"""Whatever a client sends, each log record stays one line that starts as ours do."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from webstore.entrypoints.serve.logs import JsonFormatter, TextFormatter

FAKE = "2026-01-01T00:00:00.000Z WARNING webstore.security login throttled for client 6.6.6.6"
# Every character some reader takes for the end of a line (str.splitlines, a terminal).
BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
RECORD_START = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [A-Z]+ [\w.]+ ")


def captured(formatter: logging.Formatter) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("webstore")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def text_log() -> Iterator[io.StringIO]:
    yield from captured(TextFormatter())


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    yield from captured(JsonFormatter())


def assert_no_forged_line(log: str) -> None:
    lines = log.splitlines()
    assert lines
    for line in lines:
        assert RECORD_START.match(line) or line.startswith("  "), line
        assert not line.startswith(FAKE)


@pytest.mark.parametrize("line_break", BREAKS)
def test_a_path_cannot_write_a_line_of_its_own_in_the_text_log(
    client: FlaskClient, text_log: io.StringIO, line_break: str
) -> None:
    assert client.get("/api/nowhere" + quote(line_break + FAKE)).status_code == 404

    log = text_log.getvalue()
    assert_no_forged_line(log)
    [access] = [line for line in log.splitlines() if " webstore.access " in line]
    assert access.endswith(" 404 23B " + access.rsplit(" ", 1)[1])
    assert "/api/nowhere\\" in access and FAKE in access


@pytest.mark.parametrize("control", ["\x1b[2K", "\x00", "\x7f", "\x9b", "\u202e", "\t"])
def test_other_controls_are_escaped_in_a_security_line(
    client: FlaskClient, text_log: io.StringIO, control: str
) -> None:
    origin = "https://evil.example" + control + "FAKE"
    refused = client.post("/api/logout", headers={"Origin": origin})
    assert refused.status_code == 403

    [warning] = [line for line in text_log.getvalue().splitlines() if " WARNING " in line]
    assert "Origin checking failed - https://evil.example\\" in warning
    assert not [c for c in warning if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]


@pytest.mark.parametrize("line_break", BREAKS)
def test_every_json_line_parses_whatever_the_path(
    client: FlaskClient, json_log: io.StringIO, line_break: str
) -> None:
    client.get("/api/nowhere" + quote(line_break + FAKE))
    client.post("/api/logout", headers={"Origin": "https://evil.example\x85\u2028" + FAKE})

    entries = [json.loads(line) for line in json_log.getvalue().splitlines()]
    paths = [entry["path"] for entry in entries if "path" in entry]
    assert "/api/nowhere" + line_break + FAKE in paths  # the value itself, unchanged
    assert len(entries) == 3  # two access lines and the security warning


def test_a_traceback_is_indented_and_its_message_cannot_start_a_record() -> None:
    try:
        raise ValueError("bad value\n" + FAKE + "\r\n" + FAKE)
    except ValueError:
        failure = sys.exc_info()
    record = logging.LogRecord("webstore.test", logging.ERROR, __file__, 1, "failed", (), failure)

    formatted = TextFormatter().format(record)

    first, *traceback = formatted.split("\n")
    assert RECORD_START.match(first) and first.endswith(" failed")
    assert traceback[0] == "  Traceback (most recent call last):"
    assert all(line.startswith("  ") for line in traceback)
    assert traceback[-3:] == ["  ValueError: bad value", f"  {FAKE}\\r", f"  {FAKE}"]
    assert_no_forged_line(formatted)

"""The access line written straight to our one handler is the line logging would have written."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from webstore.entrypoints.serve.logs import (
    FORMATTERS,
    AccessLog,
    current_request_id,
    lighten_records,
)

MESSAGE = '%s %s user=%s "%s %s" %s %sB %.1fms'
ARGS = ("4f2a", "127.0.0.1", 7, "GET", "/api/get_order?x=é", 200, 512, 1.25)
FIELDS = {"method": "GET", "path": "/api/get_order?x=é", "status": 200, "duration_ms": 1.2,
          "bytes": 512, "user_id": 7, "client": "127.0.0.1"}  # fmt: skip
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def isolated_logging() -> Iterator[logging.Logger]:
    """The root logger and ``webstore.access`` as the test leaves them, restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.filters[:], root.level)
    logger = logging.getLogger("test_access.webstore.access")
    try:
        yield logger
    finally:
        root.handlers[:], root.filters[:] = saved[0], saved[1]
        root.setLevel(saved[2])
        logger.filters.clear()


def only_our_handler(log_format: str) -> io.StringIO:
    """Logging as ``logs.config(log_format)`` sets it up, writing into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(FORMATTERS[log_format]())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.filters.clear()
    root.setLevel(logging.INFO)
    return stream


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_direct_line_is_the_line_logging_writes(
    log_format: str, isolated_logging: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    lighten_records()
    records: list[logging.LogRecord] = []
    make_record = logging.Logger.makeRecord

    def counted(self: logging.Logger, *args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(self, *args, **kwargs)  # type: ignore[arg-type]
        records.append(record)
        return record

    monkeypatch.setattr(logging.Logger, "makeRecord", counted)
    access = AccessLog(isolated_logging)
    token = current_request_id.set("4f2a")
    try:
        direct = only_our_handler(log_format)
        access.write(MESSAGE, ARGS, FIELDS)
        assert records == []  # no record was made: the line went straight to the stream
        through_logging = only_our_handler(log_format)
        isolated_logging.addFilter(lambda record: True)  # someone may want the record now
        access.write(MESSAGE, ARGS, FIELDS)
        assert len(records) == 1
    finally:
        current_request_id.reset(token)

    direct_line, logged_line = direct.getvalue(), through_logging.getvalue()
    assert direct_line.endswith("\n") and direct_line.count("\n") == 1
    assert TIME.sub("<time>", direct_line) == TIME.sub("<time>", logged_line)
    if log_format == "json":
        entry = json.loads(direct_line)
        assert entry["request_id"] == "4f2a" and entry["path"] == "/api/get_order?x=é"
        assert entry["message"] == MESSAGE % ARGS


def test_another_handler_on_the_root_gets_the_line_as_a_record(
    isolated_logging: logging.Logger,
) -> None:
    ours = only_our_handler("text")
    captured: list[logging.LogRecord] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record)

    logging.getLogger().addHandler(Capture())
    AccessLog(isolated_logging).write(MESSAGE, ARGS, FIELDS)
    assert [r.getMessage() for r in captured] == [MESSAGE % ARGS]
    assert captured[0].access == FIELDS  # type: ignore[attr-defined]
    assert ours.getvalue().endswith(MESSAGE % ARGS + "\n")


def test_nothing_is_written_below_the_level(isolated_logging: logging.Logger) -> None:
    stream = only_our_handler("text")
    logging.getLogger().setLevel(logging.WARNING)
    AccessLog(isolated_logging).write(MESSAGE, ARGS, FIELDS)
    assert stream.getvalue() == ""

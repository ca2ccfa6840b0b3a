"""Log lines for operators: human text by default, one JSON object per line on request.

Every line (access, security, errors and the server's own) goes through the root logger's one
handler on stderr, so that a line is never split between two streams or two formats.
"""

from __future__ import annotations

import json
import logging
import logging.config
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The id of the request this thread is answering; set by ``observability.RequestObserver``.
current_request_id: ContextVar[str | None] = ContextVar("webstore_request_id", default=None)

# Fields an access line carries, besides the message, as ``extra={"access": {...}}``.
ACCESS = "access"


def timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """``2026-11-30T01:02:03.456Z INFO webstore.access <message>``, traceback on the lines below.

    A line logged while a request is answered names it, ``[request <id>]`` (the access line
    starts with the id already).
    """

    def format(self, record: logging.LogRecord) -> str:
        line = f"{timestamp(record)} {record.levelname} {record.name} {record.getMessage()}"
        request_id = current_request_id.get()
        if request_id is not None and not hasattr(record, ACCESS):
            line += f" [request {request_id}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, pid, request id and fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker
        }
        request_id = current_request_id.get()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update(getattr(record, ACCESS, None) or {})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


FORMATTERS: dict[str, type[logging.Formatter]] = {"text": TextFormatter, "json": JsonFormatter}


def config(log_format: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: everything to stderr in ``log_format``.

    The server's own loggers (gunicorn's) are sent up to the root handler; gunicorn's access
    log is left without a handler, since the app writes the one access line per request.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"webstore": {"()": FORMATTERS[log_format]}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "webstore",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def configure(log_format: str) -> None:
    """Install ``config(log_format)`` in this process (servers other than gunicorn call this)."""
    logging.config.dictConfig(config(log_format))
    lighten_records()


def lighten_records() -> None:
    """Make log records without what none of our lines shows.

    By default every record walks the stack for its caller's file and line, and looks up the
    thread's and the process's names: a third of what an access line costs, paid on every
    request. These are the switches the logging documentation gives for it ("Optimization");
    the process id, which JSON lines carry, is kept.
    """
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False

"""Log lines for operators: human text by default, one JSON object per line on request.

Every line (access, security, errors and the server's own) goes through the root logger's one
handler on stderr, so that a line is never split between two streams or two formats. Each
record is one line: whatever a client sent (a path with ``%0A``, a header with a control
character) is escaped, so that it can never start a line of its own.
"""

from __future__ import annotations

import logging
import logging.config
import os
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from webstore.entrypoints.serve.log_escapes import escaped, indented_traceback, json_line

# The id of the request this thread is answering; set by ``observability.RequestObserver``.
current_request_id: ContextVar[str | None] = ContextVar("webstore_request_id", default=None)

# Fields an access line carries, besides the message, as ``extra={"access": {...}}``.
ACCESS = "access"


def timestamp(record: logging.LogRecord) -> str:
    return timestamp_of(record.created)


def timestamp_of(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """``2026-11-30T01:02:03.456Z INFO webstore.access <message>``, traceback indented below.

    A line logged while a request is answered names it, ``[request <id>]`` (the access line
    starts with the id already).
    """

    def format(self, record: logging.LogRecord) -> str:
        message = escaped(record.getMessage())
        line = f"{timestamp(record)} {record.levelname} {record.name} {message}"
        request_id = current_request_id.get()
        if request_id is not None and not hasattr(record, ACCESS):
            line += f" [request {request_id}]"
        if record.exc_info:
            line += "\n" + indented_traceback(self.formatException(record.exc_info))
        return line

    def access_line(self, created: float, logger: str, message: str, fields: dict[str, Any]) -> str:
        """What ``format`` makes of an INFO access record (``AccessLog``)."""
        return f"{timestamp_of(created)} INFO {logger} {escaped(message)}"


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
        return json_line(entry)

    def access_line(self, created: float, logger: str, message: str, fields: dict[str, Any]) -> str:
        """What ``format`` makes of an INFO access record (``AccessLog``)."""
        entry: dict[str, Any] = {
            "time": timestamp_of(created),
            "level": "INFO",
            "logger": logger,
            "message": message,
            "pid": os.getpid(),
        }
        request_id = current_request_id.get()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update(fields)
        return json_line(entry)


class AccessLog:
    """Writes the access line of each request, at INFO on ``logger``.

    Through ``logging`` whenever anything else may want the line: a handler or filter on the
    way, another handler on the root logger (an embedding application's, a test's capture).
    When logging is just as ``config()`` left it, one handler of ours on the root logger, the
    same line (the formatter's own ``access_line``) goes straight to that handler's stream:
    a log record and its trip through the loggers cost a listing a seventh of its throughput
    (4527 against 5173 requests a second, measured with and without).
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._chain = [logger]
        name = logger.name
        while "." in name:
            name = name.rsplit(".", 1)[0]
            self._chain.append(logging.getLogger(name))

    def write(self, message: str, args: tuple[Any, ...], fields: dict[str, Any]) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return
        handler = self._sole_handler()
        if handler is None:
            logger.info(message, *args, extra={ACCESS: fields})
            return
        formatter = handler.formatter
        assert isinstance(formatter, TextFormatter | JsonFormatter)
        line = formatter.access_line(time.time(), logger.name, message % args, fields)
        handler.acquire()
        try:
            handler.stream.write(line + handler.terminator)
            handler.flush()
        except Exception:
            handler.handleError(logging.makeLogRecord({"msg": line}))
        finally:
            handler.release()

    def _sole_handler(self) -> logging.StreamHandler[Any] | None:
        root = logging.root
        if len(root.handlers) != 1 or root.filters:
            return None
        handler = root.handlers[0]
        if (
            type(handler) is not logging.StreamHandler
            or handler.filters
            or handler.level > logging.INFO
            or type(handler.formatter) not in (TextFormatter, JsonFormatter)
        ):
            return None
        for logger in self._chain:
            if logger.handlers or logger.filters or not logger.propagate or logger.disabled:
                return None
        return handler


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

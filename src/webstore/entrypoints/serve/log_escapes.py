"""One record, one line: what a client sent can never start a line of its own in a log.

A path with ``%0A``, a header with a control character or an exception's message would
otherwise write a line that reads like any other (a forged security warning, say).
"""

from __future__ import annotations

import json
import re
from typing import Any

# What ends a line for some reader (str.splitlines, terminals, editors) or hides what follows:
# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional
# overrides and isolates that make a terminal show a line in another order.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# json.dumps escapes the C0 controls itself; with ensure_ascii=False it leaves these raw.
UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A traceback's lines are indented, so that none of them can pass for a record of its own.
TRACEBACK_INDENT = "  "


def escaped(text: str) -> str:
    """``text`` on one line: each unsafe character written as ``\\n``, ``\\x1b``, ``\\u2028``."""
    if UNSAFE.search(text) is None:  # nearly always: one scan, no copy
        return text
    return UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    return SHORT_ESCAPES.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def json_line(entry: dict[str, Any]) -> str:
    """``entry`` as one line of JSON that no reader splits (the escapes are valid JSON)."""
    line = json.dumps(entry, ensure_ascii=False, default=str)
    if UNSAFE_IN_JSON.search(line) is None:
        return line
    return UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", line)


def indented_traceback(text: str) -> str:
    return "\n".join(TRACEBACK_INDENT + escaped(line) for line in text.split("\n"))

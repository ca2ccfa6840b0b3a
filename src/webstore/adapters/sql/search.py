"""Substring tests in SQL that treat every character literally, on SQLite and PostgreSQL.

``LIKE`` would need its wildcards escaped, and SQLite's ``LIKE`` ignores the case of ASCII
letters only; ``instr`` (SQLite) and ``strpos`` (PostgreSQL) compare characters exactly, so a
search for ``%``, ``_`` or ``\\`` finds those characters and nothing else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class _Position(FunctionElement[int]):
    """Where ``needle`` first occurs in ``haystack``, counting from 1; 0 when it does not."""

    type = Integer()
    inherit_cache = True


@compiles(_Position)
def _standard(element: _Position, compiler: SQLCompiler, **kw: Any) -> str:
    haystack, needle = element.clauses
    return f"POSITION({compiler.process(needle, **kw)} IN {compiler.process(haystack, **kw)})"


@compiles(_Position, "sqlite")
def _sqlite(element: _Position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_Position, "postgresql")
def _postgresql(element: _Position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


def contains(haystack: ColumnElement[str], needle: str | ColumnElement[str]) -> ColumnElement[bool]:
    """Whether ``needle`` occurs in ``haystack``, character for character."""
    return _Position(haystack, needle) > 0

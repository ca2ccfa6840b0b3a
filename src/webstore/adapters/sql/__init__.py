"""SQL storage with SQLAlchemy 2.x: SQLite (embedded, the default) and PostgreSQL.

Why imperative mapping: the domain classes (``User``, ``Product``, ``Order``, ``LoginSession``)
are plain dataclasses that import nothing but the standard library, and the use cases and the
in-memory store use them as they are. ``orm.start_mappers()`` maps them onto the tables defined
in ``tables.py`` from the outside, so the database's concerns (column types, constraints, indexes,
how lines are stored, the version check on login sessions) stay in this package and the same
objects flow through every layer, without a parallel set of row classes and copying code. Two
values need help: ``Money`` is stored through a ``TypeDecorator`` as NUMERIC(10, 2), and
``OrderLine``, a slotted frozen value that SQLAlchemy cannot instrument, is kept in the
``order_lines`` table through a small ``OrderLineRow`` (a ``composite`` rebuilds the line); a
placed order's lines never change, so they are written with the order and read back in one
extra query per listing. The schema itself refuses what buggy code might try: duplicate
usernames, negative stock, non-positive prices and amounts, unknown statuses, dangling ids.
"""

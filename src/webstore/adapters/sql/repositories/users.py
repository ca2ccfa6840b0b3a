"""Users, over one session: 2.0-style statements, one job each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from webstore.adapters.sql import search
from webstore.adapters.sql.runtime.direct import DirectRead, in_session
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import users
from webstore.application.ports import UserQuery
from webstore.domain.errors import UsernameTaken
from webstore.domain.users import User
from webstore.domain.values import username_key

_USER_COLUMNS = (
    users.c.id, users.c.username, users.c.email, users.c.password_hash, users.c.is_superuser,
    users.c.is_active, users.c.date_joined, users.c.username_key, users.c.username_search_key,
    users.c.email_search_key,
)  # fmt: skip
_USER_BY_KEY = DirectRead(select(*_USER_COLUMNS).where(users.c.username_key == bindparam("key")))


class SqlAlchemyUserRepository:
    """Users; the unique index on ``username_key`` settles who got a name first."""

    def __init__(self, session: SqlSession, direct: ReadTransaction | None = None) -> None:
        self._session = session
        self._direct = direct  # a read-only unit of work's (see ``direct.py``)

    def add(self, user: User) -> None:
        # The unique index decides, also between concurrent requests; the SAVEPOINT keeps the
        # rest of the unit of work usable after a refused insert.
        try:
            with self._session.begin_nested():
                self._session.add(user)
        except IntegrityError as error:
            if "username_key" not in str(error.orig):
                raise
            raise UsernameTaken() from error

    def get(self, user_id: int) -> User | None:
        return self._session.get(User, user_id)

    def find_by_email(self, email: str, limit: int) -> list[User]:
        # No index: addresses are looked up only for password resets, which are throttled.
        statement = (
            select(User)
            .where(func.lower(users.c.email) == email.lower())
            .order_by(users.c.id)
            .limit(limit)
        )
        return list(self._session.scalars(statement))

    def get_by_username(self, username: str) -> User | None:
        key = username_key(username.strip())
        if self._session.identity_map:  # it may hold this user: then it hands out that object
            return self._session.scalars(select(User).where(users.c.username_key == key)).first()
        # Every login reads its user: straight to the driver. A writing unit of work's session
        # then holds the user as if it had loaded it, so that changes to it are saved.
        row = _USER_BY_KEY.first(in_session(self._session, self._direct), key=key)
        if row is None:
            return None
        user = _user(row)
        if self._direct is None:
            make_transient_to_detached(user)
            self._session.add(user)
        return user

    def list(self, query: UserQuery, limit: int | None = None, offset: int = 0) -> list[User]:
        statement = (
            select(*_USER_COLUMNS)
            .where(*_users_matching(query))
            .order_by(users.c.id)
            .limit(limit)
            .offset(offset)
        )
        # Rows, not the ORM: the users listed are snapshots, never changed by the caller.
        return [_user(row) for row in self._session.execute(statement)]

    def count(self, query: UserQuery) -> int:
        statement = select(func.count()).select_from(users).where(*_users_matching(query))
        return self._session.execute(statement).scalar_one()

    def active_superuser_ids(self) -> frozenset[int]:
        # FOR NO KEY UPDATE, as the UPDATE of is_active takes anyway: a second deactivation
        # waits, then reads the rows as committed; logins and orders referencing them do not.
        statement = (
            select(users.c.id)
            .where(users.c.is_superuser, users.c.is_active)
            .order_by(users.c.id)
            .with_for_update(key_share=True)
        )
        return frozenset(self._session.scalars(statement))


def _user(row: Sequence[Any]) -> User:
    """A ``User`` built from a row of ``_USER_COLUMNS``, its stored keys as stored."""
    (user_id, name, email, password_hash, is_superuser, is_active, date_joined, name_key,
     username_search_key, email_search_key) = row  # fmt: skip
    user = User(name, email, password_hash, is_superuser, is_active, user_id, date_joined)
    user.username_key = name_key
    user.username_search_key, user.email_search_key = username_search_key, email_search_key
    return user


def _users_matching(query: UserQuery) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = []
    if query.ids is not None:
        criteria.append(users.c.id.in_(sorted(query.ids)))
    if query.search_key_contains is not None:
        key = query.search_key_contains
        criteria.append(
            or_(
                search.contains(users.c.username_search_key, key),
                search.contains(users.c.email_search_key, key),
            )
        )
    return criteria

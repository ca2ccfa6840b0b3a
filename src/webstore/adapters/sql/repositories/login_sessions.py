"""Login sessions, over one session; every authenticated request reads its own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import make_transient_to_detached

from webstore.adapters.sql.runtime.direct import DirectWrite, in_session, new_values
from webstore.adapters.sql.runtime.reading import ReadTransaction
from webstore.adapters.sql.runtime.reuse import ReusableRead
from webstore.adapters.sql.sessions import SqlSession
from webstore.adapters.sql.tables import login_sessions, users
from webstore.application.dto import Principal
from webstore.domain.sessions import LoginSession, grants_access

# Built once: constructing the statement would cost more than running it on SQLite.
# The rule itself is the domain's (``grants_access``), applied to the row in Python. It stands
# alone: a request's authentication needs no snapshot shared with what the request reads. Its
# rows depend on the database alone (the clock is the domain's), so they are reused where they
# still hold (``reuse.py``).
_PRINCIPAL = ReusableRead(
    select(
        users.c.id,
        users.c.username,
        users.c.email,
        users.c.is_superuser,
        users.c.is_active,
        login_sessions.c.revoked_at,
        login_sessions.c.expires_at,
    )
    .join_from(login_sessions, users, users.c.id == login_sessions.c.user_id)
    .where(
        login_sessions.c.id == bindparam("session_id"),
        login_sessions.c.user_id == bindparam("user_id"),
    ),
    alone=True,
)


_LOGIN_SESSION_COLUMNS = tuple(column.name for column in login_sessions.columns)
_INSERT_LOGIN_SESSION = DirectWrite(
    insert(login_sessions).values(new_values(*_LOGIN_SESSION_COLUMNS))
)


class SqlAlchemyLoginSessionRepository:
    """Login sessions; updates check the generation they were loaded with."""

    def __init__(self, session: SqlSession, direct: ReadTransaction | None = None) -> None:
        self._session = session
        self._direct = direct  # a read-only unit of work's (see ``direct.py``)

    def add(self, session: LoginSession) -> None:
        # Every login adds one: straight to the driver, as orders are (the ORM's flush would
        # cost a login more than everything else it does but the password check). The
        # session then holds it as if loaded, so that later changes to it are saved.
        _INSERT_LOGIN_SESSION.one(
            in_session(self._session, None),
            **{f"new_{column}": getattr(session, column) for column in _LOGIN_SESSION_COLUMNS},
        )
        make_transient_to_detached(session)
        self._session.add(session)

    def get(self, session_id: str) -> LoginSession | None:
        return self._session.get(LoginSession, session_id)

    def prefetch(self, session_id: str, user_id: int) -> None:
        # Sent with the next read of the transaction, on PostgreSQL in the same statement.
        if self._direct is not None:
            self._direct.ahead = (_PRINCIPAL, {"session_id": session_id, "user_id": user_id})

    def principal(self, session_id: str, user_id: int, now: datetime) -> Principal | None:
        # Runs on every authenticated request: one primary-key lookup joined to its user.
        access = in_session(self._session, self._direct)
        row = _PRINCIPAL.first(access, session_id=session_id, user_id=user_id)
        if row is None:
            return None
        user_id, username, email, is_superuser, is_active, revoked_at, expires_at = row
        if not grants_access(
            revoked_at=revoked_at, expires_at=expires_at, user_is_active=is_active, now=now
        ):
            return None
        return Principal(user_id, username, email, is_superuser, session_id)

    def revoke_all_for_user(self, user_id: int, now: datetime, keep: str | None = None) -> None:
        criteria = [login_sessions.c.user_id == user_id, login_sessions.c.revoked_at.is_(None)]
        if keep is not None:
            criteria.append(login_sessions.c.id != keep)
        statement = update(LoginSession).where(*criteria).values(revoked_at=now)
        self._session.execute(statement)

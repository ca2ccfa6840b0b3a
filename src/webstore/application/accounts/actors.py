"""Who is acting: every use case that acts for someone rechecks that someone as it acts.

A ``Principal`` is a claim (who a token said the caller was); the rights come from the store,
read in the use case's own unit of work: the user must exist and be active, and when the
principal came from a login, that login session must still be live. ``OPERATOR`` is whoever
holds the store itself (the command line, a script with the database's credentials): a
superuser without an account, which therefore cannot place orders.
"""

from __future__ import annotations

from datetime import datetime

from webstore.application.dto import Principal
from webstore.application.errors import PermissionDenied, PrincipalRevoked
from webstore.application.ports import UnitOfWork

OPERATOR = Principal(0, "(operator)", "", is_superuser=True)


def live_actor(work: UnitOfWork, actor: Principal, now: datetime) -> Principal:
    """``actor`` as the store knows it now (one indexed read); ``PrincipalRevoked`` if gone."""
    if actor is OPERATOR:
        return actor
    if actor.session_id is not None:
        current = work.sessions.principal(actor.session_id, actor.user_id, now)
    else:
        user = work.users.get(actor.user_id)
        current = Principal.of(user) if user is not None and user.is_active else None
    if current is None:
        raise PrincipalRevoked()
    return current


def live_superuser(work: UnitOfWork, actor: Principal, now: datetime) -> Principal:
    """The live actor, if the store says it is a superuser; else ``PermissionDenied``."""
    current = live_actor(work, actor, now)
    if not current.is_superuser:
        raise PermissionDenied()
    return current


def live_customer(work: UnitOfWork, actor: Principal, now: datetime) -> Principal:
    """The live actor, if it is a user account (orders belong to users, not the operator)."""
    if actor is OPERATOR:
        raise PermissionDenied("the operator has no account: place orders as a user")
    return live_actor(work, actor, now)

"""Use cases of user administration: list accounts, deactivate and reactivate them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from webstore.application import snapshots
from webstore.application.accounts.actors import OPERATOR, live_superuser
from webstore.application.accounts.permissions import require_superuser
from webstore.application.dto import Page, Principal
from webstore.application.paging import MAX_LIMIT, optional_id, page_checks, search_filter
from webstore.application.ports import Clock, UnitOfWork, UnitOfWorkFactory, UserQuery
from webstore.application.snapshots import UserSnapshot
from webstore.domain import values
from webstore.domain.errors import InvalidInput, LastSuperuser, UserNotFound
from webstore.domain.users import User

MAX_IDS = MAX_LIMIT  # as many as one page can show
_SEPARATOR = re.compile(r"\s*,\s*")


def user_ids(raw: Any) -> frozenset[int] | None:
    """``ids``: text such as ``"1,2,3"`` or integers; errors keyed by the item's index.

    Blank text is an empty list, which matches nobody.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = _SEPARATOR.split(raw.strip()) if raw.strip() else []
    if not isinstance(raw, Iterable):
        kind = values.json_type(raw)
        raise values.InvalidValue(f'Expected a list of items but got type "{kind}".')
    items = list(raw)
    if len(items) > MAX_IDS:
        raise values.InvalidValue(f"Ensure this field has no more than {MAX_IDS} elements.")
    errors: dict[str, Any] = {}
    found: set[int] = set()
    for index, item in enumerate(items):
        try:
            found.add(values.present(optional_id(item)))
        except values.InvalidValue as problem:
            errors[str(index)] = [str(problem)]
    if errors:
        raise InvalidInput(errors)
    return frozenset(found)


def list_users(
    actor: Principal,
    search: object = None,
    ids: object = None,
    limit: object = None,
    offset: object = None,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> Page[UserSnapshot]:
    """Users by id (superusers only): those named by ``ids``, whose username or email contains
    ``search`` (ignoring case and accents); ``total`` counts every match."""
    require_superuser(actor)  # a regular user hears "no" before anything about the filters
    clean = values.validated(
        **page_checks(limit, offset), search=(search_filter, search), ids=(user_ids, ids)
    )
    size, start = clean["limit"], clean["offset"] or 0
    query = UserQuery(ids=clean["ids"], search_key_contains=clean["search"])
    with uow(read_only=True) as work:
        live_superuser(work, actor, clock.now())
        items = work.users.list(query, size, start)
        total = len(items) if size is None and start == 0 else work.users.count(query)
    return Page(snapshots.users(items), total)


def set_user_active(
    actor: Principal, user: str | int, active: bool, *, uow: UnitOfWorkFactory, clock: Clock
) -> UserSnapshot:
    """Activate or deactivate a user, named by username (``str``) or id (``int``); superusers
    only. Deactivation ends every session of that user at once. A superuser account may not
    deactivate the last active superuser (``LastSuperuser``); the operator may."""
    require_superuser(actor)
    with uow() as work:
        live_superuser(work, actor, clock.now())
        found = _find(work, user)
        if active:
            found.activate()
        else:
            if actor is not OPERATOR:
                _keep_a_superuser(work, found)
            found.deactivate()
            work.sessions.revoke_all_for_user(_id(found), clock.now())
            work.password_resets.revoke_all_for_user(_id(found), clock.now())
        work.commit()
        return UserSnapshot.of(found)


def _find(work: UnitOfWork, user: str | int) -> User:
    if isinstance(user, bool) or not isinstance(user, str | int):
        raise TypeError("a user is named by its username (str) or its id (int)")
    if isinstance(user, str):
        found = work.users.get_by_username(user)
    else:
        found = work.users.get(user) if values.is_storable_id(user) else None
    if found is None or found.id is None:
        raise UserNotFound(user)
    return found


def _keep_a_superuser(work: UnitOfWork, user: User) -> None:
    """Refuse to deactivate ``user`` if no other active superuser would remain."""
    if not (user.is_superuser and user.is_active):
        return
    if not work.users.active_superuser_ids() - {user.id}:
        raise LastSuperuser()


def _id(user: User) -> int:
    assert user.id is not None  # found in storage
    return user.id

"""Use case of sign-up: a new customer (or superuser) account."""

from __future__ import annotations

from webstore.application.dto import Principal
from webstore.application.ports import Clock, PasswordHasher, UnitOfWorkFactory
from webstore.domain import values
from webstore.domain.errors import UsernameTaken
from webstore.domain.users import User


def register_user(
    username: object,
    email: object,
    password: object,
    *,
    uow: UnitOfWorkFactory,
    hasher: PasswordHasher,
    clock: Clock,
    is_superuser: bool = False,
) -> Principal:
    """Create a user, joined now; the storage's unique key on the normalized username settles
    races."""
    clean = values.validated(
        username=(values.username, username),
        email=(values.email, email),
        password=(values.password, password),
    )
    with uow(read_only=True) as work:
        if work.users.get_by_username(clean["username"]) is not None:
            raise UsernameTaken()
    password_hash = hasher.hash(clean["password"])
    user = User(
        clean["username"], clean["email"], password_hash, is_superuser, date_joined=clock.now()
    )
    with uow() as work:
        work.users.add(user)
        work.commit()
    return Principal.of(user)

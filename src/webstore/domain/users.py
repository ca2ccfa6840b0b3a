"""The User entity: who may log in, and with which rights."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from webstore.domain.values import search_key, username_key


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class User:
    username: str
    email: str
    password_hash: str
    is_superuser: bool = False
    is_active: bool = True
    id: int | None = None
    # When the account was made: sign-up passes its clock's time.
    date_joined: datetime = field(default_factory=_now)
    # Unique in storage: the rule "Alice and alice cannot both exist" rests on it.
    username_key: str = field(init=False, default="")
    # Stored beside the name and address, so that storage can search them (``search_key``).
    username_search_key: str = field(init=False, default="")
    email_search_key: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.username_key = username_key(self.username)
        self.username_search_key = search_key(self.username)
        self.email_search_key = search_key(self.email)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id is not None and other.id == self.id

    def __hash__(self) -> int:
        return hash(("User", self.id))

    def deactivate(self) -> None:
        self.is_active = False

    def activate(self) -> None:
        self.is_active = True

    def change_password_hash(self, new_hash: str) -> None:
        self.password_hash = new_hash

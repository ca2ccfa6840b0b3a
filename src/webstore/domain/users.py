"""The User entity: who may log in, and with which rights."""

from __future__ import annotations

from dataclasses import dataclass, field

from webstore.domain.values import username_key


@dataclass(eq=False)
class User:
    username: str
    email: str
    password_hash: str
    is_superuser: bool = False
    is_active: bool = True
    id: int | None = None
    # Unique in storage: the rule "Alice and alice cannot both exist" rests on it.
    username_key: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.username_key = username_key(self.username)

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

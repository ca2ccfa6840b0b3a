"""Argon2id password hashing on argon2-cffi."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    """argon2-cffi's defaults (RFC 9106 "low memory"); tests pass cheaper ones."""

    time_cost: int = 3
    memory_cost: int = 65536  # KiB
    parallelism: int = 4


class Argon2PasswordHasher:
    def __init__(self, parameters: Argon2Parameters | None = None) -> None:
        p = parameters or Argon2Parameters()
        self._argon2 = PasswordHasher(
            time_cost=p.time_cost,
            memory_cost=p.memory_cost,
            parallelism=p.parallelism,
            type=Type.ID,
        )
        # Verifying against this makes "no such user" cost what "wrong password" costs.
        self._dummy_hash = self._argon2.hash("not the password of anybody")

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        if not password_hash.isascii():
            return False  # argon2-cffi would raise UnicodeEncodeError: no hash of ours is this
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def burn(self, password: str) -> None:
        self.verify(self._dummy_hash, password)

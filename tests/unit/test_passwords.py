from __future__ import annotations

import pytest

from webstore.adapters.passwords import Argon2Parameters, Argon2PasswordHasher

CHEAP = Argon2Parameters(time_cost=1, memory_cost=8, parallelism=1)
STRONGER = Argon2Parameters(time_cost=2, memory_cost=16, parallelism=1)


@pytest.fixture(scope="module")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(CHEAP)


def test_passwords_are_hashed_with_argon2id_and_the_configured_parameters(
    hasher: Argon2PasswordHasher,
) -> None:
    hashed = hasher.hash("down the rabbit hole")
    assert hashed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert "down the rabbit hole" not in hashed


def test_the_same_password_hashes_differently_each_time(hasher: Argon2PasswordHasher) -> None:
    assert hasher.hash("down the rabbit hole") != hasher.hash("down the rabbit hole")


def test_the_right_password_verifies_and_a_wrong_one_does_not(
    hasher: Argon2PasswordHasher,
) -> None:
    hashed = hasher.hash("down the rabbit hole")
    assert hasher.verify(hashed, "down the rabbit hole")
    assert not hasher.verify(hashed, "down the rabbit hole ")
    assert not hasher.verify(hashed, "Down the rabbit hole")


def test_unicode_passwords_verify(hasher: Argon2PasswordHasher) -> None:
    hashed = hasher.hash("Ünïcödé — 鏡の国")
    assert hasher.verify(hashed, "Ünïcödé — 鏡の国")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "hashed:down the rabbit hole",
        "$argon2id$v=19$m=8,t=1,p=1$bm90LWJhc2U2NA$bm9wZQ",
        "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$",
        "$argon2id$ünïcödé",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    ],
    ids=["empty", "fake", "bad-digest", "no-digest", "non-ascii", "bcrypt"],
)
def test_a_garbage_hash_verifies_nothing_and_raises_nothing(
    hasher: Argon2PasswordHasher, garbage: str
) -> None:
    assert hasher.verify(garbage, "down the rabbit hole") is False
    assert hasher.needs_rehash(garbage) is True


def test_a_hash_with_the_current_parameters_needs_no_rehash(
    hasher: Argon2PasswordHasher,
) -> None:
    assert not hasher.needs_rehash(hasher.hash("down the rabbit hole"))


def test_a_hash_with_other_parameters_needs_a_rehash_but_still_verifies(
    hasher: Argon2PasswordHasher,
) -> None:
    stronger = Argon2PasswordHasher(STRONGER)
    old = hasher.hash("down the rabbit hole")
    assert stronger.needs_rehash(old)
    assert stronger.verify(old, "down the rabbit hole")
    assert not stronger.needs_rehash(stronger.hash("down the rabbit hole"))
    assert hasher.needs_rehash(stronger.hash("down the rabbit hole"))


def test_burning_spends_a_verification_and_raises_nothing(hasher: Argon2PasswordHasher) -> None:
    hasher.burn("whatever anybody typed")

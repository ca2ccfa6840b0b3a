"""Use cases of passwords: change a user's (superusers), change one's own, ask for a reset link,
reset with it."""

from __future__ import annotations

from datetime import datetime

from webstore.application.accounts.actors import live_customer, live_superuser
from webstore.application.accounts.permissions import require_superuser
from webstore.application.accounts.throttling import LoginGuard, ThrottlePolicy, digest
from webstore.application.dto import Principal
from webstore.application.errors import ConcurrentUpdate
from webstore.application.mail import notices
from webstore.application.mail.notices import MailPolicy, Recipient
from webstore.application.ports import (
    Clock,
    PasswordHasher,
    RandomSource,
    UnitOfWork,
    UnitOfWorkFactory,
)
from webstore.domain import values
from webstore.domain.errors import InvalidResetToken, UserNotFound, WrongPassword
from webstore.domain.password_resets import PasswordReset
from webstore.domain.users import User

RESET_SCOPE = "password-reset:"  # reset requests are counted apart from logins
TOKEN_BYTES = 32
TOKEN_MAX = 256
IDENTIFIER_MAX = max(values.USERNAME_MAX, values.EMAIL_MAX)
# Links one account may have outstanding: more requests get the same answer and send nothing,
# so that nobody can fill a stranger's mailbox.
MAX_LIVE_RESETS = 3
MAX_ACCOUNTS = 10  # with one address (addresses are not unique), each gets its own link


def _typed_password(raw: object) -> str:
    return values.text(raw, max_length=10_000, strip=False)


def _identifier(raw: object) -> str:
    return values.text(raw, max_length=IDENTIFIER_MAX)


def change_password(
    actor: Principal,
    username: str,
    new_password: object,
    *,
    uow: UnitOfWorkFactory,
    hasher: PasswordHasher,
    clock: Clock,
) -> None:
    """Set a user's new password (superusers only); end every session opened with the old, and
    every password-reset link."""
    require_superuser(actor)
    clean = values.validated(password=(values.password, new_password))
    new_hash = hasher.hash(clean["password"])
    with uow() as work:
        live_superuser(work, actor, clock.now())
        user = work.users.get_by_username(username)
        if user is None or user.id is None:
            raise UserNotFound(username)
        user.change_password_hash(new_hash)
        work.sessions.revoke_all_for_user(user.id, clock.now())
        work.password_resets.revoke_all_for_user(user.id, clock.now())
        work.commit()


def change_own_password(
    actor: Principal,
    old_password: object,
    new_password: object,
    client_address: str | None = None,
    *,
    uow: UnitOfWorkFactory,
    hasher: PasswordHasher,
    clock: Clock,
    throttle: ThrottlePolicy,
) -> None:
    """Check the current password, set the new one, and end every other session of the user.

    A wrong current password counts as a failed login, so a stolen access token cannot be
    used to guess the password faster than logging in could.
    """
    clean = values.validated(
        old_password=(_typed_password, old_password),
        new_password=(values.password, new_password),
    )
    with uow() as work:  # counted as a failure until it succeeds, as a login is
        current = live_customer(work, actor, clock.now())
        guard = LoginGuard.of(current.username, client_address, throttle)
        reserved = guard.reserve(work.login_attempts, clock.now())
        user = work.users.get(current.user_id)
        work.commit()
    assert user is not None  # the live principal's user exists
    verified_hash = user.password_hash
    if not hasher.verify(verified_hash, clean["old_password"]):
        raise WrongPassword()
    new_hash = hasher.hash(clean["new_password"])
    with uow() as work:
        now = clock.now()
        current = live_customer(work, actor, now)
        user = work.users.get(current.user_id)
        if user is None or user.password_hash != verified_hash:
            raise ConcurrentUpdate()  # changed meanwhile: the old password checked is not it
        _set_password(work, user, new_hash, now, keep_session=actor.session_id)
        guard.succeeded(work.login_attempts, reserved)
        work.commit()


def request_password_reset(
    username_or_email: object,
    client_address: str | None = None,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    random: RandomSource,
    throttle: ThrottlePolicy,
    policy: MailPolicy,
) -> None:
    """Mail a single-use link to each active account with this username or address.

    Returns the same (nothing) whether or not such an account exists, after about the same
    work: one transaction that counts the request, as the login throttle counts failures.
    """
    clean = values.validated(username_or_email=(_identifier, username_or_email))
    identifier = clean["username_or_email"]
    guard = LoginGuard.of(identifier, client_address, throttle, scope=RESET_SCOPE)
    token = random.token(TOKEN_BYTES)  # made either way: the same work with or without a user
    token_hash = digest(token)
    with uow() as work:
        now = clock.now()
        guard.reserve(work.login_attempts, now)  # every request counts; none is taken back
        for user in _accounts(work, identifier):
            assert user.id is not None
            if work.password_resets.count_live(user.id, now) >= MAX_LIVE_RESETS:
                continue
            expires_at = now + policy.reset_lifetime
            work.password_resets.add(PasswordReset(token_hash, user.id, now, expires_at))
            link = policy.reset_link(token)
            notices.password_reset(work, Recipient(user.username, user.email), link, policy, now)
            token = random.token(TOKEN_BYTES)  # the next account's link is its own
            token_hash = digest(token)
        work.password_resets.prune(now)
        work.commit()


def _accounts(work: UnitOfWork, identifier: str) -> list[User]:
    """The active users named ``identifier``, or whose address it is (usernames may hold @)."""
    found: dict[int | None, User] = {}
    by_name = work.users.get_by_username(identifier)
    if by_name is not None:
        found[by_name.id] = by_name
    try:
        address = values.email(identifier)
    except values.InvalidValue:
        address = None
    if address is not None:
        for user in work.users.find_by_email(address, MAX_ACCOUNTS):
            found.setdefault(user.id, user)
    return [user for user in found.values() if user.is_active][:MAX_ACCOUNTS]


def reset_password(
    token: object,
    new_password: object,
    *,
    uow: UnitOfWorkFactory,
    hasher: PasswordHasher,
    clock: Clock,
    throttle: ThrottlePolicy,
) -> None:
    """Set a new password with a reset link's token, once; every session of the user ends.

    A token that is unknown, used or expired, or whose user is inactive, raises
    ``InvalidResetToken`` (checked before the new password is hashed: a bad token costs
    no Argon2 work).
    """
    clean = values.validated(
        token=(lambda raw: values.text(raw, max_length=TOKEN_MAX), token),
        new_password=(values.password, new_password),
    )
    token_hash = digest(clean["token"])
    with uow(read_only=True) as work:
        _usable_reset(work, work.password_resets.get(token_hash), clock)
    new_hash = hasher.hash(clean["new_password"])
    with uow() as work:
        now = clock.now()
        reset = work.password_resets.get_for_update(token_hash)
        user = _usable_reset(work, reset, clock)
        assert reset is not None and user.id is not None
        reset.use(now)
        _set_password(work, user, new_hash, now)
        # The owner of the mailbox has proved who they are: their failed logins are forgotten.
        LoginGuard.of(user.username, None, throttle).forgive(work.login_attempts)
        work.commit()


def _usable_reset(work: UnitOfWork, reset: PasswordReset | None, clock: Clock) -> User:
    """The user of a live link, if active; else ``InvalidResetToken``."""
    if reset is None or not reset.is_live(clock.now()):
        raise InvalidResetToken()
    user = work.users.get(reset.user_id)
    if user is None or not user.is_active:
        raise InvalidResetToken()
    return user


def _set_password(
    work: UnitOfWork, user: User, new_hash: str, now: datetime, keep_session: str | None = None
) -> None:
    """The new hash; every session but ``keep_session`` ends, and every reset link."""
    assert user.id is not None
    user.change_password_hash(new_hash)
    work.sessions.revoke_all_for_user(user.id, now, keep=keep_session)
    work.password_resets.revoke_all_for_user(user.id, now)

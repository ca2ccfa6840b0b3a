"""Use cases of login sessions: log in, refresh, log out, authenticate, check CSRF tokens."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from webstore.application.accounts.throttling import LoginGuard, ThrottlePolicy
from webstore.application.dto import LoginResult, PresentedRefreshToken, Principal, RefreshResult
from webstore.application.errors import (
    ConcurrentUpdate,
    CsrfFailed,
    InvalidToken,
    NotAuthenticated,
    RefreshRejected,
    RefreshReuseDetected,
)
from webstore.application.ports import (
    AccessTokenService,
    Clock,
    CsrfTokenService,
    PasswordHasher,
    RandomSource,
    RefreshTokenService,
    UnitOfWorkFactory,
)
from webstore.domain import values
from webstore.domain.errors import InvalidCredentials
from webstore.domain.sessions import LoginSession, Rotation
from webstore.domain.users import User

ROTATION_ATTEMPTS = 3
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    refresh_lifetime: timedelta = timedelta(days=7)
    reuse_grace: timedelta = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class TokenKit:
    """The services that mint and check the three tokens of a login."""

    access: AccessTokenService
    refresh: RefreshTokenService
    csrf: CsrfTokenService


def log_in(
    username: object,
    password: object,
    client_address: str | None = None,
    *,
    uow: UnitOfWorkFactory,
    hasher: PasswordHasher,
    tokens: TokenKit,
    clock: Clock,
    random: RandomSource,
    policy: SessionPolicy,
    throttle: ThrottlePolicy,
) -> LoginResult:
    """Check the password and open a login session; every failure looks the same."""
    clean = values.validated(
        username=(lambda raw: values.text(raw, max_length=10_000), username),
        password=(
            lambda raw: values.text(raw, min_length=0, max_length=10_000, strip=False),
            password,
        ),
    )
    guard = LoginGuard.of(clean["username"], client_address, throttle)
    with uow() as work:  # counted as a failure until it succeeds: see throttling.py
        reserved = guard.reserve(work.login_attempts, clock.now())
        found = work.users.get_by_username(clean["username"])
        work.commit()
    user, user_id = _verified_user(found, clean["password"], hasher)
    new_hash = hasher.hash(clean["password"]) if hasher.needs_rehash(user.password_hash) else None
    session_id = random.token(18)
    issued = tokens.refresh.issue(session_id, 0)
    now = clock.now()
    with uow() as work:
        if new_hash is not None and (stored := work.users.get(user_id)) is not None:
            stored.change_password_hash(new_hash)
        work.sessions.add(
            LoginSession(session_id, user_id, now, now + policy.refresh_lifetime, issued.token_hash)
        )
        guard.succeeded(work.login_attempts, reserved)
        work.commit()
    return LoginResult(
        access_token=tokens.access.issue(user_id, session_id),
        refresh_token=issued.token,
        csrf_token=tokens.csrf.issue(user_id),
        user=Principal.of(user, session_id),
    )


def _verified_user(user: User | None, password: str, hasher: PasswordHasher) -> tuple[User, int]:
    """The user, if active and this is the password (and its id); every failure looks alike."""
    if user is None or user.id is None:
        hasher.burn(password)  # as long as a real verification: no probing which names exist
    elif hasher.verify(user.password_hash, password) and user.is_active:
        return user, user.id
    raise InvalidCredentials()


def refresh_session(
    refresh_token: str,
    csrf_token: str,
    *,
    uow: UnitOfWorkFactory,
    tokens: TokenKit,
    clock: Clock,
    policy: SessionPolicy,
) -> RefreshResult:
    """Trade a refresh token for a new access token and (usually) a new refresh token.

    ``csrf_token`` is the CSRF token issued with the login; it must be signed for the session's
    user. Neither token may be left out.
    """
    require_tokens(refresh_token, csrf_token)
    presented = tokens.refresh.read(refresh_token)
    if presented is None:
        raise RefreshRejected()
    for _ in range(ROTATION_ATTEMPTS):
        try:
            return _rotate_once(
                presented, csrf_token, uow=uow, tokens=tokens, clock=clock, policy=policy
            )
        except ConcurrentUpdate:
            continue  # another tab rotated first: look again, the grace rule may now apply
    raise RefreshRejected()


def _rotate_once(
    presented: PresentedRefreshToken,
    csrf_token: str,
    *,
    uow: UnitOfWorkFactory,
    tokens: TokenKit,
    clock: Clock,
    policy: SessionPolicy,
) -> RefreshResult:
    now = clock.now()
    with uow() as work:
        session = work.sessions.get(presented.session_id)
        if session is None:
            raise RefreshRejected()
        user = work.users.get(session.user_id)
        if user is None or not session.grants_access(user, now):
            raise RefreshRejected()
        if not tokens.csrf.is_valid(csrf_token, session.user_id):
            raise CsrfFailed.incorrect()
        issued = tokens.refresh.issue(session.id, session.generation + 1)
        outcome = session.rotate(
            generation=presented.generation,
            token_hash=presented.token_hash,
            new_token_hash=issued.token_hash,
            now=now,
            lifetime=policy.refresh_lifetime,
            grace=policy.reuse_grace,
        )
        if outcome is Rotation.THEFT:
            work.commit()
            raise RefreshReuseDetected(session.user_id)
        if outcome is Rotation.REJECTED:
            raise RefreshRejected()
        work.commit()
    access = tokens.access.issue(session.user_id, session.id)
    if outcome is not Rotation.ROTATED:
        return RefreshResult(access, None)
    return RefreshResult(access, issued.token, tokens.csrf.issue(session.user_id))


def log_out(
    refresh_token: str,
    csrf_token: str,
    *,
    uow: UnitOfWorkFactory,
    tokens: TokenKit,
    clock: Clock,
) -> None:
    """Revoke the login session an authentic refresh token names (a forged one names none).

    ``csrf_token`` must be signed for the session's user, so that nobody else ends it.
    """
    require_tokens(refresh_token, csrf_token)
    presented = tokens.refresh.read(refresh_token)
    if presented is None:
        return
    for _ in range(ROTATION_ATTEMPTS):
        try:
            with uow() as work:
                session = work.sessions.get(presented.session_id)
                if session is None:
                    return
                if not tokens.csrf.is_valid(csrf_token, session.user_id):
                    raise CsrfFailed.incorrect()
                session.revoke(clock.now())
                work.commit()
            return
        except ConcurrentUpdate:
            continue  # a refresh rotated the session meanwhile: revoke its newer state
    raise ConcurrentUpdate()


def require_tokens(refresh_token: object, csrf_token: object) -> None:
    """Both tokens present as text: leaving one out never skips its check."""
    if not isinstance(refresh_token, str) or not refresh_token:
        raise NotAuthenticated()
    if not isinstance(csrf_token, str) or not csrf_token:
        raise CsrfFailed.missing()


def authenticate(
    access_token: str, *, uow: UnitOfWorkFactory, tokens: TokenKit, clock: Clock
) -> Principal:
    """The caller behind an access token whose session is alive and whose user is active."""
    if not isinstance(access_token, str):
        raise NotAuthenticated()
    claims = tokens.access.verify(access_token)
    with uow(read_only=True) as work:
        principal = work.sessions.principal(claims.session_id, claims.user_id, clock.now())
    if principal is None:
        raise InvalidToken()
    return principal


def claim(access_token: str, *, tokens: TokenKit) -> Principal:
    """Who an access token says the caller is, from its signature alone (no storage read).

    Only for a use case that rechecks the login session in its own unit of work before it
    changes anything (``actors.live_actor``), with what ``authenticate`` would check: the
    user's name, email and rights come from that recheck, not from here.
    """
    if not isinstance(access_token, str):
        raise NotAuthenticated()
    claims = tokens.access.verify(access_token)
    return Principal(claims.user_id, "", "", session_id=claims.session_id)


def authenticated_reading(
    access_token: str,
    read: Callable[[], T],
    *,
    uow: UnitOfWorkFactory,
    tokens: TokenKit,
    clock: Clock,
) -> tuple[Principal, T]:
    """What ``read`` finds, for the caller ``authenticate`` finds behind ``access_token``.

    ``read`` must find the same whoever asks (it is given nobody): it runs first, in the
    same read-only unit of work, whose storage may look the login session up with its first
    statement (one round trip, on PostgreSQL, for what took two). What it found is returned
    only once the session is found live, exactly as ``authenticate`` checks it.
    """
    if not isinstance(access_token, str):
        raise NotAuthenticated()
    claims = tokens.access.verify(access_token)
    with uow(read_only=True) as work:
        work.sessions.prefetch(claims.session_id, claims.user_id)
        found = read()
        principal = work.sessions.principal(claims.session_id, claims.user_id, clock.now())
    if principal is None:
        raise InvalidToken()
    return principal, found


def check_csrf(
    header: str | None, cookie: str | None, principal: Principal, *, tokens: TokenKit
) -> None:
    """Double submit: header equals cookie (constant time) and the token is signed for the user."""
    if not tokens.csrf.is_valid(double_submitted(header, cookie), principal.user_id):
        raise CsrfFailed.incorrect()


def double_submitted(header: str | None, cookie: str | None) -> str:
    """The CSRF token when the header repeats the cookie (compared in constant time)."""
    if not header or not cookie:
        raise CsrfFailed.missing()
    # "surrogatepass": text from outside may hold lone surrogates, which plain UTF-8 refuses.
    if not hmac.compare_digest(
        header.encode("utf-8", "surrogatepass"), cookie.encode("utf-8", "surrogatepass")
    ):
        raise CsrfFailed.incorrect()
    return cookie

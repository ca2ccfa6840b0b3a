"""The ``Webstore``'s use cases of accounts: sign-up, login sessions, users, passwords."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from webstore.application.accounts import passwords, sessions, sign_up, users
from webstore.application.accounts.actors import live_superuser
from webstore.application.accounts.permissions import require_superuser
from webstore.application.dto import LoginResult, Page, Principal, RefreshResult
from webstore.application.snapshots import UserSnapshot
from webstore.application.store.wiring import Number, StoreWiring

T = TypeVar("T")


class AccountUseCases(StoreWiring):
    """Sign up, log in and out, check who is calling, administer users, set passwords."""

    def register_user(self, username: str, email: str, password: str) -> Principal:
        """Sign up a customer; usernames are unique case-insensitively.

        Raises ``InvalidInput`` (see ``docs/api.md`` for the rules) or ``UsernameTaken``.
        """
        return sign_up.register_user(
            username, email, password, uow=self.uow, hasher=self.hasher, clock=self.clock
        )

    def create_superuser(self, username: str, email: str, password: str) -> Principal:
        """Create a superuser (what ``webstore create-superuser`` does); same rules as sign-up."""
        return sign_up.register_user(
            username, email, password, uow=self.uow, hasher=self.hasher, clock=self.clock,
            is_superuser=True,
        )  # fmt: skip

    def log_in(
        self, username: str, password: str, client_address: str | None = None
    ) -> LoginResult:
        """Check the password and open a login session: access, refresh and CSRF tokens.

        Raises ``InvalidCredentials`` for an unknown user, a wrong password or an inactive
        user alike, and ``Throttled`` after too many failures (``client_address`` counts too).
        Each attempt counts as a failure before its password is verified, in one step with the
        check, so the limit holds under concurrency; a success takes its own count back.
        """
        return sessions.log_in(
            username, password, client_address, uow=self.uow, hasher=self.hasher,
            tokens=self.tokens, clock=self.clock, random=self.random, policy=self.policy,
            throttle=self.throttle,
        )  # fmt: skip

    def refresh(self, refresh_token: str, csrf_token: str) -> RefreshResult:
        """Trade a refresh token (and the login's CSRF token) for new tokens.

        Refresh tokens rotate on every use; an older one shown again ends the whole login
        session (``RefreshRejected``). A rotation also brings a new CSRF token
        (``RefreshResult.csrf_token``): CSRF tokens expire after the refresh lifetime. Raises
        ``CsrfFailed`` for a CSRF token not signed for the session's user, or expired.
        """
        return sessions.refresh_session(
            refresh_token, csrf_token, uow=self.uow, tokens=self.tokens, clock=self.clock,
            policy=self.policy,
        )  # fmt: skip

    def log_out(self, refresh_token: str, csrf_token: str) -> None:
        """End the login session of ``refresh_token``; its access tokens stop working at once.

        Raises ``NotAuthenticated`` without a refresh token and ``CsrfFailed`` without a CSRF
        token or with one signed for somebody else.
        """
        sessions.log_out(
            refresh_token, csrf_token, uow=self.uow, tokens=self.tokens, clock=self.clock
        )

    def authenticate(self, access_token: str) -> Principal:
        """The principal behind an access token of a live session of an active user.

        Raises ``TokenExpired`` or ``InvalidToken``.
        """
        return sessions.authenticate(
            access_token, uow=self.uow, tokens=self.tokens, clock=self.clock
        )

    def claim(self, access_token: str) -> Principal:
        """The caller an access token names, from its signature alone: for a use case that
        rechecks the caller's login session itself before it acts (``place_order`` does).

        Raises ``TokenExpired`` or ``InvalidToken`` as ``authenticate`` does, before it reads.
        """
        return sessions.claim(access_token, tokens=self.tokens)

    def authenticated_reading(
        self, access_token: str, read: Callable[[], T]
    ) -> tuple[Principal, T]:
        """``read()``, which finds the same whoever asks, for the caller ``authenticate`` finds
        (and raising what it raises): the session may be looked up with ``read``'s first
        statement, in one round trip. What ``read`` found is returned only for a live session.
        """
        return sessions.authenticated_reading(
            access_token, read, uow=self.uow, tokens=self.tokens, clock=self.clock
        )

    def check_csrf(self, header: str | None, cookie: str | None, principal: Principal) -> None:
        """Double submit: ``header`` equals ``cookie`` and is signed for ``principal``.

        Raises ``CsrfFailed`` ("missing" when either is empty or ``None``, else "incorrect",
        also for a token older than the refresh lifetime).
        """
        sessions.check_csrf(header, cookie, principal, tokens=self.tokens)

    def require_superuser(self, actor: Principal) -> Principal:
        """``actor`` as stored now, if a live superuser; else ``PermissionDenied``."""
        require_superuser(actor)
        with self.uow(read_only=True) as work:
            return live_superuser(work, actor, self.clock.now())

    def list_users(
        self,
        actor: Principal,
        search: str | None = None,
        ids: str | Iterable[int] | None = None,
        limit: Number = None,
        offset: Number = None,
    ) -> Page[UserSnapshot]:
        """User accounts by id (superusers only); ``total`` counts every match.

        ``search`` keeps those whose username or email contains it, ignoring case and accents
        (blank: no filter); ``ids`` (integers, or text such as ``"1,2,3"``; at most 1000) keeps
        those with these ids. ``limit``/``offset`` as in ``list_products``. Raises
        ``PermissionDenied`` (before any other check) or ``InvalidInput``.
        """
        return users.list_users(actor, search, ids, limit, offset, uow=self.uow, clock=self.clock)

    def set_user_active(self, actor: Principal, user: str | int, active: bool) -> UserSnapshot:
        """Activate or deactivate a user named by username (``str``) or id (``int``);
        superusers only. Deactivating ends every session of that user at once.

        Raises ``PermissionDenied``, ``UserNotFound``, or ``LastSuperuser`` when a superuser
        would deactivate the last active superuser (``store.operator`` may).
        """
        return users.set_user_active(actor, user, active, uow=self.uow, clock=self.clock)

    def change_password(self, actor: Principal, username: str, new_password: str) -> None:
        """Set a user's password (superusers only) and end that user's sessions.

        Raises ``PermissionDenied``, ``InvalidInput`` or ``UserNotFound``.
        """
        passwords.change_password(
            actor, username, new_password, uow=self.uow, hasher=self.hasher, clock=self.clock
        )

    def change_own_password(
        self,
        actor: Principal,
        old_password: str,
        new_password: str,
        client_address: str | None = None,
    ) -> None:
        """Change one's own password: every other login session of the user ends, ``actor``'s
        stays; pending password-reset links stop working.

        Raises ``WrongPassword`` (an ``InvalidInput`` on ``old_password``) when the current
        password is not ``old_password``; that counts as a failed login, and ``Throttled``
        follows as for ``log_in``. ``InvalidInput`` when the new password breaks sign-up's
        rules; ``PermissionDenied`` for the operator, who has no password.
        """
        passwords.change_own_password(
            actor, old_password, new_password, client_address, uow=self.uow,
            hasher=self.hasher, clock=self.clock, throttle=self.throttle,
        )  # fmt: skip

    def request_password_reset(
        self, username_or_email: str, client_address: str | None = None
    ) -> None:
        """Mail a single-use reset link (``<public URL>/#reset=<token>``, valid
        ``WEBSTORE_PASSWORD_RESET_TTL`` seconds) to each active account with this username
        or address.

        Returns nothing, and takes about as long, whether or not such an account exists.
        Requests are counted per username or address and per ``client_address`` as failed
        logins are (``Throttled``); an account with three live links gets no fourth. The link
        is stored hashed, and the mail goes through the outbox.
        """
        passwords.request_password_reset(
            username_or_email, client_address, uow=self.uow, clock=self.clock,
            random=self.random, throttle=self.throttle, policy=self.mail,
        )  # fmt: skip

    def reset_password(self, token: str, new_password: str) -> None:
        """Set a new password with the token of a reset link; the link is spent, every login
        session of the user ends, and the user's failed logins are forgotten.

        Raises ``InvalidResetToken`` (an ``InvalidInput`` on ``token``) for a token that is
        unknown, used or expired, or whose user is inactive; ``InvalidInput`` for a new
        password that breaks sign-up's rules.
        """
        passwords.reset_password(
            token, new_password, uow=self.uow, hasher=self.hasher, clock=self.clock,
            throttle=self.throttle,
        )  # fmt: skip

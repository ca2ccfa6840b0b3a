"""Who is calling, and whether an unsafe request really comes from our own front end."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from flask import Response, current_app, g, request

from webstore.application.accounts.sessions import double_submitted
from webstore.application.dto import Principal
from webstore.application.errors import (
    CsrfFailed,
    InvalidToken,
    NotAuthenticated,
    StorageUnavailable,
)
from webstore.config import Settings
from webstore.entrypoints.web.json_codec import settings, webstore

P = ParamSpec("P")
R = TypeVar("R")

SCHEMES = frozenset({"token", "bearer"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REFRESH_COOKIE = "refreshtoken"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "X-CSRFToken"
ORIGIN_FAILED = "CSRF Failed: Origin checking failed - {origin} does not match any trusted origins."


def require_auth(view: Callable[P, R]) -> Callable[P, R]:
    """Authenticate (one lookup), then check CSRF on unsafe methods; the caller lands on ``g``."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = webstore()
        principal = store.authenticate(bearer_token())
        if request.method not in SAFE_METHODS:
            store.check_csrf(*unsafe_request_csrf(), principal)
        g.principal = principal
        return view(*args, **kwargs)

    return wrapper


def require_auth_rechecked(view: Callable[P, R]) -> Callable[P, R]:
    """``require_auth`` for a view whose use case rechecks the caller's login session in its
    own transaction before it changes anything (``place_order``): the token's signature and
    CSRF are checked here, the session only there, one read and one round trip less.

    The answers stay those of ``require_auth``, in its order: whatever the view fails with
    first (CSRF, the body, validation), authentication is checked as ``require_auth`` would
    have, and its refusal answers instead. The recheck's own refusal (``PrincipalRevoked``, as
    "Invalid token.") and an outage answer as they are. A view that may answer without such a
    recheck (a replay of an Idempotency-Key) calls ``authenticated`` first.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = webstore()
        g.principal, g.claimed = store.claim(bearer_token()), True
        try:
            store.check_csrf(*unsafe_request_csrf(), g.principal)
            return view(*args, **kwargs)
        except (InvalidToken, NotAuthenticated, StorageUnavailable):
            raise  # already authentication's answer (the recheck's), or an outage's
        except Exception:
            authenticated()
            raise

    return wrapper


def authenticated() -> Principal:
    """The caller as ``require_auth`` finds it (its login session read now, if only claimed
    so far), on ``g`` as well."""
    if g.get("claimed"):
        g.principal, g.claimed = webstore().authenticate(bearer_token()), False
    principal: Principal = g.principal
    return principal


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal


def bearer_token() -> str:
    """The token of ``Authorization: Token <t>`` or ``Bearer <t>`` (scheme in any case)."""
    return token_in(request.headers.get("Authorization", ""))


def token_in(authorization: str) -> str:
    """``bearer_token`` of an ``Authorization`` header's value."""
    parts = authorization.split()
    if not parts or parts[0].lower() not in SCHEMES:
        raise NotAuthenticated()
    if len(parts) != 2:
        raise InvalidToken()  # no token, or one with spaces in it
    return parts[1]


def unsafe_request_csrf() -> tuple[str | None, str | None]:
    """The CSRF header and cookie of an unsafe request from a trusted origin.

    The Origin check comes first, before the tokens are looked at, as in Django's
    ``CsrfViewMiddleware.process_view``. Every CSRF-protected request passes here (after
    authentication); ``sign_in`` and ``login_view`` are CSRF-exempt and do not, as Django's
    ``csrf_exempt`` views skip the Origin check too.
    """
    check_origin()
    return request.headers.get(CSRF_HEADER), request.cookies.get(CSRF_COOKIE)


def check_origin() -> None:
    """Refuse an ``Origin`` that is neither this host nor a configured CORS origin.

    An absent header passes (non-browser clients, older browsers), as in Django; an empty one
    or ``null`` (sandboxed frames, some redirects) never matches.
    """
    origin = request.headers.get("Origin")
    if origin is None or origin == own_origin():
        return
    if origin != "null" and origin in settings().cors_origins:
        return
    raise CsrfFailed(ORIGIN_FAILED.format(origin=origin))


def own_origin() -> str:
    """``scheme://host[:port]`` of this request, as Django builds it from ``get_host()``."""
    return f"{request.scheme}://{request.host}"


def double_submitted_csrf() -> str:
    """A present CSRF header equal to the cookie (its signature is checked by the use case)."""
    return double_submitted(*unsafe_request_csrf())


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    """The attributes of the two login cookies, worked out once from the settings."""

    refresh: dict[str, Any]
    csrf: dict[str, Any]

    @classmethod
    def from_settings(cls, settings: Settings) -> CookiePolicy:
        common = {
            "max_age": settings.refresh_token_ttl,
            "domain": settings.cookie_domain,
            "secure": settings.cookie_secure,
            "samesite": "Lax",
        }
        return cls(
            refresh={**common, "path": "/api", "httponly": True},
            csrf={**common, "path": "/", "httponly": False},
        )

    def set_refresh(self, response: Response, token: str) -> None:
        response.set_cookie(REFRESH_COOKIE, token, **self.refresh)

    def set_csrf(self, response: Response, token: str) -> None:
        response.set_cookie(CSRF_COOKIE, token, **self.csrf)

    @staticmethod
    def current() -> CookiePolicy:
        policy: CookiePolicy = current_app.extensions["webstore.cookies"]
        return policy

    def clear(self, response: Response) -> None:
        for name, attributes in ((REFRESH_COOKIE, self.refresh), (CSRF_COOKIE, self.csrf)):
            kept = {key: value for key, value in attributes.items() if key != "max_age"}
            response.delete_cookie(name, **kept)

"""The two listings front ends poll, answered in front of Flask when the request is plain.

``GET /api/get_all_products`` and ``GET /api/get_order`` are most of a shop's traffic, and once
a worker keeps the encoded listing, Flask's request machinery (the request and app contexts,
the hooks, the response object) costs more than the work itself: authenticating the token
(one read of its login session), reading the listing's version, copying the kept bytes. A
plain request (GET, no query string, no body, a well-formed ``Authorization`` header) is
answered here through the very same use cases, listing cache and encoders as the views use,
with the headers the app would add. Anything else goes to Flask, which answers it as always,
and so does a request these use cases refuse (a bad token, say): Flask's own checks decide
what it hears (counted in ``/metrics``). A failure is not tried again: the database being
unreachable (503) or anything unexpected (500) is answered at once by the app's own error
handlers and hooks, exactly as the view would have been, and no client waits twice for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask

from webstore.application.dto import Principal
from webstore.application.errors import StorageUnavailable
from webstore.application.store import Webstore
from webstore.domain.errors import WebstoreError
from webstore.entrypoints.serve.observability import ROUTE, USER
from webstore.entrypoints.web.api.orders import orders_listed
from webstore.entrypoints.web.api.products import all_products
from webstore.entrypoints.web.cors import granted
from webstore.entrypoints.web.fast_listings.cache import Listing, ListingCache
from webstore.entrypoints.web.headers import NOSNIFF
from webstore.entrypoints.web.security import token_in

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from webstore.entrypoints.serve.metrics import Metrics

ListingOf = Callable[[Webstore, Principal, Mapping[str, str]], Listing[Any]]
ROUTES: dict[str, ListingOf] = {
    "/api/get_all_products": all_products,
    "/api/get_order": orders_listed,
}
# Listings that are the same whoever asks: read with the caller's session, in one round trip.
FOR_ANYONE = frozenset({"/api/get_all_products"})
NO_ARGUMENTS: Mapping[str, str] = {}
ANYONE = Principal(0, "", "", is_superuser=False)  # given to a listing that looks at nobody


class FastListings:
    """WSGI middleware in front of ``app``'s own ``wsgi_app`` (see the module)."""

    def __init__(self, app: Flask, following: WSGIApplication, cors_origins: Iterable[str]) -> None:
        self._app = app
        self._store: Webstore = app.extensions["webstore"]
        self._cache: ListingCache = app.extensions["webstore.listing_cache"]
        self.following = following  # the app behind it, which answers all the rest
        self._cors = frozenset(cors_origins)
        # The app answers /x and /x/ alike (strict_slashes is off); the route is named /x.
        self._routes = {
            spelled: (path, listing)
            for path, listing in ROUTES.items()
            for spelled in (path, path + "/")
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        route = self._routes.get(environ.get("PATH_INFO", ""))
        if route is None or not _plain(environ):
            return self.following(environ, start_response)
        principal: Principal | None = None
        try:
            token = token_in(environ["HTTP_AUTHORIZATION"])
            path, listing = route
            with self._store.reading_together():
                if path in FOR_ANYONE:
                    principal, (body, total) = self._store.authenticated_reading(
                        token,
                        lambda: self._cache.encoded(*listing(self._store, ANYONE, NO_ARGUMENTS)),
                    )
                else:
                    principal = self._store.authenticate(token)
                    body, total = self._cache.encoded(
                        *listing(self._store, principal, NO_ARGUMENTS)
                    )
        except StorageUnavailable as error:
            return self._answer_as_the_app(error, principal, environ, start_response)
        except WebstoreError as refused:  # the app's checks decide what the client hears
            self._count_fallback(refused)
            return self.following(environ, start_response)
        except Exception as error:  # not tried again: it would fail again, slowly
            return self._answer_as_the_app(error, principal, environ, start_response)
        environ[ROUTE], environ[USER] = route[0], principal.user_id  # for the access line
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("X-Total-Count", total),
            NOSNIFF,
        ]
        if self._cors:
            headers.append(("Vary", "Origin"))
            headers.extend(granted(environ.get("HTTP_ORIGIN"), self._cors, False).items())
        start_response("200 OK", headers)
        return [body]

    def _answer_as_the_app(
        self,
        error: Exception,
        principal: Principal | None,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """What the app answers when its view raises ``error``: its error handlers (logs and
        counters too) and its after-request hooks, in a request context of its own."""
        app = self._app
        with app.request_context(environ):
            response = app.finalize_request(app.handle_user_exception(error))
        if principal is not None:
            environ[USER] = principal.user_id
        return response(environ, start_response)

    def _count_fallback(self, refused: Exception) -> None:
        metrics: Metrics | None = self._app.extensions.get("webstore.metrics")
        if metrics is not None:
            metrics.fast_listing_fallbacks.labels(type(refused).__name__).inc()


def _plain(environ: WSGIEnvironment) -> bool:
    """A GET with a token, and nothing for the app's other hooks to look at: no query string
    and no body."""
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and not environ.get("QUERY_STRING")
        and environ.get("CONTENT_LENGTH") in (None, "", "0")
        and "HTTP_TRANSFER_ENCODING" not in environ
        and "HTTP_AUTHORIZATION" in environ
    )

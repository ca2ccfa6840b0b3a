"""The Flask app factory: ``gunicorn "webstore.entrypoints.web.app:create_app()"``.

With gevent's workers (``-k gevent``), say so: ``create_app(concurrency='cooperative')``.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from webstore.application.store import Webstore
from webstore.bootstrap import bootstrap
from webstore.concurrency import Concurrency
from webstore.config import Settings
from webstore.entrypoints.serve import observability
from webstore.entrypoints.serve.whole_bodies import WholeBodies
from webstore.entrypoints.web import cors, errors, headers
from webstore.entrypoints.web.api import (
    auth,
    catalogue,
    media,
    orders,
    passwords,
    pictures,
    products,
    users,
)
from webstore.entrypoints.web.api import health as meta
from webstore.entrypoints.web.fast_listings import cache as listing_cache
from webstore.entrypoints.web.fast_listings.answers import FastListings
from webstore.entrypoints.web.ids import IdConverter
from webstore.entrypoints.web.json_codec import (
    READ_LIMIT,
    SHARED_READS,
    CompactJsonProvider,
    JsonResponse,
    body_limit,
    route_body_limit,
    stop_reading_together,
    webstore,
)
from webstore.entrypoints.web.openapi import views as docs
from webstore.entrypoints.web.pages import views as pages
from webstore.entrypoints.web.security import CookiePolicy

if TYPE_CHECKING:
    from webstore.entrypoints.serve.metrics import Metrics


class WebstoreFlask(Flask):
    response_class = JsonResponse
    json_provider_class = CompactJsonProvider

    def make_default_options_response(self) -> Response:
        """Flask's automatic OPTIONS answer, with a JSON body as DRF's metadata has."""
        response = JsonResponse.of(
            {"renders": ["application/json"], "parses": ["application/json"]}
        )
        response.allow.update(super().make_default_options_response().allow)
        return response

    def handle_user_exception(self, e: Exception) -> Any:
        observability.saw_error(e)  # security events and counters, before the error handlers
        return super().handle_user_exception(e)


def create_app(
    settings: Settings | None = None,
    webstore: Webstore | None = None,
    *,
    concurrency: Concurrency | str = Concurrency.THREADS,
) -> Flask:
    """The HTTP API over ``webstore`` (built from ``settings``, or the environment, if absent,
    for a server whose workers run as ``concurrency`` says: ``Concurrency``, or its value)."""
    settings = settings or Settings.from_env()
    # No automatic /static route: pages.py serves the assets, with their security headers.
    app = WebstoreFlask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = READ_LIMIT
    app.url_map.strict_slashes = False  # /api/x and /api/x/ both answer, without a redirect
    app.url_map.merge_slashes = False  # no redirect (an HTML page) for /api//x either
    app.url_map.converters["id"] = IdConverter
    app.extensions["webstore"] = webstore or bootstrap(
        settings, concurrency=Concurrency(concurrency)
    )
    app.extensions["webstore.settings"] = settings
    app.extensions["webstore.cookies"] = CookiePolicy.from_settings(settings)
    app.before_request(read_together)
    app.teardown_request(stop_reading_together)
    app.before_request(refuse_large_bodies)
    listing_cache.init_app(app)
    # Bodies are read whole before Flask sees a request, so no transaction waits on a client.
    app.wsgi_app = WholeBodies(  # type: ignore[method-assign]
        app.wsgi_app, limit=lambda environ: route_body_limit(app, environ)
    )
    # Plain requests for the two polled listings are answered before Flask (fast_listings.py);
    # the access line, request id and metrics wrap them as they wrap every request.
    app.wsgi_app = FastListings(app, app.wsgi_app, settings.cors_origins)  # type: ignore[method-assign]
    observability.init_app(app, _metrics(app) if settings.metrics else None)
    if settings.trusted_proxies > 0:
        # The client address (login throttling) is the N-th X-Forwarded-For entry from the
        # right. Only that header: X-Forwarded-Proto/Host/Port/Prefix stay unbelieved, so the
        # Origin check keeps comparing with the Host the request really named.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=0, x_host=0, x_port=0, x_prefix=0
        )
    errors.init_app(app)
    headers.init_app(app)
    cors.init_app(app, settings.cors_origins)
    blueprints = (
        auth.bp, passwords.bp, products.bp, pictures.bp, catalogue.bp, orders.bp, users.bp,
        meta.bp,
    )  # fmt: skip
    for blueprint in (*blueprints, media.bp):
        app.register_blueprint(blueprint)
    docs.init_app(app)
    pages.init_app(app)
    return app


def _metrics(app: Flask) -> Metrics:
    from webstore.entrypoints.serve import metrics

    return metrics.init_app(app)


def read_together() -> None:
    """A request's reads share one transaction (authentication and what the view reads)."""
    stack = ExitStack()
    stack.enter_context(webstore().reading_together())
    setattr(g, SHARED_READS, stack)


def refuse_large_bodies() -> None:
    """413 for a declared length over the limit, even where the view never reads the body.

    A body without a declared length (chunked) is cut off as it is read: see ``whole_bodies``.
    The limit is 1 MiB, or more for an upload route (``http.larger_body``).
    """
    limit = body_limit()
    request.max_content_length = limit + 1  # where werkzeug cuts a body off (see READ_LIMIT)
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()

"""Sign up, log in, refresh, log out, and who am I."""

from __future__ import annotations

from flask import Blueprint, Response, request

from webstore.application.errors import NotAuthenticated
from webstore.entrypoints.web.api import serializers
from webstore.entrypoints.web.bodies import fields_of
from webstore.entrypoints.web.headers import no_store
from webstore.entrypoints.web.json_codec import JsonResponse, json_object, webstore
from webstore.entrypoints.web.openapi.request_schemas import LoginSchema, SignInSchema
from webstore.entrypoints.web.security import (
    REFRESH_COOKIE,
    CookiePolicy,
    check_origin,
    current_principal,
    double_submitted_csrf,
    require_auth,
)

bp = Blueprint("auth", __name__, url_prefix="/api")
SIGN_IN = SignInSchema()
LOGIN = LoginSchema()


@bp.post("/sign_in")
def sign_in() -> tuple[dict[str, str], int]:
    data = json_object()
    webstore().register_user(*fields_of(data, SIGN_IN))
    return serializers.SIGNED_IN, 200


@bp.post("/login_view")
def login_view() -> Response:
    username, password = fields_of(json_object(), LOGIN)
    # remote_addr is the socket's peer, or what ProxyFix took from X-Forwarded-For for the
    # configured number of trusted proxies (flask_app.create_app).
    result = webstore().log_in(username, password, request.remote_addr)
    response = JsonResponse.of(
        {"access_token": result.access_token, "user": serializers.user(result.user)}
    )
    cookies = CookiePolicy.current()
    cookies.set_refresh(response, result.refresh_token)
    cookies.set_csrf(response, result.csrf_token)
    return no_store(response)


@bp.post("/refresh_token")
def refresh_token() -> Response:
    token = request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise NotAuthenticated()
    csrf_token = double_submitted_csrf()
    result = webstore().refresh(token, csrf_token)
    response = JsonResponse.of({"access_token": result.access_token})
    if result.refresh_token is not None:  # None: a grace-period reuse keeps the newest cookie
        cookies = CookiePolicy.current()
        cookies.set_refresh(response, result.refresh_token)
        # The session slides with every rotation; the CSRF cookie must live as long, and its
        # token (which expires after the refresh lifetime) is renewed with it.
        cookies.set_csrf(response, result.csrf_token or csrf_token)
    return no_store(response)


@bp.post("/logout")
def logout() -> Response:
    check_origin()  # like every unsafe request, cookie or not: no other site clears them
    token = request.cookies.get(REFRESH_COOKIE)
    if token:
        webstore().log_out(token, double_submitted_csrf())
    response = JsonResponse.of(serializers.LOGGED_OUT)
    CookiePolicy.current().clear(response)
    return response


@bp.get("/me")
@require_auth
def me() -> dict[str, object]:
    return serializers.me(current_principal())

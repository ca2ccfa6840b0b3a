"""Every endpoint of docs/api.md once, and the subsets the tests sweep."""

from __future__ import annotations

EVERY_PATH = [
    ("POST", "/api/sign_in"),
    ("POST", "/api/login_view"),
    ("POST", "/api/refresh_token"),
    ("POST", "/api/logout"),
    ("GET", "/api/get_all_products"),
    ("GET", "/api/get_order"),
    ("POST", "/api/post_order"),
    ("GET", "/api/me"),
    ("POST", "/api/change_password"),
    ("POST", "/api/password_reset"),
    ("POST", "/api/password_reset/confirm"),
    ("GET", "/api/products/1"),
    ("POST", "/api/products"),
    ("PATCH", "/api/products/1"),
    ("DELETE", "/api/products/1"),
    ("POST", "/api/orders/1/complete"),
    ("POST", "/api/orders/1/cancel"),
    ("GET", "/api/health"),
]
# Not behind an access token: signing up and in, the cookie-driven ones, and the health check.
_OPEN = {
    "/api/sign_in", "/api/login_view", "/api/refresh_token", "/api/logout", "/api/health",
    "/api/password_reset", "/api/password_reset/confirm",
}  # fmt: skip
PROTECTED = [(method, path) for method, path in EVERY_PATH if path not in _OPEN]
UNSAFE = [(method, path) for method, path in PROTECTED if method != "GET"]

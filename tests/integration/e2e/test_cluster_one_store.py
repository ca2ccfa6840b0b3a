"""Two nodes behind nginx behave as one store: sessions and throttling live in the database."""

from __future__ import annotations

import pytest
import requests

from deploy.cluster import Cluster
from tests.integration.e2e.shoppers import PASSWORD, post_from

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REVOKED = {"detail": "expired refresh token, please login again."}


def log_in_through_proxy(cluster: Cluster, username: str) -> tuple[requests.Session, str]:
    """A browser that signed up and logged in at the public address: cookies and token."""
    api = f"{cluster.url}/api"
    email = f"{username}@example.com"
    signed = requests.post(
        f"{api}/sign_in", json={"username": username, "password": PASSWORD, "email": email}
    )
    assert signed.status_code == 200, signed.text
    browser = requests.Session()
    login = browser.post(f"{api}/login_view", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return browser, login.json()["access_token"]


def refresh_on(base_url: str, browser: requests.Session) -> requests.Response:
    # One cookie jar for every port: cookies belong to the host, as in a browser.
    csrf = browser.cookies["csrftoken"]
    return browser.post(f"{base_url}/api/refresh_token", headers={"X-CSRFTOKEN": csrf})


def me_on(base_url: str, token: str) -> requests.Response:
    return requests.get(f"{base_url}/api/me", headers={"Authorization": f"Token {token}"})


def test_a_session_refreshes_on_either_node(cluster: Cluster) -> None:
    a, b = cluster.nodes
    browser, _ = log_in_through_proxy(cluster, "alice")

    tokens = []
    for node in (a, b, a):
        before = browser.cookies["refreshtoken"]
        refreshed = refresh_on(node.url, browser)
        assert refreshed.status_code == 200, refreshed.text
        assert browser.cookies["refreshtoken"] != before
        tokens.append(refreshed.json()["access_token"])

    for token in tokens:
        assert me_on(b.url, token).json()["username"] == "alice"
        assert me_on(a.url, token).status_code == 200


def test_a_replayed_refresh_token_on_one_node_ends_the_session_on_both(cluster: Cluster) -> None:
    a, b = cluster.nodes
    browser, _ = log_in_through_proxy(cluster, "bob")
    stolen = browser.cookies["refreshtoken"]
    csrf = browser.cookies["csrftoken"]
    assert refresh_on(b.url, browser).status_code == 200
    latest = refresh_on(a.url, browser)  # the stolen token is now two rotations old
    assert latest.status_code == 200
    access = latest.json()["access_token"]

    replay = requests.post(
        f"{a.url}/api/refresh_token",
        headers={"X-CSRFTOKEN": csrf, "Cookie": f"csrftoken={csrf}; refreshtoken={stolen}"},
    )

    assert (replay.status_code, replay.json()) == (403, REVOKED)
    owner = refresh_on(b.url, browser)
    assert (owner.status_code, owner.json()) == (403, REVOKED)
    for node in (a, b):
        assert me_on(node.url, access).json() == {"detail": "Invalid token."}


def test_a_logout_on_one_node_refuses_the_access_token_on_the_other_at_once(
    cluster: Cluster,
) -> None:
    a, b = cluster.nodes
    browser, access = log_in_through_proxy(cluster, "carol")
    assert me_on(a.url, access).status_code == 200

    out = browser.post(f"{b.url}/api/logout", headers={"X-CSRFTOKEN": browser.cookies["csrftoken"]})

    assert out.json() == {"detail": "Successfully logged out."}
    refused = me_on(a.url, access)
    assert (refused.status_code, refused.json()) == (403, {"detail": "Invalid token."})


def test_failed_logins_are_counted_per_client_address_as_nginx_saw_it(cluster: Cluster) -> None:
    login = f"{cluster.url}/api/login_view"
    for n in range(50):  # WEBSTORE_LOGIN_FAILURES_PER_ADDRESS, over both nodes
        # A made-up X-Forwarded-For changes nothing: nginx appends the address it saw, and
        # the nodes believe that one hop only.
        spoof = {"X-Forwarded-For": f"198.51.100.{n}"}
        answer = post_from("127.0.0.2", login, {"username": f"ghost-{n}", "password": "x"}, spoof)
        assert answer == (403, {"detail": "user not found"})

    blocked = post_from(
        "127.0.0.2", login, {"username": "ghost-new", "password": "x"}, {"X-Forwarded-For": "::1"}
    )
    elsewhere = post_from("127.0.0.3", login, {"username": "ghost-new", "password": "x"}, {})

    assert blocked[0] == 429
    assert blocked[1]["detail"].startswith("Request was throttled.")
    assert elsewhere == (403, {"detail": "user not found"})


def test_failed_logins_for_a_username_are_counted_across_nodes(cluster: Cluster) -> None:
    a, b = cluster.nodes
    log_in_through_proxy(cluster, "dave")
    for n, base in enumerate((a.url, b.url, cluster.url, a.url, b.url)):
        wrong = {"username": "DAVE" if n % 2 else "dave", "password": "wrong"}
        assert requests.post(f"{base}/api/login_view", json=wrong).status_code == 403

    for base in (a.url, b.url, cluster.url):
        right = requests.post(
            f"{base}/api/login_view", json={"username": "dave", "password": PASSWORD}
        )
        assert right.status_code == 429, right.text


def test_the_origin_check_sees_the_host_the_browser_named(cluster: Cluster) -> None:
    browser, _ = log_in_through_proxy(cluster, "erin")
    csrf = {"X-CSRFTOKEN": browser.cookies["csrftoken"]}

    own = browser.post(f"{cluster.url}/api/refresh_token", headers={**csrf, "Origin": cluster.url})
    foreign = browser.post(
        f"{cluster.url}/api/refresh_token", headers={**csrf, "Origin": "http://127.0.0.1:1"}
    )

    assert own.status_code == 200, own.text
    assert foreign.status_code == 403
    assert "Origin checking failed" in foreign.json()["detail"]

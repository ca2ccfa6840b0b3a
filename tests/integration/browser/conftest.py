"""A real Chromium (Debian's, through Playwright) against a real ``webstore serve`` process."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)
from playwright.sync_api import Request as BrowserRequest

from tests.integration.browser.steps import PASSWORD
from tests.integration.e2e.conftest import Launched, Server, Stopping, hand_over, launch

CHROMIUM = Path(os.environ.get("WEBSTORE_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parents[3] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ADMIN = ("root", "root password 1")
TIMEOUT_MS = 15_000


def require(path: Path, what: str) -> Path:
    """``path``, or skip (fail in CI, where WEBSTORE_REQUIRE_BROWSER=1) without it."""
    if not path.exists():
        reason = f"{what} is missing at {path}: install it as .ci/run does"
        if os.environ.get("WEBSTORE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    require(CHROMIUM, "Chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def server(request: pytest.FixtureRequest, spares: Spares, stopping: Stopping) -> Iterator[Server]:
    """A fresh server; parametrize it indirectly with settings: ``{"access_token_ttl": "1"}``.

    It was started while the test before ran (``Spares``), and stops while the next test runs
    (``stopping``)."""
    launched = spares.take(request.node, settings_of(request.node))
    after = following(request.node)
    if after is not None:
        spares.prepare(after)
    try:
        yield from hand_over(launched, stopping)
    finally:
        spares.with_superuser.discard(launched.server.base_url)


def settings_of(item: pytest.Item) -> dict[str, str]:
    callspec = getattr(item, "callspec", None)
    settings: dict[str, str] = {} if callspec is None else callspec.params.get("server", {})
    return settings


NEXT_ITEM = pytest.StashKey[pytest.Item | None]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Note which test runs next, for ``Spares``."""
    item.stash[NEXT_ITEM] = nextitem


def following(item: pytest.Item) -> pytest.Item | None:
    """The test that runs after ``item``, if it is one of this folder's with a server."""
    after = item.stash.get(NEXT_ITEM, None)
    if after is None or "server" not in getattr(after, "fixturenames", ()):
        return None
    return after if Path(__file__).parent in after.path.parents else None


class Spares:
    """Each test's fresh server, started (and its superuser made, if the test has ``staff``)
    while the test before it runs: starting one takes seconds, mostly of waiting.

    A spare made for a test that does not take it (a failure stopped the run) is stopped."""

    def __init__(self, folders: pytest.TempPathFactory, stopping: Stopping) -> None:
        self._folders = folders
        self._stopping = stopping
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spare-server")
        self._spare: tuple[str, Future[Launched]] | None = None
        self.with_superuser: set[str] = set()  # base URLs

    def prepare(self, item: pytest.Item) -> None:
        self.discard()
        staff = "staff" in getattr(item, "fixturenames", ())
        started = self._pool.submit(self._start, settings_of(item), staff)
        self._spare = (item.nodeid, started)

    def take(self, item: pytest.Item, settings: dict[str, str]) -> Launched:
        """``item``'s spare, or a server started now."""
        if self._spare is not None and self._spare[0] == item.nodeid:
            started, self._spare = self._spare[1], None
            return started.result()
        self.discard()
        return self._start(settings, staff=False)

    def discard(self) -> None:
        if self._spare is not None:
            started, self._spare = self._spare[1], None
            with contextlib.suppress(Exception):  # one that failed to start is stopped
                self._stopping.stop(started.result().process)

    def close(self) -> None:
        self.discard()
        self._pool.shutdown()

    def _start(self, settings: dict[str, str], staff: bool) -> Launched:
        folder = self._folders.mktemp("server")
        launched = launch(f"sqlite:///{folder}/webstore.db", folder / "server.log", **settings)
        server = launched.ready()
        if staff:
            try:
                make_superuser(server)
            except BaseException:
                self._stopping.stop(launched.process)
                raise
            self.with_superuser.add(server.base_url)
        return launched


@pytest.fixture(scope="session")
def spares(tmp_path_factory: pytest.TempPathFactory, stopping: Stopping) -> Iterator[Spares]:
    made = Spares(tmp_path_factory, stopping)
    yield made
    made.close()


@dataclass
class Shop:
    """One browser profile (cookies, localStorage) on the server, with what its pages did."""

    server: Server
    context: BrowserContext
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> Page:
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.goto(self.server.base_url + path)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def watch(self, request: BrowserRequest) -> None:
        if urlsplit(request.url).netloc != urlsplit(self.server.base_url).netloc:
            self.foreign_requests.append(request.url)


@pytest.fixture
def shop(browser: Browser, server: Server) -> Iterator[Shop]:
    yield from open_shop(browser, server)


def open_shop(browser: Browser, server: Server, **options: Any) -> Iterator[Shop]:
    context = browser.new_context(viewport=DESKTOP, **options)
    context.set_default_timeout(TIMEOUT_MS)
    shop = Shop(server, context)
    context.on("request", shop.watch)
    try:
        yield shop
    finally:
        context.close()
    # Every test, whatever it checks, also checks that no script failed and that nothing was
    # asked of another host.
    assert shop.page_errors == []
    assert shop.foreign_requests == []


@pytest.fixture
def second_shop(browser: Browser, server: Server) -> Iterator[Shop]:
    """Another browser profile on the same server: another person."""
    yield from open_shop(browser, server)


@pytest.fixture
def axe_source() -> str:
    return require(AXE, "axe-core").read_text()


class Staff:
    """The API as a superuser, to set the scene (the back office tests use the page itself)."""

    def __init__(self, server: Server) -> None:
        self.api = f"{server.base_url}/api"
        self.session = requests.Session()
        self.headers: dict[str, str] = {}
        self.log_in()

    def log_in(self) -> None:
        login = self.session.post(
            f"{self.api}/login_view", json={"username": ADMIN[0], "password": ADMIN[1]}
        )
        assert login.status_code == 200, login.text
        self.headers = {
            "Authorization": f"Token {login.json()['access_token']}",
            "X-CSRFToken": self.session.cookies["csrftoken"],
        }

    def send(self, method: str, url: str, **options: Any) -> requests.Response:
        """One staff request; logs in again first if a server with a short access-token
        lifetime has expired the staff's token (a slow machine can take longer than it)."""
        sent = self.session.request(method, url, headers=self.headers, **options)
        if sent.status_code == 403 and "access_token expired" in sent.text:
            self.log_in()
            sent = self.session.request(method, url, headers=self.headers, **options)
        return sent

    def add_product(self, name: str, price: str = "9.99", amount: int = 5, **extra: Any) -> int:
        body = {"name": name, "price": price, "amount": amount, **extra}
        created = self.send("POST", f"{self.api}/products", json=body)
        assert created.status_code == 201, created.text
        product_id: int = created.json()["id"]
        return product_id

    def product(self, product_id: int) -> dict[str, Any]:
        found = self.send("GET", f"{self.api}/products/{product_id}")
        assert found.status_code == 200, found.text
        body: dict[str, Any] = found.json()
        return body

    def set_picture(self, product_id: int, data: bytes) -> dict[str, Any]:
        url = f"{self.api}/products/{product_id}/image"
        files = {"image": ("picture.jpg", data, "image/jpeg")}
        sent = self.send("POST", url, files=files, timeout=60)
        assert sent.status_code == 200, sent.text
        body: dict[str, Any] = sent.json()
        return body

    def orders(self) -> list[dict[str, Any]]:
        listed = self.send("GET", f"{self.api}/get_order")
        assert listed.status_code == 200, listed.text
        body: list[dict[str, Any]] = listed.json()
        return body

    def user_id(self, username: str) -> int:
        found = self.send("GET", f"{self.api}/users", params={"search": username})
        assert found.status_code == 200, found.text
        (user,) = [user for user in found.json() if user["username"] == username]
        user_id: int = user["id"]
        return user_id

    def set_active(self, username: str, active: bool) -> None:
        action = "activate" if active else "deactivate"
        url = f"{self.api}/users/{self.user_id(username)}/{action}"
        changed = self.send("POST", url)
        assert changed.status_code == 200, changed.text


def make_superuser(server: Server) -> None:
    created = server.cli(
        "create-superuser", "--username", ADMIN[0], "--email", "root@example.com",
        "--password-stdin", stdin=ADMIN[1] + "\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr


@pytest.fixture
def staff(server: Server, spares: Spares) -> Staff:
    if server.base_url not in spares.with_superuser:  # made with the spare, or now
        make_superuser(server)
    return Staff(server)


def customer(server: Server, username: str, *orders: dict[int, int]) -> requests.Session:
    """Sign ``username`` up through the API and place ``orders`` ({product id: amount})."""
    api = f"{server.base_url}/api"
    session = requests.Session()
    body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    signed = session.post(f"{api}/sign_in", json=body, timeout=30)
    assert signed.status_code == 200, signed.text
    login = session.post(
        f"{api}/login_view", json={"username": username, "password": PASSWORD}, timeout=30
    )
    assert login.status_code == 200, login.text
    session.headers.update(
        Authorization=f"Token {login.json()['access_token']}",
        **{"X-CSRFToken": session.cookies["csrftoken"]},
    )
    for lines in orders:
        items = [{"product_id": product, "amount": amount} for product, amount in lines.items()]
        placed = session.post(
            f"{api}/post_order",
            json={"address": "1 Rabbit Hole", "phone": "+44 20 7946 0000", "items": items},
            timeout=30,
        )
        assert placed.status_code == 201, placed.text
    return session

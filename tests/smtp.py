"""A real SMTP server for the tests (aiosmtpd, in a thread), which keeps what it was given."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Handler:
    """Takes every message, except for recipients told to be refused (with their reply)."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    quit_reply: str | None = None  # e.g. a 421 instead of the 221 that ends a session

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        return self.quit_reply or "221 Bye"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def check(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        given = (
            (data.login.decode(), data.password.decode())
            if isinstance(data, LoginPassword)
            else None
        )
        # handled=False: the server answers a refusal with its 535 itself.
        return AuthResult(success=given == (self.username, self.password), handled=False)


@contextmanager
def smtp_server(
    handler: Handler | None = None,
    port: int | None = None,
    *,
    certificate: tuple[Path, Path] | None = None,
    implicit_tls: bool = False,
    credentials: Credentials | None = None,
) -> Iterator[tuple[Handler, int]]:
    """A server on 127.0.0.1 (``port``, or a free one) until the block ends.

    With ``certificate`` (cert, key) it offers STARTTLS, or speaks TLS from the start with
    ``implicit_tls``; with ``credentials`` it requires AUTH (over TLS only).
    """
    handler = handler or Handler()
    port = port or free_port()
    tls = None
    if certificate is not None:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(*certificate)
    options: dict[str, Any] = {}
    if tls is not None and not implicit_tls:
        options.update(tls_context=tls, require_starttls=True)
    if credentials is not None:
        # PLAIN only: smtplib tries LOGIN after a refused PLAIN, which aiosmtpd leaves waiting.
        options.update(
            authenticator=credentials.check,
            auth_required=True,
            auth_exclude_mechanism=["LOGIN"],
            auth_require_tls=not implicit_tls,  # with implicit TLS the channel is TLS already
        )
    with warnings.catch_warnings():
        # aiosmtpd takes AUTH without STARTTLS for insecure; with implicit TLS it is not.
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            ssl_context=tls if implicit_tls else None,
            **options,
        )
        controller.start()
        try:
            yield handler, port
        finally:
            controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word: a mail server that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key

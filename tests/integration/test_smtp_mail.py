"""Mail through a real SMTP server (aiosmtpd): plain, STARTTLS with a login, TLS, refusals,
a server that hangs, and one that is down and comes back."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import fast_settings
from tests.fakes import FakeClock
from tests.integration.persistence.helpers import POSTGRES, add_product, add_user
from tests.smtp import Credentials, Handler, free_port, self_signed_certificate, silent_server
from tests.smtp import smtp_server as running_smtp
from webstore import Principal, bootstrap
from webstore.adapters.mail import SmtpMailer, mailer_for
from webstore.adapters.mail.smtp import smtp_server
from webstore.adapters.sql.operator.migrations import upgrade
from webstore.application.errors import MailNotSent, MailRejected, MailServerUnavailable
from webstore.application.mail.delivery import DeliveryOutcome
from webstore.domain.mail import Mail, MailKind, OutboxMessage

WHEN = datetime(2026, 11, 26, 20, 12, 30, tzinfo=UTC)
SENDER = "Red Chairs <shop@example.com>"
# A login with characters that must be percent-encoded in a URL (smtplib logs in in ASCII).
LOGIN = Credentials("shop@example.com", "p@ss:w/rd% #?")
LOGIN_IN_URL = "shop%40example.com:p%40ss%3Aw%2Frd%25%20%23%3F"


def message(to: str = "alice@example.com", message_id: int = 7) -> OutboxMessage:
    mail = Mail(MailKind.ORDER_CONFIRMATION, to, "Your order #7", "Hello Alice,\n\nTotal: 39.98\n")
    return OutboxMessage(mail, created_at=WHEN, due_at=WHEN, id=message_id)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def trusting(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def test_a_message_reaches_a_plain_smtp_server_as_composed() -> None:
    with running_smtp() as (handler, port):
        mailer_for(f"smtp://127.0.0.1:{port}", SENDER).send(message())

    [received] = handler.received
    assert (received.sender, received.recipients) == ("shop@example.com", ["alice@example.com"])
    assert received.message["Subject"] == "Your order #7"
    assert received.message["From"] == SENDER
    assert received.message["Message-ID"].startswith("<webstore.7.")
    assert "Total: 39.98" in received.message.get_content()


def test_a_message_the_server_took_counts_as_sent_however_the_goodbye_goes() -> None:
    handler = Handler(quit_reply="421 Shutting down")
    with running_smtp(handler) as (_, port):
        mailer_for(f"smtp://127.0.0.1:{port}", SENDER).send(message())  # no error: sent

    assert len(handler.received) == 1


def test_starttls_and_a_percent_encoded_login_are_used_and_the_certificate_checked(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The documented way to trust a private CA: the standard SSL_CERT_FILE variable.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with running_smtp(certificate=certificate, credentials=LOGIN) as (handler, port):
        url = f"smtp://{LOGIN_IN_URL}@localhost:{port}?starttls=1&timeout=5"
        mailer_for(url, SENDER).send(message())

    assert [r.recipients for r in handler.received] == [["alice@example.com"]]


def test_smtps_speaks_tls_from_the_start(certificate: tuple[Path, Path]) -> None:
    with running_smtp(certificate=certificate, implicit_tls=True, credentials=LOGIN) as (h, port):
        server = smtp_server(f"smtps://{LOGIN_IN_URL}@127.0.0.1:{port}?timeout=5")
        SmtpMailer(server, SENDER, tls=lambda: trusting(certificate)).send(message())

    assert len(h.received) == 1


def test_a_certificate_nobody_vouches_for_is_refused_and_nothing_is_sent(
    certificate: tuple[Path, Path],
) -> None:
    with running_smtp(certificate=certificate, credentials=LOGIN) as (handler, port):
        url = f"smtp://{LOGIN_IN_URL}@localhost:{port}?starttls=1&timeout=5"
        with pytest.raises(MailServerUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
            mailer_for(url, SENDER).send(message())

    assert handler.received == []


def test_a_wrong_password_is_the_server_s_problem_not_the_message_s(
    certificate: tuple[Path, Path],
) -> None:
    with running_smtp(certificate=certificate, credentials=LOGIN) as (handler, port):
        server = smtp_server(f"smtp://shop%40example.com:wrong@localhost:{port}?starttls=1")
        mailer = SmtpMailer(server, SENDER, tls=lambda: trusting(certificate))
        with pytest.raises(MailServerUnavailable, match="535") as refused:
            mailer.send(message())

    assert "wrong" not in str(refused.value)
    assert handler.received == []


def test_a_recipient_refused_for_good_or_for_now() -> None:
    handler = Handler(
        refuse={"gone@example.com": "550 5.1.1 No such user", "full@example.com": "452 Full"}
    )
    with running_smtp(handler) as (_, port):
        mailer = mailer_for(f"smtp://127.0.0.1:{port}", SENDER)
        with pytest.raises(MailRejected, match=r"550 5\.1\.1 No such user"):
            mailer.send(message("gone@example.com"))
        with pytest.raises(MailNotSent, match="452 Full") as later:
            mailer.send(message("full@example.com"))

    assert not isinstance(later.value, MailRejected)
    assert handler.received == []


def test_a_server_that_is_down_or_hangs_is_unavailable_within_the_timeout() -> None:
    with pytest.raises(MailServerUnavailable, match="ConnectionRefusedError"):
        mailer_for(f"smtp://127.0.0.1:{free_port()}", SENDER).send(message())

    with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(MailServerUnavailable, match="timed out"):
            mailer_for(f"smtp://127.0.0.1:{port}?timeout=0.5", SENDER).send(message())
    assert time.monotonic() - started < 5


@pytest.fixture(params=["sqlite", POSTGRES])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    url: str = request.getfixturevalue(f"{request.param}_url")
    upgrade(url)
    yield url


def test_an_order_confirmation_waits_for_a_server_that_is_down_and_goes_once_it_is_back(
    database_url: str,
) -> None:
    port = free_port()
    clock = FakeClock(datetime.now(UTC))
    settings = fast_settings(database_url, mail_url=f"smtp://127.0.0.1:{port}", mail_from=SENDER)
    store = bootstrap(settings, clock=clock)
    try:
        buyer = Principal(add_user(store.uow, "alice"), "alice", "alice@example.com")
        product = add_product(store.uow)
        order = store.place_order(
            buyer, "1 Main St", "5550100", [{"product_id": product, "amount": 1}]
        )

        down = store.send_pending_mail()
        with running_smtp(port=port) as (handler, _):
            early = store.send_pending_mail()  # the retry is not due yet
            clock.advance(1)
            back = store.send_pending_mail()
            again = store.send_pending_mail()
    finally:
        store.uow.dispose()  # type: ignore[attr-defined]

    assert [d.outcome for d in down.deliveries] == [DeliveryOutcome.RETRYING]
    assert down.deliveries[0].server_unavailable
    assert early.deliveries == []
    assert [d.outcome for d in back.deliveries] == [DeliveryOutcome.SENT]
    assert again.deliveries == []
    [received] = handler.received
    assert received.message["Subject"] == f"Your order #{order.id}"

"""Where mail goes and what it links to, from the environment; refusals in one line."""

from __future__ import annotations

import pytest

from webstore.adapters.mail import FolderMailer, InMemoryMailbox, SmtpMailer, describe, mailer_for
from webstore.adapters.mail.smtp import Security, SmtpServer, smtp_server
from webstore.application.errors import ConfigurationError
from webstore.config import Settings

POSTGRES = "postgresql+psycopg://shop@db.internal/shop"


def test_mail_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "WEBSTORE_MAIL_URL": "smtps://mail.example.com",
            "WEBSTORE_MAIL_FROM": "Red Chairs <shop@example.com>",
            "WEBSTORE_STAFF_EMAIL": " orders@Example.COM, boss@example.com ,",
            "WEBSTORE_PUBLIC_URL": "https://shop.example.com/",
            "WEBSTORE_PASSWORD_RESET_TTL": "900",
        }
    )

    assert settings.mail_url == "smtps://mail.example.com"
    assert settings.mail_from == "Red Chairs <shop@example.com>"
    assert settings.staff_email == ("orders@example.com", "boss@example.com")
    assert settings.public_url == "https://shop.example.com"
    assert settings.password_reset_ttl == 900


def test_the_defaults() -> None:
    settings = Settings.from_env({})

    assert (settings.mail_url, settings.mail_from, settings.staff_email) == (
        None, "webstore@localhost", ()
    )  # fmt: skip
    assert (settings.public_url, settings.password_reset_ttl) == (None, 3600)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WEBSTORE_MAIL_FROM", "nobody", "WEBSTORE_MAIL_FROM must be an address"),
        ("WEBSTORE_MAIL_FROM", "a@b.c\r\nBcc: x@y.z", "WEBSTORE_MAIL_FROM must be an address"),
        ("WEBSTORE_STAFF_EMAIL", "orders@example.com, boss", "WEBSTORE_STAFF_EMAIL must be"),
        ("WEBSTORE_PUBLIC_URL", "shop.example.com", "WEBSTORE_PUBLIC_URL must be"),
        ("WEBSTORE_PUBLIC_URL", "https://shop.example.com/?x=1", "WEBSTORE_PUBLIC_URL must be"),
        ("WEBSTORE_PASSWORD_RESET_TTL", "59", "between 60 and"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env({name: value})


def test_by_default_mail_goes_to_a_folder_beside_an_sqlite_file_and_nowhere_with_postgresql(
    tmp_path: object,
) -> None:
    assert Settings(database_url="sqlite:////srv/shop/shop.db").mail_url_or_default() == (
        "file:///srv/shop/shop.db.mail"
    )
    assert Settings(database_url="memory://").mail_url_or_default() == "memory://"
    assert Settings(database_url=POSTGRES).mail_url_or_default() is None
    given = Settings(database_url=POSTGRES, mail_url="smtp://localhost")
    assert given.mail_url_or_default() == "smtp://localhost"


def test_an_smtp_url_gives_its_server_with_percent_decoded_credentials() -> None:
    server = smtp_server("smtp://shop%40example.com:p%40ss%3Aw%2Frd%25@mail.example.com?starttls=1")

    assert server == SmtpServer(
        "mail.example.com", 587, Security.STARTTLS, "shop@example.com", "p@ss:w/rd%", 10.0
    )
    assert "p@ss" not in repr(server)


@pytest.mark.parametrize(
    ("url", "port", "security", "timeout"),
    [
        ("smtp://localhost", 25, Security.PLAIN, 10.0),
        ("smtp://mail.example.com:2525?starttls=0&timeout=2.5", 2525, Security.PLAIN, 2.5),
        ("smtps://mail.example.com", 465, Security.TLS, 10.0),
        ("smtp://[::1]:1025", 1025, Security.PLAIN, 10.0),
    ],
)
def test_smtp_defaults(url: str, port: int, security: Security, timeout: float) -> None:
    server = smtp_server(url)

    assert (server.port, server.security, server.timeout) == (port, security, timeout)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("smtp://shop:s3cret@mail.example.com", "would send the password in the clear"),
        ("smtp://shop:s3cret@mail.example.com:99999", "port that is not a number"),
        ("smtp://shop:s3cret@mail.example.com?tls=1", "unknown options (tls)"),
        ("smtps://shop:s3cret@mail.example.com?starttls=1", "STARTTLS over smtps://"),
        ("smtp://shop:s3cret@mail.example.com?starttls=maybe", "neither 1 nor 0"),
        ("smtp://shop:s3cret@mail.example.com?starttls=1&timeout=0", "timeout"),
        ("smtp:///nowhere", "names no SMTP server"),
        ("smtp://mail.example.com/inbox", "has a path"),
    ],
)
def test_bad_smtp_urls_are_refused_without_repeating_the_password(url: str, problem: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        smtp_server(url)

    assert problem in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_a_password_in_the_clear_is_allowed_to_a_server_on_this_machine() -> None:
    assert smtp_server("smtp://shop:s3cret@127.0.0.1:1025").username == "shop"


def test_each_url_names_its_mailer_and_says_where_it_sends_without_the_password() -> None:
    smtp = mailer_for("smtps://shop:s3cret@mail.example.com", "shop@example.com")
    folder = mailer_for("file:///srv/shop/shop%20mail", "shop@example.com")

    assert isinstance(smtp, SmtpMailer)
    assert describe(smtp) == "SMTP server mail.example.com:465 (tls) as shop"
    assert isinstance(folder, FolderMailer)
    assert describe(folder) == "the folder /srv/shop/shop mail"
    assert isinstance(mailer_for("memory://", "shop@example.com"), InMemoryMailbox)
    for bad in ("file://relative/folder", "http://mail.example.com", "sendmail"):
        with pytest.raises(ConfigurationError, match="WEBSTORE_MAIL_URL"):
            mailer_for(bad, "shop@example.com")

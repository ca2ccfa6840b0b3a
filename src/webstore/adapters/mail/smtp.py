"""Mail handed to an SMTP server with the standard library's ``smtplib``."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, unquote, urlsplit

from webstore.adapters.mail.compose import email_message
from webstore.application.errors import (
    ConfigurationError,
    MailNotSent,
    MailRejected,
    MailServerUnavailable,
)
from webstore.domain.mail import OutboxMessage

DEFAULT_TIMEOUT = 10.0  # seconds per network operation
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class Security(StrEnum):
    PLAIN = "plain"  # smtp://
    STARTTLS = "starttls"  # smtp://...?starttls=1
    TLS = "tls"  # smtps://


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __repr__(self) -> str:  # never the password
        return f"SmtpServer({self.security} {self.host}:{self.port}, user={self.username!r})"


def smtp_server(url: str) -> SmtpServer:
    """The server of ``smtp://[user:password@]host[:port][?starttls=1&timeout=10]`` or
    ``smtps://...``; user and password are percent-decoded. Problems are one line that never
    repeats the URL (it may hold a password)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _bad("has a port that is not a number from 1 to 65535") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise _bad("names no SMTP server (smtp://host:port or smtps://host:port)")
    if parts.path not in ("", "/") or parts.fragment:
        raise _bad("has a path or fragment; only ?starttls=1 and ?timeout=SECONDS are known")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    if unknown := sorted(options.keys() - {"starttls", "timeout"}):
        raise _bad(f"has unknown options ({', '.join(unknown)}); known: starttls, timeout")
    starttls = _flag(options.get("starttls", "0"))
    if parts.scheme == "smtps" and starttls:
        raise _bad("asks for STARTTLS over smtps://, which is TLS already")
    security = (
        Security.TLS
        if parts.scheme == "smtps"
        else Security.STARTTLS
        if starttls
        else Security.PLAIN
    )
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if not f"{username or ''}{password or ''}".isascii():
        raise _bad("has a user or password that is not ASCII, which smtplib cannot log in with")
    if username is not None and security is Security.PLAIN and parts.hostname not in LOOPBACK:
        raise _bad("would send the password in the clear: use smtps:// or ?starttls=1")
    default_port = {Security.TLS: 465, Security.STARTTLS: 587, Security.PLAIN: 25}[security]
    return SmtpServer(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=username,
        password=password,
        timeout=_timeout(options.get("timeout")),
    )


def _bad(problem: str) -> ConfigurationError:
    return ConfigurationError(f"WEBSTORE_MAIL_URL {problem}.")


def _flag(raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise _bad("has starttls that is neither 1 nor 0")


def _timeout(raw: str | None) -> float:
    if raw is None:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 600:
        raise _bad("has a timeout that is not a number of seconds from 0 to 600")
    return value


class SmtpMailer:
    """One connection per message: mail is rare, and a connection kept open would go stale."""

    def __init__(
        self,
        server: SmtpServer,
        sender: str,
        tls: Callable[[], ssl.SSLContext] | None = None,
    ) -> None:
        self.server = server
        self.sender = sender
        # Certificates checked against the system's store (or SSL_CERT_FILE); looked up when
        # used, so that a process gevent patches later gets its cooperative SSL.
        self._tls = tls or (lambda: ssl.create_default_context())

    def send(self, message: OutboxMessage) -> None:
        letter = email_message(message, self.sender)
        try:
            smtp = self._connected()
            try:
                smtp.send_message(letter)
            finally:
                _quit(smtp)
        except smtplib.SMTPRecipientsRefused as refused:
            code, reply = next(iter(refused.recipients.values()))
            raise _refusal(code, reply, "recipient refused") from None
        except smtplib.SMTPDataError as refused:
            raise _refusal(refused.smtp_code, refused.smtp_error, "message refused") from None
        except (smtplib.SMTPException, OSError) as error:
            # Down, unreachable, timing out, TLS or login failing, our sender refused: nothing
            # can go until that changes, whatever the message.
            raise MailServerUnavailable(_described(error)) from None

    def flush(self) -> None:
        pass  # a message the server took is the server's to keep

    def _connected(self) -> smtplib.SMTP:
        server = self.server
        smtp: smtplib.SMTP
        # Given to the constructor (which connects), the host is also the name TLS checks the
        # certificate against.
        if server.security is Security.TLS:
            smtp = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=self._tls()
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        try:
            if server.security is Security.STARTTLS:
                smtp.starttls(context=self._tls())
            if server.username is not None:
                smtp.login(server.username, server.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye; once the server has taken the message, a failed QUIT changes nothing (it
    must not make the message look unsent, and so sent twice)."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _refusal(code: int, reply: bytes | str, what: str) -> MailNotSent:
    """A permanent (5xx) refusal is final; a temporary one (4xx) is worth another try."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    described = f"{what}: {code} {text}".strip()
    return MailRejected(described) if 500 <= code < 600 else MailNotSent(described)


def _described(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{type(error).__name__}: {error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"

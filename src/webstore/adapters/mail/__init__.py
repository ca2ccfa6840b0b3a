"""Where the store's mail goes: an SMTP server, a folder of ``.eml`` files, or memory."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from webstore.adapters.mail.folder import FolderMailer
from webstore.adapters.mail.memory import InMemoryMailbox
from webstore.adapters.mail.smtp import SmtpMailer, smtp_server
from webstore.application.errors import ConfigurationError
from webstore.application.ports import Mailer

__all__ = ["FolderMailer", "InMemoryMailbox", "SmtpMailer", "describe", "mailer_for"]


def mailer_for(url: str, sender: str) -> Mailer:
    """The mailer a ``WEBSTORE_MAIL_URL`` names: ``smtp://``, ``smtps://``, ``file:///folder``
    or ``memory://``."""
    scheme = url.partition("://")[0]
    if scheme in ("smtp", "smtps"):
        return SmtpMailer(smtp_server(url), sender)
    if scheme == "file":
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/"):
            raise ConfigurationError("WEBSTORE_MAIL_URL names no folder (file:///absolute/path).")
        return FolderMailer(Path(path), sender)
    if url == "memory://":
        return InMemoryMailbox(sender)
    raise ConfigurationError(
        "WEBSTORE_MAIL_URL must be smtp://, smtps://, file:///folder or memory://."
    )


def describe(mailer: Mailer) -> str:
    """Where a mailer sends, in words that never include a password."""
    if isinstance(mailer, SmtpMailer):
        server = mailer.server
        who = f" as {server.username}" if server.username is not None else ""
        return f"SMTP server {server.host}:{server.port} ({server.security}){who}"
    if isinstance(mailer, FolderMailer):
        return f"the folder {mailer.folder}"
    return "memory (kept in this process)"

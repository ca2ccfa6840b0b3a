"""Mail written to a folder, one ``.eml`` file per message: the embedded store's default."""

from __future__ import annotations

import os
import secrets
from email import policy
from pathlib import Path

from webstore.adapters.mail.compose import email_message
from webstore.application.errors import MailServerUnavailable
from webstore.domain.mail import OutboxMessage


class FolderMailer:
    """Writes each message to ``folder`` (made on first use, mode 0700; its parent must exist).

    A file is written under a temporary name, flushed to disk and renamed into place, so a
    reader never sees half a message. Its name comes from the message's time and id: sending
    a message again (after a crash) replaces its file instead of adding a second one.
    """

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: OutboxMessage) -> None:
        data = email_message(message, self.sender).as_bytes(policy=policy.default)
        name = f"{message.created_at:%Y%m%dT%H%M%SZ}-{message.id:08d}.eml"
        try:
            self._write(name, data)
        except OSError as error:  # a full disk, a missing or unwritable folder: retried later
            raise MailServerUnavailable(
                f"cannot write to {self.folder}: {error.strerror}"
            ) from None

    def _write(self, name: str, data: bytes) -> None:
        if not self.folder.is_dir():
            self.folder.mkdir(mode=0o700)
        draft = self.folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(draft, self.folder / name)
        except BaseException:
            draft.unlink(missing_ok=True)
            raise
        directory = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)

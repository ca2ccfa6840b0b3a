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

    The renames are made durable together, by one fsync of the folder in ``flush``: the
    sender marks a batch's messages sent only after it, so a power cut before it loses no
    message that was marked sent (the lost ones are written again). An fsync of the folder
    per message made the sender wait on the disk twice per order.
    """

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender
        self._renamed = False  # a rename that no fsync of the folder has made durable yet
        self._made = False  # the folder, made by this mailer, not yet synced in its parent

    def send(self, message: OutboxMessage) -> None:
        data = email_message(message, self.sender).as_bytes(policy=policy.default)
        name = f"{message.created_at:%Y%m%dT%H%M%SZ}-{message.id:08d}.eml"
        try:
            self._write(name, data)
        except OSError as error:
            raise _unavailable(self.folder, error) from None

    def flush(self) -> None:
        if not (self._renamed or self._made):
            return
        # Cleared first: a rename made while the folder is synced is synced next time.
        renamed, made, self._renamed, self._made = self._renamed, self._made, False, False
        try:
            if made:
                _sync_directory(self.folder.parent)  # the folder itself, made on first use
            _sync_directory(self.folder)  # the renames themselves survive a power cut
        except OSError as error:
            self._renamed, self._made = self._renamed or renamed, self._made or made
            raise _unavailable(self.folder, error) from None

    def _write(self, name: str, data: bytes) -> None:
        if not self.folder.is_dir():
            self.folder.mkdir(mode=0o700)
            self._made = True
        draft = self.folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            self._renamed = True  # whether or not it succeeds: flush to be sure
            os.replace(draft, self.folder / name)
        except BaseException:
            draft.unlink(missing_ok=True)
            raise


def _unavailable(folder: Path, error: OSError) -> MailServerUnavailable:
    """A full disk, a missing or unwritable folder: retried later."""
    return MailServerUnavailable(f"cannot write to {folder}: {error.strerror}")


def _sync_directory(path: Path) -> None:
    directory = os.open(path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)

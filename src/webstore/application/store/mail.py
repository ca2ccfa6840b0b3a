"""The ``Webstore``'s use case of mail: send what the outbox holds."""

from __future__ import annotations

from webstore.application.errors import ConfigurationError
from webstore.application.mail import delivery
from webstore.application.mail.delivery import DeliveryReport
from webstore.application.store.wiring import StoreWiring


class MailUseCases(StoreWiring):
    """Send the mail that use cases stored in the outbox."""

    def send_pending_mail(self, batches: int | None = None) -> DeliveryReport:
        """Send every outbox message that is due now (what ``webstore mail send-pending`` does),
        or only so many batches of them (``DeliveryReport.more_due`` then says if more are).

        Safe to run in several processes at once: each message is claimed by one. A message
        the mail server does not take is retried later with back-off (``DeliveryReport`` says
        what became of each). Raises ``ConfigurationError`` when no mail URL is configured.
        """
        if self.mailer is None:
            raise ConfigurationError(
                "WEBSTORE_MAIL_URL is not set: this store cannot send the mail it stores."
            )
        return delivery.send_pending(
            uow=self.uow, mailer=self.mailer, clock=self.clock, policy=self.delivery,
            batches=batches,
        )  # fmt: skip

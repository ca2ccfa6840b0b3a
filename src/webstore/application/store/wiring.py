"""What every family of the ``Webstore``'s use cases is bound to: one set of adapters."""

from __future__ import annotations

from webstore.application.accounts.sessions import SessionPolicy, TokenKit
from webstore.application.accounts.throttling import ThrottlePolicy
from webstore.application.mail.delivery import DeliveryPolicy
from webstore.application.mail.notices import MailPolicy
from webstore.application.ports import (
    Clock,
    Mailer,
    PasswordHasher,
    PictureProcessor,
    RandomSource,
    UnitOfWorkFactory,
)

# What a caller may pass where the HTTP API passes query-string text.
Number = int | str | None


class StoreWiring:
    """The adapters and policies the use cases of each family reach through ``self``.

    Declared here for the type checker only: ``Webstore`` holds them, as its dataclass fields.
    """

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    tokens: TokenKit
    clock: Clock
    random: RandomSource
    policy: SessionPolicy
    throttle: ThrottlePolicy
    picture_processor: PictureProcessor
    mail: MailPolicy
    mailer: Mailer | None
    delivery: DeliveryPolicy

"""What every family of the ``Webstore``'s use cases is bound to: one set of adapters."""

# No ``from __future__ import annotations`` here: the fields' annotations stay real classes,
# so that ``Webstore.__init__`` is documented (pdoc, ``help()``) wherever it is read from.

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class StoreWiring:
    """The adapters and policies the use cases of each family reach through ``self``: the
    fields of ``Webstore``, which every family's class derives from."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    tokens: TokenKit
    clock: Clock
    random: RandomSource
    policy: SessionPolicy
    throttle: ThrottlePolicy
    picture_processor: PictureProcessor
    mail: MailPolicy = field(default_factory=MailPolicy)
    # None: this store stores mail in its outbox but cannot send it (no WEBSTORE_MAIL_URL).
    mailer: Mailer | None = None
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)

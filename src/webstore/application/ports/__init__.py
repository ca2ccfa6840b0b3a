"""The ports: what the use cases need from the outside world, and nothing more.

Repositories by family (``accounts``, ``catalogue``, ``ordering``, ``mail``), the unit of work
that hands them out (``unit_of_work``), and the services besides storage (``services``).
Everything is importable from here.
"""

from webstore.application.ports.accounts import (
    LoginAttemptRepository,
    LoginFailureKind,
    LoginSessionRepository,
    PasswordResetRepository,
    UserQuery,
    UserRepository,
)
from webstore.application.ports.catalogue import (
    ListingState,
    ProductImageRepository,
    ProductQuery,
    ProductRepository,
)
from webstore.application.ports.mail import OutboxRepository
from webstore.application.ports.ordering import (
    IdempotencyRepository,
    OrderListing,
    OrderQuery,
    OrderRepository,
)
from webstore.application.ports.services import (
    AccessTokenService,
    Clock,
    CsrfTokenService,
    Mailer,
    PasswordHasher,
    PictureProcessor,
    RandomSource,
    RefreshTokenService,
)
from webstore.application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AccessTokenService",
    "Clock",
    "CsrfTokenService",
    "IdempotencyRepository",
    "ListingState",
    "LoginAttemptRepository",
    "LoginFailureKind",
    "LoginSessionRepository",
    "Mailer",
    "OrderListing",
    "OrderQuery",
    "OrderRepository",
    "OutboxRepository",
    "PasswordHasher",
    "PasswordResetRepository",
    "PictureProcessor",
    "ProductImageRepository",
    "ProductQuery",
    "ProductRepository",
    "RandomSource",
    "RefreshTokenService",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserQuery",
    "UserRepository",
]

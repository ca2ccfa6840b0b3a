"""webstore: the backend of a small online store, usable over HTTP or straight from Python.

    from webstore import Settings, bootstrap
    store = bootstrap(Settings(database_url="memory://"))

``bootstrap`` builds a ``Webstore``, which has one method per use case. What they return is
exported here too; every error they raise is a ``WebstoreError``, listed in ``webstore.errors``.
"""

from webstore import config, errors
from webstore.application.catalogue.imports import ImportReport
from webstore.application.catalogue.product_files import FileFormat, ProductFile
from webstore.application.dto import LoginResult, Page, Principal, RefreshResult
from webstore.application.mail.delivery import Delivery, DeliveryOutcome, DeliveryReport
from webstore.application.ordering.idempotency import IdempotencyRequest, KeyedOrder
from webstore.application.ordering.orders import OrderCategory, OrderItem
from webstore.application.snapshots import OrderSnapshot, ProductSnapshot, UserSnapshot
from webstore.application.store import Webstore
from webstore.bootstrap import bootstrap
from webstore.config import Settings
from webstore.domain.errors import WebstoreError
from webstore.domain.orders import OrderLine, OrderStatus
from webstore.domain.pictures import ImageRef, ImageVariant, ProductImage
from webstore.domain.values import Money

__all__ = [
    "Delivery",
    "DeliveryOutcome",
    "DeliveryReport",
    "FileFormat",
    "IdempotencyRequest",
    "ImageRef",
    "ImageVariant",
    "ImportReport",
    "KeyedOrder",
    "LoginResult",
    "Money",
    "OrderCategory",
    "OrderItem",
    "OrderLine",
    "OrderSnapshot",
    "OrderStatus",
    "Page",
    "Principal",
    "ProductFile",
    "ProductImage",
    "ProductSnapshot",
    "RefreshResult",
    "Settings",
    "UserSnapshot",
    "Webstore",
    "WebstoreError",
    "bootstrap",
    # The modules of the public API, named so that tools that list a package's parts by its
    # ``__all__`` (pdoc, ``make docs``) show them.
    "config",
    "errors",
]

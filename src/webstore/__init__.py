"""webstore: the backend of a small online store, usable over HTTP or straight from Python.

from webstore import Settings, bootstrap
store = bootstrap(Settings(database_url="memory://"))
"""

from webstore.application.dto import KeyedResponse, LoginResult, Page, Principal, RefreshResult
from webstore.application.idempotency import IdempotencyRequest
from webstore.application.store import Webstore
from webstore.bootstrap import bootstrap
from webstore.config import Settings
from webstore.domain.errors import WebstoreError

__all__ = [
    "IdempotencyRequest",
    "KeyedResponse",
    "LoginResult",
    "Page",
    "Principal",
    "RefreshResult",
    "Settings",
    "Webstore",
    "WebstoreError",
    "bootstrap",
]

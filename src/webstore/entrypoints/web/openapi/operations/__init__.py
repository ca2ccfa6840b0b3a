"""What each endpoint takes and answers, for the OpenAPI document (keyed by Flask endpoint).

One table per API family; ``objects`` holds the parts they are written with.
"""

from __future__ import annotations

from typing import Any

from webstore.entrypoints.web.openapi.operations.accounts import ACCOUNT_OPERATIONS
from webstore.entrypoints.web.openapi.operations.meta import META_OPERATIONS
from webstore.entrypoints.web.openapi.operations.orders import ORDER_OPERATIONS
from webstore.entrypoints.web.openapi.operations.pictures import PICTURE_OPERATIONS
from webstore.entrypoints.web.openapi.operations.products import PRODUCT_OPERATIONS

OPERATIONS: dict[str, dict[str, Any]] = {
    **ACCOUNT_OPERATIONS,
    **PRODUCT_OPERATIONS,
    **PICTURE_OPERATIONS,
    **ORDER_OPERATIONS,
    **META_OPERATIONS,
}

"""What the product endpoints take and answer: the staff's products and the public catalogue."""

from __future__ import annotations

from typing import Any

from webstore.entrypoints.web.openapi.operations.objects import (
    NOBODY,
    TOKEN,
    TOKEN_AND_CSRF,
    TOTAL,
    array,
    header,
    operation,
    returns,
)
from webstore.entrypoints.web.openapi.request_schemas import (
    ProductCreateSchema,
    ProductQuerySchema,
    ProductUpdateSchema,
)
from webstore.entrypoints.web.openapi.response_schemas import (
    CatalogueProductSchema,
    DetailSchema,
    ImportResultSchema,
    ProductDetailSchema,
    ProductSchema,
    ValidationErrorSchema,
)

PRODUCT_PAGE = [{"in": "query", "schema": ProductQuerySchema}]
PRODUCT_FILE = {
    "text/csv": {
        "schema": {"type": "string"},
        "example": "name,description,price,amount\nRed chair,Beech,19.99,5\n",
    },
    "application/x-ndjson": {
        "schema": {"type": "string"},
        "example": '{"name": "Red chair", "price": "19.99", "amount": 5}\n',
    },
}

# The public catalogue's answers may be kept by browsers, proxies and CDNs.
VALIDATORS = {
    "ETag": header("A strong tag of exactly this answer (body and X-Total-Count)."),
    "Cache_Control": header("`public, max-age=N`, N from WEBSTORE_CATALOGUE_MAX_AGE."),
}
CONDITIONS = [
    {
        "in": "header",
        "name": "If-None-Match",
        "required": False,
        "description": "Entity tags (or `*`) of answers the client keeps; if one is the "
        "current answer's (weak comparison), 304.",
        "schema": {"type": "string"},
    },
    {
        "in": "header",
        "name": "If-Match",
        "required": False,
        "description": "Entity tags (or `*`); if none is the current answer's (strong "
        "comparison), 412.",
        "schema": {"type": "string"},
    },
]
NOT_MODIFIED = returns("Not modified: the client's copy is current (no body).", **VALIDATORS)
PRECONDITION_FAILED = returns("If-Match names no current answer.", DetailSchema)

PRODUCT_OPERATIONS: dict[str, dict[str, Any]] = {
    "products.get_all_products": operation(
        "Active products, by id; with search, those whose name contains it in any case.",
        TOKEN,
        {"200": returns("Products.", array(ProductSchema), X_Total_Count=TOTAL)},
        ("400", "403"),
        parameters=PRODUCT_PAGE,
    ),
    "products.list_products": operation(
        "Every product, deactivated ones included, by id (superuser).",
        TOKEN,
        {"200": returns("Products.", array(ProductDetailSchema), X_Total_Count=TOTAL)},
        ("400", "403"),
        parameters=PRODUCT_PAGE,
    ),
    "products.get_product": operation(
        "One product (superusers also see deactivated ones).",
        TOKEN,
        {"200": returns("The product.", ProductDetailSchema)},
        ("403", "404"),
    ),
    "products.create_product": operation(
        "Add a product (superuser).",
        TOKEN_AND_CSRF,
        {"201": returns("Created.", ProductDetailSchema)},
        ("403",),
        body=ProductCreateSchema,
    ),
    "products.update_product": operation(
        "Change some of a product's fields (superuser).",
        TOKEN_AND_CSRF,
        {"200": returns("The product.", ProductDetailSchema)},
        ("403", "404"),
        body=ProductUpdateSchema,
        body_required=False,  # an empty body reads as {}, as in DRF: nothing changes
    ),
    "products.deactivate_product": operation(
        "Deactivate a product; orders keep their history (superuser).",
        TOKEN_AND_CSRF,
        {"204": returns("Deactivated (also when it already was).")},
        ("403", "404"),
    ),
    "products.import_products": {
        **operation(
            "Import a product file, CSV or JSON lines, all or nothing (superuser).",
            TOKEN_AND_CSRF,
            {
                "201": returns("Every product was added.", ImportResultSchema),
                "400": returns(
                    "Bad lines, keyed by line number (the first 20; non_field_errors counts "
                    "the rest), or an empty file. Nothing was added.",
                    ValidationErrorSchema,
                ),
                "415": returns(
                    "The body is neither text/csv nor application/x-ndjson.", DetailSchema
                ),
            },
            ("403", "413"),
        ),
        "description": (
            "The format of `webstore products import`, in UTF-8: CSV whose header names the "
            "columns (name, description, price, amount; any order; description optional), or "
            "without a header in that order, separated by commas, semicolons or tabs; or one "
            "JSON object per line with those keys. A name that a product has already is a bad "
            "line."
        ),
        "requestBody": {"required": True, "content": PRODUCT_FILE},
    },
    "catalogue.list_catalogue": operation(
        "The active catalogue, by id, for anyone: no token is needed (one sent is ignored).",
        NOBODY,
        {
            "200": returns(
                "Products, each with its picture's URL or null.",
                array(CatalogueProductSchema),
                X_Total_Count=TOTAL,
                **VALIDATORS,
            ),
            "304": NOT_MODIFIED,
            "412": PRECONDITION_FAILED,
        },
        ("400",),
        parameters=[*PRODUCT_PAGE, *CONDITIONS],
    ),
    "catalogue.get_catalogue_product": operation(
        "One active product of the catalogue, for anyone.",
        NOBODY,
        {
            "200": returns("The product.", CatalogueProductSchema, **VALIDATORS),
            "304": NOT_MODIFIED,
            "412": PRECONDITION_FAILED,
        },
        ("404",),
        parameters=CONDITIONS,
    ),
}

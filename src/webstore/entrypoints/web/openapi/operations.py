"""What each endpoint takes and answers, for the OpenAPI document (keyed by Flask endpoint).

Bodies are the marshmallow classes that load requests and document responses (``schemas``);
``openapi.build_spec`` turns them into components with apispec's MarshmallowPlugin. Error
responses name the reusable ones of ``openapi.RESPONSES`` by status: those an operation's own
checks give (``errors``), and those any request can get from the HTTP server, the request
handling around the views or the front proxy (``EVERY_OPERATION``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from webstore.domain.pictures import (
    ACCEPTED_FORMATS,
    LARGE,
    MAX_PIXELS,
    MAX_SIDE,
    MAX_UPLOAD_BYTES,
    THUMBNAIL,
)
from webstore.entrypoints.web.api.media import FOREVER, IMAGE_POLICY
from webstore.entrypoints.web.api.uploads import IMAGE_FIELD
from webstore.entrypoints.web.openapi.schemas import (
    AccessTokenSchema,
    AccountSchema,
    CatalogueProductSchema,
    ChangePasswordSchema,
    DetailSchema,
    HealthSchema,
    ImportResultSchema,
    LoginResponseSchema,
    LoginSchema,
    MeSchema,
    OrderQuerySchema,
    OrderSchema,
    PasswordResetConfirmSchema,
    PasswordResetSchema,
    PlaceOrderSchema,
    ProductCreateSchema,
    ProductDetailSchema,
    ProductQuerySchema,
    ProductSchema,
    ProductUpdateSchema,
    SignInResponseSchema,
    SignInSchema,
    UserQuerySchema,
    ValidationErrorSchema,
)
from webstore.entrypoints.web.security import CSRF_COOKIE, REFRESH_COOKIE

JSON = "application/json"
Security = list[dict[str, list[str]]]

NOBODY: Security = []
TOKEN: Security = [{"tokenAuth": []}]
TOKEN_AND_CSRF: Security = [{"tokenAuth": [], "csrfHeader": [], "csrfCookie": []}]
REFRESH_AND_CSRF: Security = [{"refreshCookie": [], "csrfHeader": [], "csrfCookie": []}]
STATUS = {
    "400": "InvalidInput",
    "403": "Forbidden",
    "404": "NotFound",
    "409": "Conflict",
    "413": "TooLarge",
    "415": "UnsupportedMediaType",
    "422": "Unprocessable",
    "429": "Throttled",
    "500": "ServerError",
    "503": "Unavailable",
}
BODY_ERRORS = ("400", "413", "415")
# What any request may be answered, whatever its operation: a request the server cannot read
# (400), a method another route of the path takes (405, e.g. GET /api/products/import), a body
# that does not arrive in time (408) or is over the limit (413: declared on any request), a
# request line or header over the server's limits (414, 431), a transfer coding it does not
# implement (501), a failure (500), no database (503), and from the front proxy no node (502)
# or none in time (504). An operation's own ``errors`` take precedence (a 400 that validates).
EVERY_OPERATION = {
    "400": "BadRequest",
    "405": "MethodNotAllowed",
    "408": "RequestTimeout",
    "413": "TooLarge",
    "414": "UriTooLong",
    "431": "HeadersTooLarge",
    "500": "ServerError",
    "501": "NotImplemented",
    "502": "BadGateway",
    "503": "Unavailable",
    "504": "GatewayTimeout",
}


def header(description: str, kind: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": kind}}


def returns(description: str, schema: Any = None, **headers: dict[str, Any]) -> dict[str, Any]:
    """A response object: ``schema`` is its JSON body, keyword arguments its headers."""
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    if headers:
        response["headers"] = {name.replace("_", "-"): value for name, value in headers.items()}
    return response


def array(schema: type[Schema]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def operation(
    summary: str,
    security: Security,
    responses: dict[str, dict[str, Any]],
    errors: tuple[str, ...] = (),
    body: type[Schema] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    body_required: bool = True,
) -> dict[str, Any]:
    """An operation object: ``responses``, then the shared ones of ``errors`` and of every
    operation."""
    described: dict[str, Any] = {"summary": summary, "security": security}
    if parameters:
        described["parameters"] = parameters
    if body is not None:
        described["requestBody"] = {
            "required": body_required,
            "content": {JSON: {"schema": body}},
        }
        errors = (*errors, *BODY_ERRORS)
    shared = {**EVERY_OPERATION, **{code: STATUS[code] for code in errors}}
    return {**described, "responses": dict(sorted({**shared, **responses}.items()))}


PRODUCT_PAGE = [{"in": "query", "schema": ProductQuerySchema}]
TOTAL = header("The number of items before limit and offset.", "integer")
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "1..255 printable ASCII characters, chosen by the client, scoped to the user. Sending "
        "the same key with the same body within 24 hours replays the stored 201 (header "
        "Idempotent-Replayed: true) and places no second order; with a different body: 422; "
        "while the first request is still running: the replay, or 409. An invalid key: 400."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}
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
COOKIES = header(f"{REFRESH_COOKIE} (HttpOnly, Path=/api) and {CSRF_COOKIE} (Path=/).")
ORDER = returns("The order.", OrderSchema)

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
IMAGE_FORM = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {
                IMAGE_FIELD: {
                    "type": "string",
                    "contentMediaType": "application/octet-stream",
                    "description": f"One {ACCEPTED_FORMATS} file, judged by its content (never "
                    f"by its name or declared type), at most {MAX_UPLOAD_BYTES // 2**20} MiB, "
                    f"{MAX_SIDE} pixels a side and {MAX_PIXELS // 10**6} megapixels.",
                }
            },
            "required": [IMAGE_FIELD],
        },
        "encoding": {IMAGE_FIELD: {"contentType": "image/jpeg, image/png, image/webp"}},
    }
}
PICTURE_FILE = {
    "description": "The stored copy (WebP), never the file that was uploaded.",
    "content": {"image/webp": {"schema": {"type": "string", "contentMediaType": "image/webp"}}},
    "headers": {
        "Cache-Control": header(f"`{FOREVER}`: the URL's bytes never change."),
        "ETag": header("The copy's SHA-256."),
        "Content-Security-Policy": header(f"`{IMAGE_POLICY}`."),
    },
}
PRECONDITION_FAILED = returns("If-Match names no current answer.", DetailSchema)
ACCOUNT = returns("The user.", AccountSchema)

OPERATIONS: dict[str, dict[str, Any]] = {
    "auth.sign_in": operation(
        "Create a user account (usernames are unique case-insensitively).",
        NOBODY,
        {"200": returns("Created.", SignInResponseSchema)},
        body=SignInSchema,
    ),
    "auth.login_view": operation(
        "Log in: an access token, and the refresh and CSRF cookies.",
        NOBODY,
        {"200": returns("Logged in.", LoginResponseSchema, Set_Cookie=COOKIES)},
        ("403", "429"),
        body=LoginSchema,
    ),
    "auth.refresh_token": operation(
        "A new access token; the refresh token rotates.",
        REFRESH_AND_CSRF,
        {"200": returns("Refreshed.", AccessTokenSchema, Set_Cookie=COOKIES)},
        ("403",),
    ),
    "auth.logout": operation(
        "End the login session and clear both cookies (200 even without a cookie).",
        [{}, *REFRESH_AND_CSRF],
        {"200": returns("Logged out.", DetailSchema)},
        ("403", "409"),
    ),
    "auth.me": operation(
        "Who is logged in.", TOKEN, {"200": returns("The user.", MeSchema)}, ("403",)
    ),
    "passwords.change_password": operation(
        "Change one's own password; every other login session of the user ends.",
        TOKEN_AND_CSRF,
        {
            "200": returns("Changed.", DetailSchema),
            "400": returns(
                "The old password is wrong (old_password), or the new one breaks sign-up's "
                "rules (error, errors); a wrong old password counts as a failed login. Or a "
                "body that is not JSON (detail).",
                {"oneOf": [ValidationErrorSchema, DetailSchema]},
            ),
        },
        ("403", "429"),
        body=ChangePasswordSchema,
    ),
    "passwords.password_reset": operation(
        "Mail a single-use password-reset link; the same answer whether or not the account exists.",
        NOBODY,
        {"200": returns("Answered (a link was mailed if the account exists).", DetailSchema)},
        ("403", "429"),
        body=PasswordResetSchema,
    ),
    "passwords.password_reset_confirm": operation(
        "Set a new password with a reset link's token; every login session of the user ends.",
        NOBODY,
        {
            "200": returns("Reset.", DetailSchema),
            "400": returns(
                "The token is unknown, used or expired (token), or the new password breaks "
                "sign-up's rules (error, errors); or a body that is not JSON (detail).",
                {"oneOf": [ValidationErrorSchema, DetailSchema]},
            ),
        },
        ("403",),
        body=PasswordResetConfirmSchema,
    ),
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
    "pictures.upload_image": {
        **operation(
            "Set a product's picture, in place of any it had (superuser).",
            TOKEN_AND_CSRF,
            {
                "200": returns("The product, with its picture's URLs.", ProductDetailSchema),
                "400": returns(
                    "No `image` file, or not an accepted picture: `errors.image` says why. "
                    "Nothing was changed.",
                    ValidationErrorSchema,
                ),
                "413": returns(
                    f"The body is over {MAX_UPLOAD_BYTES // 2**20} MiB (and 16 KiB for the "
                    "form around the file).",
                    DetailSchema,
                ),
                "415": returns("The body is not multipart/form-data.", DetailSchema),
            },
            ("403", "404"),
        ),
        "description": (
            f"A `multipart/form-data` body with one file field, `{IMAGE_FIELD}`. The server "
            f"keeps copies re-encoded as WebP, {LARGE} and {THUMBNAIL} px on their longest "
            "side at most (never enlarged), upright, in sRGB, without any metadata; the "
            "upload itself is never kept or served. Withdrawn products may have a picture. "
            "The product's new endpoints then name the copies in `image` and `thumbnail`."
        ),
        "requestBody": {"required": True, "content": IMAGE_FORM},
    },
    "pictures.remove_image": operation(
        "Remove a product's picture (superuser).",
        TOKEN_AND_CSRF,
        {"204": returns("Removed (also when it had none).")},
        ("403", "404"),
    ),
    "media.product_image": {
        **operation(
            "A stored copy of a product's picture, for anyone, to be kept for good.",
            NOBODY,
            {"200": PICTURE_FILE, "304": returns("Not modified (If-None-Match).")},
            ("404",),
        ),
        "description": (
            "`name` is `<digest>-<size>.webp` as the product's `image` and `thumbnail` URLs "
            "give it; a URL that names no stored copy (an older picture's) is 404."
        ),
    },
    "orders.get_order": operation(
        "Orders, newest first: a regular user's own, or a superuser's selection.",
        TOKEN,
        {"200": returns("Orders.", array(OrderSchema), X_Total_Count=TOTAL)},
        ("400", "403"),
        parameters=[{"in": "query", "schema": OrderQuerySchema}],
    ),
    "orders.post_order": operation(
        "Place an order; stock is checked and taken atomically.",
        TOKEN_AND_CSRF,
        {
            "201": returns(
                "Placed (or, with Idempotent-Replayed, placed by an earlier request).",
                OrderSchema,
                Idempotent_Replayed=header(
                    "`true` when this is the stored response to an earlier request with the "
                    "same Idempotency-Key; absent otherwise."
                ),
            )
        },
        ("403", "409", "422"),
        body=PlaceOrderSchema,
        parameters=[IDEMPOTENCY_KEY],
    ),
    "orders.complete_order": operation(
        "Complete a pending order (superuser).",
        TOKEN_AND_CSRF,
        {"200": ORDER},
        ("403", "404", "409"),
    ),
    "orders.cancel_order": operation(
        "Cancel a pending order and return its stock (superuser or the order's owner).",
        TOKEN_AND_CSRF,
        {"200": ORDER},
        ("403", "404", "409"),
    ),
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
    "users.list_users": operation(
        "User accounts by id, searched by username and email (superuser).",
        TOKEN,
        {"200": returns("Users.", array(AccountSchema), X_Total_Count=TOTAL)},
        ("400", "403"),
        parameters=[{"in": "query", "schema": UserQuerySchema}],
    ),
    "users.deactivate_user": operation(
        "Deactivate a user and end every session of theirs (superuser); refused (409) for "
        "the last active superuser.",
        TOKEN_AND_CSRF,
        {"200": ACCOUNT},
        ("403", "404", "409"),
    ),
    "users.activate_user": operation(
        "Let a deactivated user log in again (superuser).",
        TOKEN_AND_CSRF,
        {"200": ACCOUNT},
        ("403", "404"),
    ),
    "meta.health": operation(
        "Whether the database answers.",
        NOBODY,
        {
            "200": returns("Up.", HealthSchema),
            "503": returns(
                "The database does not answer (from the front proxy: no node does).",
                {"oneOf": [HealthSchema, DetailSchema]},
                Retry_After=header("Seconds to wait before asking again.", "integer"),
            ),
        },
    ),
    "docs.openapi_json": operation(
        "This document.", NOBODY, {"200": returns("OpenAPI 3.1.", {"type": "object"})}
    ),
    "docs.docs_page": operation(
        "This document as a web page.",
        NOBODY,
        {"200": {"description": "HTML.", "content": {"text/html": {"schema": {"type": "string"}}}}},
    ),
}

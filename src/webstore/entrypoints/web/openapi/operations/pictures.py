"""What the picture endpoints take and answer: a product's picture, and its stored copies."""

from __future__ import annotations

from typing import Any

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
from webstore.entrypoints.web.openapi.operations.objects import (
    NOBODY,
    TOKEN_AND_CSRF,
    header,
    operation,
    returns,
)
from webstore.entrypoints.web.openapi.response_schemas import (
    DetailSchema,
    ProductDetailSchema,
    ValidationErrorSchema,
)

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

PICTURE_OPERATIONS: dict[str, dict[str, Any]] = {
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
}

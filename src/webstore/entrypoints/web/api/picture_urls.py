"""Where each stored copy of a product's picture is served: a URL named by its very bytes.

``/media/products/<id>/<digest>-<size>.webp``, the digest's first 16 hexadecimal digits: new
bytes get a new URL, so an answer naming a URL may be kept by anyone for a year. Paths on this
server (a front end on another origin resolves them against the API's), so that every visitor
and every node writes the same bytes for the same catalogue.
"""

from __future__ import annotations

import re

from webstore.domain.pictures import DIGEST_IN_URL, LARGE, THUMBNAIL, ImageRef, ProductImage

PREFIX = "/media/products"
EXTENSIONS = {"image/webp": "webp"}  # by the content type stored
# The last part of a picture's URL: digest, size, extension.
FILE_NAME = re.compile(
    rf"(?P<digest>[0-9a-f]{{{DIGEST_IN_URL}}})-(?P<size>[1-9][0-9]{{0,4}})\.(?P<extension>[a-z]+)"
)


def url(product_id: int, ref: ImageRef) -> str:
    """The URL of one stored copy."""
    extension = EXTENSIONS[ref.content_type]
    return f"{PREFIX}/{product_id}/{ref.digest[:DIGEST_IN_URL]}-{ref.size}.{extension}"


def urls(product_id: int, image: ProductImage | None) -> dict[str, str | None]:
    """``image``: the large copy's URL, ``thumbnail``: the small one's (``None`` without)."""
    return {
        "image": url_of_size(product_id, image, LARGE),
        "thumbnail": url_of_size(product_id, image, THUMBNAIL),
    }


def url_of_size(product_id: int, image: ProductImage | None, size: int) -> str | None:
    ref = None if image is None else image.of_size(size)
    return None if ref is None else url(product_id, ref)

"""A product's picture: fresh copies of an upload at the sizes pages show, never the upload.

An upload is refused unless it is a JPEG, PNG or WebP within the limits below; what is kept
is each size re-encoded from its pixels alone (no metadata), named by a digest of its bytes, so
that its URL changes whenever its bytes do and a browser may keep it for good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from webstore.domain.errors import InvalidImage

# The longest side of each stored copy, in pixels: a listing's thumbnail and a product's page.
THUMBNAIL = 400
LARGE = 1200
SIZES = (THUMBNAIL, LARGE)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a phone's 12-megapixel JPEG is 2-5 MiB
# Checked from the file's header, before any pixel is decoded: a small file may declare a
# huge image (a decompression bomb), and decoding costs memory by pixels, not by bytes.
MAX_SIDE = 10_000
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = "JPEG, PNG or WebP"
DIGEST_IN_URL = 16  # hexadecimal digits of the digest a URL names

NOT_AN_IMAGE = (
    f"Upload a valid image: a {ACCEPTED_FORMATS} file. The file you uploaded was either not "
    "an image, an image of another format, or a corrupted image."
)
TOO_MANY_PIXELS = (
    f"The image is too large: at most {MAX_SIDE} pixels a side and "
    f"{MAX_PIXELS // 1_000_000} megapixels are accepted."
)
EMPTY = "The submitted file is empty."
NO_FILE = "No file was submitted."


@dataclass(frozen=True, slots=True)
class ImageVariant:
    """One stored copy of a picture, fitted within ``size`` pixels a side."""

    size: int
    content_type: str
    width: int
    height: int
    data: bytes = field(repr=False)
    digest: str = field(init=False)  # SHA-256 of ``data``, in hexadecimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", hashlib.sha256(self.data).hexdigest())

    @property
    def ref(self) -> ImageRef:
        return ImageRef(self.size, self.digest, self.content_type)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """What names one stored copy (its URL), without its bytes."""

    size: int
    digest: str
    content_type: str


@dataclass(frozen=True, slots=True)
class ProductImage:
    """A product's picture as answers name it: one ``ImageRef`` per stored size."""

    refs: tuple[ImageRef, ...]

    def of_size(self, size: int) -> ImageRef | None:
        return next((ref for ref in self.refs if ref.size == size), None)


def check_upload(data: bytes) -> None:
    """Refuse an upload that is empty or too large to be looked at."""
    if not data:
        raise InvalidImage(EMPTY)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidImage(f"The file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB.")


def check_dimensions(width: int, height: int) -> None:
    """Refuse an image too large to decode, as its header declares it."""
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE) or width * height > MAX_PIXELS:
        raise InvalidImage(TOO_MANY_PIXELS)


def names_variant(variant: ImageVariant, digest: str | None) -> bool:
    """Whether ``digest`` (``None``: any) names ``variant``: its digest, or its start as long
    as a URL gives it."""
    if digest is None:
        return True
    return len(digest) >= DIGEST_IN_URL and variant.digest.startswith(digest.lower())

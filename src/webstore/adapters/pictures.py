"""Pictures decoded and re-encoded with Pillow, from untrusted uploads.

Only the JPEG, PNG and WebP decoders are ever tried (whatever the file claims to be), and the
image's size is judged from its header before a pixel is decoded. What is kept is built from
the decoded pixels alone and encoded afresh, so nothing else the file carried (EXIF with its
GPS position, XMP, comments, a second image, bytes appended for another program) survives.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache

from PIL import ExifTags, Image, ImageCms

from webstore.adapters.off_loop import run_off_loop
from webstore.concurrency import Concurrency
from webstore.domain import pictures
from webstore.domain.errors import InvalidImage
from webstore.domain.pictures import ImageVariant

DECODERS = ["JPEG", "PNG", "WEBP"]  # Pillow's names; a JPEG with several images reads as MPO
ACCEPTED = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
CONTENT_TYPE = "image/webp"
# WebP: about a third smaller than JPEG at the same quality, with transparency, and shown by
# every current browser. Quality 82 with encoder effort 4 (of 6): 40 ms for a 1200 px copy.
WEBP_OPTIONS = {"quality": 82, "method": 4}
# Modes whose pixels a box reduction may average as they are (not palette indexes, not bits).
SHRINKABLE = frozenset({"L", "LA", "RGB", "RGBA", "CMYK"})
# How to turn an image of each EXIF orientation upright (as ImageOps.exif_transpose does).
TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# What decoding a hostile file may raise (beyond InvalidImage): broken or truncated data.
BROKEN = (
    OSError,  # UnidentifiedImageError, "image file is truncated", "broken data stream"
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    KeyError,
    struct.error,
    zlib.error,
)
# Pillow's decompression-bomb check: an error past twice its limit, a warning past it (raised,
# not only shown, where warnings are errors).
BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)


class PillowPictureProcessor:
    """``PictureProcessor`` on Pillow."""

    def __init__(self, concurrency: Concurrency = Concurrency.THREADS) -> None:
        self._concurrency = concurrency
        # Pillow's own decompression-bomb check (in ``Image.open``) at the store's limit: it
        # warns past it and refuses twice past it, before ``check_dimensions`` looks.
        Image.MAX_IMAGE_PIXELS = pictures.MAX_PIXELS

    def variants(self, data: bytes) -> list[ImageVariant]:
        # Off a cooperative worker's loop: Pillow lets go of the GIL while it decodes, resizes
        # and encodes, so the worker's other requests go on meanwhile (a 40-megapixel PNG takes
        # over a second).
        return run_off_loop(lambda: _variants(data), lane="pictures", concurrency=self._concurrency)


def _variants(data: bytes) -> list[ImageVariant]:
    try:
        with _opened(data) as image:
            upright = _decoded(image)
    except BOMB:
        raise InvalidImage(pictures.TOO_MANY_PIXELS) from None
    except BROKEN:
        raise InvalidImage(pictures.NOT_AN_IMAGE) from None
    variants = []
    for size in sorted(pictures.SIZES, reverse=True):  # each from the next larger one
        upright = _fitted(upright, size)
        variants.append(_encoded(upright, size))
    return sorted(variants, key=lambda variant: variant.size)


def _opened(data: bytes) -> Image.Image:
    """The image in ``data``, its header read and its size checked; no pixel decoded yet."""
    image = Image.open(io.BytesIO(data), formats=DECODERS)
    if image.format not in ACCEPTED:
        image.close()
        raise InvalidImage(pictures.NOT_AN_IMAGE)
    try:
        pictures.check_dimensions(*image.size)
    except InvalidImage:
        image.close()
        raise
    return image


def _decoded(image: Image.Image) -> Image.Image:
    """The first frame's pixels, upright, in sRGB, as RGB or RGBA; nothing else of the file."""
    # A JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) still at least as large as the
    # largest copy: a fraction of the memory and time of the full picture.
    image.draft(None, (pictures.LARGE, pictures.LARGE))
    image.load()
    mode = "RGBA" if image.has_transparency_data else "RGB"
    pixels = _shrunk(image if image.mode in SHRINKABLE else image.convert(mode))
    pixels = _in_srgb(pixels, image.info.get("icc_profile"), mode)
    if mode == "RGBA" and pixels.getchannel("A").getextrema() == (255, 255):
        pixels = pixels.convert("RGB")  # transparent in name only
    return _upright(pixels, _orientation(image))


def _shrunk(image: Image.Image) -> Image.Image:
    """``image`` box-reduced by a whole factor to no less than twice the largest copy, so that
    a huge picture is copied, converted and turned small (the resampling to each size follows)."""
    factor = max(image.size) // (2 * pictures.LARGE)
    return image.reduce(factor) if factor >= 2 else image


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1: upright already); 1 when it cannot be read."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except BROKEN:
        return 1
    return value if isinstance(value, int) else 1


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    method = TURNS.get(orientation)
    return image if method is None else image.transpose(method)


def _in_srgb(image: Image.Image, icc_profile: bytes | None, mode: str) -> Image.Image:
    """``image`` in ``mode``, its colours converted from its ICC profile to sRGB (what the
    copies are shown as, without a profile of their own)."""
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, profile, _srgb(), outputMode=mode)
        except (ImageCms.PyCMSError, *BROKEN):
            pass  # a profile Little CMS cannot use: the colours are taken as they are
        else:
            if converted is not None:
                return converted
    return image.convert(mode)


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _fitted(image: Image.Image, size: int) -> Image.Image:
    """``image`` within ``size`` pixels a side, its proportions kept; never enlarged."""
    if max(image.size) <= size:
        return image
    fitted = image.copy()
    fitted.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return fitted


def _encoded(image: Image.Image, size: int) -> ImageVariant:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", **WEBP_OPTIONS)  # no exif, icc_profile or xmp given: none
    return ImageVariant(size, CONTENT_TYPE, image.width, image.height, buffer.getvalue())

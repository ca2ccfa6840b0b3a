"""Uploads re-encoded with Pillow: hostile files are refused or cleaned, never decoded unbounded."""

from __future__ import annotations

import hashlib
import io
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from tests import pictures as files
from webstore.adapters.pictures import PillowPictureProcessor
from webstore.domain import pictures
from webstore.domain.errors import InvalidImage
from webstore.domain.pictures import ImageVariant

WEBP_PIXELS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}  # image data only: no EXIF, XMP or ICCP


@pytest.fixture(scope="module")
def processor() -> PillowPictureProcessor:
    return PillowPictureProcessor()


def half(data: bytes) -> bytes:
    """The first half of a file, as an upload cut short leaves it."""
    return data[: len(data) // 2]


def refused(processor: PillowPictureProcessor, data: bytes) -> str:
    with pytest.raises(InvalidImage) as refusal:
        processor.variants(data)
    assert list(refusal.value.errors) == ["image"]
    message: str = refusal.value.errors["image"][0]
    return message


def opened(variant: ImageVariant) -> Image.Image:
    image = Image.open(io.BytesIO(variant.data))
    image.load()
    return image


def assert_fresh_webp(variants: list[ImageVariant]) -> None:
    for variant in variants:
        assert set(files.webp_chunks(variant.data)) <= WEBP_PIXELS
        image = opened(variant)
        assert (image.format, variant.content_type) == ("WEBP", "image/webp")
        assert (image.width, image.height) == (variant.width, variant.height)
        assert not image.getexif() and "icc_profile" not in image.info and "xmp" not in image.info


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (files.photo(3000, 2000), (1200, 800)),
        (files.photo(2000, 3000, "PNG"), (800, 1200)),
        (files.photo(1600, 1600, "WEBP"), (1200, 1200)),
    ],
    ids=["jpeg", "png", "webp"],
)
def test_each_accepted_format_becomes_a_large_copy_and_a_thumbnail_in_webp(
    processor: PillowPictureProcessor, data: bytes, size: tuple[int, int]
) -> None:
    thumbnail, large = processor.variants(data)

    assert (large.size, (large.width, large.height)) == (1200, size)
    assert (thumbnail.size, max(thumbnail.width, thumbnail.height)) == (400, 400)
    assert_fresh_webp([thumbnail, large])
    assert large.digest == hashlib.sha256(large.data).hexdigest()


def test_a_small_picture_is_never_enlarged(processor: PillowPictureProcessor) -> None:
    thumbnail, large = processor.variants(files.photo(300, 200, "PNG"))

    assert [(v.width, v.height) for v in (thumbnail, large)] == [(300, 200), (300, 200)]


def test_transparency_is_kept(processor: PillowPictureProcessor) -> None:
    clear = Image.new("RGBA", (100, 100), (255, 0, 0, 0))
    clear.paste((0, 0, 255, 255), (25, 25, 75, 75))

    thumbnail, _ = processor.variants(files.encoded(clear, "PNG"))

    image = opened(thumbnail)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((50, 50))[3] == 255  # type: ignore[index]


def test_gps_position_camera_xmp_comment_and_profile_are_not_kept(
    processor: PillowPictureProcessor,
) -> None:
    upload = files.jpeg_with_metadata()
    original = Image.open(io.BytesIO(upload))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry them
    assert b"SECRET-XMP" in upload and b"SECRET-COMMENT" in upload and b"SECRET-CAMERA" in upload

    variants = processor.variants(upload)

    assert_fresh_webp(variants)
    for variant in variants:
        for secret in (b"SECRET", b"Exif", b"GPS", b"xmpmeta"):
            assert secret not in variant.data


@pytest.mark.parametrize(
    ("orientation", "size"), [(1, (200, 100)), (6, (100, 200)), (8, (100, 200))]
)
def test_the_exif_orientation_is_applied(
    processor: PillowPictureProcessor, orientation: int, size: tuple[int, int]
) -> None:
    thumbnail, _ = processor.variants(files.jpeg_with_metadata(orientation=orientation))

    image = opened(thumbnail).convert("RGB")
    assert image.size == size
    # The blue half was on the left; a phone held upright (6) put it on top, (8) at the bottom.
    top_left = image.getpixel((5, 5))
    expected_blue = orientation in (1, 6)
    assert (top_left[2] > 128) is expected_blue, top_left  # type: ignore[index]


@pytest.mark.parametrize(
    "polyglot",
    [
        files.photo(64, 48) + files.SCRIPT,
        files.jpeg_then_zip(),
        files.png_with_text(files.SCRIPT),
        files.photo(64, 48, "JPEG", comment=files.SCRIPT),
    ],
    ids=["jpeg-then-html", "jpeg-and-zip", "png-text-chunk", "jpeg-comment"],
)
def test_a_polyglot_comes_out_as_fresh_pixels_without_its_payload(
    processor: PillowPictureProcessor, polyglot: bytes
) -> None:
    variants = processor.variants(polyglot)

    assert_fresh_webp(variants)
    for variant in variants:
        assert b"script" not in variant.data and b"PK\x03\x04" not in variant.data
        assert variant.data != polyglot


@pytest.mark.parametrize(
    "data",
    [
        files.SVG,
        files.gif(),
        files.encoded(Image.new("RGB", (8, 8)), "BMP"),
        files.encoded(Image.new("RGB", (8, 8)), "TIFF"),
        files.SCRIPT,
        b"\x89PNG\r\n\x1a\n",
        half(files.photo(640, 480)),
        half(files.photo(640, 480, "PNG")),
        half(files.photo(640, 480, "WEBP")),
    ],
    ids=["svg", "gif", "bmp", "tiff", "html", "png-signature", "jpeg-cut", "png-cut", "webp-cut"],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(
    processor: PillowPictureProcessor, data: bytes
) -> None:
    assert refused(processor, data) == pictures.NOT_AN_IMAGE


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (100_000, 100_000),  # ten gigapixels: Pillow's own check refuses it outright
        (8_000, 5_001),  # just over 40 megapixels
        (10_001, 16),  # one pixel too wide, whatever its pixel count
        (16, 10_001),
    ],
)
def test_a_header_declaring_too_many_pixels_is_refused_before_decoding(
    processor: PillowPictureProcessor, width: int, height: int
) -> None:
    started = time.perf_counter()

    # Decoding would fail ("truncated") with another message: the header decided.
    assert refused(processor, files.png_declaring(width, height)) == pictures.TOO_MANY_PIXELS
    assert time.perf_counter() - started < 2


def test_where_pillow_only_warns_of_a_bomb_the_stores_own_limit_refuses_it(
    processor: PillowPictureProcessor,
) -> None:
    # As in production, where warnings are shown rather than raised.
    with pytest.warns(Image.DecompressionBombWarning):
        message = refused(processor, files.png_declaring(8_000, 5_001))

    assert message == pictures.TOO_MANY_PIXELS


def test_a_picture_at_the_limits_is_accepted(processor: PillowPictureProcessor) -> None:
    at_limit = files.encoded(Image.new("L", (10_000, 4_000), 200), "PNG")

    thumbnail, large = processor.variants(at_limit)

    assert [(v.width, v.height) for v in (thumbnail, large)] == [(400, 160), (1200, 480)]


SEEDS = [files.photo(48, 32), files.photo(48, 32, "PNG"), files.photo(48, 32, "WEBP")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 4000),
)
def test_a_damaged_file_is_refused_or_cleaned_never_a_crash(
    seed: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    damaged = bytearray(seed)
    for position, value in edits:
        damaged[position % len(damaged)] = value
    data = bytes(damaged[: max(1, len(damaged) - cut % 64)])
    try:
        variants = PillowPictureProcessor().variants(data)
    except InvalidImage:
        return
    assert_fresh_webp(variants)

"""Pictures for tests: honest ones, and the hostile files a store must refuse or clean up."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

from PIL import ExifTags, Image, ImageCms

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (13.0, 24.0, 3.0),
}
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">'
    b'<script>alert(1)</script><rect width="400" height="400" fill="red"/></svg>'
)


def encoded(image: Image.Image, image_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def photo(width: int = 640, height: int = 480, image_format: str = "JPEG", **options: Any) -> bytes:
    """A picture with some detail: a red-to-blue gradient over grey."""
    image = Image.linear_gradient("L").resize((width, height))
    colour = Image.merge("RGB", (image, Image.new("L", (width, height), 128), image.rotate(180)))
    return encoded(colour, image_format, **options)


def jpeg_with_metadata(width: int = 200, height: int = 100, orientation: int = 1) -> bytes:
    """A JPEG carrying a GPS position, a camera make, XMP and a comment (and an orientation)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SECRET-CAMERA"
    exif[ExifTags.IFD.GPSInfo] = GPS
    image = Image.new("RGB", (width, height), "red")
    image.paste("blue", (0, 0, width // 2, height))  # left half blue: shows which way is up
    return encoded(
        image,
        "JPEG",
        exif=exif.tobytes(),
        xmp=b"<x:xmpmeta>SECRET-XMP</x:xmpmeta>",
        comment=b"SECRET-COMMENT",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` pixels (a decompression bomb's
    header): its data holds one row, so decoding it all would fail, late and at great cost."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = zlib.compress(b"\0" + b"\x7f" * min(width, 1000) * 3)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", row)
        + png_chunk(b"IEND", b"")
    )


def png_with_text(payload: bytes) -> bytes:
    """A valid PNG carrying ``payload`` in a text chunk (a polyglot's hiding place)."""
    png = photo(64, 48, "PNG")
    end = png.rindex(b"IEND") - 4
    return png[:end] + png_chunk(b"tEXt", b"Comment\0" + payload) + png[end:]


def jpeg_then_zip() -> bytes:
    """A JPEG that is also a ZIP archive holding a script (readers of either find theirs)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.html", SCRIPT)
    return photo(64, 48) + archive.getvalue()


def gif() -> bytes:
    return encoded(Image.new("RGB", (64, 48), "green"), "GIF")


def webp_chunks(data: bytes) -> list[bytes]:
    """The kinds of the chunks of a WebP (RIFF) file, in order."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    kinds, position = [], 12
    while position < len(data):
        kind, size = (
            data[position : position + 4],
            struct.unpack("<I", data[position + 4 : position + 8])[0],
        )
        kinds.append(kind)
        position += 8 + size + (size & 1)
    return kinds

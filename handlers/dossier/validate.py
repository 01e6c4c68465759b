"""Is a file a usable dossier document? Judged by its content, never by its name or MIME type,
and checked before it is trusted: sizes come from the header, before any pixel is decoded.

Accepted: JPEG, PNG, WebP, HEIC images of at most 40 megapixels, at least ~600 px on the short
side and at most 8 times longer than wide; PDFs that start as a PDF, parse and have 1–30 pages;
at most 20 MB (Telegram's bot download limit). An image is stored re-encoded from its decoded
pixels, upright (EXIF orientation applied), so whatever was appended to it (a zip after the
JPEG) and its metadata (EXIF with GPS position, XMP, comments) are not kept; a PDF is stored as
received. A refusal carries the key of the message that says why and what to do.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import PurePath

MAX_BYTES = 20 * 1024 * 1024
MIN_SHORT_SIDE = 600
#: 40 MP: more than any phone camera's default (12–24 MP, 50 MP "high-res" modes aside); a
#: decoded 40 MP photo is 120 MB, so one check stays well within a small server's memory.
MAX_PIXELS = 40_000_000
#: A long receipt photographed in one go is about 1:4; 1:8 leaves room, a 600 × 60,000 strip not.
MAX_ASPECT = 8
#: Per document; a longer PDF is almost certainly not a family's paper (and would swamp the print).
MAX_PDF_PAGES = 30
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
#: What a file name or a platform's MIME type says the file is, as shown to the user.
_CLAIMS = {
    ".jpg": "JPG", ".jpeg": "JPG", ".png": "PNG", ".webp": "WebP", ".heic": "HEIC",
    ".heif": "HEIC", ".pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG",
    "image/webp": "WebP", "image/heic": "HEIC", "image/heif": "HEIC", "application/pdf": "PDF",
}

@dataclass(frozen=True, slots=True)
class Verdict:
    """``ok`` with what to store (``data``, ``mime_type``), or a refusal (``reason``: a
    dossier.refuse.* key; ``claimed`` the type the file's name said it was)."""

    ok: bool
    reason: str = ""
    mime_type: str = ""
    #: photo (shown as an image) | document (sent back as a file)
    kind: str = ""
    pages: int = 1
    width: int = 0
    height: int = 0
    data: bytes = b""
    claimed: str = ""


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes really are, by their first bytes, among the accepted ones."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return "image/heic"
    # At the very start: readers tolerate junk before the header, which is how an HTML page
    # with a PDF tacked on passes for both; phones and scanners never write such files.
    if data[:5] == b"%PDF-":
        return "application/pdf"
    return None


def claimed_type(file_name: str | None, mime_type: str | None) -> str:
    """What the sender's file name or MIME type says the file is ("PDF", "JPG"...), or ""."""
    if file_name:
        found = _CLAIMS.get(PurePath(file_name).suffix.lower())
        if found:
            return found
    return _CLAIMS.get((mime_type or "").lower(), "")


def shape_refusal(width: int, height: int) -> str:
    """Why an image of this size is refused ("" if it is not), known before decoding."""
    if width * height > MAX_PIXELS:
        return "too_many_pixels"
    if max(width, height) > MAX_ASPECT * max(1, min(width, height)):
        return "odd_shape"
    if min(width, height) < MIN_SHORT_SIDE:
        return "too_small"
    return ""


def check_file(data: bytes, claimed: str = "") -> Verdict:
    """The verdict on one file (CPU-bound: call ``check_file_async`` from handlers);
    ``claimed``: what its name said it was (see ``claimed_type``), for the refusal's words."""
    if not data:
        return Verdict(False, "empty")
    if len(data) > MAX_BYTES:
        return Verdict(False, "too_big")
    mime = sniff(data)
    if mime is None:
        return Verdict(False, "not_as_named" if claimed else "wrong_type", claimed=claimed)
    # Pillow and pypdf are imported on the first file, not at start-up (see decoding.py).
    from handlers.dossier import decoding

    if mime == "application/pdf":
        return decoding.check_pdf(data)
    return decoding.check_image(data, mime)


async def check_file_async(data: bytes, claimed: str = "") -> Verdict:
    return await asyncio.to_thread(check_file, data, claimed)

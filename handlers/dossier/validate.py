"""Is a file a usable dossier document? Judged by its content, never by its name or MIME type.

Accepted: JPEG, PNG, WebP, HEIC images at least ~600 px on the short side, and PDFs that parse
and have pages; at most 20 MB (Telegram's bot download limit). A refusal carries the key of the
message that says why and what to do.
"""

from __future__ import annotations

import asyncio
import io
import warnings
from dataclasses import dataclass
from functools import cache

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

MAX_BYTES = 20 * 1024 * 1024
MIN_SHORT_SIDE = 600
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


@dataclass(frozen=True, slots=True)
class Verdict:
    """``ok`` with what the file is, or a refusal (``reason``: a dossier.refuse.* key)."""

    ok: bool
    reason: str = ""
    mime_type: str = ""
    #: photo (shown as an image) | document (sent back as a file)
    kind: str = ""
    pages: int = 1
    width: int = 0
    height: int = 0


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes really are, among the accepted ones, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return "image/heic"
    # The PDF header may follow some junk bytes; readers accept it within the first 1 KB.
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    return None


@cache
def heif_ready() -> bool:
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a dependency
        return False
    return True


def _check_image(data: bytes, mime: str) -> Verdict:
    if mime == "image/heic" and not heif_ready():
        return Verdict(False, "unreadable_image")
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            # Decode it all (a JPEG at 1/8 scale: every block is still read, 10x faster) so a
            # photo cut short by a weak connection is refused now, not found at printing time.
            img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return Verdict(False, "unreadable_image")
    if min(width, height) < MIN_SHORT_SIDE:
        return Verdict(False, "too_small", mime_type=mime, width=width, height=height)
    # Telegram shows JPEG/PNG as photos; WebP/HEIC go back as files so nothing is re-encoded.
    kind = "photo" if mime in ("image/jpeg", "image/png") else "document"
    return Verdict(True, mime_type=mime, kind=kind, width=width, height=height)


def _check_pdf(data: bytes) -> Verdict:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return Verdict(False, "pdf_locked")
            pages = len(reader.pages)
    except Exception:  # a malformed PDF can raise almost anything from inside the parser
        return Verdict(False, "pdf_broken")
    if pages == 0:
        return Verdict(False, "pdf_empty")
    return Verdict(True, mime_type="application/pdf", kind="document", pages=pages)


def check_file(data: bytes) -> Verdict:
    """The verdict on one file (CPU-bound: call ``check_file_async`` from handlers)."""
    if not data:
        return Verdict(False, "empty")
    if len(data) > MAX_BYTES:
        return Verdict(False, "too_big")
    mime = sniff(data)
    if mime is None:
        return Verdict(False, "wrong_type")
    if mime == "application/pdf":
        return _check_pdf(data)
    return _check_image(data, mime)


async def check_file_async(data: bytes) -> Verdict:
    return await asyncio.to_thread(check_file, data)

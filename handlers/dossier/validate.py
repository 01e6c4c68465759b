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
import io
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

MAX_BYTES = 20 * 1024 * 1024
MIN_SHORT_SIDE = 600
#: 40 MP: more than any phone camera's default (12–24 MP, 50 MP "high-res" modes aside); a
#: decoded 40 MP photo is 120 MB, so one check stays well within a small server's memory.
MAX_PIXELS = 40_000_000
#: A long receipt photographed in one go is about 1:4; 1:8 leaves room, a 600 × 60,000 strip not.
MAX_ASPECT = 8
#: Per document; a longer PDF is almost certainly not a family's paper (and would swamp the print).
MAX_PDF_PAGES = 30
JPEG_QUALITY = 90
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
#: Pillow's plug-in for each accepted type: a file is only ever decoded as what it was sniffed as.
_PIL_FORMATS = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF",
}
#: What a file name or a platform's MIME type says the file is, as shown to the user.
_CLAIMS = {
    ".jpg": "JPG", ".jpeg": "JPG", ".png": "PNG", ".webp": "WebP", ".heic": "HEIC",
    ".heif": "HEIC", ".pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG",
    "image/webp": "WebP", "image/heic": "HEIC", "image/heif": "HEIC", "application/pdf": "PDF",
}

# Pillow's own guard, a second line behind ours: it warns above this many pixels and refuses
# twice as many (its default, 89 MP, would let a 13,000 × 13,000 PNG through with a warning).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


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


@cache
def heif_ready() -> bool:
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a dependency
        return False
    return True


def shape_refusal(width: int, height: int) -> str:
    """Why an image of this size is refused ("" if it is not), known before decoding."""
    if width * height > MAX_PIXELS:
        return "too_many_pixels"
    if max(width, height) > MAX_ASPECT * max(1, min(width, height)):
        return "odd_shape"
    if min(width, height) < MIN_SHORT_SIDE:
        return "too_small"
    return ""


def open_image(data: bytes, mime: str) -> Image.Image:
    """Open (lazily: the header only) as the sniffed type; Pillow's bomb warning is an error."""
    if mime == "image/heic":
        heif_ready()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[mime]])


def _clean(img: Image.Image, mime: str) -> tuple[bytes, str, Image.Image]:
    """The image re-encoded from its pixels, upright, without metadata: (bytes, type, image)."""
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)  # an animated WebP/PNG: its first frame
    orientation = img.getexif().get(ExifTags.Base.Orientation, 1)
    icc = img.info.get("icc_profile")
    out = io.BytesIO()
    # (A phone's MPO, a JPEG with a depth map after it, is re-encoded: its first picture.)
    if img.format == "JPEG" and orientation == 1 and img.mode in ("L", "RGB", "CMYK"):
        # Same quantisation tables and subsampling as the original: nearly lossless.
        img.load()
        img.save(out, "JPEG", quality="keep", icc_profile=icc, comment="")
        return out.getvalue(), "image/jpeg", img
    upright = ImageOps.exif_transpose(img)
    upright.info = {}
    if mime == "image/png":
        upright.save(out, "PNG", icc_profile=icc, compress_level=3,
                     transparency=img.info.get("transparency"))
        return out.getvalue(), "image/png", upright
    if upright.mode not in ("L", "RGB", "CMYK"):
        upright = flatten_on_white(upright)
    upright.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=icc)
    return out.getvalue(), "image/jpeg", upright


def flatten_on_white(img: Image.Image) -> Image.Image:
    """RGB, transparent parts on white (as printed)."""
    rgba = img.convert("RGBA")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white


def _check_image(data: bytes, mime: str) -> Verdict:
    if mime == "image/heic" and not heif_ready():
        return Verdict(False, "unreadable_image")
    try:
        with open_image(data, mime) as img:
            width, height = img.size
            refusal = shape_refusal(width, height)
            if refusal:
                return Verdict(False, refusal, mime_type=mime, width=width, height=height)
            # Decoding it all also refuses a photo cut short by a weak connection now, not
            # at printing time.
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                clean, stored_mime, upright = _clean(img, mime)
            width, height = upright.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Verdict(False, "too_many_pixels", mime_type=mime)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, KeyError):
        return Verdict(False, "unreadable_image")
    # Telegram shows JPEG/PNG as photos, which is all that is stored now.
    return Verdict(True, mime_type=stored_mime, kind="photo", width=width, height=height,
                   data=clean)


def declared_pages(reader: PdfReader) -> int:
    """The page count the PDF's catalogue states, read without walking the page tree."""
    root = reader.trailer["/Root"].get_object()
    tree = root["/Pages"].get_object() if isinstance(root, DictionaryObject) else None
    if not isinstance(tree, DictionaryObject) or "/Count" not in tree:
        return 0
    count = tree["/Count"]
    return count if isinstance(count, int) else 0


def _check_pdf(data: bytes) -> Verdict:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return Verdict(False, "pdf_locked")
            if declared_pages(reader) > MAX_PDF_PAGES:
                return Verdict(False, "pdf_too_long", pages=declared_pages(reader))
            # The stated count can lie: walk the tree (bounded now) and read every page's box.
            pages = [page.mediabox for page in reader.pages]
    except Exception:  # a malformed PDF can raise almost anything from inside the parser
        return Verdict(False, "pdf_broken")
    if not pages:
        return Verdict(False, "pdf_empty")
    if len(pages) > MAX_PDF_PAGES:
        return Verdict(False, "pdf_too_long", pages=len(pages))
    return Verdict(True, mime_type="application/pdf", kind="document", pages=len(pages),
                   data=data)


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
    if mime == "application/pdf":
        return _check_pdf(data)
    return _check_image(data, mime)


async def check_file_async(data: bytes, claimed: str = "") -> Verdict:
    return await asyncio.to_thread(check_file, data, claimed)

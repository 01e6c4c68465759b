"""Decoding dossier files with Pillow and pypdf, apart from validate.py so that start-up and
every chat that sends no file never import them (~0.3 s and ~20 MB)."""

from __future__ import annotations

import io
import warnings
from functools import cache

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from handlers.dossier.validate import MAX_PDF_PAGES, MAX_PIXELS, Verdict, shape_refusal

JPEG_QUALITY = 90
#: Pillow's plug-in for each accepted type: a file is only ever decoded as what it was sniffed as.
_PIL_FORMATS = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/heic": "HEIF",
}

# Pillow's own guard, a second line behind ours: it warns above this many pixels and refuses
# twice as many (its default, 89 MP, would let a 13,000 × 13,000 PNG through with a warning).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS



@cache
def heif_ready() -> bool:
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a dependency
        return False
    return True


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


def check_image(data: bytes, mime: str) -> Verdict:
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


def check_pdf(data: bytes) -> Verdict:
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

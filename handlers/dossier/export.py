"""One PDF per dossier for printing or filing: a cover page, then every document in checklist
order — one A4 page per image, a PDF document's own pages appended as they are."""

from __future__ import annotations

import asyncio
import io
import logging
import warnings
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from PIL import ExifTags, Image, ImageOps
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dossier.checklist import load_checklist
from handlers.dossier.decoding import declared_pages, flatten_on_white, open_image
from handlers.dossier.progress import DossierView, groups_text, load_view
from handlers.dossier.validate import MAX_PDF_PAGES, shape_refusal
from messages import t
from storage.dossier_repo import documents_of, get_tracker
from storage.files import FileStore
from storage.models import Case, DossierDocument, Unit

#: DejaVu Sans (Bitstream Vera licence, see storage/fonts/LICENSE-DejaVu.txt): has every
#: Vietnamese glyph, and ships with the code so a fresh machine needs no system fonts.
FONT = Path(__file__).resolve().parents[2] / "storage" / "fonts" / "DejaVuSans.ttf"
_MARGIN_MM = 10.0
# fontTools logs every font subsetting at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)
#: Long side of a photo as printed: 2,000 px over A4's 190 mm is about 270 dpi.
PRINT_SIDE = 2000
#: Pages of one exported dossier at most (a family's dossier has a few dozen).
MAX_EXPORT_PAGES = 300


def _new_pdf() -> FPDF:
    doc = FPDF(format="A4")
    doc.set_auto_page_break(auto=True, margin=15)
    doc.add_font("DejaVu", "", str(FONT))
    doc.set_font("DejaVu", size=11)
    return doc


def _cover(view: DossierView, status: str, unit_name: str, when: str) -> bytes:
    case = view.case
    doc = _new_pdf()
    doc.add_page()
    doc.set_font("DejaVu", size=14)
    doc.multi_cell(0, 8, t("dossier.export.title"), align="C")
    doc.ln(4)
    doc.set_font("DejaVu", size=11)
    unknown = t("dossier.export.unknown")
    lines = [
        t("dossier.export.ref", ref=case.ref),
        t("dossier.export.name", name=case.full_name or unknown),
        t("dossier.export.birth",
          date=case.date_of_birth.strftime("%d/%m/%Y") if case.date_of_birth else unknown),
        t("dossier.export.unit", unit=unit_name or unknown),
        t("dossier.export.village", village=case.village or unknown),
        t("dossier.export.groups", groups=groups_text(view.groups)),
        t("dossier.export.status", status=t(f"dossier.export.status_{status}")),
        "",
        t("dossier.export.items"),
    ]
    lines += [
        t("dossier.export.item", n=n, title=v.item.title, state=v.label, files=v.files,
          pages=v.pages)
        for n, v in enumerate(view.items, start=1)
    ]
    lines += ["", t("dossier.export.exported", when=when)]
    if not load_checklist().confirmed:
        lines.append(t("dossier.unconfirmed"))
    for line in lines:
        doc.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def _printable(data: bytes, mime: str) -> tuple[bytes, int, int]:
    """A JPEG small enough to print a page from (at most ``PRINT_SIDE`` px on its long side),
    upright, and its size. Only the header is read before deciding: a stored file too big to
    decode (one kept before files were checked) raises ValueError instead of filling memory."""
    with open_image(data, mime) as img:
        if shape_refusal(*img.size) in ("too_many_pixels", "odd_shape"):
            raise ValueError("image too large to print")
        # JPEG decodes straight at 1/2, 1/4 or 1/8 scale: a 40 MP photo never exists in full.
        scale = min(1.0, PRINT_SIDE / max(img.size))
        img.draft("RGB", (round(img.width * scale), round(img.height * scale)))
        upright = img.getexif().get(ExifTags.Base.Orientation, 1) == 1
        fixed = img.copy() if upright else ImageOps.exif_transpose(img)
    fixed.thumbnail((PRINT_SIDE, PRINT_SIDE))
    if fixed.mode not in ("RGB", "L"):
        fixed = flatten_on_white(fixed)
    out = io.BytesIO()
    fixed.save(out, "JPEG", quality=85)
    return out.getvalue(), fixed.width, fixed.height


def _note_page(text: str) -> bytes:
    doc = _new_pdf()
    doc.add_page()
    doc.multi_cell(0, 7, text)
    return bytes(doc.output())


def _image_page(data: bytes, mime: str) -> bytes:
    """One A4 page with the image scaled to fit; a file that no longer opens gets a page
    saying so, so one bad photo never stops the export."""
    try:
        jpeg, width, height = _printable(data, mime)
    except (OSError, ValueError, SyntaxError, EOFError, KeyError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return _note_page(t("dossier.export.unreadable"))
    # No font here: loading the TTF costs more than placing the photo.
    doc = FPDF(format="A4")
    doc.set_auto_page_break(auto=False)
    doc.add_page()
    box_w, box_h = doc.w - 2 * _MARGIN_MM, doc.h - 2 * _MARGIN_MM
    scale = min(box_w / width, box_h / height)
    w, h = width * scale, height * scale
    doc.image(io.BytesIO(jpeg), x=(doc.w - w) / 2, y=(doc.h - h) / 2, w=w, h=h)
    return bytes(doc.output())


def _pdf_pages(data: bytes) -> PdfReader | None:
    """The stored PDF, if it still parses (it did when received)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                reader.decrypt("")
            if declared_pages(reader) < 1 or not reader.pages:
                return None
    except Exception:  # a malformed PDF can raise almost anything from inside the parser
        return None
    return reader


def build_pdf(cover: bytes, documents: Iterable[tuple[DossierDocument, bytes]]) -> bytes:
    """Cover, then each document: at most ``MAX_PDF_PAGES`` pages of one PDF (more could only
    come from a file kept before files were checked) and ``MAX_EXPORT_PAGES`` in all, so the
    file, and the memory it takes, stay bounded; ``documents`` is read one at a time."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    left_out = 0
    for doc, data in documents:
        room = MAX_EXPORT_PAGES - len(writer.pages)
        if room <= 0:
            left_out += 1
            continue
        if doc.mime_type != "application/pdf":
            writer.append(PdfReader(io.BytesIO(_image_page(data, doc.mime_type))))
            continue
        reader = _pdf_pages(data)
        if reader is None:
            writer.append(PdfReader(io.BytesIO(_note_page(t("dossier.export.unreadable_pdf")))))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                writer.append(reader, pages=(0, min(len(reader.pages), MAX_PDF_PAGES, room)))
        except Exception:  # a page that parses but cannot be copied: say so, go on
            writer.append(PdfReader(io.BytesIO(_note_page(t("dossier.export.unreadable_pdf")))))
    if left_out:
        writer.append(PdfReader(io.BytesIO(_note_page(t("dossier.export.left_out",
                                                          count=left_out)))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def find_case(session: AsyncSession, ref: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.ref == ref.strip().upper()))


async def export_dossier(
    session: AsyncSession, files: FileStore, case: Case, now: datetime, zone: ZoneInfo
) -> tuple[bytes, int]:
    """The dossier as PDF bytes, and its page count."""
    view = await load_view(session, case)
    tracker = await get_tracker(session, case.id, now)
    unit = await session.get(Unit, case.unit_id) if case.unit_id is not None else None
    order = {item.key: n for n, item in enumerate(load_checklist().items)}
    docs = sorted(
        await documents_of(session, case.id),
        key=lambda d: (order.get(d.item_key, len(order)), d.page),
    )
    # Read in the worker thread, one file at a time, as each page is made.
    payload = ((d, files.path_for(d.sha256).read_bytes()) for d in docs)
    when = now.astimezone(zone).strftime("%H:%M %d/%m/%Y")
    cover = await asyncio.to_thread(_cover, view, tracker.status, unit.name if unit else "", when)
    data = await asyncio.to_thread(build_pdf, cover, payload)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    return data, pages

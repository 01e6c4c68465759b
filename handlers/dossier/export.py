"""One PDF per dossier for printing or filing: a cover page, then every document in checklist
order — one A4 page per image, a PDF document's own pages appended as they are."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dossier.checklist import load_checklist
from handlers.dossier.progress import DossierView, groups_text, load_view
from handlers.dossier.validate import heif_ready
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
_EXIF_ORIENTATION = 0x0112


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
        t("dossier.export.item", n=n, title=v.item.title, state=v.label, pages=v.pages)
        for n, v in enumerate(view.items, start=1)
    ]
    lines += ["", t("dossier.export.exported", when=when)]
    if not load_checklist().confirmed:
        lines.append(t("dossier.unconfirmed"))
    for line in lines:
        doc.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def _printable(data: bytes, mime: str) -> tuple[bytes, int, int]:
    """JPEG bytes fpdf can embed as they are (no re-encoding of an upright JPEG photo), and
    the size; HEIC, WebP, PNG and rotated photos are converted once."""
    heif_ready()
    with Image.open(io.BytesIO(data)) as img:
        upright = img.getexif().get(_EXIF_ORIENTATION, 1) == 1
        if mime == "image/jpeg" and upright and img.mode in ("RGB", "L"):
            return data, img.width, img.height
        fixed = (ImageOps.exif_transpose(img) or img).convert("RGB")
    out = io.BytesIO()
    fixed.save(out, "JPEG", quality=85)
    return out.getvalue(), fixed.width, fixed.height


def _image_page(data: bytes, mime: str) -> bytes:
    """One A4 page with the image scaled to fit; a file that no longer opens gets a page
    saying so, so one bad photo never stops the export."""
    try:
        jpeg, width, height = _printable(data, mime)
    except (OSError, ValueError, SyntaxError):
        doc = _new_pdf()
        doc.add_page()
        doc.multi_cell(0, 7, t("dossier.export.unreadable"))
        return bytes(doc.output())
    # No font here: loading the TTF costs more than placing the photo.
    doc = FPDF(format="A4")
    doc.set_auto_page_break(auto=False)
    doc.add_page()
    box_w, box_h = doc.w - 2 * _MARGIN_MM, doc.h - 2 * _MARGIN_MM
    scale = min(box_w / width, box_h / height)
    w, h = width * scale, height * scale
    doc.image(io.BytesIO(jpeg), x=(doc.w - w) / 2, y=(doc.h - h) / 2, w=w, h=h)
    return bytes(doc.output())


def build_pdf(cover: bytes, documents: list[tuple[DossierDocument, bytes]]) -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    for doc, data in documents:
        page_pdf = (
            data if doc.mime_type == "application/pdf" else _image_page(data, doc.mime_type)
        )
        writer.append(PdfReader(io.BytesIO(page_pdf), strict=False))
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
    payload = [(d, await files.get(d.sha256)) for d in docs]
    when = now.astimezone(zone).strftime("%H:%M %d/%m/%Y")
    cover = await asyncio.to_thread(_cover, view, tracker.status, unit.name if unit else "", when)
    data = await asyncio.to_thread(build_pdf, cover, payload)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    return data, pages

"""Shared set-up for the dossier tests: cases, officers, generated photos and PDFs."""

from __future__ import annotations

import io
import random
from typing import Any

from fpdf import FPDF
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import select

from bot.app import App
from bot.inbound import button_event
from bot.simulate import output_lines
from handlers.types import Channel
from storage.models import Case, Officer, Unit, utcnow
from storage.repositories import get_or_create_contact, mark_sent


async def click(
    app: App, user: str, button_id: str, *, channel: Channel = Channel.CONSOLE
) -> list[dict[str, Any]]:
    """Press a button by its id, as Telegram's callback data delivers it."""
    rows = await app.engine.handle(button_event(channel, user, button_id=button_id))
    async with app.db.session() as session, session.begin():
        await mark_sent(session, [r.id for r in rows], utcnow())
    return output_lines(0, rows)


async def two_units(app: App) -> tuple[int, int]:
    async with app.db.session() as session:
        ids = list(
            await session.scalars(
                select(Unit.id).where(Unit.valid_to.is_(None)).order_by(Unit.id).limit(2)
            )
        )
    return ids[0], ids[1]


async def make_case(
    app: App,
    user: str,
    *,
    ref: str = "HY-2026-00001",
    unit_id: int | None = None,
    household: str | None = "ho_ngheo",
    ethnicity: str | None = "Kinh",
    name: str = "Nguyễn Văn An",
    channel: Channel = Channel.CONSOLE,
) -> int:
    now = utcnow()
    async with app.db.session() as session, session.begin():
        contact = await get_or_create_contact(session, channel, user, "", now)
        case = Case(
            ref=ref,
            contact_id=contact.id,
            kind="abroad",
            unit_id=unit_id,
            full_name=name,
            household_status=household,
            ethnicity=ethnicity,
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        await session.flush()
        return case.id


async def make_officer(app: App, user: str, *, role: str, unit_id: int | None) -> None:
    now = utcnow()
    async with app.db.session() as session, session.begin():
        contact = await get_or_create_contact(session, Channel.CONSOLE, user, "", now)
        session.add(Officer(contact_id=contact.id, role=role, unit_id=unit_id, name=user))


def jpeg(seed: int, size: tuple[int, int] = (900, 1200)) -> bytes:
    """A distinct photo per seed (noise, so every seed has its own hash)."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(50):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        img.putpixel((x, y), (rng.randrange(256), 0, 0))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def png(size: tuple[int, int], seed: int = 0) -> bytes:
    img = Image.new("RGB", size, (seed % 256, 120, 200))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def pdf(pages: int, label: str = "doc") -> bytes:
    doc = FPDF()
    doc.set_font("helvetica", size=14)
    for n in range(pages):
        doc.add_page()
        doc.cell(text=f"{label} page {n + 1}")
    return bytes(doc.output())


def empty_pdf() -> bytes:
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()

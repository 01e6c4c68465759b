"""Driving a whole registration, shared by the intake and privacy tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from storage.models import Case, IntakeDraft
from tests.helpers import intents, press, say

PERSON = {
    "name": "Nguyễn Thị Mai",
    "dob": "12/3/1999",
    "phone": "0912 345 678",
    "commune": "phu luu",
    "village": "Thôn Khuổi Lếch",
    "cid": "025199004321",
}


async def fill_form(
    app: App,
    user: str,
    *,
    channel: Channel = Channel.CONSOLE,
    relative: str | None = None,
    kind: str = "Đi làm việc ở nước ngoài",
    choice: str = "Nhật Bản",
    person: dict[str, str] | None = None,
    consent: bool = True,
) -> list[dict[str, Any]]:
    """From "Đăng ký" to the summary; returns the summary lines."""
    p = {**PERSON, **(person or {})}
    await say(app, user, "tôi muốn đăng ký", channel=channel)
    if consent:
        await press(app, user, "Đồng ý", channel=channel)
    if relative:
        await press(app, user, "Cho người thân", channel=channel)
        await press(app, user, relative, channel=channel)
    else:
        await press(app, user, "Cho bản thân tôi", channel=channel)
    await press(app, user, kind, channel=channel)
    for text in (p["name"], p["dob"]):
        await say(app, user, text, channel=channel)
    await press(app, user, "Nữ", channel=channel)
    for text in (p["phone"], p["commune"], p["village"]):
        await say(app, user, text, channel=channel)
    await press(app, user, "Tày", channel=channel)
    await press(app, user, "Hộ nghèo", channel=channel)
    await press(app, user, choice, channel=channel)
    return await say(app, user, p["cid"], channel=channel)


async def all_cases(app: App) -> list[Case]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Case).order_by(Case.id)))


async def draft_data(app: App) -> dict[str, object]:
    """The answers of the one registration under way."""
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    assert draft is not None
    return dict(draft.data)


async def register(app: App, user: str, **person: str) -> str:
    """A whole registration in Phù Lưu (unless told otherwise); returns the case reference."""
    await fill_form(app, user, person=person or None)
    lines = await press(app, user, "Xác nhận")
    assert intents(lines)[0] == "flow:intake.done", lines
    return str(lines[0]["meta"]["case_ref"])

"""The preview of an announcement in ``/thongbao`` (compose.py): the text as people will read
it, to whom (counted now) and when, and the choices under it; and the room left for a text
within every channel's limit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from handlers.access import DISTRICT_ROLES, get_officer
from handlers.context import Context
from handlers.outreach.compose_steps import Cancel, Change, KeepText, Send, Step, intent
from handlers.outreach.rules import MAX_TEXT, quiet_until
from handlers.outreach.subscribe import topics_label
from handlers.shown_text import LIMITS, shown_text
from handlers.types import Attachment, Channel, Reply
from messages import t
from storage.models import Unit
from storage.outreach_repo import audience


async def show_preview(ctx: Context) -> None:
    """The announcement as people will read it, to whom and when, and «Gửi». When it would
    reach nobody now, it says so and why (who an announcement of this topic reaches), and
    offers to choose the communes or the topic again instead of «Gửi» ("Gửi tới 0 người …
    Gửi không?" then "Đã lên lịch" read like a send that did something); scheduled for
    later, it may still be kept, the recipients being counted again at the time of sending."""
    ctx.goto(Step.PREVIEW)
    preview = await _preview_reply(ctx, ctx.data)
    shown = ctx.reply(preview.text, preview.buttons, intent=intent(Step.PREVIEW),
                      recipients=preview.meta["recipients"])
    if ctx.data.get("photo"):
        shown.attachments.append(Attachment("photo", sha256=ctx.data["photo"]))


def when_said(ctx: Context, at: datetime | None) -> str:
    """When the announcement goes: its time, "ngay", or, asked at night, when the quiet hours
    end (the preview said "ngay" at 01:30, and nothing went until 07:00)."""
    zone = ctx.config.timezone
    if at is not None:
        return at.astimezone(zone).strftime("%H:%M %d/%m/%Y")
    morning = quiet_until(ctx.now, zone, ctx.config.quiet_hours)
    if morning is None:
        return t("compose.now")
    return t("compose.now_quiet", at=morning.strftime("%H:%M %d/%m/%Y"))


async def _preview_reply(ctx: Context, data: dict[str, Any]) -> Reply:
    """The preview of the announcement ``data`` describes (meta ``recipients``)."""
    who = await audience(ctx.session, data.get("units", []), data["interest"])
    at = datetime.fromisoformat(data["at"]) if data.get("at") else None
    params = {
        "text": data["text"], "stop_line": t("outreach.stop_line"), "count": len(who.contact_ids),
        "units": await _unit_names(ctx, data.get("units", [])),
        "topic": topics_label([data["interest"]]),
        "when": when_said(ctx, at),
    }
    send = Send().button(t("compose.button.send"))
    cancel = Cancel().button(t("compose.button.cancel"))
    edit = [[Change("text").button(t("compose.button.change_text"))]]
    if data.get("earlier_text"):
        edit.append([KeepText().button(t("compose.button.earlier_text"))])
    if who.contact_ids:
        text, buttons = t("compose.preview", **params), [[send, cancel], *edit]
    else:
        officer = await get_officer(ctx.session, ctx.contact.id)
        may_change_units = officer is not None and officer.role in DISTRICT_ROLES
        base = data["interest"].split(":")[0]
        text = "\n".join([
            t("compose.preview_nobody", **params),
            t(f"compose.reaches.{base}"),
            t(f"compose.nobody_{'later' if at else 'now'}{'' if may_change_units else '_own'}",
              **params),
        ])
        buttons = [[Change("interest").button(t("compose.button.change_interest"))]]
        if may_change_units:
            buttons.append([Change("units").button(t("compose.button.change_units"))])
        if at is not None:
            buttons.append([Send().button(t("compose.button.send_later"))])
        buttons += [*edit, [cancel]]
    return Reply(text, buttons, meta={"recipients": len(who.contact_ids)})


async def text_room(ctx: Context, data: dict[str, Any]) -> int:
    """The most characters an announcement the bot writes (the classes of an imported file)
    may have, so that its preview to the officer is ONE message on every channel: each
    channel's limit less the preview's frame (the same preview with no text: heading, the line
    how to stop, recipients, options as that channel shows them), and never over MAX_TEXT."""
    frame = await _preview_reply(ctx, {**data, "text": ""})
    return min(MAX_TEXT, *(LIMITS[channel] - len(shown_text(frame, channel))
                           for channel in Channel))


async def _unit_names(ctx: Context, unit_ids: list[int]) -> str:
    if not unit_ids:
        return t("outreach.all_units")
    names = (await ctx.session.scalars(select(Unit.name).where(Unit.id.in_(unit_ids)))).all()
    return ", ".join(sorted(names))

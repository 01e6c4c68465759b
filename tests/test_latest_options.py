"""A typed number answers the options of the latest message only (issue 13): after an
announcement, or any message the bot sent on its own without options, a number does not pick
the options of the person's earlier message; after one with options (a reminder, a status
change) it picks those. Pressed buttons (Telegram callback data) carry their own id as before."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import update

from bot.app import App
from bot.settings import Settings
from handlers.outreach.new_class import offer_new_courses
from handlers.types import Channel, Reply, reply_to_payload
from scheduler.broadcasts import DispatchPolicy, dispatch_once
from scheduler.dossier_reminders import run_dossier_reminders
from storage.models import Course, OutboxMessage
from storage.outreach_repo import BULK, create_broadcast
from storage.repositories import get_or_create_contact, record_outbox
from tests.dossier_support import click, jpeg, make_case
from tests.helpers import Clock, intents, say, send_file, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
#: «Gặp cán bộ», the fifth option of the main menu.
OFFICER = "5"


async def _announce(app: App, clock: Clock, *, deliver: bool = True) -> None:
    """An officer's announcement to Phù Lưu, queued by the dispatcher and (``deliver``) sent."""
    clock.advance(minutes=5)
    async with app.db.transaction() as session:
        await create_broadcast(
            session, unit_ids=[await unit_id(app, "Phù Lưu")], interest="training",
            text="Lớp may khai giảng 10/12.", send_at=clock.now(), now=clock.now(),
        )
    assert await dispatch_once(app.db, DispatchPolicy(Settings().zone), clock.now()) >= 1
    if deliver:
        async with app.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.priority == BULK, OutboxMessage.status == "pending")
                .values(status="sent")
            )
    clock.advance(minutes=5)


async def _subscriber(app: App, clock: Clock, channel: Channel) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "u1", clock.now(), unit=pl, topics=["training"], channel=channel)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_number_after_an_announcement_picks_nothing(
    app: App, clock: Clock, channel: Channel
) -> None:
    await _subscriber(app, clock, channel)
    assert intents(await say(app, "u1", "menu", channel=channel)) == ["flow:menu"]
    await _announce(app, clock)

    lines = await say(app, "u1", OFFICER, channel=channel)
    assert intents(lines) == ["number.outdated"], lines
    assert "không có lựa chọn số 5" in lines[0]["text"] and "menu" in lines[0]["text"]
    # The earlier options come again, numbered as they were: the same number now picks.
    if channel == Channel.ZALO:
        assert "5. Gặp cán bộ" in lines[0]["text"]
    else:
        assert ["Gặp cán bộ"] in lines[0]["buttons"]
    assert len(lines[0]["text"]) <= 600
    assert intents(await say(app, "u1", OFFICER, channel=channel))[0].startswith("flow:handoff")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_without_a_later_message_the_number_picks_as_before(
    app: App, clock: Clock, channel: Channel
) -> None:
    """The control: the same turns without the announcement (or with one not delivered yet:
    the person has not seen it) pick «Gặp cán bộ»."""
    await _subscriber(app, clock, channel)
    await say(app, "u1", "menu", channel=channel)
    clock.advance(minutes=10)
    assert intents(await say(app, "u1", OFFICER, channel=channel))[0].startswith("flow:handoff")

    await say(app, "u1", "menu", channel=channel)
    await _announce(app, clock, deliver=False)
    assert intents(await say(app, "u1", OFFICER, channel=channel))[0].startswith("flow:handoff")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_inside_the_form_the_step_is_asked_again(
    app: App, clock: Clock, channel: Channel
) -> None:
    """In the form, a notice with no options between the question and the number: the step is
    asked again, nothing is saved from the number."""
    await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    await say(app, "u1", "1", channel=channel)  # Đồng ý
    lines = await say(app, "u1", "1", channel=channel)  # Cho bản thân tôi
    assert intents(lines)[-1] == "flow:intake.kind"
    clock.advance(minutes=1)
    async with app.db.transaction() as session:
        contact = await get_or_create_contact(session, channel, "u1", "", clock.now())
        record_outbox(
            session, channel=channel, chat_id="u1", now=clock.now(), contact_id=contact.id,
            payload=reply_to_payload(Reply("Thông báo: nghỉ lễ.", meta={"intent": "notice"})),
        )
    async with app.db.transaction() as session:
        await session.execute(update(OutboxMessage).values(status="sent"))
    clock.advance(minutes=1)

    lines = await say(app, "u1", "2", channel=channel)
    assert intents(lines) == ["number.outdated", "flow:intake.kind"], lines
    lines = await say(app, "u1", "2", channel=channel)
    assert intents(lines)[-1] != "flow:intake.kind"  # the kind was taken this time


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_number_after_a_message_with_options_picks_those(
    app: App, clock: Clock, channel: Channel
) -> None:
    """A dossier reminder (written by the scheduler) carries options: "1" opens its checklist,
    not the first option of the menu shown before it."""
    await make_case(app, "u1", channel=channel, household="khong")  # a paper to send now
    await say(app, "u1", "hồ sơ", channel=channel)
    await click(app, "u1", "dossier:item:request_form", channel=channel)
    await send_file(app, "u1", jpeg(1), channel=channel)
    await say(app, "u1", "xong", channel=channel)
    await say(app, "u1", "menu", channel=channel)
    clock.advance(days=4)
    async with app.db.transaction() as session:
        assert await run_dossier_reminders(session, clock.now()) == 1
        await session.execute(update(OutboxMessage).values(status="sent"))
    clock.advance(minutes=5)
    lines = await say(app, "u1", "1", channel=channel)
    assert intents(lines)[0].startswith("flow:dossier"), lines
    assert "HY-2026-00001" in texts(lines)


async def test_a_pressed_button_stays_valid_after_an_announcement(
    app: App, clock: Clock
) -> None:
    """Telegram: a button's callback data names its action, whatever came since."""
    await _subscriber(app, clock, Channel.TELEGRAM)
    await say(app, "u1", "menu", channel=Channel.TELEGRAM)
    await _announce(app, clock)
    lines: list[dict[str, Any]] = await click(
        app, "u1", "menu:human", channel=Channel.TELEGRAM
    )
    assert intents(lines)[0].startswith("flow:handoff"), lines


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_number_no_option_has_is_said_so_not_out_of_remit(
    app: App, clock: Clock, channel: Channel
) -> None:
    """"3" under two options (the status card) said "not the bot's remit"; now: no such
    option, the same options again; with no options at all, the main menu."""
    await make_case(app, "u1", channel=channel)
    lines = await say(app, "u1", "hy 2026 00001", channel=channel)
    assert intents(lines) == ["flow:status.case"]
    lines = await say(app, "u1", "3", channel=channel)
    assert intents(lines) == ["number.unknown"], lines
    assert "không có lựa chọn số 3" in lines[0]["text"]
    assert "không thuộc việc bot hỗ trợ" not in lines[0]["text"]
    if channel == Channel.ZALO:
        assert "2. Gặp cán bộ" in lines[0]["text"]
    else:
        assert lines[0]["buttons"] == [["Hồ sơ hỗ trợ"], ["Gặp cán bộ"]]
    assert intents(await say(app, "u1", "2", channel=channel))[0].startswith("flow:handoff")

    lines = await say(app, "u2", "9", channel=channel)  # a first message: no options yet
    assert intents(lines) == ["number.unknown"]
    assert "Gặp cán bộ" in lines[0]["text"] + str(lines[0].get("buttons"))


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_officers_number_picks_the_options_of_a_message_written_outside_a_turn(
    app: App, clock: Clock, channel: Channel
) -> None:
    """A new class's one-tap offer is written by a command or the scheduler, not in a turn of
    the officer's: a number typed after it picks its options (it used to get "not one of the
    options of the latest message", those being the menu's from before)."""
    pl = await unit_id(app, "Phù Lưu")
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    await person(app, "sub", clock.now(), unit=pl, topics=["training"])
    assert intents(await say(app, "cb", "menu", channel=channel))[0].startswith("flow:")
    async with app.db.transaction() as session:
        await offer_new_courses(session, clock.now())  # the first look marks what exists
        session.add(Course(code="NEW-1", occupation="May công nghiệp", unit_id=pl,
                           venue="Nhà văn hóa thôn Cầu Cao", start_date=date(2026, 8, 3),
                           seats=30))
    clock.advance(minutes=5)
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, clock.now()) == 1
        await session.execute(update(OutboxMessage).where(OutboxMessage.chat_id == "cb")
                              .values(status="sent"))
    clock.advance(minutes=5)
    lines = await say(app, "cb", "1", channel=channel)
    assert lines[0]["meta"]["recipients"] == 1, lines  # the offer's announcement preview

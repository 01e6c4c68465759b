"""What the bot delivered about a person to an officer's Telegram chat is deleted there when the
person deletes their data (storage/erasure.py: retractions), within Telegram's 48 hours; the
sender turns each retraction into deleteMessage against the fake Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram_transport import TelegramTransport
from bot.inbound import button_event, text_event
from bot.rate_limits import ChannelLimits
from bot.sender import Sender
from handlers.types import Channel
from storage.models import OutboxMessage
from storage.repositories import RETRACT_INTENT, record_outbox, retraction_payload
from tests.fake_telegram import FakeTelegram
from tests.helpers import Clock
from tests.intake_support import PERSON, fill_form
from tests.officials_helpers import make_officer

TG = Channel.TELEGRAM
OFFICER, ASKER = 9001, 601
FAST = ChannelLimits(
    overall_per_second=200.0, private_per_second=50.0, private_burst=5, backoff_base=0.05
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(private_burst=100, private_rate=100.0)
    await server.start()
    yield server
    await server.close()


async def deliver(app: App, transport: TelegramTransport, clock: Clock) -> None:
    """Everything due in the outbox, sent (on the test's clock: ``sent_at`` is its time)."""
    sender = Sender(app.db, transport, FAST, clock=clock.now, poll_interval=0.1)
    task = asyncio.create_task(sender.run())
    try:
        await sender.drain(within=30)
    finally:
        await sender.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def quotes_the_person(text: str) -> bool:
    return PERSON["name"] in text or "0912345678" in text or "0912 345 678" in text


def about_the_person(fake: FakeTelegram) -> list[int]:
    """The messages in the officer's chat that name the person or give their phone."""
    return [s.message_id for s in fake.sent if s.chat_id == OFFICER and quotes_the_person(s.text)]


async def says(
    app: App, text: str = "", *, presses: str = "", user: str = str(ASKER)
) -> list[str]:
    """One turn on Telegram (the asker's unless told), its rows left for the sender (the
    in-process turns of tests.helpers mark them sent); returns the intents of its rows."""
    event = button_event(TG, user, label=presses) if presses else text_event(TG, user, text)
    rows = await app.engine.handle(event)
    return [str(r.payload.get("meta", {}).get("intent")) for r in rows]


async def register_on_telegram(app: App) -> None:
    await fill_form(app, str(ASKER), channel=TG)
    assert "flow:intake.done" in await says(app, presses="Xác nhận")


async def ask_an_officer(app: App) -> None:
    await says(app, "gặp cán bộ")
    assert "flow:handoff.done" in await says(app, "Bao giờ cán bộ gọi cho tôi?")


async def erase(app: App) -> None:
    await says(app, "xóa dữ liệu của tôi")
    assert "flow:privacy.deleted" in await says(app, presses="Có, xóa hết")


async def retractions(app: App) -> list[OutboxMessage]:
    async with app.db.session() as session:
        return list(await session.scalars(
            select(OutboxMessage).where(OutboxMessage.intent == RETRACT_INTENT)
            .order_by(OutboxMessage.id)))


async def test_the_notices_about_a_person_leave_the_officers_chat_with_their_data(
    app: App, clock: Clock, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    await make_officer(app, clock, str(OFFICER), "commune", "Phù Lưu", channel=TG)
    await register_on_telegram(app)
    # The officer opens the case card from the new-case notice.
    assert await says(app, presses="Mở hồ sơ", user=str(OFFICER)) == ["flow:cases.card"]
    await ask_an_officer(app)
    await deliver(app, transport, clock)
    notices = about_the_person(fake)
    assert len(notices) == 3, [s.text for s in fake.sent if s.chat_id == OFFICER]
    asker_got = [s.message_id for s in fake.sent if s.chat_id == ASKER]
    assert asker_got and fake.deleted == []

    clock.advance(hours=47)  # still within Telegram's 48 hours
    await erase(app)
    sent_before = len(fake.sent)
    await deliver(app, transport, clock)

    # deleteMessage for exactly those messages, in the officer's chat; the person's own chat
    # is theirs to clear.
    assert sorted(fake.deleted) == sorted((OFFICER, m) for m in notices)
    deletes = [p for method, p in fake.calls if method == "deleteMessage"]
    assert len(deletes) == len(notices)
    # What reached the officer afterwards (the deletion notice) names neither name nor phone.
    after = [s for s in fake.sent[sent_before:] if s.chat_id == OFFICER]
    assert after and not any(quotes_the_person(s.text) for s in after)
    # The retraction rows say nothing of the person, link to no one, and are done.
    done = await retractions(app)
    assert [(r.chat_id, r.status, r.payload) for r in done] == [(str(OFFICER), "sent", {})] * 3
    assert all(r.contact_id is None and r.subject_contact_id is None and r.notice_id is None
               for r in done)


async def test_a_notice_sent_48_hours_ago_or_more_is_left_where_it_is(
    app: App, clock: Clock, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    await make_officer(app, clock, str(OFFICER), "commune", "Phù Lưu", channel=TG)
    await register_on_telegram(app)
    await deliver(app, transport, clock)
    [new_case] = about_the_person(fake)
    clock.advance(hours=49)  # past Telegram's limit for that notice
    await ask_an_officer(app)
    await deliver(app, transport, clock)
    [question] = [m for m in about_the_person(fake) if m != new_case]

    await erase(app)
    await deliver(app, transport, clock)
    assert fake.deleted == [(OFFICER, question)]
    assert [m for m, _ in fake.calls].count("deleteMessage") == 1


async def test_a_message_already_gone_is_a_retraction_done_not_one_retried(
    app: App, clock: Clock, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    # The officer deleted it (or it is too old): Telegram answers 400.
    async with app.db.transaction() as session:
        record_outbox(session, channel=TG.value, chat_id=str(OFFICER),
                      payload=retraction_payload("424242"), now=clock.now())
    await deliver(app, transport, clock)
    assert [m for m, _ in fake.calls].count("deleteMessage") == 1
    assert fake.deleted == [] and fake.sent == []
    [row] = await retractions(app)
    assert (row.status, row.attempts, row.last_error, row.payload) == ("sent", 0, None, {})

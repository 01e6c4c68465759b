"""End to end through the fake Zalo server: long polling, the engine, the outbox sender."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import App
from handlers.menu import main_menu_buttons
from handlers.types import Channel, FileRef, reply_to_payload
from handlers.types import Reply as NeutralReply
from messages import t
from storage.models import InboundLog, OutboxMessage
from storage.repositories import record_outbox
from tests.fake_zalo import (
    FakeZalo,
    _update,
    image_update,
    jpeg_bytes,
    running_fake_zalo,
    text_update,
)
from tests.helpers import Clock
from tests.zalo_harness import ZaloHarness, zalo_harness

MENU_LABELS = [b.label for row in main_menu_buttons() for b in row]


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


@pytest.fixture
async def zalo(app: App, fake: FakeZalo) -> AsyncIterator[ZaloHarness]:
    async with zalo_harness(app, fake) as harness:
        yield harness


async def outbox_statuses(app: App) -> list[str]:
    async with app.db.session() as session:
        return list(await session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


async def test_menu_comes_as_a_numbered_list(zalo: ZaloHarness) -> None:
    [menu] = await zalo.send(text_update("/start", name="Lan"))
    assert menu.startswith(t("menu.welcome_named", name="Lan"))
    numbered = "\n".join(f"{i}. {label}" for i, label in enumerate(MENU_LABELS, start=1))
    assert numbered in menu
    assert menu.endswith("Trả lời 1, 2, 3, 4 hoặc 5")


async def test_answer_by_number_and_by_label_without_diacritics(zalo: ZaloHarness) -> None:
    await zalo.send(text_update("/start"))
    number = MENU_LABELS.index(t("menu.button.training")) + 1
    by_number = await zalo.send(text_update(str(number)))
    await zalo.send(text_update("/start"))
    by_label = await zalo.send(text_update("hoc nghe"))
    assert by_number == by_label
    assert by_number and by_number[0] != t("faq.fallback")


async def test_sticker_and_voice_get_a_polite_answer_and_the_menu(zalo: ZaloHarness) -> None:
    for event in ("message.sticker.received", "message.voice.received"):
        texts = await zalo.send(_update(event, "u-sticker", "", "Ted", {"sticker": "bfe4"}))
        assert texts[0] == t("menu.text_and_photos_only")
        assert "1. " + MENU_LABELS[0] in texts[-1]


async def test_unsupported_without_a_message_is_accepted_silently(
    zalo: ZaloHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.channels.zalo")
    bare = {"ok": True, "result": {"event_name": "message.unsupported.received"}}
    assert await zalo.send(bare) == []
    assert "without a sender" in caplog.text
    # Still polling: the next event is answered.
    assert await zalo.send(text_update("/start"))


async def test_unsupported_from_a_user_is_answered(zalo: ZaloHarness) -> None:
    texts = await zalo.send(_update("message.unsupported.received", "u9", "", "Ted", {}))
    assert texts[0] == t("menu.unsupported")


async def test_a_duplicated_event_is_processed_once(zalo: ZaloHarness, app: App) -> None:
    update = text_update("/start", message_id="2d758cb5e222177a4f35")
    first = await zalo.send(update)
    again = await zalo.send(update)
    assert len(first) == 1 and again == []
    async with app.db.session() as session:
        keys = list(await session.scalars(select(InboundLog.update_key)))
    assert keys == ["message.text.received:2d758cb5e222177a4f35"]


async def test_a_photo_is_downloaded_at_once_and_reaches_the_engine(
    zalo: ZaloHarness, fake: FakeZalo
) -> None:
    url = fake.image_url("page1.jpg", jpeg_bytes())
    texts = await zalo.send(image_update(url, user="u-photo"))
    assert fake.image_fetches == ["page1.jpg"]
    actions = [c.payload for c in fake.calls if c.method == "sendChatAction"]
    assert actions == [{"chat_id": "u-photo", "action": "typing"}]
    # No case to send papers for: the bot says where papers go, with the menu.
    assert texts[0].startswith(t("dossier.file_no_case"))


async def test_polling_survives_an_update_that_fails_and_a_platform_error(
    app: App, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_fetch(url: str) -> FileRef | None:
        raise RuntimeError("disk full")

    async with zalo_harness(app, fake, fetch=broken_fetch) as zalo:
        assert await zalo.send(image_update(fake.image_url("p.jpg", b"x"))) == []
        assert "polling goes on" in caplog.text
        fake.fail("getUpdates", "5xx", "429", "ok_false")
        await fake.wait_until(lambda: not fake.pending_failures())
        assert await zalo.send(text_update("/start"))
    failed = [c.payload["failed"] for c in fake.calls if "failed" in c.payload]
    assert failed == ["5xx", "429", "ok_false"]


async def test_429_then_recovery_loses_nothing(zalo: ZaloHarness, fake: FakeZalo, app: App) -> None:
    fake.fail("sendMessage", "429", "429")
    await zalo.send(text_update("/start", user="u-a"))
    await zalo.send(text_update("/help", user="u-b"))
    sends = [c for c in fake.calls if c.method == "sendMessage"]
    assert [c.payload.get("failed") for c in sends] == ["429", "429", None, None]
    delivered = [(c.payload["chat_id"], c.payload["text"]) for c in fake.sent()]
    assert [chat for chat, _ in delivered] == ["u-a", "u-b"]
    assert delivered[0][1].startswith(t("menu.welcome_named", name="Ted"))
    assert delivered[1][1].startswith(t("menu.help"))
    assert await outbox_statuses(app) == ["sent", "sent"]


async def test_an_answer_over_2000_characters_is_split(
    zalo: ZaloHarness, fake: FakeZalo, app: App, clock: Clock
) -> None:
    paragraph = "Người lao động đi làm việc ở nước ngoài cần chuẩn bị hồ sơ đầy đủ. " * 12
    long_text = "\n\n".join(f"{i}. {paragraph.strip()}" for i in range(1, 6))
    assert len(long_text) > 4000
    async with app.db.transaction() as session:
        record_outbox(
            session,
            channel=Channel.ZALO.value,
            chat_id="u-long",
            payload=reply_to_payload(NeutralReply(long_text)),
            now=clock.now(),
        )
    zalo.sender.notify()
    parts = await zalo.delivered()
    assert len(parts) == 3
    assert all(len(p) <= 2000 for p in parts)
    assert " ".join(" ".join(p.split()) for p in parts) == " ".join(long_text.split())
    async with app.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert count == 1 and await outbox_statuses(app) == ["sent"]

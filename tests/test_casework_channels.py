"""Officers closing the loop on the real channels: Telegram (the PTB client against the fake
Bot API: command menus per chat, an answer given by replying to the notice, files as documents)
and Zalo (no files: a signed, expiring link served by the webhook server)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.file_links import file_route
from bot.webhook import build_webhook_app
from handlers.officials.accounts import revoke_officer
from handlers.officials.documents import FileLink, sign_link
from handlers.types import Channel
from tests.helpers import Clock, say
from tests.officials_helpers import invite, make_officer
from tests.telegram_harness import TelegramHarness, telegram_harness


@pytest.fixture
async def tg(app: App) -> AsyncIterator[TelegramHarness]:
    async with telegram_harness(app) as harness:
        yield harness


async def test_telegram_menus_reply_to_notice_and_report_document(
    tg: TelegramHarness, app: App, clock: Clock
) -> None:
    # Everyone's menu has neither the officer sign-in nor the officers' dossier list.
    names = [c["command"] for c in tg.fake.commands]
    assert "canbo" not in names and "hoso" not in names and "dangky" in names
    officer, person = tg.user(701), tg.user(702)
    await officer.type(f"/canbo {await invite(app, clock, 'commune', 'Phù Lưu')}")
    # The officer's chat (only) gets the officers' menu.
    officer_menu = [c["command"] for c in tg.fake.chat_commands[701]]
    assert officer_menu[:3] == ["dangky", "hoso", "tiendo"] and "canbo" not in officer_menu
    assert 702 not in tg.fake.chat_commands

    await person.type("gặp cán bộ")
    await person.press("Phù Lưu")
    await person.type("Cho hỏi hạn nộp hồ sơ")
    [notice] = [s for s in officer.received() if "Cho hỏi hạn nộp hồ sơ" in s.text]
    assert [text for row in notice.buttons for _, text in row] == ["Trả lời", "Xem hồ sơ", "Đóng"]
    # Replying to the notice message answers the person.
    await officer.type("Hạn nộp là ngày 30.", reply_to=notice.message_id)
    relayed = person.received()[-1]
    assert relayed.text.startswith("💬 Cán bộ xã Phù Lưu trả lời:")
    assert "Hạn nộp là ngày 30." in relayed.text

    # The report is a document on Telegram.
    sent = await officer.type("/baocao")
    assert any(s.method == "sendDocument" and s.file_name.endswith(".xlsx") for s in sent)
    # /help lists the officer commands.
    [help_text] = await officer.type("/help")
    assert "/dangky" in help_text.text and "/baocao" in help_text.text


async def test_zalo_report_is_a_signed_link_served_once_per_officer(
    app: App, clock: Clock
) -> None:
    secret = "s3cret-for-links"
    # As `run --webhook` with FILE_LINK_SECRET set configures the handlers.
    app.engine.config = replace(
        app.engine.config, file_link_base="https://bot.example", file_link_secret=secret
    )
    await make_officer(app, clock, "zo", "commune", "Phù Lưu", channel=Channel.ZALO)
    lines = await say(app, "zo", "/baocao", channel=Channel.ZALO)
    text = lines[0]["text"]
    assert "attachments" not in lines[0] and "24 giờ" in text
    url = next(w for w in text.split() if w.startswith("https://bot.example/files/"))
    path = url.removeprefix("https://bot.example")

    now = [clock.now()]
    server = TestServer(build_webhook_app([file_route(app.db, app.files, secret,
                                                     clock=lambda: now[0])]))
    async with TestClient(server) as client:
        ok = await client.get(path)
        assert ok.status == 200 and (await ok.read())[:2] == b"PK"
        parts = path.split("/")
        # Another officer's id, an altered signature, a later expiry: refused.
        other = "/".join([*parts[:3], str(int(parts[3]) + 1), *parts[4:]])
        forged = "/".join([*parts[:5], "0" * 64, *parts[6:]])
        later = "/".join([*parts[:4], str(int(parts[4]) + 3600), *parts[5:]])
        for bad in (other, forged, later):
            assert (await client.get(bad)).status == 403, bad
        # A revoked officer's link stops working.
        async with app.db.transaction() as session:
            await revoke_officer(session, int(parts[3]), clock.now())
        assert (await client.get(path)).status == 403
        # Expired after 24 hours.
        now[0] = clock.now() + timedelta(hours=24, seconds=1)
        assert (await client.get(path)).status == 403


async def test_zalo_without_a_webhook_server_says_where_to_get_the_file(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "zo", "commune", "Phù Lưu", channel=Channel.ZALO)
    lines = await say(app, "zo", "/baocao", channel=Channel.ZALO)
    text = lines[0]["text"]
    assert "Telegram" in text and "python" not in text and "http" not in text


def test_a_link_is_bound_to_its_officer_and_file() -> None:
    from datetime import UTC, datetime

    from handlers.officials.documents import check_link

    now = datetime(2026, 7, 10, tzinfo=UTC)
    link = sign_link("k", "a" * 64, 7, "bao cao.xlsx", now)
    assert link.file_name == "bao-cao.xlsx" and check_link("k", link, now)
    assert not check_link("other-key", link, now)
    assert not check_link("", link, now)
    moved = FileLink("b" * 64, 7, link.expires, link.signature, link.file_name)
    assert not check_link("k", moved, now)


async def test_zalo_question_answered_by_a_zalo_officer_through_the_fake_server(
    app: App, clock: Clock
) -> None:
    from tests.fake_zalo import running_fake_zalo, text_update
    from tests.zalo_harness import zalo_harness

    person, officer = "7f1e2d3c4b5a69788796", "0a1b2c3d4e5f60718293"
    code = await invite(app, clock, "commune", "Phù Lưu")
    async with running_fake_zalo() as fake, zalo_harness(app, fake) as zalo:
        await zalo.send(text_update(f"/canbo {code}", user=officer, message_id="o1"))
        await zalo.send(text_update("gap can bo", user=person, message_id="p1"))
        await zalo.send(text_update("Phu Luu", user=person, message_id="p2"))
        sent = await zalo.send(text_update("Khi nao co lop may?", user=person, message_id="p3"))
        [notice] = [s for s in sent if "Khi nao co lop may?" in s]
        assert "1. Trả lời" in notice and "3. Đóng" in notice
        # The officer answers by number, then types the answer.
        await zalo.send(text_update("1", user=officer, message_id="o2"))
        sent = await zalo.send(text_update("Thang sau co lop may.", user=officer, message_id="o3"))
        relayed = [s for s in sent if s.startswith("💬 Cán bộ xã Phù Lưu trả lời:")]
        assert len(relayed) == 1 and "Thang sau co lop may." in relayed[0]
        chats = [c.payload["chat_id"] for c in fake.sent() if "Thang sau" in str(c.payload)]
        assert person in chats


@settings(max_examples=200, deadline=None)
@given(
    officer=st.integers(min_value=0, max_value=10**6),
    delta=st.integers(min_value=-(10**6), max_value=10**6).filter(bool),
    name=st.text(max_size=40),
    signature=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_any_altered_link_is_refused(officer: int, delta: int, name: str, signature: str) -> None:
    from datetime import UTC, datetime

    from handlers.officials.documents import check_link

    now = datetime(2026, 7, 10, tzinfo=UTC)
    link = sign_link("k", "c" * 64, officer, name, now)
    assert check_link("k", link, now)
    for altered in (
        replace(link, officer_id=officer + delta),
        replace(link, expires=link.expires + delta),
        replace(link, file_name=link.file_name + "x"),
    ):
        assert not check_link("k", altered, now)
    if signature != link.signature:
        assert not check_link("k", replace(link, signature=signature), now)

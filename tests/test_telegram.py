"""Telegram end to end: the real PTB client against the fake Bot API, the engine and the sender."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from telegram import Update

from bot.app import App
from bot.channels.telegram import TelegramChannel, build_application
from bot.channels.telegram_transport import TelegramTransport
from bot.cli import main as cli_main
from bot.cli_run import run
from bot.rate_limits import ChannelLimits
from bot.sender import Sender
from bot.settings import SettingsError
from bot.webhook import secret_route, serve_webhooks
from messages import t
from tests.conftest import make_settings
from tests.fake_telegram import (
    FakeTelegram,
    callback_update,
    document_update,
    photo_update,
    text_update,
)

LIMITS = ChannelLimits(overall_per_second=200.0, private_per_second=50.0, private_burst=5)


@dataclass
class Tg:
    app: App
    fake: FakeTelegram
    channel: TelegramChannel
    sender: Sender

    async def settle(self) -> None:
        await self.sender.drain(within=10)


@pytest.fixture
async def tg(app: App) -> AsyncIterator[Tg]:
    fake = FakeTelegram(private_burst=100, private_rate=100.0)
    await fake.start()
    application = build_application(fake.token, fake.url, read_timeout=5.0)
    sender = Sender(
        app.db, TelegramTransport(application.bot, app.files), LIMITS, poll_interval=0.1
    )
    channel = TelegramChannel(application, app, on_commit=sender.notify)
    app.engine.on_commit = sender.notify
    await channel.start()
    task = asyncio.create_task(sender.run())
    try:
        yield Tg(app, fake, channel, sender)
    finally:
        await sender.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await channel.close()
        await fake.close()


async def until(condition: object, within: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


async def test_start_registers_the_vietnamese_commands_menu(tg: Tg) -> None:
    names = [c["command"] for c in tg.fake.commands]
    assert {"start", "menu", "help"} <= set(names)
    assert any("menu chính" in c["description"] for c in tg.fake.commands)


async def test_polling_start_shows_the_menu_as_an_inline_keyboard(tg: Tg) -> None:
    poll = asyncio.create_task(tg.channel.poll(long_poll=1))
    try:
        tg.fake.inject(text_update(501, "/start"))
        await until(lambda: tg.fake.texts_to(501))
        menu = tg.fake.sent[0]
        ids = [button_id for row in menu.buttons for button_id, _ in row]
        assert "menu:register" in ids and all(len(i.encode()) <= 64 for i in ids)
        assert "Đăng ký" in [label for row in menu.buttons for _, label in row]
    finally:
        poll.cancel()


async def test_pressing_a_button_answers_the_query_and_removes_the_spent_keyboard(tg: Tg) -> None:
    update = Update.de_json({"update_id": 7, **callback_update(502, "menu:abroad")}, tg.channel.bot)
    await tg.channel.handle_update(update)
    await tg.settle()
    methods = [m for m, _ in tg.fake.calls]
    assert "answerCallbackQuery" in methods and "editMessageReplyMarkup" in methods
    assert tg.fake.texts_to(502)


async def test_a_redelivered_update_is_processed_once(tg: Tg) -> None:
    first = tg.fake.inject(text_update(503, "/start"))
    # Processed, then the process died before getUpdates confirmed it: Telegram sends it again.
    await tg.channel.handle_update(Update.de_json(first, tg.channel.bot))
    await tg.settle()
    poll = asyncio.create_task(tg.channel.poll(long_poll=1))
    try:
        tg.fake.inject(text_update(503, "/help", message_id=2))
        await until(lambda: len(tg.fake.texts_to(503)) >= 2)
        await asyncio.sleep(0.3)
        assert len(tg.fake.texts_to(503)) == 2  # /start once, /help once
    finally:
        poll.cancel()


async def test_a_photo_is_downloaded_at_its_largest_size(tg: Tg) -> None:
    file_id = tg.fake.add_file(b"\xff\xd8jpeg-bytes", file_id="big")
    tg.fake.add_file(b"small", file_id="big_small")
    update = Update.de_json({"update_id": 9, **photo_update(504, file_id, 11)}, tg.channel.bot)
    await tg.channel.handle_update(update)
    await tg.settle()
    asked = [p["file_id"] for m, p in tg.fake.calls if m == "getFile"]
    assert asked == ["big"]
    assert tg.fake.texts_to(504)


async def test_a_document_over_20_mb_is_refused_with_a_message_once(tg: Tg) -> None:
    data = document_update(505, "huge", 25 * 1024 * 1024)
    for _ in range(2):  # and its redelivery is answered once
        await tg.channel.handle_update(Update.de_json({"update_id": 11, **data}, tg.channel.bot))
    await tg.settle()
    assert tg.fake.texts_to(505) == [t("telegram.file_too_large")]
    assert "getFile" not in [m for m, _ in tg.fake.calls]


async def test_webhook_refuses_a_wrong_or_missing_secret_and_takes_the_right_one_once(
    tg: Tg, caplog: pytest.LogCaptureFixture
) -> None:
    route = secret_route(
        "/webhook/telegram",
        header="X-Telegram-Bot-Api-Secret-Token",
        secret="s3cret_ok",
        handle=tg.channel.handle_json,
    )
    body = {"update_id": 42, **text_update(506, "/start")}
    async with serve_webhooks([route], "127.0.0.1", 0) as port, aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}/webhook/telegram"
        header = "X-Telegram-Bot-Api-Secret-Token"
        statuses = []
        for headers in ({}, {header: "wrong"}, {header: "s3cret_ok"}, {header: "s3cret_ok"}):
            async with http.post(url, json=body, headers=headers) as response:
                statuses.append(response.status)
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
    assert statuses == [403, 403, 200, 200]
    # One line for a minute's refusals (tests/test_hardening_receive.py counts them).
    assert caplog.text.count("refused (403)") == 1
    await tg.settle()
    assert len(tg.fake.texts_to(506)) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_run_in_webhook_mode_registers_the_url_and_answers_through_the_sender(
    fresh_sqlite: Path,
) -> None:
    fake = FakeTelegram()
    await fake.start()
    port = _free_port()
    settings = make_settings(
        fresh_sqlite,
        telegram_token=fake.token,
        telegram_api_url=fake.url,
        webhook_port=port,
        webhook_public_url="https://bot.example.org",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, "telegram", True, stop))
    try:
        await until(lambda: bool(fake.webhook_url))
        assert fake.webhook_url == "https://bot.example.org/webhook/telegram"
        body = {"update_id": 5, **text_update(507, "/start")}
        headers = {"X-Telegram-Bot-Api-Secret-Token": fake.webhook_secret}
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"http://127.0.0.1:{port}/webhook/telegram", json=body, headers=headers
            ) as response,
        ):
            assert response.status == 200
        await until(lambda: bool(fake.texts_to(507)))
    finally:
        stop.set()
        await task
        await fake.close()


async def test_run_in_polling_mode_serves_healthz_on_the_health_port(fresh_sqlite: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    port = _free_port()
    settings = make_settings(
        fresh_sqlite, telegram_token=fake.token, telegram_api_url=fake.url, health_port=port
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, "telegram", False, stop))
    try:
        fake.inject(text_update(508, "/start"))
        await until(lambda: bool(fake.texts_to(508)))
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            report = await response.json()
            assert response.status == 200 and report["status"] == "ok"
            assert report["tasks"]["telegram:poll"]["running"] is True
            async with http.post(f"http://127.0.0.1:{port}/webhook/telegram", json={}) as r:
                assert r.status == 404  # polling: no webhook is served
    finally:
        stop.set()
        await task
        await fake.close()


async def test_run_stops_with_one_line_when_telegram_rejects_the_token(fresh_sqlite: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    settings = make_settings(fresh_sqlite, telegram_token="1:wrong", telegram_api_url=fake.url)
    try:
        with pytest.raises(SettingsError) as raised:
            await run(settings, "telegram", False, asyncio.Event())
    finally:
        await fake.close()
    line = str(raised.value.code)
    assert "TELEGRAM_TOKEN" in line and "\n" not in line


def test_run_without_a_token_prints_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", "")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert cli_main(["run", "telegram"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == t("telegram.run.missing_token", setting="TELEGRAM_TOKEN")

"""Zalo's webhook (the shared web server's route) and ``python -m bot run zalo [--webhook]``."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.zalo import ImageDownloader
from bot.channels.zalo_client import ZaloClient
from bot.channels.zalo_receive import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    ZaloReceiver,
    ZaloSetupError,
    use_polling,
    use_webhook,
)
from bot.cli_run import run
from bot.settings import SettingsError
from bot.webhook import secret_route, serve_webhooks
from storage.models import InboundLog, OutboxMessage
from tests.conftest import make_settings
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, text_update

SECRET = "zalo-webhook-secret-42"
FIXTURES = Path(__file__).parent / "fixtures" / "zalo"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


@pytest.fixture
async def webhook(app: App, fake: FakeZalo) -> AsyncIterator[str]:
    """The shared webhook server with Zalo's route; yields its base URL."""
    downloader = ImageDownloader()
    async with ZaloClient(TOKEN, base_url=fake.url) as client:
        receiver = ZaloReceiver(app.engine, client, downloader)
        route = secret_route(
            WEBHOOK_PATH, header=SECRET_HEADER, secret=SECRET, handle=receiver.handle_payload
        )
        async with serve_webhooks([route], "127.0.0.1", 0) as port:
            yield f"http://127.0.0.1:{port}"
    await downloader.aclose()


async def stored(app: App) -> tuple[list[str], int]:
    async with app.db.session() as session:
        keys = list(await session.scalars(select(InboundLog.update_key)))
        rows = len(list(await session.scalars(select(OutboxMessage.id))))
    return keys, rows


async def post(base: str, body: object, secret: str | None) -> httpx.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with httpx.AsyncClient() as http:
        return await http.post(base + WEBHOOK_PATH, json=body, headers=headers)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-xx", SECRET + "x", SECRET[:-1]])
async def test_a_wrong_or_missing_secret_is_refused(
    app: App, webhook: str, secret: str | None
) -> None:
    response = await post(webhook, text_update("/start", message_id="w1"), secret)
    assert response.status_code == 403
    assert await stored(app) == ([], 0)


async def test_the_right_secret_answers_200_once_the_event_is_stored(
    app: App, webhook: str
) -> None:
    response = await post(webhook, text_update("/start", message_id="w1"), SECRET)
    assert response.status_code == 200
    # Stored before the answer: the inbound log and the reply are committed already.
    assert await stored(app) == (["message.text.received:w1"], 1)
    again = await post(webhook, text_update("/start", message_id="w1"), SECRET)
    assert again.status_code == 200
    assert await stored(app) == (["message.text.received:w1"], 1)


@pytest.mark.parametrize("name", ["text_bare", "unsupported_no_message", "sticker"])
async def test_captured_bodies_with_and_without_envelope_are_accepted(
    app: App, webhook: str, name: str
) -> None:
    body = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    response = await post(webhook, body, SECRET)
    assert response.status_code == 200
    keys, _ = await stored(app)
    assert len(keys) == (0 if name == "unsupported_no_message" else 1)


async def test_health_check(webhook: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(webhook + "/healthz")
    assert response.status_code == 200


async def test_polling_removes_a_webhook_and_says_so(fake: FakeZalo) -> None:
    lines: list[str] = []
    async with ZaloClient(TOKEN, base_url=fake.url) as client:
        await use_webhook(client, "https://bot.example.vn/webhook/zalo", SECRET, lines.append)
        assert (fake.webhook_url, fake.webhook_secret) == (
            "https://bot.example.vn/webhook/zalo", SECRET
        )  # fmt: skip
        await use_polling(client, lines.append)
        assert fake.webhook_url == ""
        await use_polling(client, lines.append)
        with pytest.raises(ZaloSetupError):
            await use_webhook(client, "http://bot.example.vn/webhook/zalo", SECRET, lines.append)
        with pytest.raises(ZaloSetupError):
            await use_webhook(client, "https://bot.example.vn/webhook/zalo", "short", lines.append)
    assert "https://bot.example.vn/webhook/zalo" in lines[0]
    assert "https://bot.example.vn/webhook/zalo" in lines[1]  # the deletion names what it removed
    assert [c.method for c in fake.calls].count("deleteWebhook") == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_run_zalo_polls_and_answers(
    fake: FakeZalo, fresh_sqlite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.webhook_url, fake.webhook_secret = "https://old.example.vn/hook", "old-secret"
    settings = make_settings(fresh_sqlite, zalo_token=TOKEN, zalo_api_url=fake.url)
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, "zalo", False, stop))
    fake.push(text_update("/start", message_id="p1"))
    [reply] = await fake.wait_sent(1, within=15.0)
    stop.set()
    await asyncio.wait_for(task, 10.0)
    assert reply.payload["chat_id"] == "6ede9afa66b88fe6d6a9"
    assert "1. " in reply.payload["text"]
    assert fake.webhook_url == ""
    err = capsys.readouterr().err
    assert "https://old.example.vn/hook" in err and "polling" in err
    assert TOKEN not in err


async def test_run_zalo_webhook_sets_the_webhook_and_serves_it(
    fake: FakeZalo, fresh_sqlite: Path
) -> None:
    port = free_port()
    settings = make_settings(
        fresh_sqlite,
        zalo_token=TOKEN,
        zalo_api_url=fake.url,
        webhook_port=port,
        webhook_public_url="https://bot.example.vn/",
        webhook_secret=SECRET,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, "zalo", True, stop))
    try:
        await fake.wait_until(lambda: bool(fake.webhook_url), within=15.0)
        assert (fake.webhook_url, fake.webhook_secret) == (
            "https://bot.example.vn/webhook/zalo", SECRET
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        assert (await post(base, text_update("/start"), "nope")).status_code == 403
        assert (await post(base, text_update("/start"), SECRET)).status_code == 200
        [reply] = await fake.wait_sent(1, within=10.0)
        assert "1. " in reply.payload["text"]
    finally:
        stop.set()
        await asyncio.wait_for(task, 10.0)


async def test_run_zalo_with_a_refused_token_stops_with_one_line(
    fake: FakeZalo, fresh_sqlite: Path
) -> None:
    settings = make_settings(fresh_sqlite, zalo_token="1:revoked", zalo_api_url=fake.url)
    with pytest.raises(SettingsError) as caught:
        await run(settings, "zalo", False, asyncio.Event())
    assert "ZALO_TOKEN" in str(caught.value.code)


async def test_bodies_that_are_not_updates_get_400_and_group_stickers_no_reply(
    app: App, webhook: str
) -> None:
    async def raw(body: str) -> int:
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        async with httpx.AsyncClient() as http:
            response = await http.post(webhook + WEBHOOK_PATH, content=body, headers=headers)
        return response.status_code

    deep = "[" * 100_000 + "]" * 100_000
    assert [await raw(b) for b in ("{}", deep, "[]", '{"event_name": ""}', "nul")] == [400] * 5
    sticker = text_update("", message_id="g1")["result"]
    sticker["event_name"] = "message.sticker.received"
    sticker["message"]["chat"]["chat_type"] = "GROUP"
    assert (await post(webhook, sticker, SECRET)).status_code == 200
    assert await stored(app) == ([], 0)
